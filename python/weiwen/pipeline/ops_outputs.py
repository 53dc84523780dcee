"""The operations that print or check from 名册: signoff, summary, audit, signatures, visits;
and the two that only point somewhere (guide, open_folder)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..books import Book, Writes, read_frame, read_problems, read_roster, read_settings
from ..checks.last_campaign import change_counts
from ..intake.readers import EXCEL_SUFFIXES, read_isolated
from ..intake.returns import NOT_RETURNED_CODE, unit_returns
from ..names import (COMPARE_COLUMNS, NOTICE_DIR, PARAM_LAST_CAMPAIGN, PARAM_NOTICE, PAY_COLUMNS,
                     PHOTO_DIR, PLAN_COLUMNS, SIGNED_DIR, VISIT_SHEETS, VISITS_OUTPUT_DIR, PayCol,
                     PayResult, ProblemCol, Sheet, VisitSheet)
from ..outputs.audit import run_audit
from ..outputs.notice import notice_wanted, withdraw_notices, write_notices
from ..outputs.pdf import PdfUnavailable, to_pdf
from ..outputs.signatures import Returned, ReturnedSheet, check_signatures
from ..outputs.signoff import find_template, write_signoff
from ..outputs.state import roster_state
from ..outputs.summary import Extras, write_summary
from ..settings import Settings
from ..values import as_typed, is_blank, to_text
from ..visits import (proposal_note, report_counts, report_notes, target_sheet, visits_frames,
                      visits_summary)
from ..visits.photos import list_photos
from ..visits.printing import write_outputs
from .ops_roster import make_report, paid, write_results
from .problem_sheet import problem_frame
from .report import Options, Progress, Report, layout_said


def _inputs(book: Book) -> tuple[Settings, pd.DataFrame]:
    return read_settings(book), read_roster(book)


def _count(book: Book, report: Report) -> Report:
    report.count_sheet(read_problems(book))
    return report


def signoff(book: Book, options: Options, progress: Progress) -> Report:
    """生成签字表: 名册 → output/签字确认表/<单位>.xlsx (+ PDF with LibreOffice)."""
    progress("生成签字确认表")
    settings, roster = _inputs(book)
    layout = find_template(book.campaign.root)
    result = write_signoff(roster, settings, book.campaign.output, template=layout,
                           today=options.today, pdf=options.pdf)
    report = make_report("signoff", roster, [])
    report.outputs = ([str(p) for p in result.files] + ([str(result.batch)] if result.batch else [])
                      + [str(p) for p in result.pdfs])
    households = sum(result.households.values())
    units = len(result.files) - len(result.departments)
    sheets = f"{units} 个单位" + (f"、{len(result.departments)} 个责任部门（"
                                 + "、".join(result.departments) + "）" if result.departments else "")
    report.outcome = (f"签字确认表：{sheets}，{households} 户"
                      f"（版式：{layout_said(layout, book.campaign.root)}）。")
    report.facts.append(("签字确认表", f"{sheets}，{households} 户"))
    report.extra["signoff_households"] = result.households
    report.extra["signoff_departments"] = result.departments
    if result.pdf_note:
        report.notes.append(result.pdf_note)
    wanted, masked = notice_wanted(settings)
    if wanted:
        notices = write_notices(roster, settings, book.campaign.output, today=options.today,
                                masked=masked)
        report.outputs += [str(p) for p in notices.files]
        report.notes.append(f"公示名单：{len(notices.files)} 个单位（output/{NOTICE_DIR}），"
                            "只有姓名、类别、家庭人口和金额。")
        if options.pdf and notices.files:
            try:
                report.outputs += [str(p) for p in to_pdf(notices.files)]
            except PdfUnavailable as exc:
                report.notes.append(str(exc).replace("签字表", "公示名单"))
    elif withdraw_notices(book.campaign.output):
        report.notes.append(f"“参数”表“{PARAM_NOTICE}”不是“是”：已删除以前生成的公示名单。")
    return _count(book, report)


def visits_table(book: Book) -> pd.DataFrame:
    """The leaders' visits per group (visits.visits_summary) from the book, without writing."""
    sheets = book.read(VISIT_SHEETS)
    result = visits_frames(read_settings(book), read_roster(book),
                           sheets.get(VisitSheet.PLAN, []), sheets.get(VisitSheet.TARGETS, []),
                           list_photos(book.campaign.root / PHOTO_DIR), propose=False)
    return visits_summary(result.groups, result.details)


def summary_extras(book: Book, settings: Settings, options: Options) -> Extras:
    """What the summary says beside the money, from the workbook as the other steps left it:
    the units still missing (问题 rows of 未交回), 对比 counts, 发放结果 counts."""
    problems = read_problems(book)
    missing = set(problems.loc[problems[ProblemCol.CODE].map(to_text) == NOT_RETURNED_CODE,
                               ProblemCol.UNIT].map(to_text)) if len(problems) else set()
    returns = unit_returns(settings, [u.name for u in settings.units if u.name not in missing],
                           today=options.today)
    extras = Extras(returns=[(r.unit, r.status) for r in returns])
    compared = read_frame(book, Sheet.COMPARISON, COMPARE_COLUMNS)
    if len(compared) or as_typed(settings.params.get(PARAM_LAST_CAMPAIGN) or ""):
        extras.comparison = change_counts(compared)
    paid = read_frame(book, Sheet.PAYMENT_RESULTS, PAY_COLUMNS)
    if len(paid):
        result = paid[PayCol.RESULT].map(to_text)
        listed = paid[result != PayResult.UNMATCHED.value]
        extras.payments = {"应发": (len(listed), _sum(listed[PayCol.DUE]))}
        for label, column in ((PayResult.PAID, PayCol.PAID), (PayResult.FAILED, PayCol.DUE),
                              (PayResult.PENDING, PayCol.DUE), (PayResult.UNMATCHED, PayCol.PAID)):
            part = paid[result == label.value]
            extras.payments[label.value] = (len(part), _sum(part[column]))
    return extras


def _sum(values: pd.Series) -> float:
    return round(float(pd.to_numeric(values, errors="coerce").fillna(0).sum()), 2)


def summary(book: Book, options: Options, progress: Progress) -> Report:
    """生成汇总表: output/汇总表.xlsx, output/银行代发.xlsx and the workbook's 汇总 sheet."""
    progress("生成汇总表")
    settings, roster = _inputs(book)
    result = write_summary(roster, settings, book.campaign.output, today=options.today,
                           visits=visits_table(book), extras=summary_extras(book, settings, options))
    report = make_report("summary", roster, [])
    report.outputs = [str(p) for p in result.files]
    report.outcome = (f"汇总表：{result.households} 户，{result.people} 人，{result.total:,.2f} 元；"
                      f"银行代发 {result.bank_households} 户，{result.bank_total:,.2f} 元。")
    if result.no_card:
        report.notes.append(f"应打卡发放但没有银行卡号的 {len(result.no_card)} 户未列入代发明细"
                            f"（见 银行代发缺卡号.xlsx，这个文件不要发给银行）：{'、'.join(result.no_card[:10])}")
    write_results(book, report, Writes.results(summary_rows=result.rows))
    report.activate = Sheet.SUMMARY
    return report


def audit(book: Book, options: Options, progress: Progress) -> Report:
    """抽取抽查名单: output/抽查名单.xlsx, or the follow-up list once it comes back filled."""
    progress("抽取抽查名单")
    settings, roster = _inputs(book)
    result = run_audit(roster, settings, book.campaign.output, redraw=options.redraw,
                       backup_root=book.campaign.root, today=options.today)
    report = make_report("audit", roster, [])
    if result.mode == "followup":
        report.outputs = [str(result.followup_path)]
        total = sum(result.followup.values())
        report.outcome = (f"{result.path.name} 已填写回访结果，未覆盖；未确认“已收到”的共 {total} 户"
                          + ("：" + "，".join(f"{u} {n} 户" for u, n in result.followup.items())
                             if total else "。"))
        report.notes.append("如需重新抽取，请加 --redraw（原文件先备份到 .backup）。")
        report.extra["audit_followup"] = result.followup
    else:
        report.outputs = [str(result.path)]
        drawn = sum(n for _, n in result.per_unit.values())
        report.outcome = (f"抽查名单：随机种子 {result.seed}，抽查比例 {result.ratio:.0%}，"
                          f"{len(result.per_unit)} 个单位共抽取 {drawn} 户。")
        report.facts.append(("抽查户数", f"{drawn} 户"))
        report.extra["audit_seed"] = result.seed
        report.extra["audit_per_unit"] = {u: n for u, (_, n) in result.per_unit.items()}
    return _count(book, report)


def signatures(book: Book, options: Options, progress: Progress) -> Report:
    """核对签字: CAMPAIGN/回收签字/ → problems in 问题 (the signatures stage's rows replaced)."""
    progress("核对签字")
    settings, roster = _inputs(book)
    folder = book.campaign.root / SIGNED_DIR
    folder.mkdir(exist_ok=True)
    result = check_signatures(roster, settings, read_signed(folder), today=options.today)
    households, total = paid(roster)
    report = Report(command="signatures", problems=result.problems, roster_rows=len(roster),
                    households_paid=households, total_amount=total)
    report.files_read = result.files_read
    checked = sum(result.returned.values()) + sum(result.ticked.values())
    report.facts += [("读取签字表", f"{result.files_read} 个文件"), ("核对户数", f"{checked} 户"),
                     ("已交回的单位", f"{len(result.returned) + len(result.ticked)} 个")]
    report.outcome = (f"核对签字完成：读取 {result.files_read} 个签字表文件，核对 {checked} 户，"
                      f"发现问题 {len(result.problems)} 条。")
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
    write_results(book, report, Writes.results(
        problems=problem_frame(result.problems, read_problems(book), {"signatures"})))
    report.activate = Sheet.PROBLEMS
    return report


def read_signed(folder: Path) -> list[Returned]:
    """The returned signature sheets in 回收签字/, each read in a reader process (a damaged or
    hostile file is its own problem, never the run's)."""
    paths = sorted(p for p in folder.glob("*") if p.is_file() and p.suffix.lower() in EXCEL_SUFFIXES
                   and not p.name.startswith(("~$", ".")))
    out: list[Returned] = []
    for path, raw in read_isolated(paths, folder).items():
        out.append((path.name, raw if isinstance(raw, str) else
                    [ReturnedSheet(s.name, s.rows, s.row_numbers) for s in raw.sheets]))
    return out


def visits(book: Book, options: Options, progress: Progress) -> Report:
    """走访安排: check 走访安排 / 走访对象, propose households, match photos, print the lists."""
    progress("读取走访安排")
    settings, roster = _inputs(book)
    sheets = book.read(VISIT_SHEETS)
    result = visits_frames(settings, roster, sheets.get(VisitSheet.PLAN, []),
                           sheets.get(VisitSheet.TARGETS, []),
                           list_photos(book.campaign.root / PHOTO_DIR), propose=options.propose)
    progress("生成走访名单")
    outputs = write_outputs(book.campaign.output, result, settings, roster_state(roster))
    frames: dict[str, pd.DataFrame] = {}
    if result.changed or VisitSheet.TARGETS not in sheets:
        frames[VisitSheet.TARGETS] = target_sheet(result)
    if VisitSheet.PLAN not in sheets:
        frames[VisitSheet.PLAN] = pd.DataFrame(columns=list(PLAN_COLUMNS))
    notes = report_notes(result)
    households, total = paid(roster)
    report = Report(command="visits", problems=result.problems, roster_rows=len(roster),
                    households_paid=households, total_amount=total,
                    outputs=[str(p) for p in outputs], outcome=notes[0], notes=notes[1:],
                    extra=report_counts(result))
    counts = report.extra
    report.facts += [("走访组", f"{counts['groups']} 个"),
                     ("走访对象", f"{counts['visit_households']} 户"),
                     ("已走访", f"{counts['visited']} 户")]
    if options.propose:        # what --propose did comes first, the counts after it
        report.notes.insert(0, report.outcome)
        report.outcome = proposal_note(result, settings)
    report.notes.append(f"已生成 {len(outputs)} 个文件，在 output/{VISITS_OUTPUT_DIR} 文件夹。")
    progress("写入工作簿")
    write_results(book, report, Writes.results(
        problems=problem_frame(result.problems, read_problems(book), {"visits"}), extra=frames))
    report.activate = VisitSheet.TARGETS
    return report


def planned_visits(book: Book, options: Options, progress: Progress) -> Report:
    """The visits step inside `run` when 走访安排 lists groups (skipped otherwise): before the
    summary, so 汇总表 counts the visits per group."""
    rows = book.read((VisitSheet.PLAN,)).get(VisitSheet.PLAN, [])
    if not any(not is_blank(v) for row in rows[1:] for v in row):
        return Report(command="visits")
    return visits(book, options, progress)


def guide(book: Book, options: Options, progress: Progress) -> Report:
    """说明: show the 说明 sheet (Excel)."""
    return Report(command="guide", activate=Sheet.GUIDE)


def open_folder(book: Book, options: Options, progress: Progress) -> Report:
    """打开活动文件夹: the adapter shows the folder (Explorer / Finder)."""
    root = book.campaign.root
    return Report(command="open_folder", outcome=f"活动文件夹：{root}", reveal=root)
