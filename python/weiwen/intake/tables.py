"""One returned file → its data tables: header found, data rows kept, blank/title/note/合计 rows
dropped, each row with the Excel row number the unit sees. Vectorised over whole columns.

Rows that are not households are left out: blank rows, 合计/小计 rows, section headings
(一、低保户), a header repeated on a later page, and notes and footers: a row whose filled cells
are all label-and-value notes (制表人：… | 制表时间：…, 填表人 / 审核人 / 联系电话 / 单位盖章 …),
however many cells it spans. A list with one row per family member is folded into one row per
household (households.py); how many member rows were folded is kept with the table.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from ..names import Col, Internal
from ..values import to_text
from . import normalize as N
from .categories import CATEGORY_OPTION
from .headers import Header, find_header, header_word_of
from .households import MEMBERS, ROW, fold_members
from .readers import RawFile

TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数", "累计")
NOTE_PREFIXES = ("注", "说明", "填表说明", "填报说明", "备注:", "备注：", "制表", "审核", "填表人",
                 "负责人", "联系人", "填报人", "填报日期", "单位盖章", "经办人", "签字", "盖章")
#: labels of the notes a filler writes under (or above) a list, each followed by its value
NOTE_LABELS = ("制表人", "制表时间", "制表日期", "制表单位", "制表", "审核人", "审核日期", "审核",
               "审批人", "填表人", "填表时间", "填表日期", "填报人", "填报日期", "填报时间", "填报单位",
               "报出日期", "报送日期", "统计负责人", "单位负责人", "主要负责人", "负责人", "分管领导",
               "主管领导", "经办人", "联系人", "联系电话", "电话", "手机", "单位盖章", "盖章", "公章",
               "签字", "签名", "日期", "时间", "注", "说明", "备注", "村委会", "居委会", "社区盖章",
               "村委会盖章", "单位", "单位名称", "领导签字")
_NOTE_LABEL = re.compile(
    r"^[（(]?(" + "|".join(sorted(NOTE_LABELS, key=len, reverse=True)) + r")[）)]?"
    r"(?=$|[:：\s（(]|[\d\u4e00-\u9fff]*[:：])")
_HEADING = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|第.{1,4}[部分批类组])")
#: columns that hold data; a row with only 序号 or 单位 filled is an empty template row
DATA_COLUMNS = (Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.BANK,
                Col.ADDRESS, Col.NOTE, Internal.HEAD_NAME, Internal.HEAD_ID)
#: what the merge reads of a table before its pieces are cleaned: the row numbers, the family
#: members folded into each row, and 单位 (by which a district's list is split)
OUTLINE = (ROW, MEMBERS, Col.UNIT)
_ID_LIKE = re.compile(r"^\d{17}[\dX]$|^\d{15}$")


@dataclass
class Table:
    """The data rows of one sheet of one returned file, in canonical columns (raw values)."""
    raw: RawFile
    sheet: str
    source: str                       # 来源文件 shown to the clerk
    frame: pd.DataFrame               # canonical columns present + ROW
    letters: dict[str, str] = field(default_factory=dict)   # canonical → column letter
    title: str = ""
    header: Header | None = None
    members: int = 0                  # family-member rows folded into their household
    headless: list[tuple[int, str, int, int]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)   # frame column → its header words
    #: when set, `frame` holds only the columns the merge counts and splits by (OUTLINE) and
    #: this gives the whole frame, same rows: a table the returns cache kept, whose cells are
    #: unpickled only when one of its pieces is cleaned again (intake/cache.py)
    cells: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + self.members

    def outline(self) -> pd.DataFrame | None:
        """`frame` cut to OUTLINE's columns, or None when its rows cannot be found again by
        their labels (a repeated index)."""
        if not self.frame.index.is_unique:
            return None
        return self.frame[[c for c in OUTLINE if c in self.frame.columns]]


def _title_text(rows: list[list[Any]], header_index: int) -> str:
    return " ".join(to_text(v) for row in rows[:header_index] for v in row if to_text(v))


def _squeezed(value: Any) -> str:
    return re.sub(r"\s+", "", to_text(value))


def note_row(values: list[Any]) -> bool:
    """Whether every filled cell is a note: a label with its value in the same cell, or a label
    followed by its value in the next filled cell (制表人： | 王丽 | 制表时间： | 2027-01-08)."""
    texts = [t for t in (_squeezed(v) for v in values) if t]
    if not texts:
        return False
    waiting = False
    for text in texts:
        if waiting:
            waiting = False
            continue
        match = _NOTE_LABEL.match(text)
        if match is None:
            return False
        rest = text[match.end():].lstrip(":：")
        waiting = not rest or rest in ("（盖章）", "(盖章)")
    return True


def _blank_cell(value: Any) -> bool:
    """Empty to the eye: missing (None, NaN, NaT) or text of spaces only."""
    kind = type(value)
    if kind is str:
        return not value or value.isspace()
    if kind is float:
        return value != value
    if kind is int or kind is bool:
        return False
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _blank_cells(body: pd.DataFrame) -> pd.DataFrame:
    """`_blank_cell` of every cell, in one pass over the values (not one pandas op per column)."""
    values = body.to_numpy(dtype=object)
    flags = np.fromiter(map(_blank_cell, values.ravel()), dtype=bool, count=values.size)
    return pd.DataFrame(flags.reshape(values.shape), index=body.index, columns=body.columns)


def _skipped(body: pd.DataFrame, mapping: dict[int, str]) -> pd.Series:
    """Rows that are not data: blank (in the data columns), 合计, notes, headings, a repeated
    header (a second page pasted below the first)."""
    blank = _blank_cells(body)
    data_cols = [i for i, name in mapping.items() if name in DATA_COLUMNS]
    empty = blank[data_cols].all(axis=1)
    filled = (~blank).sum(axis=1)
    nonblank = body.mask(blank)
    first_mapped = N.map_unique(nonblank[sorted(mapping)].bfill(axis=1).iloc[:, 0], _squeezed)
    first_any = N.map_unique(nonblank.bfill(axis=1).iloc[:, 0], _squeezed)
    total = first_mapped.str.startswith(TOTAL_WORDS) | first_any.str.startswith(TOTAL_WORDS)
    note = filled.eq(1) & (first_any.str.startswith(NOTE_PREFIXES)
                           | first_any.str.match(_HEADING))
    # label-and-value notes over several cells: test the first cell (cheap), then the row
    labelled = N.map_unique(first_any, lambda t: bool(_NOTE_LABEL.match(t))).astype(bool)
    rows = body[labelled & ~note]
    if len(rows):
        note.loc[rows.index] = [note_row(list(r)) for r in rows.itertuples(index=False)]
    # a repeated header: test one column first (cheap), the others only on those rows
    probe_i, probe = next(((i, n) for i, n in mapping.items() if n == Col.CATEGORY),
                          next(iter(mapping.items())))
    candidate = N.map_unique(body[probe_i], lambda v: header_word_of(v, probe))
    repeated = pd.Series(False, index=body.index)
    if candidate.any():
        rows = body[candidate.astype(bool)]
        cells = sum(rows[i].map(lambda v, n=n: header_word_of(v, n)).astype(int)
                    for i, n in mapping.items())
        repeated.loc[rows.index] = cells >= min(3, len(mapping))
    return empty | total | note | repeated


def _id_like(series: pd.Series) -> int:
    return int(N.ids(series)[0].str.match(_ID_LIKE).sum())


def _choose_id(body: pd.DataFrame, header: Header, mapping: dict[int, str]) -> dict[int, str]:
    """Of several ID columns (证件号码 and 身份证号码), the one that holds ID numbers."""
    options = header.alternatives.get(Col.ID, ())
    chosen = next((i for i, n in mapping.items() if n == Col.ID), None)
    if chosen is None or not options or not len(body):
        return mapping
    best = max((chosen, *options), key=lambda i: (_id_like(body[i]), i == chosen))
    if best == chosen:
        return mapping
    out = {i: n for i, n in mapping.items() if i != chosen}
    out[best] = Col.ID
    return dict(sorted(out.items()))


def tables_of(raw: RawFile) -> list[Table]:
    """Every visible sheet of `raw` that has a header row, as a Table of its data rows."""
    found = []
    for sheet in raw.sheets:
        if sheet.hidden or not sheet.rows:
            continue
        header = find_header(sheet.rows)
        if header is None:
            continue
        mapping = dict(header.mapping)
        body_rows = sheet.rows[header.data_start:]
        # a sheet formatted down to column XFD must not cost 16k columns: data and notes sit
        # within or just beside the mapped columns
        last = max([*mapping, *(i for o in header.alternatives.values() for i in o)])
        width = min(max([len(r) for r in body_rows] + [0]), last + 4)
        width = max(width, last + 1)
        body = pd.DataFrame([(list(r[:width]) + [None] * (width - len(r)))[:width]
                             for r in body_rows],
                            columns=range(width), dtype=object)
        first = header.data_start
        body.index = (range(first + 1, first + 1 + len(body)) if sheet.row_numbers is None
                      else sheet.row_numbers[first:first + len(body)])   # Excel rows
        if len(body):
            body = body[~_skipped(body, mapping)]
        mapping = _choose_id(body, header, mapping)
        frame = pd.DataFrame({name: body[i] for i, name in mapping.items()}, index=body.index)
        headers = {name: header.texts.get(i, "") for i, name in mapping.items()}
        for k, i in enumerate(header.alternatives.get(Col.CATEGORY, ()), start=1):
            if i not in mapping:
                frame[CATEGORY_OPTION.format(k)] = body[i]
                headers[CATEGORY_OPTION.format(k)] = header.texts.get(i, "")
        frame[ROW] = body.index.astype(int)
        members, headless = 0, []
        if header.person_level:
            folded = fold_members(frame)
            frame, members, headless = folded.frame, folded.members, folded.headless
        letters = {name: get_column_letter(sheet.col_number(i)) for i, name in mapping.items()
                   if not name.startswith("_")}
        found.append(Table(raw, sheet.name, raw.relname, frame.reset_index(drop=True), letters,
                           _title_text(sheet.rows, header.index), header, members, headless,
                           headers))
    if len(found) > 1:
        for table in found:
            table.source = f"{raw.relname}〔{table.sheet}〕"
    return found
