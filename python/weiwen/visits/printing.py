"""Printable visit lists: output/走访安排/<组别>.xlsx per group and 走访安排总表.xlsx for the office.

Each group's list is one A4 landscape sheet fitted to the page width, the table header repeated on
every page, page numbers in the footer and ID numbers masked (330106********123X): it is carried
around by people outside the office. Laid out by outputs.sheetkit like every printed list.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from ..fileio import safe_file_stem
from ..outputs.outset import OutputSet
from ..masking import mask_id
from ..outputs.common import safe_sheet_title
from ..names import VISITS_OUTPUT_DIR, VISITS_OVERVIEW_FILE, Col, TargetCol
from ..openpyxl_access import first_sheet
from ..settings import Settings
from .model import VisitGroup, VisitResult
from .step import visits_summary
from ..cells import cell_value
from ..money import to_daxie
from ..outputs import layout as L
from ..outputs.sheetkit import Column, TableSheet
from ..outputs.state import RosterState, record

#: the 照片核对 sheet when there is nothing to check
NO_PHOTO_PROBLEMS = "没有要核对的照片：没有已走访而缺照片的户，也没有对应不上走访对象的照片。"
HEADER_ROW = 4          # the table header of a group list (rows 1-3: title and the group's facts)

#: (header printed, source column of the details frame, kind, fixed width)
GROUP_LIST: tuple[tuple[str, str, str, float | None], ...] = (
    ("序号", "", "int", None), ("联系点", TargetCol.UNIT, "text", None),
    (Col.NAME, TargetCol.NAME, "text", None), (Col.ID, TargetCol.ID, "id", None),
    (Col.CATEGORY, Col.CATEGORY, "text", None), (Col.SIZE, Col.SIZE, "int", None),
    ("家庭住址", Col.ADDRESS, "wrap", 24), (Col.PHONE, Col.PHONE, "id", None),
    ("慰问金（元）", Col.AMOUNT, "money", None), (Col.PAYMENT, Col.PAYMENT, "text", None),
    ("走访日期", TargetCol.VISIT_DATE, "date", 11), ("备注", "", "hand", 12),
)


def _value(column: str, value: Any) -> Any:
    value = cell_value(value)
    if column == TargetCol.ID:
        return mask_id(value)
    if isinstance(value, float) and value.is_integer() and column in (Col.SIZE,):
        return int(value)
    if column == Col.AMOUNT and isinstance(value, str):
        number = pd.to_numeric(value, errors="coerce")
        return None if pd.isna(number) else float(number)
    return value


def group_workbook(group: VisitGroup, details: pd.DataFrame, settings: Settings,
                   footer: str = "") -> Workbook:
    """One group's printable list: leader, staff, dates, contact points, then the households."""
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = safe_sheet_title(group.name)
    dates = "、".join(d.isoformat() for d in group.dates) or "（未定）"
    info = [f"带队领导：{group.leader}　　陪同人员：{group.staff or '—'}",
            f"计划日期：{dates}　　联系点：{'、'.join(group.points)}"]
    columns = [Column(t, kind, width=w, maximum=24) for t, _s, kind, w in GROUP_LIST]
    table = TableSheet(ws, columns, f"{settings.params.title}  走访安排（{group.name}）", info,
                       page=L.Page(landscape=True), row_height=24,
                       footer_left=" ".join(x for x in (group.name, footer) if x))
    for i, (_, h) in enumerate(details.iterrows(), start=1):
        table.row([i] + [_value(src, h[src]) if src else None for _, src, _k, _w in GROUP_LIST[1:]])
    total = float(pd.to_numeric(details[Col.AMOUNT], errors="coerce").fillna(0).sum())
    totals: list[Any] = ["合计", f"{len(details)} 户"] + [None] * (len(GROUP_LIST) - 2)
    totals[[t for t, *_ in GROUP_LIST].index("慰问金（元）")] = total
    table.row(totals, kind="total")
    table.daxie("合计金额（大写）", to_daxie(total))
    signs: list[Any] = [None] * len(GROUP_LIST)
    signs[0], signs[6] = "带队领导签字：", f"{settings.office}经办人："
    table.row(signs, kind="sign")
    table.finish()
    return wb


def _kind(frame: pd.DataFrame, column: str) -> str:
    if column in (TargetCol.ID, Col.PHONE):
        return "id"
    if column in (Col.ADDRESS, "家庭住址", "说明", TargetCol.PHOTOS, "文件"):
        return "wrap"
    if "金" in column and pd.api.types.is_numeric_dtype(frame[column]):
        return "money"
    if pd.api.types.is_numeric_dtype(frame[column]):
        return "int"
    if any(hasattr(v, "strftime") for v in frame[column]):
        return "date"
    return "text"


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, widths: dict[str, float],
           *, heading: str, footer: str = "", empty: str = "") -> None:
    ws = wb.create_sheet(title)
    columns = [Column(c, kind := _kind(frame, c), width=widths.get(c) if kind == "wrap" else None,
                      maximum=26) for c in frame.columns]
    table = TableSheet(ws, columns, heading, [], page=L.Page(landscape=True),
                       footer_left=" ".join(x for x in (title, footer) if x))
    for values in frame.itertuples(index=False, name=None):
        row = [_value(c, v) for c, v in zip(frame.columns, values)]
        table.row(row, kind="total" if row and row[0] == "合计" else "data")
    if not len(frame) and empty:
        table.row([empty], kind="data", merge_from=1)     # a printed table says why it is empty
    money = [c for c, col in zip(frame.columns, columns) if col.kind == "money"]
    if len(frame) and frame.iloc[-1, 0] == "合计" and money:
        table.daxie("合计金额（大写）", to_daxie(float(frame.iloc[-1][money[0]])))
    table.finish()


def overview_workbook(result: VisitResult, settings: Settings, footer: str = "") -> Workbook:
    """The office's overview: 总表 (per group), 明细 (every household), 照片核对."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])                   # the sheet a new workbook starts with
    title = settings.params.title
    summary = visits_summary(result.groups, result.details)
    if len(summary):
        totals = {c: summary[c].sum() for c in summary.columns if c.endswith(("户数", "合计"))}
        summary = pd.concat([summary, pd.DataFrame([{"组别": "合计", **totals}])], ignore_index=True)
    _sheet(wb, "总表", summary, {}, heading=f"{title}  领导走访安排总表", footer=footer)
    details = result.details.rename(columns={Col.AMOUNT: "慰问金（元）"})
    _sheet(wb, "明细", details, {Col.ADDRESS: 22, TargetCol.PHOTOS: 16},
           heading=f"{title}  走访对象明细", footer=footer)
    check = [{"情况": "已走访无照片", "组别": p.extra.get("group", ""), "户主姓名": p.name,
              "文件": "", "说明": p.message} for p in result.problems if p.code == "visits.no_photo"]
    check += [{"情况": "照片对应不上走访对象", "组别": "", "户主姓名": "", "文件": f, "说明": why}
              for f, why in result.photos.unmatched.items()]
    _sheet(wb, "照片核对", pd.DataFrame(check, columns=["情况", "组别", "户主姓名", "文件", "说明"]),
           {"文件": 24, "说明": 44}, heading=f"{title}  走访照片核对", footer=footer,
           empty=NO_PHOTO_PROBLEMS)
    return wb


def write_outputs(output: Path, result: VisitResult, settings: Settings,
                  state: RosterState | None = None) -> list[Path]:
    """Write every group's list and the overview into output/走访安排/ as one set: the files of
    groups no longer planned are removed with the same step. With the roster's `state`, every
    page's footer carries its check code (like every other printed output) and 输出清单.json
    records the set, so an old printed list can be told from a new one."""
    footer = state.footer() if state else ""
    folder = Path(output) / VISITS_OUTPUT_DIR
    with OutputSet(folder, patterns=("*.xlsx",)) as out:
        for group in result.groups:
            details = result.details[result.details[TargetCol.GROUP] == group.name]
            wb = group_workbook(group, details, settings, footer)
            out.write(folder / f"{safe_file_stem(group.name, '未命名组')}.xlsx", wb.save)
        overview = overview_workbook(result, settings, footer)
        out.write(folder / VISITS_OVERVIEW_FILE, overview.save)
    if state is not None:
        record(Path(output), "visits", out.written, state)
    return out.written
