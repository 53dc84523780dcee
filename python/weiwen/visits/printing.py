"""Printable visit lists: output/走访安排/<组别>.xlsx per group and 走访安排总表.xlsx for the office.

Each group's list is one A4 landscape sheet fitted to the page width, the table header repeated on
every page, page numbers in the footer and ID numbers masked (330106********123X): it is carried
around by people outside the office. The print setup helper is local to this module (the
signature sheets' helper had not landed when this was written).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..fileio import atomic_write, safe_file_stem
from ..masking import mask_id
from ..outputs.common import safe_sheet_title
from ..names import VISITS_OUTPUT_DIR, VISITS_OVERVIEW_FILE, Col, TargetCol
from ..settings import Settings
from ..cells import cell_value
from ..printing import print_setup
from .step import visits_summary

_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ROW = 5          # the table header of a group list (rows 1-4: title and the group's facts)

#: (header printed, source column of the details frame, width)
GROUP_LIST: tuple[tuple[str, str, float], ...] = (
    ("序号", "", 5), ("联系点", TargetCol.UNIT, 10), (Col.NAME, TargetCol.NAME, 9),
    (Col.ID, TargetCol.ID, 20), (Col.CATEGORY, Col.CATEGORY, 18), (Col.SIZE, Col.SIZE, 7),
    ("家庭住址", Col.ADDRESS, 30), (Col.PHONE, Col.PHONE, 13), ("慰问金（元）", Col.AMOUNT, 11),
    (Col.PAYMENT, Col.PAYMENT, 9), ("走访日期", TargetCol.VISIT_DATE, 11), ("备注", "", 14),
)


def _value(column: str, value: Any) -> Any:
    value = cell_value(value)
    if column == TargetCol.ID:
        return mask_id(value)
    if isinstance(value, float) and value.is_integer() and column in (Col.SIZE,):
        return int(value)
    return value


def _table(ws, header_row: int, headers: Sequence[tuple[str, float]],
           rows: Sequence[Sequence[Any]]) -> int:
    """Bordered table with a bold header; returns the last row written."""
    for c, (title, width) in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=c, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.row_dimensions[header_row].height = 30
    r = header_row
    for r, values in enumerate(rows, start=header_row + 1):
        ws.row_dimensions[r].height = 24           # room to write by hand
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if isinstance(value, (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, (int, float)) and headers[c - 1][0].startswith(("慰问金", "金额")):
                cell.number_format = "#,##0"
    return r


def _title(ws, text: str, width: int) -> None:
    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=16)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28


def group_workbook(group, details: pd.DataFrame, settings: Settings) -> Workbook:
    """One group's printable list: leader, staff, dates, contact points, then the households."""
    wb = Workbook()
    ws = wb.active
    ws.title = safe_sheet_title(group.name)
    n = len(GROUP_LIST)
    _title(ws, f"{settings.params.title}  走访安排（{group.name}）", n)
    dates = "、".join(d.isoformat() for d in group.dates) or "（未定）"
    ws.cell(row=2, column=1, value=f"带队领导：{group.leader}    陪同人员：{group.staff or '—'}")
    ws.cell(row=3, column=1, value=f"计划日期：{dates}    联系点：{'、'.join(group.points)}")
    for r in (2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
        ws.cell(row=r, column=1).font = Font(size=12)
    rows = [[i] + [_value(src, h[src]) if src else None for _, src, _w in GROUP_LIST[1:]]
            for i, (_, h) in enumerate(details.iterrows(), start=1)]
    last = _table(ws, HEADER_ROW, [(t, w) for t, _s, w in GROUP_LIST], rows)
    total = pd.to_numeric(details[Col.AMOUNT], errors="coerce").fillna(0).sum()
    ws.cell(row=last + 1, column=1, value=f"合计 {len(details)} 户，慰问金 {total:,.0f} 元")
    ws.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=n)
    ws.cell(row=last + 3, column=1, value="带队领导签字：                    民政办经办人：")
    ws.print_area = f"A1:{get_column_letter(n)}{last + 3}"
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", footer_left=group.name)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    return wb


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, widths: dict[str, float],
           *, heading: str) -> None:
    ws = wb.create_sheet(title)
    _title(ws, heading, max(len(frame.columns), 1))
    rows = [[_value(c, v) for c, v in zip(frame.columns, values)]
            for values in frame.itertuples(index=False, name=None)]
    last = _table(ws, 3, [(c, widths.get(c, 12)) for c in frame.columns], rows)
    ws.print_area = f"A1:{get_column_letter(max(len(frame.columns), 1))}{max(last, 3)}"
    print_setup(ws, title_rows="3:3", footer_left=title)
    ws.freeze_panes = "A4"


def overview_workbook(result, settings: Settings) -> Workbook:
    """The office's overview: 总表 (per group), 明细 (every household), 照片核对."""
    wb = Workbook()
    wb.remove(wb.active)
    title = settings.params.title
    summary = visits_summary(result.groups, result.details)
    if len(summary):
        totals = {c: summary[c].sum() for c in summary.columns if c.endswith(("户数", "合计"))}
        summary = pd.concat([summary, pd.DataFrame([{"组别": "合计", **totals}])], ignore_index=True)
    _sheet(wb, "总表", summary, {"联系点": 24, "计划日期": 14, "陪同人员": 24, "带队领导": 22},
           heading=f"{title}  领导走访安排总表")
    details = result.details.rename(columns={Col.AMOUNT: "慰问金（元）"})
    _sheet(wb, "明细", details, {TargetCol.ID: 20, Col.CATEGORY: 18, Col.ADDRESS: 30,
                                TargetCol.PHOTOS: 24, Col.PHONE: 13},
           heading=f"{title}  走访对象明细")
    check = [{"情况": "已走访无照片", "组别": p.extra.get("group", ""), "户主姓名": p.name,
              "文件": "", "说明": p.message} for p in result.problems if p.code == "visits.no_photo"]
    check += [{"情况": "照片对应不上走访对象", "组别": "", "户主姓名": "", "文件": f, "说明": why}
              for f, why in result.photos.unmatched.items()]
    _sheet(wb, "照片核对", pd.DataFrame(check, columns=["情况", "组别", "户主姓名", "文件", "说明"]),
           {"情况": 18, "文件": 30, "说明": 60}, heading=f"{title}  走访照片核对")
    return wb


def write_outputs(output: Path, result, settings: Settings) -> list[Path]:
    """Write every group's list and the overview into output/走访安排/; drop stale group files."""
    folder = Path(output) / VISITS_OUTPUT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for group in result.groups:
        details = result.details[result.details[TargetCol.GROUP] == group.name]
        wb = group_workbook(group, details, settings)
        written.append(atomic_write(folder / f"{safe_file_stem(group.name, '未命名组')}.xlsx", wb.save))
    overview = overview_workbook(result, settings)
    written.append(atomic_write(folder / VISITS_OVERVIEW_FILE, overview.save))
    for old in folder.glob("*.xlsx"):
        if old not in written and not old.name.startswith("~$"):
            try:
                old.unlink()
            except OSError:     # open in Excel on Windows: leave it
                pass
    return written
