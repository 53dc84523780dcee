"""The page's one seam onto the shared operations: core's registry, as the command line uses it.

`STEPS` are the registry's operations in working order (tag, Chinese label, options), with what
only the page needs (a hint under the button, whether the step writes Weiwen.xlsm); `perform` runs
one on the campaign's workbook file (FileBook) under the campaign lock, exactly as `weiwen <tag>`
does, and returns the report's one-line Chinese outcome. Nothing here merges, checks or writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

from ..books import FileBook
from ..campaign import Campaign
from ..lock import campaign_lock
from ..pipeline import OPERATIONS, Options, perform as perform_operation

Progress = Callable[[str], None]

#: what the options mean on the page (the CLI's --pdf / --redraw / --propose)
OPTION_LABELS: dict[str, str] = {
    "pdf": "同时生成 PDF（需要 LibreOffice）",
    "redraw": "重新抽取（已填写回访结果的名单先备份）",
    "propose": "为户数不足的联系点补足走访对象",
}
#: the page's buttons in working order: tag → (hint, writes Weiwen.xlsm)
_PAGE: dict[str, tuple[str, bool]] = {
    "templates": ("每个单位一份空白名单（outbox）", False),
    "merge": ("inbox 里的回收表合并到“名册”，并检查问题", True),
    "check": ("不重新读取 inbox，重新检查“名册”现有内容", True),
    "amounts": ("按“标准”表填写每户金额和发放方式", True),
    "signoff": ("每个单位一份签字确认表", False),
    "signatures": ("核对“回收签字”文件夹里交回的签字表", True),
    "visits": ("检查领导走访安排，生成各组走访名单", True),
    "summary": ("财政所汇总表和银行代发名单", True),
    "payments": ("银行返回的代发结果（放在活动文件夹的“代发结果”文件夹里）→“发放结果”表和重新发放名单", True),
    "audit": ("节后电话回访的抽查名单", False),
    "run": ("合并 → 检查 → 金额 → 签字表 → 走访 → 汇总 → 抽查", True),
}


@dataclass(frozen=True)
class Step:
    tag: str
    label: str
    options: tuple[str, ...] = ()
    writes_workbook: bool = True      # refused while Weiwen.xlsm is open in Excel / WPS
    hint: str = ""


STEPS: tuple[Step, ...] = tuple(
    Step(tag, OPERATIONS[tag].label, tuple(o for o in OPERATIONS[tag].options if o in OPTION_LABELS),
         writes, hint)
    for tag, (hint, writes) in _PAGE.items() if tag in OPERATIONS and OPERATIONS[tag].cli)
STEP_BY_TAG: dict[str, Step] = {s.tag: s for s in STEPS}


@dataclass
class Outcome:
    """What the page shows after a step: the one line, the notes, the files it made."""
    tag: str
    message: str
    notes: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)   # what the CLI prints in its table
    outputs: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


def lock_name(step: Step) -> str:
    """Who holds the campaign while the page works (shown to a second command)."""
    return f"工作台“{step.label}”"


def _options(step: Step, chosen: dict[str, Any] | None) -> Options:
    """The ticked boxes as the CLI's flags: an unticked --propose is "not given" (None)."""
    values: dict[str, Any] = {}
    for name in step.options:
        on = bool((chosen or {}).get(name))
        values[name] = (True if on else None) if name == "propose" else on
    return Options(**values)


def perform(tag: str, campaign: Campaign, *, progress: Progress,
            options: dict[str, Any] | None = None) -> Outcome:
    """Run one operation on the campaign under its lock (CampaignBusy when another holds it)."""
    step = STEP_BY_TAG[tag]
    with campaign_lock(campaign.root, lock_name(step)):
        report = perform_operation(tag, FileBook(campaign), _options(step, options), progress)
    message = report.outcome or f"{step.label}完成。"
    facts = [*report.facts, ("问题表", f"{report.workbook_problems} 条（错误 {report.workbook_errors} 条）")]
    return Outcome(tag=tag, message=message, notes=[n for n in report.notes if n and n != message],
                   facts=[(str(k), str(v)) for k, v in facts], outputs=list(report.outputs),
                   counts=report.to_dict())
