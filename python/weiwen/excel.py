"""The ribbon buttons: `run(tag)` is what each button of the 慰问 tab calls through xlwings.

Thin on purpose: read the open (caller) workbook's sheets in bulk, call the same pipeline
functions as the command line, write the results back in bulk, show one short Chinese summary.
The xlwings adapter (`read_sheet_rows`, `write_results`) mirrors `workbook_io`: the same
DataFrames in, the same sheet contents out. It never saves the workbook (the clerk does, in
Excel) and never opens a returned file in Excel; any error becomes one readable message box.

    import weiwen.excel; weiwen.excel.run('merge')        # what the VBA module sends
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from . import problems as P
from .campaign import Campaign
from .errors import WeiwenError
from .lock import campaign_lock
from .names import (INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR, PROBLEM_COLUMNS, ROSTER_COLUMNS,
                    SETTINGS_SHEETS, TEXT_COLUMNS, Sheet)

TITLE = "走访慰问"
#: rows per write through COM: very large single writes can fail in Excel; the remote engine
#: sends one JSON document anyway, so it writes in one piece (its action count stays constant)
CHUNK_ROWS = 5000
FORMULA_PREFIXES = ("=", "+", "-", "@")
LOG_FILE = Path(tempfile.gettempdir()) / "weiwen-excel.log"


@dataclass
class Outcome:
    """What an operation gives back to the adapter: sheets to write and the summary to show."""
    message: str
    roster: pd.DataFrame | None = None
    problems: pd.DataFrame | None = None
    summary_rows: Sequence[Sequence[Any]] | None = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    activate: str | None = None


@dataclass
class Context:
    """The open workbook as the operations see it: settings, sheets as rows, its campaign."""
    book: Any
    campaign: Campaign
    sheets: dict[str, list[list[Any]]]

    @property
    def settings(self):
        from .settings import load_settings
        return load_settings({name: self.sheets.get(name, []) for name in SETTINGS_SHEETS})

    def frame(self, sheet: str, columns: Sequence[str]) -> pd.DataFrame:
        from .workbook_io import frame_from_rows
        return frame_from_rows(self.sheets.get(sheet, []), columns)

    @property
    def roster(self) -> pd.DataFrame:
        return self.frame(Sheet.ROSTER, ROSTER_COLUMNS)

    @property
    def problems(self) -> pd.DataFrame:
        return self.frame(Sheet.PROBLEMS, PROBLEM_COLUMNS)


# --- operations (one per ribbon tag) ---------------------------------------------------------

def _pipeline():
    from . import pipeline
    return pipeline


def _problem_frame(problems, existing: pd.DataFrame | None = None,
                   stages: set[str] | None = None) -> pd.DataFrame:
    """The 问题 sheet after a stage: the pipeline's rule (keep other stages' rows)."""
    pipeline = _pipeline()
    return pipeline.problem_frame(list(problems), existing, stages)


def _count_text(report) -> str:
    problems = list(report.problems)
    errors = P.count_errors(problems)
    text = f"问题 {len(problems)} 条"
    return text + (f"（其中错误 {errors} 条）" if errors else "") + "。"


def _notes(report) -> str:
    return "\n".join([*report.notes, *(f"已生成：{o}" for o in report.outputs[:3])]
                     + ([f"……共 {len(report.outputs)} 个文件，在 output 文件夹。"]
                        if len(report.outputs) > 3 else []))


def op_merge(ctx: Context) -> Outcome:
    pipeline = _pipeline()
    settings = ctx.settings
    roster, problems, merge_report = pipeline.merge_frames(
        ctx.campaign, settings, ctx.roster, lambda step: _status(ctx.book, step + "…"))
    problems = settings.problems + problems
    report = pipeline.make_report("merge", roster, problems, merge_report)
    pipeline.feedback_outputs(ctx.campaign, settings, problems, merge_report)
    if not merge_report.files_read:
        message = pipeline.empty_inbox_note(ctx.campaign)
    else:
        message = (f"合并完成：读取 {report.files_read} 个文件、{report.rows_read} 行，"
                   f"名册共 {report.roster_rows} 行，退回 {report.rejected_rows} 行；"
                   + _count_text(report))
    return Outcome(message, roster=roster, problems=_problem_frame(problems),
                   activate=Sheet.ROSTER)


def op_check(ctx: Context) -> Outcome:
    pipeline = _pipeline()
    settings = ctx.settings
    roster, problems = pipeline.check_frames(ctx.roster, settings, campaign=ctx.campaign)
    problems = settings.problems + list(problems)
    report = pipeline.make_report("check", roster, problems)
    message = f"检查完成：名册共 {report.roster_rows} 行；" + _count_text(report) + \
        "\n请再点“计算金额”。"
    stages = {"settings", "checks", "amounts"}
    return Outcome(message, roster=roster,
                   problems=_problem_frame(problems, ctx.problems, stages),
                   activate=Sheet.PROBLEMS)


def op_amounts(ctx: Context) -> Outcome:
    pipeline = _pipeline()
    roster, problems = pipeline.amounts_frames(ctx.roster, ctx.settings)
    report = pipeline.make_report("amounts", roster, problems)
    message = (f"金额计算完成：发放 {report.households_paid} 户，合计 {report.total_amount:,.2f} 元；"
               + _count_text(report))
    return Outcome(message, roster=roster,
                   problems=_problem_frame(problems, ctx.problems, {"amounts"}),
                   activate=Sheet.ROSTER)


def op_templates(ctx: Context) -> Outcome:
    from .templates_out import write_templates
    result = write_templates(ctx.campaign, ctx.settings)
    problems = [p.message for p in result.problems]
    return Outcome("\n".join([f"已为 {len(result.files)} 个单位生成下发模板，在 outbox 文件夹。",
                              *problems[:5]]))


def op_signoff(ctx: Context) -> Outcome:
    report = _pipeline().signoff_outputs(ctx.campaign, ctx.settings, ctx.roster)
    return Outcome(_notes(report))


def op_summary(ctx: Context) -> Outcome:
    report, rows = _pipeline().summary_outputs(ctx.campaign, ctx.settings, ctx.roster)
    return Outcome(_notes(report), summary_rows=rows, activate=Sheet.SUMMARY)


def op_audit(ctx: Context) -> Outcome:
    report = _pipeline().audit_outputs(ctx.campaign, ctx.settings, ctx.roster)
    return Outcome(_notes(report))


def op_signatures(ctx: Context) -> Outcome:
    report = _pipeline().signatures_outputs(ctx.campaign, ctx.settings, ctx.roster)
    problems = _problem_frame(report.problems, ctx.problems, {"signatures"})
    return Outcome(_notes(report) + "\n" + _count_text(report), problems=problems,
                   activate=Sheet.PROBLEMS)


def op_visits(ctx: Context) -> Outcome:
    from .visits.step import excel_op
    return excel_op(ctx)


def op_guide(ctx: Context) -> Outcome:
    return Outcome("", activate=Sheet.GUIDE)


def op_open_folder(ctx: Context) -> Outcome:
    root = ctx.campaign.root
    if _engine(ctx.book) == "remote":
        return Outcome(f"活动文件夹：{root}")
    open_folder(root)
    return Outcome("")


def open_folder(path: Path) -> None:
    """Show the folder in Explorer / Finder (never Excel)."""
    if sys.platform.startswith("win"):
        os.startfile(str(path))  # noqa: S606 - a folder, not a document
    elif sys.platform == "darwin":
        subprocess.Popen(["open", str(path)])
    else:
        subprocess.Popen(["xdg-open", str(path)])


#: ribbon tag → (label shown in messages, operation); the ribbon XML's tags must all be here
OPERATIONS: dict[str, tuple[str, Callable[[Context], Outcome]]] = {
    "templates": ("生成下发模板", op_templates),
    "merge": ("合并回收表", op_merge),
    "check": ("检查", op_check),
    "amounts": ("计算金额", op_amounts),
    "signoff": ("生成签字表", op_signoff),
    "signatures": ("核对签字", op_signatures),
    "visits": ("走访安排", op_visits),
    "summary": ("生成汇总表", op_summary),
    "audit": ("抽取抽查名单", op_audit),
    "guide": ("说明", op_guide),
    "open_folder": ("打开活动文件夹", op_open_folder),
}


# --- the entry point ---------------------------------------------------------------------------

def run(operation: str, *, book: Any = None, folder: Path | str | None = None) -> str:
    """Run one button's operation on the open workbook; returns the message shown.

    `book` defaults to `xw.Book.caller()`; `folder` (the campaign folder) to the book's folder —
    tests pass both, since a remote-engine book has no path.
    """
    message = ""
    try:
        if book is None:
            import xlwings as xw
            book = xw.Book.caller()
        if operation not in OPERATIONS:
            raise WeiwenError(f"未知的操作“{operation}”。请重新生成工作簿（python -m weiwen.workbook）。")
        label, op = OPERATIONS[operation]
        campaign = _campaign(book, folder)
        # the same lock as the command line: no `weiwen run` on this folder while a button works
        with campaign_lock(campaign.root, f"Excel 按钮“{label}”"):
            _status(book, f"{label}：正在读取工作簿…")
            ctx = Context(book, campaign, read_sheets(book, (*SETTINGS_SHEETS, Sheet.ROSTER,
                                                             Sheet.PROBLEMS)))
            outcome = op(ctx)
            if any(x is not None for x in (outcome.roster, outcome.problems,
                                           outcome.summary_rows)) or outcome.extra:
                _status(book, f"{label}：正在写入工作簿…")
                write_results(book, roster=outcome.roster, problems=outcome.problems,
                              summary_rows=outcome.summary_rows, extra=outcome.extra,
                              sheet_rows=ctx.sheets)
        if outcome.activate:
            book.sheets[outcome.activate].activate()
        message = outcome.message
    except WeiwenError as exc:
        message = str(exc)
        _alert(book, message, critical=True)
        return message
    except Exception as exc:  # one readable message, never a traceback window
        _log(operation)
        message = (f"运行“{OPERATIONS.get(operation, (operation,))[0]}”时出错：{exc}\n"
                   f"详细信息已记录在 {LOG_FILE}，请把该文件发给技术支持。")
        _alert(book, message, critical=True)
        return message
    finally:
        _status(book, None)
    if message:
        _alert(book, message)
    return message


def _campaign(book: Any, folder: Path | str | None) -> Campaign:
    if folder is None:
        fullname = str(book.fullname)
        if "://" in fullname:
            raise WeiwenError("工作簿保存在网盘（OneDrive/SharePoint）上。请把活动文件夹放在本机硬盘，"
                              "从本机打开 Weiwen.xlsm 后再点按钮。")
        if not os.path.isabs(fullname):
            raise WeiwenError("工作簿还没有保存。请先把它保存到活动文件夹（与 inbox 文件夹同级），再点按钮。")
        folder = Path(fullname).parent
    root = Path(folder)
    for name in (INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR):
        (root / name).mkdir(exist_ok=True)
    return Campaign(root)


# --- the xlwings adapter: bulk reads and writes ------------------------------------------------

def _engine(book: Any) -> str:
    try:
        return book.app.engine.name
    except Exception:
        return ""


def read_sheets(book: Any, names: Sequence[str]) -> dict[str, list[list[Any]]]:
    """Each named sheet's cells from A1 to the end of its used range, in one read per sheet."""
    present = {s.name for s in book.sheets}
    out: dict[str, list[list[Any]]] = {}
    for name in names:
        if name not in present:
            continue
        sheet = book.sheets[name]
        last = sheet.used_range.last_cell
        values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
        out[name] = [list(row) for row in values or []]
    return out


def _cell(column: str, value: Any) -> Any:
    from .workbook_io import cell_value
    if isinstance(value, str):
        if column not in TEXT_COLUMNS and value.startswith(FORMULA_PREFIXES):
            return "'" + value   # data from returns is never a formula
        return value
    value = cell_value(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _column_cells(column: str, values: pd.Series) -> list[Any]:
    """One column's cells: blanks as None; numbers stay numbers; text never turns into a formula."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(object).where(values.notna(), None).tolist()
    return [None if v is None or (isinstance(v, float) and v != v) else _cell(column, v)
            for v in values.tolist()]


def _sheet_frame(frame: pd.DataFrame, header: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """`frame` laid out under the sheet's header (columns not there are appended, like openpyxl)."""
    header = list(header)
    for column in frame.columns:
        if column not in header:
            header.append(column)
    data = {column: (_column_cells(column, frame[column]) if column in frame.columns
                     else [None] * len(frame)) for column in header}
    return pd.DataFrame(data, columns=header, dtype=object), header


def _header_of(rows: list[list[Any]]) -> list[str]:
    from .values import to_text
    header = [to_text(v) for v in rows[0]] if rows else []
    while header and not header[-1]:
        header.pop()
    return header


def _write_frame(book: Any, sheet_name: str, frame: pd.DataFrame,
                 rows: list[list[Any]] | None) -> None:
    if sheet_name in {s.name for s in book.sheets}:
        sheet = book.sheets[sheet_name]
    else:
        sheet = book.sheets.add(sheet_name, after=book.sheets[-1])
        rows = []
    old_header = _header_of(rows or [])
    laid_out, header = _sheet_frame(frame, old_header or list(frame.columns))
    old_rows = len(rows or [])
    old_cols = max((len(r) for r in rows or []), default=0)
    if old_rows > 1 and old_cols:
        sheet.range((2, 1), (old_rows, old_cols)).clear_contents()
    if header != old_header:
        sheet.range((1, 1)).value = [header]
    if not len(laid_out):
        return
    for i, column in enumerate(header, start=1):
        if column in TEXT_COLUMNS:   # 身份证号 / 电话 / 银行卡号 stay text in Excel too
            sheet.range((2, i), (len(laid_out) + 1, i)).number_format = "@"
    chunk = None if _engine(book) == "remote" else CHUNK_ROWS
    sheet.range((2, 1)).options(index=False, header=False, chunksize=chunk).value = laid_out


def write_results(book: Any, *, roster: pd.DataFrame | None = None,
                  problems: pd.DataFrame | None = None,
                  summary_rows: Sequence[Sequence[Any]] | None = None,
                  extra: Mapping[str, pd.DataFrame] | None = None,
                  sheet_rows: Mapping[str, list[list[Any]]] | None = None) -> None:
    """Write result sheets of the open workbook like `workbook_io.write_results` writes the file.

    `sheet_rows`: the sheets' cells as read before the operation (their extent is cleared).
    Screen updating and automatic calculation are off during the write.
    """
    from .workbook_io import result_frames
    frames = result_frames(roster=roster, problems=problems, extra=extra)
    sheet_rows = dict(sheet_rows or {})
    missing = [n for n in [*frames, *([Sheet.SUMMARY] if summary_rows is not None else [])]
               if n not in sheet_rows]
    sheet_rows.update(read_sheets(book, missing))
    with _quiet(book):
        for name, frame in frames.items():
            _write_frame(book, name, frame, sheet_rows.get(name))
        if summary_rows is not None:
            if Sheet.SUMMARY in {s.name for s in book.sheets}:
                sheet = book.sheets[Sheet.SUMMARY]
                sheet.clear()
            else:
                sheet = book.sheets.add(Sheet.SUMMARY, after=book.sheets[-1])
            width = max((len(r) for r in summary_rows), default=0)
            if summary_rows and width:
                block = [[_cell("", v) for v in r] + [None] * (width - len(r)) for r in summary_rows]
                sheet.range((1, 1)).value = block


class _quiet:
    """Screen updating and calculation off while writing; restored afterwards (COM engine)."""

    def __init__(self, book: Any):
        self.app = book.app
        self.remote = _engine(book) == "remote"
        self.calculation = None

    def __enter__(self):
        if self.remote:   # Office.js-style clients suspend repaint on their own
            return self
        try:
            self.calculation = self.app.calculation
            self.app.screen_updating = False
            self.app.calculation = "manual"
        except Exception:
            pass
        return self

    def __exit__(self, *exc):
        if self.remote:
            return False
        try:
            if self.calculation is not None:
                self.app.calculation = self.calculation
            self.app.screen_updating = True
        except Exception:
            pass
        return False


def _status(book: Any, text: str | None) -> None:
    if book is None or _engine(book) == "remote":
        return
    try:
        book.app.status_bar = text if text else False
    except Exception:
        pass


def _alert(book: Any, message: str, *, critical: bool = False) -> None:
    if book is None:
        return
    try:
        book.app.alert(message, title=TITLE, mode="critical" if critical else "info")
    except Exception:
        pass


def _log(operation: str) -> None:
    try:
        with open(LOG_FILE, "a", encoding="utf-8") as f:
            f.write(f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S} {operation}\n")
            f.write(traceback.format_exc())
    except OSError:
        pass
