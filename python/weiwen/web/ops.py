"""The page's one seam onto the shared operations: the same functions the command line calls.

`STEPS` lists the buttons (tag → Chinese label, options); `perform` runs one on the campaign's
workbook file under the campaign lock, exactly as `weiwen <tag>` does, and returns the report with
its one-line Chinese outcome. Nothing here merges, checks or writes anything itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .. import pipeline
from .. import problems as P
from ..campaign import Campaign
from ..lock import campaign_lock

Progress = Callable[[str], None]

#: what the options mean on the page (the CLI's --pdf / --redraw / --propose)
OPTION_LABELS: dict[str, str] = {
    "pdf": "同时生成 PDF（需要 LibreOffice）",
    "redraw": "重新抽取（已填写回访结果的名单先备份）",
    "propose": "为户数不足的联系点补足走访对象",
}


@dataclass(frozen=True)
class Step:
    tag: str
    label: str
    options: tuple[str, ...] = ()
    writes_workbook: bool = True      # refused while Weiwen.xlsm is open in Excel / WPS
    hint: str = ""


#: the buttons, in working order (the same tags as the ribbon and the commands)
STEPS: tuple[Step, ...] = (
    Step("templates", "生成下发模板", writes_workbook=False, hint="每个单位一份空白名单（outbox）"),
    Step("merge", "合并回收表", hint="inbox 里的回收表合并到“名册”，并检查问题"),
    Step("check", "检查", hint="不重新读取 inbox，重新检查“名册”现有内容"),
    Step("amounts", "计算金额", hint="按“标准”表填写每户金额和发放方式"),
    Step("signoff", "生成签字表", ("pdf",), writes_workbook=False, hint="每个单位一份签字确认表"),
    Step("signatures", "核对签字", hint="核对“回收签字”文件夹里交回的签字表"),
    Step("visits", "走访安排", ("propose",), hint="检查领导走访安排，生成各组走访名单"),
    Step("summary", "生成汇总表", hint="财政所汇总表和银行代发名单"),
    Step("audit", "抽取抽查名单", ("redraw",), writes_workbook=False, hint="节后电话回访的抽查名单"),
    Step("run", "全部运行", hint="合并 → 检查 → 金额 → 签字表 → 走访 → 汇总 → 抽查"),
)
STEP_BY_TAG: dict[str, Step] = {s.tag: s for s in STEPS}


@dataclass
class Outcome:
    """What the page shows after a step: the one line, the notes, the files it made."""
    tag: str
    message: str
    notes: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


def lock_name(step: Step) -> str:
    """Who holds the campaign while the page works (shown to a second command)."""
    return f"工作台“{step.label}”"


def perform(tag: str, campaign: Campaign, *, progress: Progress,
            options: dict[str, bool] | None = None) -> Outcome:
    """Run one operation on the campaign under its lock (CampaignBusy when another holds it)."""
    step = STEP_BY_TAG[tag]
    chosen = {k: bool(v) for k, v in (options or {}).items() if k in step.options}
    with campaign_lock(campaign.root, lock_name(step)):
        report = _call(tag, campaign, progress, chosen)
    message = _outcome(step, report, campaign)
    return Outcome(tag=tag, message=message, notes=[n for n in report.notes if n and n != message],
                   outputs=list(report.outputs), counts=report.to_dict())


def _call(tag: str, campaign: Campaign, progress: Progress, options: dict[str, bool]):
    if tag == "visits":
        from ..visits import visits
        return visits(campaign, propose=True if options.get("propose") else None,
                      progress=progress)
    function = getattr(pipeline, tag)
    return function(campaign, progress=progress, **options)


def _problems_text(report) -> str:
    errors = P.count_errors(report.problems)
    return f"问题 {len(report.problems)} 条" + (f"（其中错误 {errors} 条）" if errors else "") + "。"


def _outcome(step: Step, report, campaign: Campaign) -> str:
    """The one line a clerk reads after the step (the same facts the command prints)."""
    tag = step.tag
    if tag in ("merge", "run") and not report.files_read:
        return pipeline.empty_inbox_note(campaign)
    if tag == "merge":
        return (f"合并完成：读取 {report.files_read} 个文件、{report.rows_read} 行，名册共 "
                f"{report.roster_rows} 行，未能合并 {report.rejected_rows} 行；" + _problems_text(report))
    if tag == "check":
        return f"检查完成：名册共 {report.roster_rows} 行；" + _problems_text(report) + "请再计算金额。"
    if tag == "amounts":
        return (f"金额计算完成：发放 {report.households_paid} 户，合计 {report.total_amount:,.2f} 元；"
                + _problems_text(report))
    if tag == "run":
        return (f"全部完成：名册共 {report.roster_rows} 行，发放 {report.households_paid} 户，"
                f"合计 {report.total_amount:,.2f} 元；" + _problems_text(report))
    if tag == "templates":
        return f"已为 {len(report.outputs)} 个单位生成下发模板，在 outbox 文件夹。"
    if tag == "signatures":
        return "核对签字完成：" + _problems_text(report)
    first = next((n for n in report.notes if n), "")
    return first or f"{step.label}完成。"
