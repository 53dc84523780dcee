"""The whole visits step: sheets in, result out; the `weiwen visits` command; the summary table."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .. import problems as P
from ..names import (PHOTO_DIR, PLAN_COLUMNS, ROSTER_COLUMNS, TARGET_COLUMNS, VISIT_SHEETS,
                     VISITS_OUTPUT_DIR, Col, Sheet, TargetCol, VisitSheet)
from ..settings import Settings
from .checks import CHECKS, VisitData
from .model import (ROW, V, VisitGroup, VisitResult, _where, is_reported, load_plan, load_targets,
                    valid_rows)
from .photos import PhotoMatch, list_photos, match_photos, photo_names
from .propose import propose

DETAIL_COLUMNS: tuple[str, ...] = (
    TargetCol.GROUP, TargetCol.UNIT, TargetCol.NAME, TargetCol.ID, Col.CATEGORY, Col.SIZE,
    Col.ADDRESS, Col.PHONE, Col.AMOUNT, Col.PAYMENT, TargetCol.REPORTED, TargetCol.VISIT_DATE,
    TargetCol.PHOTOS,
)


def _details(targets: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Each visited household with what the leader needs: address, category, amount, phone."""
    facts = valid_rows(roster).set_index(Col.ID) if len(roster) else pd.DataFrame()
    rows = []
    for _, t in targets.iterrows():
        f = facts.loc[t[TargetCol.ID]] if t[TargetCol.ID] in facts.index else None
        rows.append({**{c: t[c] for c in TARGET_COLUMNS},
                     **{c: (None if f is None else f[c]) for c in
                        (Col.CATEGORY, Col.SIZE, Col.ADDRESS, Col.PHONE, Col.AMOUNT, Col.PAYMENT)}})
    return pd.DataFrame(rows, columns=list(DETAIL_COLUMNS))


def _fill_photos(targets: pd.DataFrame, photos: PhotoMatch) -> tuple[pd.DataFrame, bool]:
    """The 照片 column lists what the clerk wrote plus every file matched to the row."""
    values, changed = [], False
    for _, row in targets.iterrows():
        listed = photo_names(row[TargetCol.PHOTOS])
        names = listed + [f for f in photos.by_row.get(int(row[ROW]), [])
                          if f not in listed and Path(f).name not in listed]
        values.append("、".join(names))
        changed |= names != listed
    return targets.assign(**{TargetCol.PHOTOS: values}), changed


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
    if not groups and not any(p.code == "visits.missing_value" for p in problems):
        problems.append(P.make("visits.no_plan", file=_where(VisitSheet.PLAN)))
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


def _propose_if(groups, targets, roster, settings, wanted: bool | None) -> pd.DataFrame:
    if wanted is False or (wanted is None and len(targets)):
        return pd.DataFrame(columns=list(TARGET_COLUMNS))
    return propose(groups, targets, roster, settings)


def target_sheet(result: VisitResult) -> pd.DataFrame:
    """走访对象 as written back: its columns, then the clerk's extra columns."""
    return result.targets.reindex(columns=[*TARGET_COLUMNS, *result.extra_columns])


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


# --- the command -------------------------------------------------------------------------------------

def _read(campaign) -> tuple[Settings, pd.DataFrame, dict[str, list[list[Any]]]]:
    from .. import workbook_io
    sheets = workbook_io.read_sheets(campaign.workbook, (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS,
                                                         Sheet.ROSTER, *VISIT_SHEETS))
    from ..settings import load_settings
    settings = load_settings(sheets)
    roster = workbook_io.frame_from_rows(sheets.get(Sheet.ROSTER, []), ROSTER_COLUMNS)
    return settings, roster, sheets


def read_visits_summary(campaign) -> pd.DataFrame:
    """`visits_summary` straight from a campaign folder (for summary.py): no writes, no outputs."""
    settings, roster, sheets = _read(campaign)
    result = visits_frames(settings, roster, sheets.get(VisitSheet.PLAN, []),
                           sheets.get(VisitSheet.TARGETS, []),
                           list_photos(campaign.root / PHOTO_DIR), propose=False)
    return visits_summary(result.groups, result.details)


def visits(campaign, *, propose: bool | None = None, progress=lambda _m: None):
    """weiwen visits: check 走访安排/走访对象, propose households, match photos, print lists."""
    from .. import workbook_io
    from ..pipeline import Report, problem_frame
    from .printing import write_outputs
    progress("读取走访安排")
    settings, roster, sheets = _read(campaign)
    result = visits_frames(settings, roster, sheets.get(VisitSheet.PLAN, []),
                           sheets.get(VisitSheet.TARGETS, []),
                           list_photos(campaign.root / PHOTO_DIR), propose=propose)
    progress("生成走访名单")
    outputs = write_outputs(campaign.output, result, settings)
    frames = {}
    if result.changed or VisitSheet.TARGETS not in sheets:
        frames[VisitSheet.TARGETS] = target_sheet(result)
    if VisitSheet.PLAN not in sheets:
        frames[VisitSheet.PLAN] = pd.DataFrame(columns=list(PLAN_COLUMNS))
    progress("写入工作簿")
    existing = workbook_io.read_problems(campaign.workbook)
    workbook_io.write_results(campaign.workbook, campaign.root,
                              problems=problem_frame(result.problems, existing, {V}),
                              extra=frames)
    report = Report(command="visits", problems=result.problems, roster_rows=len(roster),
                    outputs=[str(p) for p in outputs], notes=report_notes(result),
                    extra=report_counts(result))
    return report


def visits_command(*, propose: bool = False):
    """The operation the CLI runs: `--propose` tops up short contact points, otherwise households
    are proposed only on the first run (empty 走访对象)."""
    def call(campaign, **kwargs):
        return visits(campaign, propose=True if propose else None, **kwargs)
    call.__name__ = "visits"
    return call


def excel_op(ctx):
    """The 走访安排 button (ribbon tag "visits"), for weiwen.excel.OPERATIONS: the same step on
    the open workbook's sheets; files go to output/走访安排, 走访对象 and 问题 back to the book."""
    from ..excel import Outcome, _problem_frame, read_sheets
    from .printing import write_outputs
    missing = [s for s in VISIT_SHEETS if s not in ctx.sheets]
    if missing and ctx.book is not None:
        ctx.sheets.update(read_sheets(ctx.book, missing))
    settings = ctx.settings
    result = visits_frames(settings, ctx.roster, ctx.sheets.get(VisitSheet.PLAN, []),
                           ctx.sheets.get(VisitSheet.TARGETS, []),
                           list_photos(ctx.campaign.root / PHOTO_DIR))
    outputs = write_outputs(ctx.campaign.output, result, settings)
    errors = P.count_errors(result.problems)
    message = "\n".join(report_notes(result, limit=5)) + (
        f"\n问题 {len(result.problems)} 条（其中错误 {errors} 条）；"
        f"已生成 {len(outputs)} 个文件，在 output/{VISITS_OUTPUT_DIR} 文件夹。")
    return Outcome(message, problems=_problem_frame(result.problems, ctx.problems, {V}),
                   extra={VisitSheet.TARGETS: target_sheet(result)} if result.changed else {},
                   activate=VisitSheet.TARGETS)


def report_counts(result: VisitResult) -> dict[str, int]:
    visited = result.details[TargetCol.VISIT_DATE].map(lambda v: isinstance(v, dt.date))
    return {"groups": len(result.groups), "visit_households": len(result.targets),
            "proposed": result.proposed, "visited": int(visited.sum()),
            "visited_without_photo": sum(p.code == "visits.no_photo" for p in result.problems),
            "photos_unmatched": len(result.photos.unmatched)}


def report_notes(result: VisitResult, limit: int = 20) -> list[str]:
    """What the clerk reads after the run: counts, visits without photos, stray photos."""
    c = report_counts(result)
    notes = [f"走访组 {c['groups']} 个，走访对象 {c['visit_households']} 户"
             + (f"（本次自动安排 {c['proposed']} 户）" if c["proposed"] else "")
             + f"，已走访 {c['visited']} 户。"]
    no_photo = [p for p in result.problems if p.code == "visits.no_photo"]
    if no_photo:
        names = "、".join(f"{p.extra.get('group', '')}{p.name}" for p in no_photo[:limit])
        notes.append(f"已走访但没有照片 {len(no_photo)} 户：{names}"
                     + ("等" if len(no_photo) > limit else "") + "。")
    if result.photos.unmatched:
        files = "、".join(list(result.photos.unmatched)[:limit])
        notes.append(f"对应不上走访对象的照片 {len(result.photos.unmatched)} 张：{files}"
                     + ("等" if len(result.photos.unmatched) > limit else "") + "。")
    return notes

