"""Helpers for the intake tests: a campaign with three units, valid people, returns written the
way units write them (openpyxl, xlsxwriter, xlwt, CSV in UTF-8 or GBK), merge results read back."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from weiwen import workbook_io
from weiwen.campaign import Campaign, init
from weiwen.names import RETURN_COLUMNS, UNIT_COLUMNS, Sheet, UnitCol

UNITS = (("330106001", "东湖社区"), ("330106002", "西湖社区"), ("330106101", "青山村"))
HEADER = [str(c) for c in RETURN_COLUMNS]


def unit_campaign(root: Path) -> Campaign:
    campaign = init(root)
    units = pd.DataFrame([{UnitCol.CODE: c, UnitCol.NAME: n, UnitCol.TYPE: "村" if n.endswith("村")
                           else "社区", UnitCol.CONTACT: "王丽", UnitCol.PHONE: "0571-88001234",
                           UnitCol.EMAIL: ""} for c, n in UNITS], columns=list(UNIT_COLUMNS))
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.UNITS: units})
    return campaign


def person_id(n: int, *, age: int = 50) -> str:
    birth = dt.date(2027 - age, 1 + n % 12, 1 + n % 28)
    body = "330106" + birth.strftime("%Y%m%d") + f"{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def person(n: int, category: str = "残疾户") -> list[Any]:
    """One valid return row in RETURN_COLUMNS order."""
    return [f"测试{n:04d}", person_id(n), category, 2, f"138{n:08d}", "", f"文一路{n}号", ""]


def people(start: int, count: int, category: str = "残疾户") -> list[list[Any]]:
    return [person(n, category) for n in range(start, start + count)]


def write_openpyxl(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "名单",
                   text_cells: bool = True) -> Path:
    """Rows from A1 exactly as given (None = empty cell); strings stay strings, never formulas."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if text_cells and isinstance(value, str):
                cell.data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xlsxwriter(path: Path, rows: Sequence[Sequence[Any]], *, saved: dt.datetime | None = None,
                     sheet: str = "Sheet1") -> Path:
    """An independent writer; `saved` becomes the time recorded inside the file."""
    import xlsxwriter
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    if saved is not None:
        wb.set_properties({"created": saved})
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write(r, c, value)
    wb.close()
    return path


def write_xls(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名单")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "gbk") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in row] for row in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def set_mtime(path: Path, when: dt.datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def merged(cli, campaign: Campaign) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Run the real `weiwen merge`; return 名册, 问题 (read back) and the --json report."""
    report = cli.json("merge", campaign.root)
    roster = workbook_io.read_roster(campaign.workbook)
    problems = workbook_io.read_problems(campaign.workbook)
    assert report["rows_read"] == (report["roster_rows"] + report["rejected_rows"]
                                   + report["members_folded"])
    assert report["roster_rows"] == len(roster)
    return roster, problems, report


def kinds(problems: pd.DataFrame) -> list[str]:
    return sorted(problems["问题类型"].tolist())


def shuffled(rows: list, seed: int) -> list:
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows


def type_into_roster(workbook: Path, edits: dict[str | tuple[str, str], dict[str, Any]]) -> None:
    """Type `edits` into 名册 and save, as a clerk does in Excel: for the row of each key
    (户主姓名, or (单位, 户主姓名)), column → the new value."""
    wb = load_workbook(workbook, keep_vba=True)
    ws = wb[Sheet.ROSTER]
    header = [c.value for c in ws[1]]
    unit, name = header.index("单位"), header.index("户主姓名")
    for row in ws.iter_rows(min_row=2):
        typed = edits.get(row[name].value) or edits.get((row[unit].value, row[name].value), {})
        for column, value in typed.items():
            row[header.index(column)].value = value
    wb.save(workbook)
