"""The one registry of operations: tag → Chinese label, function, options. The command line,
the ribbon buttons (their tags must all be here) and the page are built from it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..books import Book, FileBook, read_problems
from ..campaign import Campaign
from ..collector import bulk_work
from ..errors import NotReady
from . import ops_outputs as O
from . import ops_roster as R
from .ops_payments import payments
from .report import Options, Progress, Report, no_progress

#: an operation's function: what it does to a book
Step = Callable[[Book, Options, Progress], Report]


@dataclass(frozen=True)
class Operation:
    tag: str                          # the ribbon tag, the command name, the page's action
    label: str                        # the button's Chinese label, used in messages
    run: Step
    options: tuple[str, ...] = ()     # fields of Options the operation reads
    excel: bool = True                # a ribbon button
    cli: bool = True                  # a `weiwen` command


def run(book: Book, options: Options, progress: Progress) -> Report:
    """一次做完: merge → checks → amounts in memory, one workbook write, then the outputs."""
    report = R.merge_inbox("run", book, progress, with_amounts=True, today=options.today)
    report.notes.insert(0, report.outcome)
    for step in OUTPUT_STEPS:
        progress(OPERATIONS[step.__name__.replace("planned_", "")].label)
        try:
            step_report = step(book, options, progress)
        except NotReady as exc:           # nothing to pay: say why once, write no outputs
            report.notes.append(str(exc))
            break
        report.outputs += step_report.outputs
        report.notes += [n for n in (step_report.outcome, *step_report.notes) if n]
        report.problems += step_report.problems
    report.count_sheet(read_problems(book))
    report.outcome = (f"全部完成：名册共 {report.roster_rows} 行，发放 {report.households_paid} 户，"
                      f"合计 {report.total_amount:,.2f} 元。")
    report.activate = None
    return report


#: the output steps `run` takes after the roster is written
OUTPUT_STEPS: tuple[Step, ...] = (O.signoff, O.planned_visits, O.summary, O.audit)

OPERATIONS: dict[str, Operation] = {op.tag: op for op in (
    Operation("templates", "生成下发模板", R.templates),
    Operation("merge", "合并回收表", R.merge),
    Operation("check", "检查", R.check),
    Operation("amounts", "计算金额", R.amounts),
    Operation("signoff", "生成签字表", O.signoff, options=("pdf",)),
    Operation("signatures", "核对签字", O.signatures, options=("today",)),
    Operation("visits", "走访安排", O.visits, options=("propose",)),
    Operation("summary", "生成汇总表", O.summary),
    Operation("payments", "导入代发结果", payments),
    Operation("audit", "抽取抽查名单", O.audit, options=("redraw",)),
    Operation("run", "一次做完", run, options=("pdf",), excel=False),
    Operation("guide", "说明", O.guide, cli=False),
    Operation("open_folder", "打开活动文件夹", O.open_folder, cli=False),
)}


def perform(tag: str, book: Book, options: Options | None = None,
            progress: Progress = no_progress) -> Report:
    """Run the operation `tag` on `book` (KeyError for an unknown tag)."""
    operation = OPERATIONS[tag]
    heard = len(book.notes)
    with bulk_work():
        report = operation.run(book, options or Options(), progress)
    # first: a message box shows only the first few notes, and a mended sheet must be seen
    report.notes[:0] = [n for n in dict.fromkeys(book.notes[heard:]) if n not in report.notes]
    return report


def on_disk(tag: str, campaign: Campaign, progress: Progress = no_progress,
            **options: Any) -> Report:
    """`perform` on the campaign's workbook file: what the command line does (and tests)."""
    return perform(tag, FileBook(campaign), Options(**options), progress)
