"""The operations on 名册 itself: templates, merge, check, amounts, and run (merge → … → audit).

Each is one function over a Book (books/): read what it needs, run the pure steps (intake →
checks → amounts), write the results back through the book, return a Report.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from .. import problems as P
from ..amounts import compute_amounts
from ..books import Book, Writes, read_problems, read_roster, read_settings
from ..checks import run_checks
from ..checks.reuse import check_merged
from ..checks.last_campaign import change_counts, compare
from ..errors import NotReady
from ..intake.cache import ReturnsCache, settings_digest
from ..intake.categories import read_again
from ..intake.layout import LAYOUT_NAME
from ..intake.merge import UNKNOWN_UNIT, MergeReport, merge_files
from ..intake.readers import read_inbox
from ..intake.returns import (OVERDUE, UNUSABLE_FILE_CODES, claim_unusable_files, missing,
                              not_returned_problems, unit_returns)
from ..names import BACKUP_DIR, COMPARE_COLUMNS, SETTINGS_SHEETS, Col, Sheet, Status
from ..outputs.feedback import write_feedback
from ..outputs.state import roster_state
from ..outputs.unchanged import Unchanged
from ..settings import Settings
from ..templates_out import write_templates
from ..values import text_at, text_of_few
from .check_memo import CheckMemo
from .checked_standards import changed_since_checked, remember
from .outside import load_previous, load_references
from .problem_sheet import LATER_STAGES, STAGE_NAMES, kept_later_stages, problem_frame
from .report import Options, Progress, Report, layout_said
from .roster_edits import RosterEdits, corrected_note

#: the stages merge and check own in 问题 (a re-merge keeps LATER_STAGES' rows)
MERGE_STAGES = frozenset(P.STAGES) - LATER_STAGES
CHECK_STAGES = frozenset({"settings", "checks", "amounts"})


def paid(roster: pd.DataFrame) -> tuple[int, float]:
    if not len(roster) or Col.AMOUNT not in roster:
        return 0, 0.0
    amounts = pd.to_numeric(roster[Col.AMOUNT], errors="coerce").fillna(0)
    mask = (roster[Col.STATUS] == Status.VALID) & (amounts > 0)
    return int(mask.sum()), float(amounts[mask].sum())


def make_report(command: str, roster: pd.DataFrame, problems: list[P.Problem],
                mreport: MergeReport | None = None) -> Report:
    households, total = paid(roster)
    report = Report(command=command, problems=problems, roster_rows=len(roster),
                    households_paid=households, total_amount=total, merge=mreport)
    if mreport is not None:
        report.files_read = mreport.files_read
        report.rows_read = mreport.rows_read
        report.rejected_rows = mreport.rejected_rows
        report.members_folded = mreport.members_folded
        report.facts += [("读取文件", f"{report.files_read} 个"), ("读取数据行", f"{report.rows_read} 行"),
                         ("进入名册", f"{report.roster_rows} 行"),
                         ("未能合并的行", f"{report.rejected_rows} 行")]
        if report.members_folded:
            report.facts.append(("家庭成员行", f"{report.members_folded} 行（名单按人填写，已并入户主所在的户）"))
    else:
        report.facts.append(("名册", f"{report.roster_rows} 行"))
    return report


def write_results(book: Book, report: Report, writes: Writes) -> None:
    """Write, and count the 问题 sheet as the command leaves it (written now, or as it was)."""
    book.write(writes)
    problems = writes.frames.get(Sheet.PROBLEMS)
    report.count_sheet(problems if problems is not None else read_problems(book))


# --- the checks, with what the settings point at (read by outside.py, checked by checks/) -------

def check_roster(book: Book, roster: pd.DataFrame, settings: Settings, *,
                 fresh: bool, memo: CheckMemo | None = None
                 ) -> tuple[pd.DataFrame, list[P.Problem], dict[str, pd.DataFrame]]:
    """Checks on a roster (just merged, or 名册 read back): 状态 / 问题 recomputed, against the
    lists of 对照名单 and the previous campaign (参数 上次活动, its 对比 sheet returned among the
    extra sheets to write). A re-check (not `fresh`) clears 金额 / 发放方式 / 计发依据, which
    may no longer match the new 状态: 计算金额 fills them again. A re-check takes from 问题 what
    the merge saw in the returned cells (checks.ids.merge_findings). A merge (`fresh`, with
    `memo`) reuses the last merge's checks for the rows no change reaches (checks/reuse.py)."""
    references, problems = load_references(book, settings)
    if fresh and memo is not None:
        roster, check_problems, checked = check_merged(roster, settings, references=references,
                                                       before=memo.load(references))
        memo.save(checked)
    else:
        roster, check_problems = run_checks(roster, settings, references=references,
                                            earlier=None if fresh else read_problems(book))
    problems += check_problems
    previous, found = load_previous(book, settings)
    problems += found
    sheets: dict[str, pd.DataFrame] = {}
    if previous is not None:
        sheets[Sheet.COMPARISON], found = compare(roster, previous, settings)
        problems += found
    elif len(book.read((Sheet.COMPARISON,)).get(Sheet.COMPARISON, [])) > 1:   # 上次活动 cleared
        sheets[Sheet.COMPARISON] = pd.DataFrame(columns=list(COMPARE_COLUMNS))
    if not fresh and len(roster):
        roster[Col.AMOUNT] = None
        roster[Col.PAYMENT] = None
        roster[Col.BASIS] = None
    return roster, problems, sheets


def comparison_notes(sheets: dict[str, pd.DataFrame]) -> list[str]:
    """对比 in one line for the report (when 参数 上次活动 is set)."""
    if Sheet.COMPARISON not in sheets or not sheets[Sheet.COMPARISON].columns.size:
        return []
    counts = change_counts(sheets[Sheet.COMPARISON])
    if not any(counts.values()) and not len(sheets[Sheet.COMPARISON]):
        return ["与上次活动对比：没有变化。"]
    return ["与上次活动对比（见“对比”表）：" + "，".join(f"{k} {n} 户" for k, n in counts.items())
            + "。"]


# --- operations ---------------------------------------------------------------------------------

def empty_inbox_note(book: Book) -> str:
    return (f"inbox 文件夹里没有回收表，没有可合并的内容。"
            f"请把各单位交回的表格放进：{book.campaign.inbox}")


def templates(book: Book, options: Options, progress: Progress) -> Report:
    """生成下发模板: one blank return per unit of 单位 in outbox/."""
    settings = read_settings(book)
    progress("生成下发模板")
    result = write_templates(book.campaign, settings)
    report = Report(command="templates", problems=settings.problems + result.problems)
    report.outputs = [str(p) for p in result.files]
    report.outcome = f"已为 {len(result.files)} 个单位生成下发模板，在 outbox 文件夹。"
    report.facts.append(("单位", f"{len(settings.units)} 个"))
    report.notes += [p.message for p in report.problems]      # e.g. 单位 sheet still empty
    said = layout_said(result.layout, book.campaign.root)
    report.notes.append(f"模板版式：{said}。" + ("" if said.startswith("活动文件夹") else
                        f"想改样式：把 {result.layout} 复制到活动文件夹的 templates 文件夹"
                        f"（文件名 {LAYOUT_NAME}），在 Excel 里改好后再生成一次。"))
    report.count_sheet(read_problems(book))
    return report


def typed_households(previous: pd.DataFrame) -> list[str]:
    """The households of 名册 the clerk typed in by hand (no 来源文件): a merge rebuilds 名册
    from inbox/, so they are not in the new one — the clerk is told, never left to find out."""
    if not len(previous) or Col.SRC_FILE not in previous:
        return []
    # 户主姓名 and 身份证号 read only for the rows without 来源文件 (none, after a merge)
    rows = np.flatnonzero(text_of_few(previous, Col.SRC_FILE) == "")
    names = text_at(previous, Col.NAME, rows)
    typed = (names != "") | (text_at(previous, Col.ID, rows) != "")
    return [n or "（无姓名）" for n in names[typed].tolist()]


def typed_note(names: list[str]) -> str:
    shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
    return (f"名册里直接填写的 {len(names)} 户（{shown}）不在 inbox 的表格里，这次合并后已不在名册中"
            f"（合并前的工作簿已备份在活动文件夹的 {BACKUP_DIR} 里）。要保留它们，请把它们加进该单位交回的表格"
            f"（或单独做一个表格）放进 inbox，再合并一次。")


def saved_at(book: Book) -> float | None:
    """When the workbook was last saved (None: it cannot be told)."""
    try:
        return book.campaign.workbook.stat().st_mtime
    except OSError:
        return None


def nothing_merged(book: Book, households: int, files: int, problems: list[P.Problem]) -> str:
    """Why a merge that found no row leaves 名册 as it was: rebuilding it from an empty inbox
    (a folder moved, the files taken out to look at) would drop every household and the clerk's
    备注 with them."""
    if files:
        reasons = [p.message for p in problems if p.code in UNUSABLE_FILE_CODES][:2]
        found = f"的 {files} 个文件都没有能合并的行" + (f"（{'；'.join(reasons)}）" if reasons else "")
    else:
        found = "没有回收表"
    return (f"没有合并：inbox 文件夹里{found}，“名册”保持原样（{households} 行，您填的备注都在）。"
            f"请把各单位交回的表格放进 {book.campaign.inbox} 后再合并；"
            f"确实要清空名册，请在工作簿里删去“名册”的数据行。")


def unmerged_files(problems: list[P.Problem]) -> str:
    """The files that brought no rows, for the merge's one line: a green 合并完成 must not hide
    that a unit's list could not be read or placed."""
    unusable = sum(p.code in UNUSABLE_FILE_CODES for p in problems)
    unknown = sum(p.code == UNKNOWN_UNIT for p in problems)
    parts = ([f"{unusable} 个文件无法使用"] if unusable else []) + \
        ([f"{unknown} 个文件认不出是哪个单位的"] if unknown else [])
    return f"；{'、'.join(parts)}，这些文件的行没有合并（见“问题”表）" if parts else ""


def unusable_notes(problems: list[P.Problem]) -> list[str]:
    """Which files could not be used, and whose: the clerk asks those units to send them again."""
    files = [f"{p.file}（{p.unit}）" if p.unit else p.file
             for p in problems if p.code in UNUSABLE_FILE_CODES and p.file]
    if not files:
        return []
    shown = "、".join(files[:8]) + ("等" if len(files) > 8 else "")
    return [f"无法使用的文件（{len(files)} 个）：{shown}。原因见“问题”表；请让这些单位重新发送"
            f"（用下发的模板填写，或另存为 .xlsx）。"]


def merge_inbox(command: str, book: Book, progress: Progress, *, with_amounts: bool,
                today: dt.date | None = None) -> Report:
    """inbox/ → 名册 + 问题 (checked; with amounts for `run`), one workbook write, and the units'
    feedback files. The 问题 rows of the later stages (signatures, visits, audit) are kept."""
    progress("读取回收表")
    # the reader processes start and read while the workbook is read (a button's latency)
    cache = ReturnsCache(book.campaign.root, book.campaign.inbox)
    with ThreadPoolExecutor(max_workers=1) as background:
        reading = background.submit(read_inbox, book.campaign.inbox, known=cache.known)
        settings = read_settings(book)
        previous = read_roster(book)
        existing = read_problems(book)
        cache.settings_key = settings_digest(book.read(SETTINGS_SHEETS))
        files, problems = reading.result()
    progress("合并名单")
    roster, merge_problems, mreport = merge_files(files, settings, previous=previous, memo=cache)
    cache.finish()
    edits = RosterEdits(previous, book.campaign.inbox, saved_at(book), cache.same_as_last_merge())
    roster = edits.keep_notes(roster)
    problems += merge_problems
    mreport.files_read = len(files) + sum(p.code == "intake.unreadable" for p in problems)
    problems, unusable = claim_unusable_files(problems, settings)
    if not len(roster) and len(previous):
        raise NotReady(nothing_merged(book, len(previous), mreport.files_read, problems))
    returns = unit_returns(settings, {*mreport.sent, *unusable}, mreport.rows_per_unit, today=today)
    problems += not_returned_problems(returns, settings)
    progress("检查名单")
    # the last merge's checks, for the rows no change reaches; this merge's are saved while
    # the workbook is written
    memo = CheckMemo(book.campaign.root, cache.settings_key)
    roster, check_problems, sheets = check_roster(book, roster, settings, fresh=True, memo=memo)
    problems = settings.problems + problems + check_problems
    if with_amounts:
        progress("计算金额")
        roster, amount_problems = compute_amounts(roster, settings)
        problems += amount_problems
    report = make_report(command, roster, problems, mreport)
    if mreport.files_read:
        report.outcome = (f"合并完成：读取 {report.files_read} 个文件、{report.rows_read} 行，"
                          f"名册共 {report.roster_rows} 行，未能合并 {report.rejected_rows} 行"
                          + (f"，家庭成员 {report.members_folded} 行已并入户主所在的户"
                             if report.members_folded else "") + unmerged_files(problems) + "。")
    else:
        report.outcome = empty_inbox_note(book)
    report.notes += unusable_notes(problems)
    late = missing(returns)
    if late:        # a note: the CLI and the Excel message box both show notes
        report.notes.append(f"未交回的单位（{len(late)} 个）：" + "、".join(
            r.unit + ("（逾期）" if r.status == OVERDUE else "") for r in late)
            + "。请联系催交，“问题”表里有各单位的联系人。")
    typed = typed_households(previous)
    if typed:
        report.notes.append(typed_note(typed))
    corrected = edits.corrected(roster)
    if corrected:
        report.notes.append(corrected_note(corrected))
    report.extra["not_returned"] = [r.unit for r in late]
    report.extra["unit_returns"] = {r.unit: r.status for r in returns}
    report.notes += comparison_notes(sheets)
    kept = kept_later_stages(existing)
    if kept:
        report.notes.append("保留了上次" + "、".join(f"{STAGE_NAMES[s]}的 {n} 条问题"
                                               for s, n in kept.items())
                            + "（名单有变动时，请重新核对签字、重新运行走访安排）。")
    progress("写入工作簿")
    write_results(book, report, Writes.results(
        roster=roster, problems=problem_frame(problems, existing, MERGE_STAGES), extra=sheets))
    remember(book.campaign.root, settings)
    # from the roster as merged (before amounts); 输出清单.json notes the files with it
    feedback = write_feedback(book.campaign.output, problems, mreport, settings,
                              roster_state(roster), unchanged=Unchanged(book.campaign.root))
    report.outputs += [str(p) for p in feedback]
    report.activate = Sheet.ROSTER
    memo.wait()
    return report


def merge(book: Book, options: Options, progress: Progress) -> Report:
    """合并回收表: inbox/ → 名册 + 问题 (with checks)."""
    return merge_inbox("merge", book, progress, with_amounts=False, today=options.today)


def check(book: Book, options: Options, progress: Progress) -> Report:
    """检查: the checks again on 名册 as it is (inbox/ is not read again); its 类别 read
    through 标准's aliases first, as the merge reads the returns (intake.categories.read_again)."""
    settings = read_settings(book)
    progress("检查名单")
    roster, recategorised = read_again(read_roster(book), settings)
    roster, problems, sheets = check_roster(book, roster, settings, fresh=False)
    problems = settings.problems + problems
    report = make_report("check", roster, problems)
    report.outcome = f"检查完成：名册共 {report.roster_rows} 行。"
    if recategorised:
        report.notes.append(f"名册里 {recategorised} 行的类别按“标准”表的类别名称和别名改成了“标准”里的类别"
                            f"（原来的写法留在“填报类别”列）。")
    if not len(roster):
        report.outcome = ("名册是空的，没有可检查的行：请先把各单位交回的表格放进 inbox，"
                          "再合并回收表（按钮“合并回收表”，命令 weiwen merge）。")
    else:
        report.notes.append("已重新检查名册；金额已清空，请再计算金额（按钮“计算金额”，命令 weiwen amounts）。")
    report.notes += comparison_notes(sheets)
    progress("写入工作簿")
    write_results(book, report, Writes.results(
        roster=roster, problems=problem_frame(problems, read_problems(book), CHECK_STAGES),
        extra=sheets))
    remember(book.campaign.root, settings)
    report.activate = Sheet.PROBLEMS
    return report


def _nothing_paid(roster: pd.DataFrame) -> str:
    """Why 计算金额 pays nobody although 名册 has rows."""
    statuses = roster[Col.STATUS].fillna("").astype(str).value_counts()
    valid = int(statuses.get(Status.VALID, 0))
    if valid:
        return (f"名册里有效的 {valid} 户按“标准”表算出的金额都是 0：请检查“标准”表里这些类别的金额。")
    counts = "、".join(f"{s or '未检查'} {n} 行" for s, n in statuses.items())
    return (f"名册 {len(roster)} 行里没有状态为“有效”的户（{counts}），所以没有发放金额："
            f"请按“问题”表改正后重新合并或检查。")


STANDARDS_CHANGED = ("没有计算金额：“标准”表在上次合并或检查之后改过，名册里的状态（一户报了几个类别时按哪个类别发放、"
                     "哪些行重复、类别是否有效）还是按原来的标准定的。请先点“检查”（命令 weiwen check 活动文件夹），"
                     "再点“计算金额”。")


def amounts(book: Book, options: Options, progress: Progress) -> Report:
    """计算金额: 名册 → 金额 / 发放方式 / 计发依据 from 标准."""
    settings = read_settings(book)
    if changed_since_checked(book.campaign.root, settings):
        raise NotReady(STANDARDS_CHANGED)
    progress("计算金额")
    roster, problems = compute_amounts(read_roster(book), settings)
    report = make_report("amounts", roster, problems)
    report.outcome = (f"金额计算完成：发放 {report.households_paid} 户，"
                      f"合计 {report.total_amount:,.2f} 元。")
    if not len(roster):
        report.outcome = "名册是空的，没有可计算金额的户：请先合并回收表（按钮“合并回收表”，命令 weiwen merge）。"
    elif not report.households_paid:
        report.notes.append(_nothing_paid(roster))
    write_results(book, report, Writes.results(
        roster=roster, problems=problem_frame(problems, read_problems(book), {"amounts"})))
    report.activate = Sheet.ROSTER
    return report
