"""名册 and 问题 as the page's scrolling tables: filter, search, sort and one page of rows.

Queries arrive in a POST body (a name searched for never appears in a URL or a log). The rows go
out masked — 身份证号 330106********2888, phones 137****7189, cards ****1234, ID numbers inside
a problem's 说明 too — and one cell is shown whole only when the clerk asks for that one. Cells
are shown as they are in the workbook (“（2）”, “，”); searching compares key forms, so “２８８８”
typed with a Chinese input method finds what “2888” finds.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

import pandas as pd

from ..masking import mask_id, mask_ids_in_text, mask_phone
from ..names import Col, ProblemCol, Severity, Status
from ..values import as_typed, to_text
from .state import source_file, text_column

PAGE_MAX = 500
#: 名册 columns shown on the page (all of the sheet's, in its order)
ROSTER_VIEW: tuple[str, ...] = (
    Col.SEQ, Col.UNIT, Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.ADDRESS,
    Col.AMOUNT, Col.PAYMENT, Col.STATUS, Col.ISSUES, Col.BASIS, Col.SRC_FILE, Col.SRC_ROW, Col.NOTE)
#: 名册 columns kept at the left when the clerk scrolls sideways: whose row it is
ROSTER_FIXED: tuple[str, ...] = (Col.SEQ, Col.NAME)
#: 问题 columns shown on the page: the stable code is the program's, not the clerk's
PROBLEM_VIEW: tuple[str, ...] = tuple(c for c in ProblemCol if c != ProblemCol.CODE)
#: the 单位 of a problem no unit could be named for (an unreadable file, a file of no known unit)
UNKNOWN_UNIT = "（未识别单位）"
#: 问题's 来源文件 without its sheet ("名单.xlsx〔Sheet1〕" → "名单.xlsx"), as 回收表 names files
FILE_ONLY = "来源文件（不含工作表）"
#: the cells a clerk may ask to see whole, and how each is masked
SECRET: dict[str, Any] = {Col.ID: mask_id, Col.PHONE: mask_phone,
                          Col.CARD: lambda v: _mask_card(v)}
NUMERIC = {Col.SEQ, Col.SIZE, Col.AMOUNT, Col.SRC_ROW, ProblemCol.ROW}


def _mask_card(value: Any) -> str:
    text = to_text(value).replace(" ", "")
    return ("*" * max(len(text) - 4, 0) + text[-4:]) if len(text) > 4 else "*" * len(text)


@dataclass(frozen=True)
class Query:
    search: str = ""
    status: str = ""
    unit: str = ""
    severity: str = ""
    kind: str = ""
    file: str = ""
    sort: str = ""
    descending: bool = False
    offset: int = 0
    limit: int = 100

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Query:
        def text(key: str) -> str:
            value = body.get(key, "")
            return value.strip()[:100] if isinstance(value, str) else ""

        def number(key: str, default: int, top: int) -> int:
            try:
                return max(0, min(int(body.get(key, default)), top))
            except (TypeError, ValueError):
                return default
        return cls(search=text("search"), status=text("status"), unit=text("unit"),
                   severity=text("severity"), kind=text("kind"), file=text("file"),
                   sort=text("sort"),
                   descending=bool(body.get("descending")), offset=number("offset", 0, 10**7),
                   limit=number("limit", 100, PAGE_MAX))


def _text(series: pd.Series) -> pd.Series:
    return text_column(series)


def _key(series: pd.Series) -> pd.Series:
    """A column as the search compares it: NFKC (full-width digits and brackets equal the
    half-width ones), upper case (an ID's x and X), no spaces (“王 伟”, an ID typed in groups)."""
    return (_text(series).str.normalize("NFKC").str.upper()
            .str.replace(r"\s+", "", regex=True))


def search_terms(search: str) -> list[str]:
    """What the clerk typed, in key form, one term per word: “刘淑英 2888” is a name and the end
    of a number, while an ID typed in groups (“330106 1954…”) stays one number."""
    text = unicodedata.normalize("NFKC", search).upper()
    whole = "".join(text.split())
    if _NUMBER_END.fullmatch(whole):
        return [whole]
    return text.split()


_NUMBER_END = re.compile(r"\d+X?")


class Table:
    """A sheet's rows with their text columns prepared once, and the last few selections kept:
    scrolling asks for page after page of the same selection."""

    def __init__(self, frame: pd.DataFrame, text_columns: Sequence[str], *,
                 search: Sequence[str] = (), number_ends: Sequence[str] = (),
                 derived: dict[str, pd.Series] | None = None) -> None:
        self.frame = frame
        self.text = {c: _text(frame[c]) for c in text_columns if c in frame.columns}
        self.text.update(derived or {})
        self.search = [_key(frame[c]) for c in search if c in frame.columns]
        #: numbers found by their last digits: an ID (its X too); a phone's digits only
        self.number_ends = [_key(frame[c]) if c != Col.PHONE
                            else _key(frame[c]).str.replace(r"\D", "", regex=True)
                            for c in number_ends if c in frame.columns]
        self._selections: dict[tuple[Any, ...], pd.Index] = {}

    def select(self, query: Query, filters: dict[str, str], *, blank: Sequence[str] = ()) -> pd.Index:
        """The index of the rows matching `filters` (column → exact text; "" for any), empty in
        the `blank` columns, and every search term, in the query's order."""
        key = (tuple(sorted(filters.items())), tuple(blank), query.search, query.sort,
               query.descending)
        if key in self._selections:
            return self._selections[key]
        mask = pd.Series(True, index=self.frame.index)
        for column, value in filters.items():
            if value:
                mask &= self.text[column] == value
        for column in blank:
            mask &= self.text[column] == ""
        for term in search_terms(query.search):
            mask &= self._matches(term)
        index = self.frame.index[mask.to_numpy()]
        if query.sort in self.frame.columns:
            column = query.sort
            if column in NUMERIC:
                key_values = pd.to_numeric(self.frame.loc[index, column], errors="coerce")
            else:
                if column not in self.text:
                    self.text[column] = _text(self.frame[column])
                key_values = self.text[column][index]
            index = key_values.sort_values(ascending=not query.descending, kind="stable",
                                           na_position="last").index
        if len(self._selections) > 16:
            self._selections.clear()
        self._selections[key] = index
        return index

    def _matches(self, term: str) -> pd.Series:
        """Rows where `term` is inside a searched column or, for digits, ends a number."""
        match = pd.Series(False, index=self.frame.index)
        for column in self.search:
            match |= column.str.contains(term, regex=False)
        if _NUMBER_END.fullmatch(term):
            for column in self.number_ends:
                match |= column.str.endswith(term)
        return match


def roster_table(roster: pd.DataFrame) -> Table:
    """名册: found by name, or by the last digits of an ID or a phone number (masked on the
    page all the same)."""
    return Table(roster, (Col.UNIT, Col.STATUS), search=(Col.NAME,),        # others when sorted by
                 number_ends=(Col.ID, Col.PHONE))


def problem_table(problems: pd.DataFrame) -> Table:
    """问题: found by name or file name, or by the last digits of the ID it names."""
    files = _text(problems[ProblemCol.FILE]).map(source_file)
    return Table(problems, tuple(ProblemCol), search=(ProblemCol.NAME, ProblemCol.FILE),
                 number_ends=(ProblemCol.ID,), derived={FILE_ONLY: files})


def roster_rows(table: Table, query: Query) -> pd.Index:
    """The 名册 rows matching the query, in order (an index value is the row's place in 名册)."""
    return table.select(query, {Col.STATUS: query.status, Col.UNIT: query.unit})


def problem_rows(table: Table, query: Query) -> pd.Index:
    """The 问题 rows matching the query; 单位 “（未识别单位）” is the problems with no unit."""
    unknown = query.unit == UNKNOWN_UNIT
    return table.select(query, {ProblemCol.UNIT: "" if unknown else query.unit,
                                ProblemCol.SEVERITY: query.severity, ProblemCol.KIND: query.kind,
                                FILE_ONLY: query.file},
                        blank=(ProblemCol.UNIT,) if unknown else ())


def _cell(column: str, value: Any) -> Any:
    """A cell as the workbook shows it (“东湖社区慰问名单（2）.xlsx” stays the file the clerk finds
    in Explorer), masked where it holds a personal number."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if column in SECRET:
        return SECRET[column](value)
    if column == ProblemCol.MESSAGE or column == Col.ISSUES:
        return mask_ids_in_text(as_typed(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return as_typed(value)


def page(table: Table, index: pd.Index, columns: Sequence[str], query: Query) -> dict[str, Any]:
    """One page of masked rows: {"total", "offset", "columns", "rows": [[row id, cells…], …]}."""
    part = table.frame.loc[index[query.offset: query.offset + query.limit]]
    present = [c for c in columns if c in part.columns]
    rows = []
    for row_id, values in zip(part.index.tolist(), part[present].itertuples(index=False, name=None)):
        rows.append([int(row_id), *(_cell(c, v) for c, v in zip(present, values))])
    return {"total": int(len(index)), "offset": query.offset, "columns": present, "rows": rows}


def reveal(roster: pd.DataFrame, row: Any, column: Any) -> str | None:
    """One whole number the clerk asked to see, or None for a cell that is not a secret one."""
    if column not in SECRET:
        return None
    try:
        index = int(row)
    except (TypeError, ValueError):
        return None
    if index not in roster.index:
        return None
    return to_text(roster.at[index, column])


def unit_counts(problems: pd.DataFrame) -> list[dict[str, Any]]:
    """Problems per unit: errors, warnings, total — most errors first."""
    if not len(problems):
        return []
    units = _text(problems[ProblemCol.UNIT]).replace("", UNKNOWN_UNIT)
    severity = _text(problems[ProblemCol.SEVERITY])
    table = pd.crosstab(units, severity)
    out = []
    for unit, row in table.iterrows():
        errors = int(row.get(Severity.ERROR.value, 0))
        warnings = int(row.get(Severity.WARNING.value, 0))
        out.append({"unit": unit, "errors": errors, "warnings": warnings, "total": errors + warnings})
    return sorted(out, key=lambda r: (-r["errors"], -r["total"], r["unit"]))


def choices(frame: pd.DataFrame, column: str) -> list[str]:
    if not len(frame) or column not in frame.columns:
        return []
    return sorted({t for t in _text(frame[column]) if t})


def unit_choices(problems: pd.DataFrame) -> list[str]:
    """The units a problem names, and “（未识别单位）” last when some problem names none."""
    named = choices(problems, ProblemCol.UNIT)
    if len(problems) and (_text(problems[ProblemCol.UNIT]) == "").any():
        named.append(UNKNOWN_UNIT)
    return named


def file_choices(problems: pd.DataFrame) -> list[str]:
    """The returned files a problem is about (without the sheet), for the 文件 filter."""
    if not len(problems):
        return []
    return sorted({source_file(t) for t in _text(problems[ProblemCol.FILE]) if t})


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
