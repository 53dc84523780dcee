"""The operations the CLI and the Excel buttons share, one function per command.

Each operation reads what it needs from the campaign (edges: workbook_io, intake.readers), runs
the pure steps (merge → checks → amounts → outputs) and writes the results back. The pure part of
every operation is also exposed (`*_frames`) so excel.py can run it on the open workbook's data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from . import problems as P
from . import workbook_io
from .amounts import compute_amounts
from .campaign import Campaign
from .checks import load_reference, run_checks
from .intake.merge import MergeReport, merge_files
from .intake.readers import read_inbox
from .names import Col, ProblemCol, Status
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
            "errors": P.count_errors(self.problems),
            "households_paid": self.households_paid, "total_amount": self.total_amount,
            "outputs": self.outputs, "notes": self.notes,
        }
        if self.merge is not None:
            out["rows_per_unit"] = self.merge.rows_per_unit
            out["superseded_files"] = self.merge.superseded
            out["superseded_rows"] = getattr(self.merge, "superseded_rows", 0)
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
    return existing[~existing[ProblemCol.KIND].map(kinds).isin(list(stages))]


def problem_frame(problems: list[P.Problem], existing: pd.DataFrame | None = None,
                   stages: set[str] | None = None) -> pd.DataFrame:
    frame = P.to_frame(problems)
    if existing is not None and stages is not None:
        kept = _keep_other_stages(existing, stages)
        if len(kept):
            frame = pd.concat([kept, frame], ignore_index=True)
            frame = frame.sort_values([ProblemCol.UNIT, ProblemCol.FILE, ProblemCol.ROW],
                                      kind="stable", na_position="first").reset_index(drop=True)
    return frame


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

def empty_inbox_note(campaign: Campaign) -> str:
    return (f"inbox 文件夹里没有回收表，没有可合并的内容。"
            f"请把各单位交回的表格放进：{campaign.inbox}")


def _merge_and_write(command: str, campaign: Campaign, progress: Progress, *,
                     with_amounts: bool) -> Report:
    """inbox/ → 名册 + 问题 (with checks; with amounts for `run`), one workbook write, and the
    units' feedback files."""
    settings = load_settings(campaign)
    previous = workbook_io.read_roster(campaign.workbook)
    roster, problems, mreport = merge_frames(campaign, settings, previous, progress)
    if with_amounts:
        progress("计算金额")
        roster, amount_problems = amounts_frames(roster, settings)
        problems = problems + amount_problems
    problems = settings.problems + problems
    report = make_report(command, roster, problems, mreport)
    if not mreport.files_read:
        report.notes.append(empty_inbox_note(campaign))
    progress("写入工作簿")
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster,
                              problems=problem_frame(problems))
    report.outputs += feedback_outputs(campaign, settings, problems, mreport)
    return report


def merge(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen merge: inbox/ → 名册 + 问题 (with checks)."""
    return _merge_and_write("merge", campaign, progress, with_amounts=False)


def amounts(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen amounts: 名册 → 金额 / 发放方式 / 计发依据 from 标准."""
    settings = load_settings(campaign)
    roster = workbook_io.read_roster(campaign.workbook)
    roster, problems = amounts_frames(roster, settings)
    existing = workbook_io.read_problems(campaign.workbook)
    report = make_report("amounts", roster, problems)
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster,
                              problems=problem_frame(problems, existing, {"amounts"}))
    return report


def check(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen check: re-run the checks on 名册 as it is (inbox/ is not read again)."""
    settings = load_settings(campaign)
    progress("检查名单")
    roster, problems = check_frames(workbook_io.read_roster(campaign.workbook), settings,
                                    campaign=campaign)
    problems = settings.problems + problems
    existing = workbook_io.read_problems(campaign.workbook)
    report = make_report("check", roster, problems)
    if len(roster):
        report.notes.append("已重新检查名册；金额已清空，请再运行“计算金额”（weiwen amounts）。")
    progress("写入工作簿")
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster, problems=(
        problem_frame(problems, existing, {"settings", "checks", "amounts"})))
    return report


def run(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen run: merge → checks → amounts in memory, one workbook write, then the outputs."""
    report = _merge_and_write("run", campaign, progress, with_amounts=True)
    for step in OUTPUT_STEPS:
        progress(step.__doc__.split(":")[0] if step.__doc__ else step.__name__)
        step_report = step(campaign)
        report.outputs += step_report.outputs
        report.notes += step_report.notes
        report.problems += step_report.problems
    return report


def feedback_outputs(campaign: Campaign, settings: Settings, problems: list[P.Problem],
                     mreport: MergeReport) -> list[str]:
    """output/退回修改/<单位>.xlsx: each unit's rows to fix (intake/feedback.py)."""
    from .intake.feedback import write_feedback
    return [str(p) for p in write_feedback(campaign.output, problems, mreport, settings)]


def templates(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen templates: one blank return per unit of 单位 in outbox/ (templates_out.py)."""
    from .templates_out import write_templates
    settings = load_settings(campaign)
    progress("生成下发模板")
    result = write_templates(campaign, settings)
    report = Report(command="templates", problems=settings.problems + result.problems)
    report.outputs = [str(p) for p in result.files]
    report.notes += [p.message for p in report.problems]      # e.g. 单位 sheet still empty
    report.notes.append(f"模板版式：{result.layout}（可在 Excel 中修改样式后放到活动文件夹的"
                        f" templates 文件夹里使用）")
    return report


def make_report(command: str, roster: pd.DataFrame, problems: list[P.Problem],
            mreport: MergeReport | None = None) -> Report:
    paid, total = _paid(roster)
    report = Report(command=command, problems=problems, roster_rows=len(roster),
                    households_paid=paid, total_amount=total, merge=mreport)
    if mreport is not None:
        report.files_read = mreport.files_read
        report.rows_read = mreport.rows_read
        report.rejected_rows = mreport.rejected_rows
    return report


# --- outputs: signature sheets, summary + bank list, audit sample, signature check ---------------
# `*_outputs` take the settings and roster as data (the Excel buttons pass the open workbook's);
# the operations read them from the workbook on disk through _on_disk.

def _on_disk(outputs: Callable[..., Any], campaign: Campaign, **options: Any) -> Any:
    """An `*_outputs` function on the settings and 名册 of the workbook on disk (the CLI's case;
    the Excel buttons pass the open workbook's instead)."""
    return outputs(campaign, load_settings(campaign), workbook_io.read_roster(campaign.workbook),
                   **options)


def signoff_outputs(campaign: Campaign, settings: Settings, roster: pd.DataFrame, *,
                    pdf: bool = False, today: Any = None) -> Report:
    from .outputs.pdf import PdfUnavailable, to_pdf
    from .outputs.signoff import find_template, write_signoff
    result = write_signoff(roster, settings, campaign.output, template=find_template(campaign.root),
                           today=today)
    report = make_report("signoff", roster, [])
    report.outputs = [str(p) for p in result.files] + ([str(result.batch)] if result.batch else [])
    report.notes.append(f"签字确认表：{len(result.files)} 个单位，{sum(result.households.values())} 户"
                        f"（版式：{result.template}）。")
    if not result.files:
        report.notes.append("名册里没有可发放（有效且金额大于 0）的户，没有生成签字确认表。")
    report.extra["signoff_households"] = result.households
    if pdf and result.files:
        try:
            report.outputs += [str(p) for p in to_pdf(result.files)]
        except PdfUnavailable as exc:
            report.notes.append(str(exc))
    return report


def signoff(campaign: Campaign, *, pdf: bool = False, progress: Progress = _noop) -> Report:
    """weiwen signoff: 名册 → output/签字确认表/<单位>.xlsx (+ PDF with LibreOffice)."""
    progress("生成签字确认表")
    return _on_disk(signoff_outputs, campaign, pdf=pdf)


def summary_outputs(campaign: Campaign, settings: Settings, roster: pd.DataFrame, *,
                    today: Any = None) -> tuple[Report, list[list[Any]]]:
    """The summary files; returns the report and the rows for the 汇总 sheet."""
    from .outputs.summary import write_summary
    from .visits import read_visits_summary
    result = write_summary(roster, settings, campaign.output, today=today,
                           visits=read_visits_summary(campaign))
    report = make_report("summary", roster, [])
    report.outputs = [str(p) for p in result.files]
    report.notes.append(f"汇总表：{result.households} 户，{result.people} 人，{result.total:,.2f} 元；"
                        f"银行代发 {result.bank_households} 户，{result.bank_total:,.2f} 元。")
    if result.no_card:
        report.notes.append(f"应打卡发放但没有银行卡号的 {len(result.no_card)} 户未列入代发明细"
                            f"（见银行代发.xlsx“缺少卡号”表）：{'、'.join(result.no_card[:10])}")
    return report, result.rows


def summary(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """weiwen summary: output/汇总表.xlsx, output/银行代发.xlsx and the workbook's 汇总 sheet."""
    progress("生成汇总表")
    report, rows = _on_disk(summary_outputs, campaign)
    workbook_io.write_results(campaign.workbook, campaign.root, summary_rows=rows)
    return report


def audit_outputs(campaign: Campaign, settings: Settings, roster: pd.DataFrame, *,
                  redraw: bool = False, today: Any = None) -> Report:
    from .outputs.audit import run_audit
    result = run_audit(roster, settings, campaign.output, redraw=redraw,
                       backup_root=campaign.root, today=today)
    report = make_report("audit", roster, [])
    if result.mode == "followup":
        report.outputs = [str(result.followup_path)]
        total = sum(result.followup.values())
        report.notes.append(f"{result.path.name} 已填写回访结果，未覆盖；未确认“已收到”的共 {total} 户"
                            + ("：" + "，".join(f"{u} {n} 户" for u, n in result.followup.items())
                               if total else "。"))
        report.notes.append("如需重新抽取，请加 --redraw（原文件先备份到 .backup）。")
        report.extra["audit_followup"] = result.followup
    else:
        report.outputs = [str(result.path)]
        drawn = sum(n for _, n in result.per_unit.values())
        report.notes.append(f"抽查名单：随机种子 {result.seed}，抽查比例 {result.ratio:.0%}，"
                            f"{len(result.per_unit)} 个单位共抽取 {drawn} 户。")
        report.extra["audit_seed"] = result.seed
        report.extra["audit_per_unit"] = {u: n for u, (_, n) in result.per_unit.items()}
    return report


def audit(campaign: Campaign, *, redraw: bool = False, progress: Progress = _noop) -> Report:
    """weiwen audit: output/抽查名单.xlsx, or the follow-up list once it comes back filled."""
    progress("抽取抽查名单")
    return _on_disk(audit_outputs, campaign, redraw=redraw)


def signatures_outputs(campaign: Campaign, settings: Settings, roster: pd.DataFrame, *,
                       today: Any = None) -> Report:
    """Check returned signature sheets (CAMPAIGN/回收签字/); the problems are in the report."""
    from .names import SIGNED_DIR
    from .outputs.signatures import check_signatures
    folder = campaign.root / SIGNED_DIR
    folder.mkdir(exist_ok=True)
    result = check_signatures(roster, settings, folder, today=today)
    report = make_report("signatures", roster, result.problems)
    report.files_read = result.files_read
    if result.returned:
        report.notes.append("已交回电子签字表：" + "，".join(f"{u} {n} 行" for u, n in result.returned.items()))
    if result.ticked:
        report.notes.append("按名册备注勾记核对：" + "，".join(f"{u} {n} 户" for u, n in result.ticked.items()))
    if result.not_returned:
        report.notes.append("已过上交日期仍未交回：" + "、".join(result.not_returned))
    if result.pending:
        report.notes.append("尚未交回（未到上交日期）：" + "、".join(result.pending))
    if not result.files_read:
        report.notes.append(f"{folder} 里没有交回的签字表；请把各单位交回的电子签字表放进该文件夹。")
    return report


def signatures(campaign: Campaign, *, progress: Progress = _noop, today: Any = None) -> Report:
    """weiwen signatures: 回收签字/ → problems in 问题 (stage signatures)."""
    progress("核对签字")
    report = _on_disk(signatures_outputs, campaign, today=today)
    existing = workbook_io.read_problems(campaign.workbook)
    workbook_io.write_results(campaign.workbook, campaign.root,
                              problems=problem_frame(report.problems, existing, {"signatures"}))
    return report


def planned_visits(campaign: Campaign, *, progress: Progress = _noop) -> Report:
    """The leaders' visits step inside `run`, when 走访安排 lists groups (skipped otherwise):
    before the summary, so 汇总表 counts the visits per group."""
    from .names import VisitSheet
    from .values import is_blank
    rows = workbook_io.read_sheets(campaign.workbook, (VisitSheet.PLAN,)).get(VisitSheet.PLAN, [])
    if not any(not is_blank(v) for row in rows[1:] for v in row):
        return Report(command="visits")
    from .visits import visits
    return visits(campaign, progress=progress)


#: output steps `run` calls after the roster is written
OUTPUT_STEPS: list[Callable[[Campaign], Report]] = [signoff, planned_visits, summary, audit]

