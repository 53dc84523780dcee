"""The whole visits step on sheet values: sheets in, result out; its notes and summary table.

Pure: the pipeline reads 走访安排 / 走访对象 / 名册 and the photo folder's listing, and writes
走访对象, 问题 and the printed lists (visits/printing.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import pandas as pd

from .. import problems as P
from ..names import ROSTER_COLUMNS, TARGET_COLUMNS, Col, TargetCol, VisitSheet
from ..settings import Settings
from .checks import CHECKS, VisitData
from .model import (FROM_SHEET, MISSING_VALUE, NO_PHOTO, NO_PLAN, RAW, TOO_FEW, VisitGroup,
                    VisitResult, _where, is_reported, load_plan, load_targets, min_per_point,
                    valid_rows)
from .photos import ROW, PhotoMatch, match_photos, photo_names
from .propose import propose

#: working column: the row's 照片 were filled by the tool (so that cell is written, not kept)
PHOTOS_FILLED = "_照片已补"

DETAIL_COLUMNS: tuple[str, ...] = (
    TargetCol.GROUP, TargetCol.UNIT, TargetCol.NAME, TargetCol.ID, Col.CATEGORY, Col.SIZE,
    Col.ADDRESS, Col.PHONE, Col.AMOUNT, Col.PAYMENT, TargetCol.REPORTED, TargetCol.VISIT_DATE,
    TargetCol.PHOTOS,
)


def _details(targets: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Each visited household with what the leader needs: address, category, amount, phone."""
    facts = valid_rows(roster).set_index(Col.ID) if len(roster) else pd.DataFrame()
    rows: list[dict[str, Any]] = []
    for _, t in targets.iterrows():
        f = facts.loc[t[TargetCol.ID]] if t[TargetCol.ID] in facts.index else None
        row: dict[str, Any] = {c: t[c] for c in TARGET_COLUMNS}
        row.update({c: (None if f is None else f[c]) for c in
                    (Col.CATEGORY, Col.SIZE, Col.ADDRESS, Col.PHONE, Col.AMOUNT, Col.PAYMENT)})
        rows.append(row)
    return pd.DataFrame(rows, columns=list(DETAIL_COLUMNS))


def _fill_photos(targets: pd.DataFrame, photos: PhotoMatch) -> tuple[pd.DataFrame, bool]:
    """The 照片 column lists what the clerk wrote plus every file matched to the row."""
    values: list[str] = []
    filled: list[bool] = []
    for _, row in targets.iterrows():
        listed = photo_names(row[TargetCol.PHOTOS])
        names = listed + [f for f in photos.by_row.get(int(row[ROW]), [])
                          if f not in listed and Path(f).name not in listed]
        values.append("、".join(names))
        filled.append(names != listed)
    columns: dict[str, Sequence[Any]] = {TargetCol.PHOTOS: values, PHOTOS_FILLED: filled}
    return targets.assign(**columns), any(filled)


def visits_frames(settings: Settings, roster: pd.DataFrame, plan_rows: Sequence[Sequence[Any]],
                  target_rows: Sequence[Sequence[Any]], photo_files: Sequence[str], *,
                  propose: bool | None = None) -> VisitResult:
    """The whole visits step on sheet values (the CLI and the Excel button both call this).

    `propose`: None proposes only when 走访对象 is empty (the first run); True tops up every
    contact point below the minimum; False never adds rows.
    """
    roster = roster.reindex(columns=list(dict.fromkeys([*ROSTER_COLUMNS, *roster.columns])))
    groups, problems = load_plan(plan_rows, settings)
    targets, extra = load_targets(target_rows)
    if not groups and not any(p.code == MISSING_VALUE for p in problems):
        problems.append(P.make(NO_PLAN, file=_where(VisitSheet.PLAN)))
    proposed = 0
    new = _propose_if(groups, targets, roster, settings, propose)
    changed = bool(len(new))
    if changed:
        proposed = len(new)
        targets = pd.concat([targets.drop(columns=[ROW]), new], ignore_index=True)
        targets[ROW] = range(2, len(targets) + 2)      # rows as they will be written
    photos = match_photos(targets, photo_files)
    targets, photos_changed = _fill_photos(targets, photos)
    data = VisitData(settings, groups, targets, roster, photos)
    for check in CHECKS:
        problems += check(data)
    return VisitResult(groups, targets, _details(targets, roster), problems, photos,
                       proposed=proposed, changed=changed or photos_changed, extra_columns=extra)


def _propose_if(groups: list[VisitGroup], targets: pd.DataFrame, roster: pd.DataFrame,
                settings: Settings, wanted: bool | None) -> pd.DataFrame:
    if wanted is False or (wanted is None and len(targets)):
        return pd.DataFrame(columns=list(TARGET_COLUMNS))
    return propose(groups, targets, roster, settings)


def target_sheet(result: VisitResult) -> pd.DataFrame:
    """走访对象 as written back: its columns, then the clerk's extra columns. The clerk's rows keep
    every cell as typed, except 照片 where files were found for the row; proposed rows are new."""
    targets = result.targets
    own = targets[FROM_SHEET].fillna(False).astype(bool) if FROM_SHEET in targets else \
        pd.Series(False, index=targets.index)
    filled = targets[PHOTOS_FILLED].fillna(False).astype(bool) if PHOTOS_FILLED in targets else \
        pd.Series(False, index=targets.index)
    out = {}
    for column in TARGET_COLUMNS:
        keep = own & ~filled if column == TargetCol.PHOTOS else own
        raw = targets[RAW + column] if RAW + column in targets else targets[column]
        out[column] = raw.where(keep, targets[column]).astype(object)
    for column in result.extra_columns:
        out[column] = targets[column]
    return pd.DataFrame(out, columns=[*TARGET_COLUMNS, *result.extra_columns], index=targets.index)


def visits_summary(groups: Sequence[VisitGroup], details: pd.DataFrame) -> pd.DataFrame:
    """Per group: planned households, reported, visited (走访日期 filled), with photos, amount.

    The table for the finance summary (汇总) and the overview workbook; one row per group in
    走访安排 order, no total row.
    """
    rows = []
    for g in groups:
        d = details[details[TargetCol.GROUP] == g.name]
        # explicit bools: an empty group's map() keeps the string dtype and sums to ''
        visited = pd.Series([isinstance(v, dt.date) for v in d[TargetCol.VISIT_DATE]],
                            index=d.index, dtype=bool)
        reported = sum(bool(is_reported(v)) for v in d[TargetCol.REPORTED])
        rows.append({
            "组别": g.name, "带队领导": g.leader, "陪同人员": g.staff, "联系点": "、".join(g.points),
            "计划日期": "、".join(x.isoformat() for x in g.dates),
            "计划走访户数": len(d), "已备案户数": reported,
            "已走访户数": int(visited.sum()),
            "有照片户数": int((visited & d[TargetCol.PHOTOS].fillna("").astype(str).ne("")).sum()),
            "慰问金合计": float(pd.to_numeric(d[Col.AMOUNT], errors="coerce").fillna(0).sum()),
        })
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


SUMMARY_COLUMNS: tuple[str, ...] = ("组别", "带队领导", "陪同人员", "联系点", "计划日期",
                                    "计划走访户数", "已备案户数", "已走访户数", "有照片户数",
                                    "慰问金合计")


def report_counts(result: VisitResult) -> dict[str, int]:
    visited = result.details[TargetCol.VISIT_DATE].map(lambda v: isinstance(v, dt.date))
    return {"groups": len(result.groups), "visit_households": len(result.targets),
            "proposed": result.proposed, "visited": int(visited.sum()),
            "visited_without_photo": sum(p.code == NO_PHOTO for p in result.problems),
            "photos_unmatched": len(result.photos.unmatched)}


def report_notes(result: VisitResult, limit: int = 20) -> list[str]:
    """What the clerk reads after the run: counts, visits without photos, stray photos."""
    c = report_counts(result)
    if not result.groups:           # nothing to print yet: say so, and what to fill in
        return ["“走访安排”表里还没有组别，还没有走访名单可打印：请在工作簿的“走访安排”表填写组别、带队领导、"
                "陪同人员、联系点和计划日期，再点“走访安排”（命令 weiwen visits）。"]
    notes = [f"走访组 {c['groups']} 个，走访对象 {c['visit_households']} 户"
             + (f"（本次自动安排 {c['proposed']} 户）" if c["proposed"] else "")
             + f"，已走访 {c['visited']} 户。"]
    no_photo = [p for p in result.problems if p.code == NO_PHOTO]
    if no_photo:
        names = "、".join(f"{p.extra.get('group', '')}{p.name}" for p in no_photo[:limit])
        notes.append(f"已走访但没有照片 {len(no_photo)} 户：{names}"
                     + ("等" if len(no_photo) > limit else "") + "。")
    if result.photos.unmatched:
        files = "、".join(list(result.photos.unmatched)[:limit])
        notes.append(f"对应不上走访对象的照片 {len(result.photos.unmatched)} 张：{files}"
                     + ("等" if len(result.photos.unmatched) > limit else "") + "。")
    return notes


def proposal_note(result: VisitResult, settings: Settings, limit: int = 10) -> str:
    """What `--propose` did, also when it added nothing: how many households, and which contact
    points still fall short and why."""
    if not result.groups:
        return "“走访安排”表里还没有组别和联系点，没有可补足的走访对象：请先填写“走访安排”表。"
    done = (f"已为户数不足的联系点补充 {result.proposed} 户走访对象" if result.proposed
            else "没有补充走访对象")
    short = [p for p in result.problems if p.code == TOO_FEW]
    if not short:
        return f"{done}：每个联系点都已有至少 {min_per_point(settings)} 户。"
    places = "、".join(f"{p.extra['group']}{p.unit}（{p.extra['n']}/{p.extra['minimum']} 户）"
                      for p in short[:limit]) + ("等" if len(short) > limit else "")
    return (f"{done}；仍有 {len(short)} 个联系点户数不足：{places}。名册里这些单位已没有可安排的户"
            f"（只挑状态为“有效”、尚未安排给任何组的户）：请核实这些单位“名册”里错误、待核的行，"
            f"或在“走访对象”表自己填写，或调低“参数”表的每个联系点最少走访户数。")
