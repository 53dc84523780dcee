"""The ribbon buttons: `run(tag)` is what each button of the 慰问 tab calls through xlwings.

Thin on purpose: the open (caller) workbook becomes an XlwingsBook, the operation of the same tag
runs on it (pipeline.OPERATIONS, the same functions as the command line) and its outcome is shown
in one message box. It never saves the workbook (the clerk does, in Excel) and never opens a
returned file in Excel; any error becomes one readable message.

    import weiwen.excel; weiwen.excel.run('merge')        # what the VBA module sends
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path
from typing import Any

from . import logfile
from .books import XlwingsBook
from .books.xlwings_book import engine_name
from .campaign import Campaign
from .errors import WeiwenError
from .lock import campaign_lock
from .desktop import open_folder
from .names import INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR
from .pipeline import OPERATIONS, Options, Report, box_message, perform

TITLE = "走访慰问"
LOG_FILE = Path(tempfile.gettempdir()) / "weiwen-excel.log"
#: the ribbon's buttons: every operation that is one (the ribbon XML's tags must equal these)
BUTTONS: dict[str, str] = {tag: op.label for tag, op in OPERATIONS.items() if op.excel}
NOTES_SHOWN = 5


def message(report: Report) -> str:
    """What the message box says (pipeline.box_message: the same text in Excel and in WPS)."""
    return box_message(report, notes_shown=NOTES_SHOWN)


def run(operation: str, *, book: Any = None, folder: Path | str | None = None) -> str:
    """Run one button's operation on the open workbook; returns the message shown.

    `book` defaults to `xw.Book.caller()`; `folder` (the campaign folder) to the book's folder —
    tests pass both, since a remote-engine book has no path.
    """
    text = ""
    try:
        if book is None:
            import xlwings as xw
            book = xw.Book.caller()
        if operation not in BUTTONS:
            raise WeiwenError(f"未知的操作“{operation}”。请重新生成工作簿（python -m weiwen.workbook）。")
        label = BUTTONS[operation]
        campaign = _campaign(book, folder)
        # the same lock as the command line: no `weiwen run` on this folder while a button works
        with campaign_lock(campaign.root, f"Excel 按钮“{label}”"):
            _status(book, f"{label}：正在读取工作簿…")
            report = perform(operation, XlwingsBook(book, campaign), Options(),
                             lambda step: _status(book, f"{label}：{step}…"))
        if report.activate:
            book.sheets[report.activate].activate()
        if report.reveal is not None and engine_name(book) != "remote":
            open_folder(report.reveal)
        else:
            text = message(report)
    except WeiwenError as exc:
        text = str(exc)
        _alert(book, text, critical=True)
        return text
    except Exception:  # a bug of ours: one Chinese message, never a traceback window; the
        # exception's own words (English, perhaps quoting a cell) go to the log only
        where = (f"详细信息已记录在 {LOG_FILE}，请把该文件发给技术支持。" if _log(operation) else
                 "详细信息无法写入临时文件夹，请把这段说明和您当时的操作告诉技术支持。")
        text = f"运行“{BUTTONS.get(operation, operation)}”时程序内部出错（不是您的操作有误）。\n{where}"
        _alert(book, text, critical=True)
        return text
    finally:
        _status(book, None)
    if text:
        _alert(book, text)
    return text


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


def _status(book: Any, text: str | None) -> None:
    if book is None or engine_name(book) == "remote":
        return
    try:
        book.app.status_bar = text if text else False
    except Exception:
        pass


def _alert(book: Any, text: str, *, critical: bool = False) -> None:
    if book is None:
        return
    try:
        book.app.alert(text, title=TITLE, mode="critical" if critical else "info")
    except Exception:
        pass


def _log(operation: str) -> bool:
    """The traceback being handled, to the Excel log; whether it was written."""
    return logfile.append(LOG_FILE, f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S} {operation}\n"
                                    f"{traceback.format_exc()}")
