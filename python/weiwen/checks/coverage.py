"""Coverage (“应慰问的不漏户”): compare the roster with a reference list, e.g. the 低保 roll exported
from the civil-affairs system, named in 参数 (row 低保名单: a file or a sheet of Weiwen.xlsm).

`load_reference` is the I/O edge (reads the file or sheet); `check_coverage` is pure:
households on the list that no unit returned, and returned 低保 households not on the list.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import problems as P
from ..names import PARAM_REFERENCE, WORKBOOK_FILE, Col, Group, Severity, Status
from ..settings import Settings
from ..values import to_text
from ._base import emit, register, text
from .ids import check_digits

NOT_RETURNED = register("checks.not_returned", "漏报", Severity.WARNING,
                        "“{reference}”中的{name}（{id}）没有任何单位报送，请核实是否漏报。")
NOT_ON_LIST = register("checks.not_on_reference", "不在低保名单", Severity.WARNING,
                       "报为“{category}”，但不在“{reference}”中，请核实。", status=Status.REVIEW)
UNREADABLE = register("checks.reference_unreadable", "核对名单无法读取", Severity.WARNING,
                      "参数“{key}”指定的“{reference}”{reason}，本次未核对漏报。")

#: columns of a reference list frame
REF_FILE, REF_ROW = "_file", "_row"


def _ids18(ids: pd.Series) -> pd.Series:
    ids = ids.str.replace(r"[\s\-]", "", regex=True).str.upper()
    legacy = ids.str.fullmatch(r"\d{15}")
    body = (ids.str.slice(0, 6) + "19" + ids.str.slice(6, 15)).where(legacy, "")
    return ids.where(~legacy, body + check_digits(body))


def reference_frame(rows: list[list], name: str) -> pd.DataFrame | None:
    """户主姓名 / 身份证号 (/ 单位) of a list's rows, wherever its header row is; None without one."""
    from ..intake.headers import find_header
    located = find_header(rows)
    if located is None:
        return None
    header_index, mapping = located
    if Col.ID not in mapping.values():
        return None
    records = []
    for excel_row, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = {c: to_text(row[i]) if i < len(row) else "" for i, c in mapping.items()}
        if cells.get(Col.ID):
            records.append({Col.NAME: cells.get(Col.NAME, ""), Col.ID: cells[Col.ID],
                            Col.UNIT: cells.get(Col.UNIT, ""), REF_FILE: name,
                            REF_ROW: excel_row})
    frame = pd.DataFrame(records, columns=[Col.NAME, Col.ID, Col.UNIT, REF_FILE, REF_ROW])
    frame[Col.ID] = _ids18(frame[Col.ID].astype(str))
    return frame


def load_reference(root: Path, settings: Settings) -> tuple[pd.DataFrame | None, list[P.Problem]]:
    """The reference list named in 参数 (a file under the campaign folder or a sheet of the
    workbook), or (None, []) when the row is blank."""
    value = to_text(settings.params.get(PARAM_REFERENCE) or "")
    if not value:
        return None, []
    from .. import workbook_io

    def problem(reason: str) -> list[P.Problem]:
        return [P.make(UNREADABLE, file=f"{WORKBOOK_FILE}〔参数〕", key=PARAM_REFERENCE,
                       reference=value, reason=reason)]
    path = Path(value) if Path(value).is_absolute() else Path(root) / value
    try:
        if path.is_file():
            if path.suffix.lower() in (".csv", ".txt"):
                from ..intake.readers import read_csv
                sheets = [s.rows for s in read_csv(path)]
            else:
                sheets = list(workbook_io.read_sheets(path).values())
            name = path.name
        else:
            sheets = list(workbook_io.read_sheets(Path(root) / WORKBOOK_FILE, [value]).values())
            name = value
    except Exception as exc:  # a damaged list must not stop the checks
        return None, problem(f"无法读取（{exc}）")
    if not sheets:
        return None, problem("既不是活动文件夹中的文件，也不是工作簿中的工作表")
    frames = [f for f in (reference_frame(rows, name) for rows in sheets) if f is not None]
    if not frames:
        return None, problem("中找不到“身份证号”列")
    return pd.concat(frames, ignore_index=True), []


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
