"""The operations the CLI and the Excel buttons share, one function per command.

Each operation reads what it needs from the campaign (edges: workbook_io, intake.readers), runs
the pure steps (merge → checks → amounts → outputs) and writes the results back. The pure part of
every operation is also exposed (`*_frames`) so excel.py can run it on the open workbook's data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from . import problems as P
from . import workbook_io
from .amounts import compute_amounts
from .campaign import Campaign
from .checks import load_reference, run_checks
from .intake.merge import MergeReport, merge_files
from .intake.readers import read_inbox
from .names import PROBLEM_KINDS_COLUMNS, PROBLEM_KINDS_SHEET, Col, ProblemCol, Status
from .settings import Settings

Progress = Callable[[str], None]


@dataclass
class Report:
    """What a command did; printed by the CLI, shown in Excel, dumped by --json."""
    command: str
    files_read: int = 0
    rows_read: int = 0
    roster_rows: int = 0
    rejected_rows: int = 0
    problems: list[P.Problem] = field(default_factory=list)
    households_paid: int = 0
    total_amount: float = 0.0
    outputs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    merge: MergeReport | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def problems_by_kind(self) -> dict[str, int]:
        return P.count_by_kind(self.problems)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "command": self.command, "files_read": self.files_read, "rows_read": self.rows_read,
            "roster_rows": self.roster_rows, "rejected_rows": self.rejected_rows,
            "problems": len(self.problems), "problems_by_kind": self.problems_by_kind(),
            "errors": sum(p.severity == "错误" for p in self.problems),
            "households_paid": self.households_paid, "total_amount": self.total_amount,
            "outputs": self.outputs, "notes": self.notes,
        }
        if self.merge is not None:
            out["rows_per_unit"] = self.merge.rows_per_unit
            out["superseded_files"] = self.merge.superseded
        out.update(self.extra)
        return out


def _noop(_: str) -> None:
    pass


def _paid(roster: pd.DataFrame) -> tuple[int, float]:
    if not len(roster) or Col.AMOUNT not in roster:
        return 0, 0.0
    amounts = pd.to_numeric(roster[Col.AMOUNT], errors="coerce").fillna(0)
    paid = (roster[Col.STATUS] == Status.VALID) & (amounts > 0)
    return int(paid.sum()), float(amounts[paid].sum())


def _keep_other_stages(existing: pd.DataFrame, stages: set[str]) -> pd.DataFrame:
    """Rows of the 问题 sheet produced by other stages (their kinds map to another stage)."""
    if not len(existing):
        return existing
    kinds = {c.kind: c.stage for c in P.all_codes().values()}
    keep = existing[ProblemCol.KIND].map(lambda k: kinds.get(k, "") not in stages)
    return existing[keep]


def _problem_frame(problems: list[P.Problem], existing: pd.DataFrame | None = None,
                   stages: set[str] | None = None) -> pd.DataFrame:
    frame = P.to_frame(problems)
    if existing is not None and stages is not None:
        kept = _keep_other_stages(existing, stages)
        if len(kept):
            frame = pd.concat([kept, frame], ignore_index=True)
            frame = frame.sort_values([ProblemCol.UNIT, ProblemCol.FILE, ProblemCol.ROW],
                                      kind="stable", na_position="first").reset_index(drop=True)
    return frame


def problem_kinds_frame(problems: pd.DataFrame) -> pd.DataFrame:
    """The 问题分类 sheet: the 问题 sheet's rows counted by 级别 and 问题类型 (错误 first, most first).

    A separate sheet, so the 问题 sheet keeps exactly its 8 header columns (sheet contract)."""
    sev, kind, n = PROBLEM_KINDS_COLUMNS
    if not len(problems):
        return pd.DataFrame(columns=list(PROBLEM_KINDS_COLUMNS))
    counts = problems.groupby([ProblemCol.SEVERITY, ProblemCol.KIND], dropna=False).size()
    frame = counts.rename(n).reset_index().rename(columns={ProblemCol.SEVERITY: sev,
                                                            ProblemCol.KIND: kind})
    frame["_e"] = frame[sev] != "错误"
    frame = frame.sort_values(["_e", n, kind], ascending=[True, False, True]).drop(columns="_e")
    total = pd.DataFrame([{sev: "合计", kind: "", n: int(frame[n].sum())}])
    return pd.concat([frame, total], ignore_index=True)


def _problem_sheets(problems: pd.DataFrame) -> dict[str, Any]:
    """write_results arguments for 问题 and its 问题分类 summary."""
    return {"problems": problems, "extra": {PROBLEM_KINDS_SHEET: problem_kinds_frame(problems)}}


def load_settings(campaign: Campaign) -> Settings:
    return workbook_io.read_settings(campaign.workbook)


# --- pure parts (also used by the Excel buttons) ------------------------------------------------

def merge_frames(campaign: Campaign, settings: Settings, previous: pd.DataFrame | None,
                 progress: Progress = _noop) -> tuple[pd.DataFrame, list[P.Problem], MergeReport]:
    progress("读取回收表")
    files, problems = read_inbox(campaign.inbox)
    progress("合并名单")
    roster, merge_problems, report = merge_files(files, settings, previous=previous)
    problems += merge_problems
    report.files_read = len(files) + sum(p.code == "intake.unreadable" for p in problems)
    progress("检查名单")
    roster, check_problems = check_frames(roster, settings, campaign=campaign, fresh=True)
    return roster, problems + check_problems, report


def check_frames(roster: pd.DataFrame, settings: Settings, *, campaign: Campaign | None = None,
                 fresh: bool = False) -> tuple[pd.DataFrame, list[P.Problem]]:
    """Checks on a roster (just merged, or 名册 read back): 状态 / 问题 recomputed; with `campaign`
    also the coverage check against 参数.低保名单. A re-check (not `fresh`) clears 金额 / 发放方式 /
    计发依据, which may no longer match the new 状态: 计算金额 fills them again."""
    reference, problems = load_reference(campaign.root, settings) if campaign else (None, [])
    roster, check_problems = run_checks(roster, settings, reference=reference)
    if not fresh and len(roster):
        roster[Col.AMOUNT] = None
        roster[Col.PAYMENT] = None
        roster[Col.BASIS] = None
    return roster, problems + check_problems


def amounts_frames(roster: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, list[P.Problem]]:
    return compute_amounts(roster, settings)


# --- operations -------------------------------------------------------------------------------

def merge(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen merge: inbox/ → 名册 + 问题 (with checks)."""
    settings = load_settings(campaign)
    previous = workbook_io.read_roster(campaign.workbook)
    roster, problems, mreport = merge_frames(campaign, settings, previous, progress)
    problems = settings.problems + problems
    report = _report("merge", roster, problems, mreport)
    if not mreport.files_read:
        report.notes.append(f"inbox 文件夹里没有回收表，没有可合并的内容（{campaign.inbox}）。")
    progress("写入工作簿")
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster,
                              **_problem_sheets(_problem_frame(problems)))
    return report


def amounts(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen amounts: 名册 → 金额 / 发放方式 / 计发依据 from 标准."""
    settings = load_settings(campaign)
    roster = workbook_io.read_roster(campaign.workbook)
    roster, problems = amounts_frames(roster, settings)
    existing = workbook_io.read_problems(campaign.workbook)
    report = _report("amounts", roster, problems)
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster,
                              **_problem_sheets(_problem_frame(problems, existing, {"amounts"})))
    return report


def check(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen check: re-run the checks on 名册 as it is (inbox/ is not read again)."""
    settings = load_settings(campaign)
    progress("检查名单")
    roster, problems = check_frames(workbook_io.read_roster(campaign.workbook), settings,
                                    campaign=campaign)
    problems = settings.problems + problems
    existing = workbook_io.read_problems(campaign.workbook)
    report = _report("check", roster, problems)
    if len(roster):
        report.notes.append("已重新检查名册；金额已清空，请再运行“计算金额”（weiwen amounts）。")
    progress("写入工作簿")
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster, **_problem_sheets(
        _problem_frame(problems, existing, {"settings", "checks", "amounts"})))
    return report


def run(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen run: merge → checks → amounts in memory, one workbook write, then the outputs."""
    settings = load_settings(campaign)
    previous = workbook_io.read_roster(campaign.workbook)
    roster, problems, mreport = merge_frames(campaign, settings, previous, progress)
    progress("计算金额")
    roster, amount_problems = amounts_frames(roster, settings)
    problems = settings.problems + problems + amount_problems
    report = _report("run", roster, problems, mreport)
    if not mreport.files_read:
        report.notes.append(f"inbox 文件夹里没有回收表，没有可合并的内容（{campaign.inbox}）。")
    progress("写入工作簿")
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster,
                              **_problem_sheets(_problem_frame(problems)))
    for step in OUTPUT_STEPS:
        progress(step.__doc__.split(":")[0] if step.__doc__ else step.__name__)
        step_report = step(campaign)
        report.outputs += step_report.outputs
        report.notes += step_report.notes
        report.problems += step_report.problems
    return report


def _report(command: str, roster: pd.DataFrame, problems: list[P.Problem],
            mreport: MergeReport | None = None) -> Report:
    paid, total = _paid(roster)
    report = Report(command=command, problems=problems, roster_rows=len(roster),
                    households_paid=paid, total_amount=total, merge=mreport)
    if mreport is not None:
        report.files_read = mreport.files_read
        report.rows_read = mreport.rows_read
        report.rejected_rows = mreport.rejected_rows
    return report


#: output steps `run` calls after the roster is written (signoff, summary, audit as they land)
OUTPUT_STEPS: list[Callable[[Campaign], Report]] = []


def open_campaign(path: Path | str) -> Campaign:
    return Campaign.open(path)
