"""One returned file → its data tables: header found, data rows kept, blank/title/note/合计 rows
dropped, each row with the Excel row number the unit sees. Vectorised over whole columns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from ..names import Col
from ..values import to_text
from . import normalize as N
from .headers import canonical_header, find_header, map_headers
from .readers import RawFile

TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数", "累计")
NOTE_PREFIXES = ("注", "说明", "填表说明", "填报说明", "备注:", "备注：", "制表", "审核", "填表人",
                 "负责人", "联系人", "填报人", "填报日期", "单位盖章", "经办人", "签字", "盖章")
_HEADING = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|第.{1,4}[部分批类组])")
#: columns that hold data; a row with only 序号 or 单位 filled is an empty template row
DATA_COLUMNS = (Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.BANK,
                Col.ADDRESS, Col.NOTE)
ROW = "_行"          # Excel row number as the unit sees it


@dataclass
class Table:
    """The data rows of one sheet of one returned file, in canonical columns (raw values)."""
    raw: RawFile
    sheet: str
    source: str                       # 来源文件 shown to the clerk
    frame: pd.DataFrame               # canonical columns present + ROW
    letters: dict[str, str] = field(default_factory=dict)   # canonical → column letter
    title: str = ""


def _title_text(rows: list[list[Any]], header_index: int) -> str:
    return " ".join(to_text(v) for row in rows[:header_index] for v in row if to_text(v))


def _skipped(body: pd.DataFrame, mapping: dict[int, str]) -> pd.Series:
    """Rows that are not data: blank (in the data columns), 合计, notes, headings, a repeated
    header (a second page pasted below the first)."""
    blank = body.isna() | body.astype(str).apply(lambda c: c.str.strip().eq(""))
    data_cols = [i for i, name in mapping.items() if name in DATA_COLUMNS]
    empty = blank[data_cols].all(axis=1)
    filled = (~blank).sum(axis=1)
    nonblank = body.mask(blank)
    first_mapped = N.map_unique(nonblank[sorted(mapping)].bfill(axis=1).iloc[:, 0], _squeezed)
    first_any = N.map_unique(nonblank.bfill(axis=1).iloc[:, 0], _squeezed)
    total = first_mapped.str.startswith(TOTAL_WORDS) | first_any.str.startswith(TOTAL_WORDS)
    note = filled.eq(1) & (first_any.str.startswith(NOTE_PREFIXES)
                           | first_any.str.match(_HEADING))
    # a repeated header: test one column first (cheap), the others only on those rows
    probe_i, probe = next(((i, n) for i, n in mapping.items() if n == Col.CATEGORY),
                          next(iter(mapping.items())))
    candidate = N.map_unique(body[probe_i], lambda v: _is_header(v, probe))
    repeated = pd.Series(False, index=body.index)
    if candidate.any():
        rows = body[candidate.astype(bool)]
        cells = sum(rows[i].map(lambda v, n=n: _is_header(v, n)).astype(int)
                    for i, n in mapping.items())
        repeated.loc[rows.index] = cells >= 3
    return empty | total | note | repeated


def _is_header(value: Any, name: str) -> bool:
    text = _squeezed(value)
    return 0 < len(text) <= 12 and canonical_header(text) == name


def _squeezed(value: Any) -> str:
    return re.sub(r"\s+", "", to_text(value))


def _with_sub_header(rows: list[list[Any]], header_index: int,
                     mapping: dict[int, str]) -> tuple[dict[int, str], int]:
    """A two-row header (联系方式 merged over 联系电话 / 银行卡号): when the row under the header
    holds only header words and names columns the first row did not, both rows are the header.
    Returns the combined mapping and how many extra header rows to skip (0 or 1)."""
    if header_index + 1 >= len(rows):
        return mapping, 0
    below = rows[header_index + 1]
    words = {i: _squeezed(v) for i, v in enumerate(below) if _squeezed(v)}
    if not words or not all(canonical_header(w) for w in words.values()):
        return mapping, 0
    known = set(mapping.values())
    extra = {i: name for i, name in map_headers(below).items()
             if name not in known and i not in mapping}
    if not extra:
        return mapping, 0
    return {**mapping, **extra}, 1


def tables_of(raw: RawFile) -> list[Table]:
    """Every visible sheet of `raw` that has a header row, as a Table of its data rows."""
    found = []
    for sheet in raw.sheets:
        if sheet.hidden or not sheet.rows:
            continue
        located = find_header(sheet.rows)
        if located is None:
            continue
        header_index, mapping = located
        mapping, sub_rows = _with_sub_header(sheet.rows, header_index, mapping)
        body_rows = sheet.rows[header_index + 1 + sub_rows:]
        # a sheet formatted down to column XFD must not cost 16k columns: data and notes sit
        # within or just beside the mapped columns
        width = min(max([len(r) for r in body_rows] + [0]), max(mapping) + 4)
        width = max(width, max(mapping) + 1)
        body = pd.DataFrame([(list(r[:width]) + [None] * (width - len(r)))[:width]
                             for r in body_rows],
                            columns=range(width), dtype=object)
        first = header_index + 1 + sub_rows
        body.index = (range(first + 1, first + 1 + len(body)) if sheet.row_numbers is None
                      else sheet.row_numbers[first:first + len(body)])   # Excel rows
        if len(body):
            body = body[~_skipped(body, mapping)]
        frame = pd.DataFrame({name: body[i] for i, name in mapping.items()}, index=body.index)
        frame[ROW] = body.index.astype(int)
        found.append(Table(raw, sheet.name, raw.relname, frame.reset_index(drop=True),
                           {name: get_column_letter(sheet.col_number(i)) for i, name in mapping.items()},
                           _title_text(sheet.rows, header_index)))
    if len(found) > 1:
        for table in found:
            table.source = f"{raw.relname}〔{table.sheet}〕"
    return found
