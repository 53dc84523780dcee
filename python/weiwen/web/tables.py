"""名册 and 问题 as the page's scrolling tables: filter, search, sort and one page of rows.

Queries arrive in a POST body (a name searched for never appears in a URL or a log). The rows go
out masked — 身份证号 330106********2888, phones 137****7189, cards ****1234, ID numbers inside
a problem's 说明 too — and one cell is shown whole only when the clerk asks for that one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

import pandas as pd

from ..masking import mask_id, mask_ids_in_text, mask_phone
from ..names import Col, ProblemCol, Severity, Status
from ..values import to_text
from .state import text_column

PAGE_MAX = 500
#: 名册 columns shown on the page (all of the sheet's, in its order)
ROSTER_VIEW: tuple[str, ...] = (
    Col.SEQ, Col.UNIT, Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.ADDRESS,
    Col.AMOUNT, Col.PAYMENT, Col.STATUS, Col.ISSUES, Col.BASIS, Col.SRC_FILE, Col.SRC_ROW, Col.NOTE)
PROBLEM_VIEW: tuple[str, ...] = tuple(ProblemCol)
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
                   severity=text("severity"), kind=text("kind"), sort=text("sort"),
                   descending=bool(body.get("descending")), offset=number("offset", 0, 10**7),
                   limit=number("limit", 100, PAGE_MAX))


def _text(series: pd.Series) -> pd.Series:
    return text_column(series)


class Table:
    """A sheet's rows with their text columns prepared once, and the last few selections kept:
    scrolling asks for page after page of the same selection."""

    def __init__(self, frame: pd.DataFrame, text_columns: Sequence[str]) -> None:
        self.frame = frame
        self.text = {c: _text(frame[c]) for c in text_columns if c in frame.columns}
        self._selections: dict[tuple[tuple[tuple[str, str], ...], str, str, bool], pd.Index] = {}

    def select(self, query: Query, filters: dict[str, str], search: Sequence[str],
               id_column: str | None = None) -> pd.Index:
        """The index of the rows matching `filters` (column → exact text) and the search term
        (in any of `search`; digits also match the end of `id_column`), in the query's order."""
        key = (tuple(sorted(filters.items())), query.search, query.sort, query.descending)
        if key in self._selections:
            return self._selections[key]
        mask = pd.Series(True, index=self.frame.index)
        for column, value in filters.items():
            if value:
                mask &= self.text[column] == value
        term = query.search.replace(" ", "")
        if term:
            match = pd.Series(False, index=self.frame.index)
            for column in search:
                match |= self.text[column].str.contains(term, regex=False)
            if id_column and (term.isdigit() or (term[:-1].isdigit() and term[-1:] in "xX")):
                match |= self.text[id_column].str.upper().str.endswith(term.upper())
            mask &= match
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


def roster_table(roster: pd.DataFrame) -> Table:
    return Table(roster, (Col.UNIT, Col.NAME, Col.ID, Col.STATUS))   # others when sorted by


def problem_table(problems: pd.DataFrame) -> Table:
    return Table(problems, tuple(ProblemCol))


def roster_rows(table: Table, query: Query) -> pd.Index:
    """The 名册 rows matching the query, in order (an index value is the row's place in 名册)."""
    return table.select(query, {Col.STATUS: query.status, Col.UNIT: query.unit},
                        (Col.NAME,), id_column=Col.ID)


def problem_rows(table: Table, query: Query) -> pd.Index:
    return table.select(query, {ProblemCol.UNIT: query.unit, ProblemCol.SEVERITY: query.severity,
                                ProblemCol.KIND: query.kind}, (ProblemCol.NAME, ProblemCol.FILE))


def _cell(column: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if column in SECRET:
        return SECRET[column](value)
    if column == ProblemCol.MESSAGE or column == Col.ISSUES:
        return mask_ids_in_text(to_text(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return to_text(value)


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
    units = _text(problems[ProblemCol.UNIT]).replace("", "（未识别单位）")
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


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
