"""Reference lists (“应慰问的不漏户，不该发的不发”): the roster against the lists of 对照名单.

A 必须在 list (the 低保 roll exported from the civil-affairs system; 参数 低保名单 is this case for
the 低保 categories): households of its 适用类别 not on it are 待核, and people on it whom no unit
sent are listed as 漏报. A 不能在 list (a death list, those already paid elsewhere): households of
its 适用类别 on it are 待核, with the list's 说明 (e.g. 已故？).

Pure: the pipeline reads each list (a file, in a reader process, or a sheet of the workbook) and
hands its rows to `reference_frame`; `check_references` compares by ID number.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

import pandas as pd

from .. import problems as P
from ..intake.headers import find_header
from ..names import WORKBOOK_FILE, Col, RefRule, Severity, Status
from ..references import ReferenceRule
from ..settings import Settings
from ..values import to_text
from ..values import text_column as text
from ._base import emit, register
from .ids import to_id18

NOT_RETURNED = register("checks.not_returned", "漏报", Severity.WARNING,
                        "“{reference}”中的{name}（{id}）没有任何单位报送，请核实是否漏报。")
NOT_ON_LIST = register("checks.not_on_reference", "不在对照名单", Severity.WARNING,
                       "报为“{category}”，但不在“{reference}”中{note}，请核实。", status=Status.REVIEW)
ON_LIST = register("checks.on_excluded_list", "在排除名单中", Severity.WARNING,
                   "在“{reference}”第{ref_row}行（{ref_name}）{note}，请核实后再发放；"
                   "核实可以发放的，在备注填“已核实”。", status=Status.REVIEW)
UNREADABLE = register("checks.reference_unreadable", "核对名单无法读取", Severity.WARNING,
                      "{key}指定的“{reference}”{reason}，本次未按该名单核对。")

#: columns of a reference list frame
REF_FILE, REF_ROW = "_file", "_row"


@dataclass(frozen=True)
class Reference:
    """A rule of 对照名单 with its list's rows (reference_frame), read by the pipeline."""
    rule: ReferenceRule
    frame: pd.DataFrame

    @property
    def name(self) -> str:
        return str(self.frame[REF_FILE].iloc[0]) if len(self.frame) else self.rule.source


def reference_frame(rows: Sequence[Sequence[Any]], name: str) -> pd.DataFrame | None:
    """户主姓名 / 身份证号 (/ 单位) of a list's rows, wherever its header row is; None without one."""
    header = find_header(rows)
    if header is None or Col.ID not in header.columns:
        return None
    mapping = {i: c for i, c in header.mapping.items() if c in (Col.NAME, Col.ID, Col.UNIT)}
    records = []
    for excel_row, row in enumerate(rows[header.data_start:], start=header.data_start + 1):
        cells = {c: to_text(row[i]) if i < len(row) else "" for i, c in mapping.items()}
        if cells.get(Col.ID):
            records.append({Col.NAME: cells.get(Col.NAME, ""), Col.ID: cells[Col.ID],
                            Col.UNIT: cells.get(Col.UNIT, ""), REF_FILE: name,
                            REF_ROW: excel_row})
    frame = pd.DataFrame(records, columns=[Col.NAME, Col.ID, Col.UNIT, REF_FILE, REF_ROW])
    frame[Col.ID] = to_id18(frame[Col.ID].astype(str))
    return frame


def unreadable_reference(rule: ReferenceRule, reason: str) -> P.Problem:
    """A list of 对照名单 could not be used (the pipeline reads it; this is its problem)."""
    return P.make(UNREADABLE, file=WORKBOOK_FILE, row=rule.row or None, key=rule.where,
                  reference=rule.source, reason=reason)


def _note(rule: ReferenceRule) -> str:
    return f"（{rule.note}）" if rule.note else ""


def check_reference(roster: pd.DataFrame, reference: Reference) -> list[P.Problem]:
    """One list against the roster (IDs already in 18 digits, as run_checks prepares them)."""
    rule, listed = reference.rule, reference.frame
    ids = text(roster, Col.ID)
    category = text(roster, Col.CATEGORY)
    applies = (ids != "") & (category.map(rule.applies_to) if rule.categories else True)
    on_list = ids.isin(set(listed[Col.ID]))
    if rule.rule == RefRule.MUST_NOT:
        first = listed.drop_duplicates(Col.ID).set_index(Col.ID)
        return emit(roster, applies & on_list, ON_LIST, column=Col.ID, reference=reference.name,
                    ref_row=ids.map(first[REF_ROW]).astype("Int64").astype(str),
                    ref_name=ids.map(first[Col.NAME]).fillna(""), note=_note(rule))
    return not_returned(reference, set(ids)) + emit(
        roster, applies & ~on_list, NOT_ON_LIST, column=Col.ID, category=category,
        reference=reference.name, note=_note(rule))


def not_returned(reference: Reference, ids: set[str]) -> list[P.Problem]:
    """漏报: the people of a 必须在 list whose ID is not among the roster's `ids` (18 digits)."""
    listed = reference.frame
    missing = listed[~listed[Col.ID].isin(ids)].drop_duplicates(Col.ID)
    return [P.make(NOT_RETURNED, unit=r[Col.UNIT], file=r[REF_FILE], row=int(r[REF_ROW]),
                   name=r[Col.NAME], id=r[Col.ID], reference=r[REF_FILE])
            for r in missing.to_dict("records")]


def check_references(roster: pd.DataFrame, references: Sequence[Reference],
                     settings: Settings) -> list[P.Problem]:
    return [p for reference in references for p in check_reference(roster, reference)]
