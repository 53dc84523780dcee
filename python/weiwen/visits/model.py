"""The visits step's data: 走访安排 → groups, 走访对象 → a frame keyed by 身份证号, its problem codes."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Sequence

import pandas as pd

from .. import problems as P
from ..names import (PLAN_COLUMNS, REPORTED_MARKS, TARGET_COLUMNS, WORKBOOK_FILE, Col, PlanCol,
                     Severity, Status, TargetCol, VisitParam, VisitSheet)
from ..defaults import DEFAULT_MIN_PER_POINT, DEFAULT_PREFERRED
from ..settings import Settings
from ..values import as_typed, is_blank, to_date, to_number, to_text
from .photos import ROW, PhotoMatch

#: working columns of the 走访对象 frame: each cell as the clerk typed it, and "row came from the sheet"
RAW = "_原值:"
FROM_SHEET = "_来自表格"
_SPLIT = re.compile(r"[、,，;；/\s]+")
_ID_NOISE = re.compile(r"[\s\-_'‘’`]")


def clean_id(value: Any) -> str:
    """An ID as 名册 holds it: no spaces or hyphens, upper-case X (a number cell loses digits:
    the column is formatted as text in the workbook, and not_in_roster reports it)."""
    return _ID_NOISE.sub("", to_text(value)).upper()


def clean_name(value: Any) -> str:
    return "".join(to_text(value).split())

V = "visits"
NO_PLAN = P.register("visits.no_plan", "未填写走访安排", Severity.WARNING, V,
           "“走访安排”表没有任何组别。请填写组别、带队领导、陪同人员、联系点和计划日期后再运行。")
MISSING_VALUE = P.register("visits.missing_value", "走访安排缺项", Severity.ERROR, V,
           "“{sheet}”表第{row}行缺少“{column}”，请补填。")
BAD_DATE = P.register("visits.bad_date", "走访日期无效", Severity.ERROR, V,
           "“{sheet}”表第{row}行“{column}”的值“{value}”不是日期，请填写如 2027-01-25 的日期。")
DATE_OUTSIDE = P.register("visits.date_outside", "走访日期不在活动期间", Severity.ERROR, V,
           "{group}的{column}{date}不在活动期间（{start} 至 {end}）内，请调整日期或“参数”表的开始/结束日期。")
UNKNOWN_POINT = P.register("visits.unknown_point", "联系点不在单位表中", Severity.ERROR, V,
           "{group}的联系点“{value}”不在“单位”表中，请填写单位名称（如 东湖社区）。")
TOO_FEW = P.register("visits.too_few", "联系点走访户数不足", Severity.ERROR, V,
           "{group}在联系点{unit}安排了{n}户，少于“参数”表每个联系点最少走访户数（{minimum}户）；"
           "请在“走访对象”表补充，或运行 weiwen visits --propose 自动补足。")
TWICE = P.register("visits.twice", "一户安排给两个组", Severity.ERROR, V,
           "{name}（{id}）同时安排给{group}（第{row}行）和{other}（第{first_row}行），每户只由一个组走访，请删去一行。")
LISTED_TWICE = P.register("visits.listed_twice", "走访对象重复列出", Severity.WARNING, V,
           "{name}（{id}）在{group}中列出两次（第{first_row}行和第{row}行），请删去一行。")
UNKNOWN_GROUP = P.register("visits.unknown_group", "组别不在走访安排中", Severity.ERROR, V,
           "“走访对象”表第{row}行的组别“{value}”不在“走访安排”表中。")
NOT_IN_ROSTER = P.register("visits.not_in_roster", "走访对象不在名册中", Severity.ERROR, V,
           "“走访对象”表第{row}行的身份证号“{id}”不在“名册”中，请核对身份证号。")
NOT_VALID = P.register("visits.not_valid", "走访对象不是有效户", Severity.ERROR, V,
           "“走访对象”表第{row}行的{name}在“名册”中状态为“{status}”，不是有效户，请改选其他户。")
WRONG_UNIT = P.register("visits.wrong_unit", "走访对象不在联系点", Severity.WARNING, V,
           "{name}属于{unit}，不是{group}的联系点（{points}），请核对组别。")
NOT_REPORTED = P.register("visits.not_reported", "走访对象未备案", Severity.WARNING, V,
           "{name}的家庭情况尚未报民政办备案（“走访对象”表第{row}行“已备案”未标记）。")
NO_PHOTO = P.register("visits.no_photo", "走访无照片", Severity.WARNING, V,
           "{name}已于{date}走访，但没有照片：请把照片放进“照片”文件夹（文件名含户主姓名或身份证号后6位），或在“照片”列填写文件名。")
PHOTO_MISSING_FILE = P.register("visits.photo_missing_file", "照片文件不存在", Severity.WARNING, V,
           "“走访对象”表第{row}行“照片”列写的“{value}”在“照片”文件夹里找不到。")
PHOTO_UNMATCHED = P.register("visits.photo_unmatched", "照片对应不上走访对象", Severity.WARNING, V,
           "照片“{value}”对应不上任何走访对象{reason}；请把文件名改为含户主姓名或身份证号后6位，或在“照片”列填写。")


@dataclass(frozen=True)
class VisitGroup:
    """One visit group: its leader, staff, contact points (unit names) and planned dates."""
    name: str
    leader: str
    staff: str
    points: tuple[str, ...]
    dates: tuple[dt.date, ...]
    row: int


@dataclass
class VisitResult:
    """What the visits step computed; `targets` is the 走访对象 sheet after proposal/photo fill."""
    groups: list[VisitGroup]
    targets: pd.DataFrame
    details: pd.DataFrame             # one row per visited household, with roster facts
    problems: list[P.Problem]
    photos: PhotoMatch
    proposed: int = 0
    changed: bool = False             # 走访对象 must be written back
    extra_columns: list[str] = field(default_factory=list)


def _where(sheet: str) -> str:
    return f"{WORKBOOK_FILE}〔{sheet}〕"


def split_list(text: Any) -> list[str]:
    """"东湖社区、西湖社区" → ["东湖社区", "西湖社区"] (also , ， ; ； / and spaces)."""
    return [p for p in _SPLIT.split(to_text(text)) if p]


def is_reported(value: Any) -> bool:
    return to_text(value).upper() in REPORTED_MARKS


# --- reading the two sheets ----------------------------------------------------------------------

def _index(rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    header = [to_text(v) for v in (rows[0] if rows else [])]
    return {h: i for i, h in enumerate(header) if h}


def _get(row: Sequence[Any], index: dict[str, int], column: str) -> Any:
    i = index.get(column)
    return row[i] if i is not None and i < len(row) else None


def load_plan(rows: Sequence[Sequence[Any]], settings: Settings) -> tuple[list[VisitGroup], list[P.Problem]]:
    """走访安排 → groups. Several rows may share a 组别 (one per date or contact point)."""
    sheet, problems = VisitSheet.PLAN, []
    index = _index(rows)
    parts: dict[str, dict[str, Any]] = {}
    start, end = settings.params.start, settings.params.end
    for excel_row, row in enumerate(rows[1:], start=2):
        cells = {c: _get(row, index, c) for c in PLAN_COLUMNS}
        if all(is_blank(v) for v in cells.values()):
            continue
        group = to_text(cells[PlanCol.GROUP])
        if not group:
            problems.append(P.make(MISSING_VALUE, file=_where(sheet), row=excel_row,
                                   column=PlanCol.GROUP, sheet=sheet))
            continue
        g = parts.setdefault(group, {"leader": "", "staff": "", "points": [], "dates": [],
                                     "row": excel_row})
        g["leader"] = g["leader"] or as_typed(cells[PlanCol.LEADER])     # printed as typed
        g["staff"] = g["staff"] or as_typed(cells[PlanCol.STAFF])
        g["points"] += [p for p in split_list(cells[PlanCol.POINTS]) if p not in g["points"]]
        raw = cells[PlanCol.DATE]
        date = to_date(raw)
        file, column = _where(sheet), PlanCol.DATE
        if is_blank(raw):
            problems.append(P.make(MISSING_VALUE, sheet=sheet, file=file, row=excel_row,
                                   column=column))
        elif date is None:
            problems.append(P.make(BAD_DATE, sheet=sheet, value=to_text(raw), file=file,
                                   row=excel_row, column=column))
        else:
            g["dates"].append(date)
            if (start and date < start) or (end and date > end):
                problems.append(P.make(DATE_OUTSIDE, group=group, date=date.isoformat(),
                                       start=start, end=end, file=file, row=excel_row,
                                       column=column))
    units = {u.name for u in settings.units}
    groups = []
    for name, g in parts.items():
        for column, key in ((PlanCol.LEADER, "leader"), (PlanCol.POINTS, "points")):
            if not g[key]:
                problems.append(P.make(MISSING_VALUE, file=_where(sheet), row=g["row"],
                                       column=column, sheet=sheet))
        for point in g["points"]:
            if units and point not in units:
                problems.append(P.make(UNKNOWN_POINT, file=_where(sheet), row=g["row"],
                                       column=PlanCol.POINTS, group=name, value=point))
        groups.append(VisitGroup(name, g["leader"], g["staff"], tuple(g["points"]),
                                 tuple(sorted(set(g["dates"]))), g["row"]))
    return groups, problems


def load_targets(rows: Sequence[Sequence[Any]]) -> tuple[pd.DataFrame, list[str]]:
    """走访对象 → a frame of TARGET_COLUMNS as keys (IDs and names cleaned for matching), the
    clerk's own extra columns, each cell as typed (RAW + column: what is written back) and `_行`."""
    index = _index(rows)
    extra = [h for h in index if h not in TARGET_COLUMNS and not h.startswith("_")]
    records = []
    for excel_row, row in enumerate(rows[1:], start=2):
        values = {c: _get(row, index, c) for c in (*TARGET_COLUMNS, *extra)}
        if all(is_blank(v) for v in values.values()):
            continue
        rec: dict[str, Any] = {c: to_text(values[c]) for c in TARGET_COLUMNS}
        rec[TargetCol.ID] = clean_id(values[TargetCol.ID])
        rec[TargetCol.NAME] = clean_name(values[TargetCol.NAME])
        raw_date = values[TargetCol.VISIT_DATE]
        rec[TargetCol.VISIT_DATE] = to_date(raw_date) or (None if is_blank(raw_date)
                                                          else to_text(raw_date))
        rec.update({c: values[c] for c in extra})
        rec.update({RAW + c: values[c] for c in TARGET_COLUMNS})   # written back as they were
        rec[FROM_SHEET] = True
        rec[ROW] = excel_row
        records.append(rec)
    frame = pd.DataFrame(records, columns=[*TARGET_COLUMNS, *extra, *(RAW + c for c in
                                                                        TARGET_COLUMNS),
                                           FROM_SHEET, ROW])
    return frame, extra


# --- proposal --------------------------------------------------------------------------------------

def min_per_point(settings: Settings) -> int:
    number = to_number(settings.params.get(VisitParam.MIN_PER_POINT))
    return int(number) if number is not None and number >= 0 else DEFAULT_MIN_PER_POINT


def preferred_categories(settings: Settings) -> list[str]:
    value = settings.params.get(VisitParam.PREFERRED)
    return split_list(DEFAULT_PREFERRED if value is None else value)


def valid_rows(roster: pd.DataFrame) -> pd.DataFrame:
    """The 有效 rows of 名册, one per 身份证号 (the row that is paid)."""
    if not len(roster):
        return roster
    valid = roster[(roster[Col.STATUS] == Status.VALID) & roster[Col.ID].fillna("").astype(str).ne("")]
    return valid.drop_duplicates(Col.ID)
