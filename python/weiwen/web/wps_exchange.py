"""The WPS add-in's wire format, both ways, as pure functions (no file, no HTTP).

In (`sheets_in`): the open workbook's sheets as the add-in reads them, one Range.Value2 per
sheet, rows from A1. Blanks arrive as null; formula errors too (the add-in turns WPS's numeric
error codes into null, as calamine and xlwings read an error cell as blank); dates arrive as
Excel serial numbers, because Value2 has no dates — the operations read a serial wherever they
expect a date (values.to_date). Numbers become floats, as Excel keeps them (MemoryBook does the
same with what it writes); trailing blank rows and columns are dropped.

Out (`writes_out`): for each sheet an operation wrote (MemoryBook.changes), what the add-in sets,
under the one writer contract (cells.py) and exactly as XlwingsBook writes through Excel: the
values from A1 ready for Value2 (a date as its serial, with a date number format over it; text
that WPS would parse — = + - @, numbers, dates, TRUE — with the ' text prefix, except in the text
columns 身份证号 / 联系电话 / 银行卡号, which are formatted as text before the values go in), the
old extent to clear first, and whether the sheet must be created.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Mapping, Sequence

from ..books import MemoryBook
from ..books.base import header_of
from ..books.xlwings_book import excel_value
from ..cells import cell_value, date_format, excel_serial
from ..errors import WeiwenError
from ..names import TEXT_COLUMNS

Rows = list[list[Any]]
TEXT_FORMAT = "@"
#: an Excel sheet name has at most 31 characters; a workbook has a few dozen sheets at most
MAX_SHEET_NAME = 31
MAX_SHEETS = 255


class WireError(WeiwenError):
    """What the add-in sent is not a workbook's sheets (an old or damaged add-in)."""


def _bad(what: str) -> WireError:
    return WireError(f"WPS 加载项发来的数据格式不对（{what}）。请重新安装加载项："
                     f"在命令行运行 weiwen wps install，然后重新启动 WPS。")


def _cell_in(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        number = float(value)
        return number if math.isfinite(number) else None
    raise _bad(f"单元格的值不能是 {type(value).__name__}")


def _blank(value: Any) -> bool:
    return value is None


def sheets_in(raw: Any) -> dict[str, Rows]:
    """The posted sheets as rows a MemoryBook takes (WireError when they are not)."""
    if not isinstance(raw, dict):
        raise _bad("没有工作表")
    if len(raw) > MAX_SHEETS:
        raise _bad("工作表太多")
    out: dict[str, Rows] = {}
    for name, rows in raw.items():
        if not isinstance(name, str) or not name or len(name) > MAX_SHEET_NAME:
            raise _bad("工作表名称")
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad(f"工作表“{name}”不是行列表")
        block = [[_cell_in(v) for v in row] for row in rows]
        while block and all(map(_blank, block[-1])):
            block.pop()
        width = max((max((i + 1 for i, v in enumerate(r) if not _blank(v)), default=0)
                     for r in block), default=0)
        out[name] = [r[:width] + [None] * (width - len(r[:width])) for r in block]
    return out


# --- out ----------------------------------------------------------------------------------------

@dataclass
class SheetWrite:
    """One sheet as the add-in writes it. Rows and columns are 1-based, as in WPS."""
    sheet: str
    rows: Rows                                   # the values from A1 (rectangular)
    create: bool = False                         # the workbook has no such sheet yet
    clear: tuple[int, int, int, int] | None = None   # first row, first column, rows, columns
    clear_all: bool = False                      # values and formats (a free-layout sheet)
    text_columns: list[int] = field(default_factory=list)   # formatted as text from row 2
    formats: list[tuple[int, int, int, str]] = field(default_factory=list)  # row, column, rows, format

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "rows": self.rows, "create": self.create,
                "clear": list(self.clear) if self.clear else None, "clear_all": self.clear_all,
                "text_columns": self.text_columns,
                "formats": [list(f) for f in self.formats]}


def _value_out(column: str, value: Any) -> tuple[Any, str | None]:
    """(what Value2 gets, the number format a date needs) for one contract value."""
    value = cell_value(value)
    if isinstance(value, dt.date):
        return excel_serial(value), date_format(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None, None
    return excel_value(column, value), None


def _date_formats(block: Sequence[Sequence[tuple[Any, str | None]]], first_row: int
                  ) -> list[tuple[int, int, int, str]]:
    """Number formats for the date cells of `block` (rows from `first_row`): a whole column when
    its non-blank cells are all dates of one format, else each run of consecutive date cells —
    so the calls stay few however many rows there are."""
    out: list[tuple[int, int, int, str]] = []
    width = max((len(r) for r in block), default=0)
    for c in range(width):
        cells = [(i, r[c][1] if c < len(r) else None, r[c][0] if c < len(r) else None)
                 for i, r in enumerate(block)]
        filled = [(i, f) for i, f, v in cells if v is not None]
        formats = {f for _, f in filled}
        only = formats.pop() if len(formats) == 1 else None
        if filled and only is not None:
            out.append((first_row, c + 1, len(block), only))
            continue
        start, current = 0, None                  # start: where the run of `current` began
        for i, f, _ in [*cells, (len(block), None, None)]:
            if f != current:
                if current is not None:
                    out.append((first_row + start, c + 1, i - start, current))
                start, current = i, f
    return out


def _frame_write(name: str, rows: Rows, before: Rows | None) -> SheetWrite:
    header = header_of(rows) if rows else []
    width = max((len(r) for r in rows), default=0)
    typed = [[_value_out("", v) for v in rows[0]] + [(None, None)] * (width - len(rows[0]))] \
        if rows else []
    for row in rows[1:]:
        cells = [_value_out(header[c] if c < len(header) else "", v) for c, v in enumerate(row)]
        typed.append(cells + [(None, None)] * (width - len(cells)))
    body = typed[1:]
    write = SheetWrite(name, [[v for v, _ in r] for r in typed], create=before is None)
    if before is not None and len(before) > 1:
        old_width = max((len(r) for r in before), default=0)
        if old_width:
            write.clear = (2, 1, len(before) - 1, old_width)
    if body:
        write.text_columns = [i + 1 for i, column in enumerate(header) if column in TEXT_COLUMNS]
        write.formats = _date_formats([[(v, f) for v, f in r] for r in body], 2)
    return write


def _raw_write(name: str, rows: Rows, before: Rows | None) -> SheetWrite:
    width = max((len(r) for r in rows), default=0)
    typed = [[_value_out("", v) for v in r] + [(None, None)] * (width - len(r)) for r in rows]
    write = SheetWrite(name, [[v for v, _ in r] for r in typed], create=before is None,
                       clear_all=before is not None)
    write.formats = _date_formats(typed, 1)
    return write


def writes_out(book: MemoryBook, before: Mapping[str, Sequence[Sequence[Any]]]
               ) -> list[dict[str, Any]]:
    """What the add-in sets for every sheet the operation wrote, in the order written."""
    raw = {name for writes in book.writes for name in writes.raw}
    out = []
    for name, rows in book.changes().items():
        old = [list(r) for r in before[name]] if name in before else None
        make = _raw_write if name in raw else _frame_write
        out.append(make(name, rows, old).to_json())
    return out
