"""导入代发结果 (`weiwen payments`): the bank's result files in CAMPAIGN/代发结果/ → the 发放结果
sheet, output/重新发放名单.xlsx and the payments' problems in 问题 (the payments stage's rows
replaced). Every file is read in a reader process, like a returned list."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import problems as P
from ..books import Book, Writes, read_problems, read_roster, read_settings
from ..intake.readers import CSV_SUFFIXES, EXCEL_SUFFIXES, read_isolated
from ..names import PAYMENT_RESULTS_DIR, PayResult, Sheet
from ..payments import bank_households, due_counts, match, result_rows
from ..payments.match import UNREADABLE
from ..payments.reissue import write_reissue
from ..payments.results import ResultRow
from ..outputs.state import roster_state
from .ops_roster import make_report, write_results
from .problem_sheet import problem_frame
from .report import Options, Progress, Report


def result_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and p.suffix.lower() in EXCEL_SUFFIXES | CSV_SUFFIXES
                  and not p.name.startswith(("~$", ".")))


def read_results(folder: Path) -> tuple[list[tuple[str, list[ResultRow]]], list[P.Problem]]:
    """(file, its payments) oldest first (the time saved inside the file, else its modification
    time), and a problem per file that cannot be used."""
    found: list[tuple[tuple[dt.datetime, str], str, list[ResultRow]]] = []
    problems: list[P.Problem] = []
    for path, raw in read_isolated(result_files(folder), folder).items():
        relname = path.relative_to(folder).as_posix()
        if isinstance(raw, str):
            problems.append(P.make(UNREADABLE, file=relname, reason=f"无法读取（{raw or '文件已损坏'}）"))
            continue
        rows: list[ResultRow] | None = None
        for sheet in (s for s in raw.sheets if not s.hidden):
            got = result_rows(sheet.rows, relname, sheet.row_number)
            if got is not None:
                rows = (rows or []) + got
        if rows is None:
            problems.append(P.make(UNREADABLE, file=relname,
                                   reason="中找不到户名（或卡号）和状态两列，不像银行的代发结果"))
            continue
        found.append(((raw.stamp, relname), relname, rows))
    found.sort(key=lambda f: f[0])
    return [(name, rows) for _, name, rows in found], problems


def payments(book: Book, options: Options, progress: Progress) -> Report:
    """导入代发结果: match the bank's results to 银行代发 and list what is left to pay."""
    settings, roster = read_settings(book), read_roster(book)
    folder = book.campaign.root / PAYMENT_RESULTS_DIR
    folder.mkdir(exist_ok=True)
    progress("读取代发结果")
    files, problems = read_results(folder)
    bank = bank_households(roster)
    progress("核对代发结果")
    outcome = match(bank, files)
    problems += outcome.problems
    report = make_report("payments", roster, problems)
    report.files_read = len(files)
    due = due_counts(bank)
    counts = outcome.counts
    paid, failed = counts[PayResult.PAID], counts[PayResult.FAILED]
    pending, unmatched = counts[PayResult.PENDING], counts[PayResult.UNMATCHED]
    report.outcome = (f"代发结果：应发 {due[0]} 户 {due[1]:,.2f} 元；实发 {paid[0]} 户 {paid[1]:,.2f} 元；"
                      f"失败 {failed[0]} 户 {failed[1]:,.2f} 元；未返回 {pending[0]} 户；"
                      f"未匹配 {unmatched[0]} 行。")
    report.facts += [("代发结果文件", f"{len(files)} 个"), ("应发", f"{due[0]} 户 {due[1]:,.2f} 元"),
                     ("实发", f"{paid[0]} 户 {paid[1]:,.2f} 元"),
                     ("失败", f"{failed[0]} 户 {failed[1]:,.2f} 元")]
    report.notes += outcome.notes
    if not files:
        report.notes.append(f"{folder} 里没有银行的代发结果文件；请把银行返回的结果（Excel 或 CSV）放进该文件夹。")
    report.extra["payments"] = {"due": due, **{k: v for k, v in counts.items()}}
    path = write_reissue(book.campaign.output, outcome.failed, outcome.frame,
                         str(settings.params.title or ""),
                         roster_state(roster).footer() if len(roster) else "")
    if path is not None:
        report.outputs.append(str(path))
        report.notes.append(f"失败的 {failed[0]} 户列在 {path.name}：请改为现金发放或更正卡号后重新代发。")
    progress("写入工作簿")
    write_results(book, report, Writes.results(
        problems=problem_frame(problems, read_problems(book), {"payments"}),
        extra={Sheet.PAYMENT_RESULTS: outcome.frame}))
    report.activate = Sheet.PAYMENT_RESULTS
    return report
