"""Coverage (“应慰问的不漏户”): compare the roster with a reference list, e.g. the 低保 roll exported
from the civil-affairs system, named in 参数 (row 低保名单: a file or a sheet of Weiwen.xlsm).

Pure: the pipeline reads the list (a file or a sheet) and hands its rows to `reference_frame`;
`check_coverage` finds households on the list that no unit returned, and returned 低保 households
not on the list.
"""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from .. import problems as P
from ..intake.headers import find_header
from ..names import PARAM_REFERENCE, WORKBOOK_FILE, Col, Group, Severity, Status
from ..settings import Settings
from ..values import to_text
from ._base import emit, register, text
from .ids import to_id18

NOT_RETURNED = register("checks.not_returned", "漏报", Severity.WARNING,
                        "“{reference}”中的{name}（{id}）没有任何单位报送，请核实是否漏报。")
NOT_ON_LIST = register("checks.not_on_reference", "不在低保名单", Severity.WARNING,
                       "报为“{category}”，但不在“{reference}”中，请核实。", status=Status.REVIEW)
UNREADABLE = register("checks.reference_unreadable", "核对名单无法读取", Severity.WARNING,
                      "参数“{key}”指定的“{reference}”{reason}，本次未核对漏报。")

#: columns of a reference list frame
REF_FILE, REF_ROW = "_file", "_row"


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


def unreadable_reference(value: str, reason: str) -> P.Problem:
    """The list named in 参数 could not be used (the pipeline reads it; this is its problem)."""
    return P.make(UNREADABLE, file=f"{WORKBOOK_FILE}〔参数〕", key=PARAM_REFERENCE,
                  reference=value, reason=reason)


def check_coverage(roster: pd.DataFrame, reference: pd.DataFrame | None,
                   settings: Settings) -> list[P.Problem]:
    if reference is None:
        return []
    returned = set(text(roster, Col.ID))
    missing = reference[~reference[Col.ID].isin(returned)].drop_duplicates(Col.ID)
    out = [P.make(NOT_RETURNED, unit=r[Col.UNIT], file=r[REF_FILE], row=int(r[REF_ROW]),
                  name=r[Col.NAME], id=r[Col.ID], reference=r[REF_FILE])
           for r in missing.to_dict("records")]
    dibao = {s.category for s in settings.standards if s.group == Group.DIBAO}
    name = reference[REF_FILE].iloc[0] if len(reference) else ""
    listed = text(roster, Col.CATEGORY).isin(dibao) & (text(roster, Col.ID) != "")
    off = listed & ~text(roster, Col.ID).isin(set(reference[Col.ID]))
    return out + emit(roster, off, NOT_ON_LIST, column=Col.ID,
                      category=text(roster, Col.CATEGORY), reference=name)
