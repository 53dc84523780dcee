"""The open workbook in Excel through xlwings: what the ribbon buttons read and write.

Bulk on purpose: one range read per sheet, one clear and one value write per sheet written
(plus one number format per text column), so the number of calls a button makes does not grow
with the number of rows (tests/test_excel_buttons.py counts them through the remote engine).
Values follow the writer contract (cells.py); text that Excel would take for a formula gets
Excel's text prefix '. The workbook is never saved here: the clerk saves it in Excel.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal
from collections.abc import Iterable

import pandas as pd

from ..campaign import Campaign
from ..names import PROBLEM_KINDS_SHEET, TEXT_COLUMNS, Sheet
from .base import Rows, Writes, header_of, lay_out

#: text Excel parses when it is set as a value: formulas, numbers, dates, times, booleans
_EXCEL_WOULD_PARSE = re.compile(r"^\s*(?:[=+\-@]|[\d.,(（$¥￥]|'|(?:true|false)\s*$)", re.I)

#: rows per write through COM: very large single writes can fail in Excel; the remote engine
#: sends one JSON document anyway, so it writes in one piece (its action count stays constant)
CHUNK_ROWS = 5000


def engine_name(book: Any) -> str:
    try:
        return str(book.app.engine.name)
    except Exception:
        return ""


class XlwingsBook:
    """An xlwings Book (the button's caller, or a remote-engine book in tests)."""

    def __init__(self, book: Any, campaign: Campaign) -> None:
        self.book = book
        self.campaign = campaign
        self.notes: list[str] = []           # Excel writes its own sheets whole
        self.remote = engine_name(book) == "remote"
        self._cache: dict[str, Rows] = {}
        self._present: set[str] | None = None

    def _names(self) -> set[str]:
        if self._present is None:
            self._present = {s.name for s in self.book.sheets}
        return self._present

    def read(self, names: Iterable[str]) -> dict[str, Rows]:
        names = list(dict.fromkeys(names))
        for name in names:
            if name in self._cache or name not in self._names():
                continue
            sheet = self.book.sheets[name]
            last = sheet.used_range.last_cell
            values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
            self._cache[name] = [list(row) for row in values or []]
        return {n: self._cache[n] for n in names if n in self._cache}

    def write(self, writes: Writes) -> None:
        if not writes:
            return
        self.read([n for n in writes.sheets() if n in self._names()])   # old extents
        with _Quiet(self.book, self.remote):
            for name, frame in writes.frames.items():
                self._write_frame(name, frame)
            for name, rows in writes.raw.items():
                self._write_raw(name, rows)
        if Sheet.PROBLEMS in writes.frames:
            self._cache.pop(PROBLEM_KINDS_SHEET, None)

    # --- one sheet ------------------------------------------------------------------------

    def _sheet(self, name: str) -> Any:
        if name in self._names():
            return self.book.sheets[name]
        sheet = self.book.sheets.add(name, after=self.book.sheets[-1])
        self._names().add(name)
        self._cache[name] = []
        return sheet

    def _write_frame(self, name: str, frame: pd.DataFrame) -> None:
        sheet = self._sheet(name)
        rows = self._cache.get(name, [])
        old_header = header_of(rows)
        header, laid_out = lay_out(frame, old_header)
        old_rows = len(rows)
        old_cols = max((len(r) for r in rows), default=0)
        if old_rows > 1 and old_cols:
            sheet.range((2, 1), (old_rows, old_cols)).clear_contents()
        if header != old_header:
            sheet.range((1, 1)).value = [header]
        body = [[excel_value(c, v) for c, v in zip(header, row)]
                for row in laid_out.itertuples(index=False, name=None)]
        self._cache[name] = [list(header), *body]
        if not body:
            return
        for i, column in enumerate(header, start=1):
            if column in TEXT_COLUMNS:   # 身份证号 / 电话 / 银行卡号 stay text in Excel too
                sheet.range((2, i), (len(body) + 1, i)).number_format = "@"
        chunk = None if self.remote else CHUNK_ROWS
        sheet.range((2, 1)).options(index=False, header=False, chunksize=chunk).value = \
            pd.DataFrame(body, columns=header, dtype=object)

    def _write_raw(self, name: str, rows: Any) -> None:
        existed = name in self._names()
        sheet = self._sheet(name)
        if existed:
            sheet.clear()
        width = max((len(r) for r in rows), default=0)
        block = [[excel_value("", v) for v in r] + [None] * (width - len(r)) for r in rows]
        self._cache[name] = [list(r) for r in block]
        if block and width:
            sheet.range((1, 1)).value = block


def excel_value(column: str, value: Any) -> Any:
    """A contract value as xlwings (or the WPS add-in) writes it: dates as datetimes; text that Excel would turn into
    a formula, a number, a date or a boolean when set as a value gets Excel's text prefix '
    (text columns are formatted as text instead), so text stays text, exactly as given."""
    if isinstance(value, str):
        if column not in TEXT_COLUMNS and _EXCEL_WOULD_PARSE.match(value):
            return "'" + value
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


class _Quiet:
    """Screen updating and calculation off while writing; restored afterwards (COM engine)."""

    def __init__(self, book: Any, remote: bool) -> None:
        self.app = book.app
        self.remote = remote
        self.calculation: Any = None

    def __enter__(self) -> _Quiet:
        if self.remote:   # Office.js-style clients suspend repaint on their own
            return self
        try:
            self.calculation = self.app.calculation
            self.app.screen_updating = False
            self.app.calculation = "manual"
        except Exception:
            pass
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        if self.remote:
            return False
        try:
            if self.calculation is not None:
                self.app.calculation = self.calculation
            self.app.screen_updating = True
        except Exception:
            pass
        return False
