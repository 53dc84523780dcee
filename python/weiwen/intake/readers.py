"""Read every returned file in inbox/ into raw tables of cell values, with provenance.

The only place that opens returned files. Each file is read in isolation (pool.py: reader
processes under a memory and a time limit; formats.py: every format a unit may send, chosen by
content). A file that cannot be read becomes a Problem with a Chinese reason; library text goes
to the reading log (pool.LOG_FILE); nothing raises.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from collections.abc import Callable, Iterable

from .. import problems as P
from ..names import Severity
from . import pool
from .formats import META_SHEET, FileData, read_text
from .raw import RawFile, RawSheet

__all__ = ["RawFile", "RawSheet", "list_inbox", "read_file", "read_isolated", "read_inbox", "read_csv",
           "EXCEL_SUFFIXES", "CSV_SUFFIXES", "META_SHEET"]

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".xlsb", ".et", ".ett",
                  ".ods", ".ots"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SKIPPED_NAMES = {"thumbs.db", ".ds_store", "desktop.ini"}
META_CODE = "单位编码"
META_NAME = "单位名称"
META_CAMPAIGN = "活动名称"
META_TIME = "生成时间"
META_VERSION = "模板版本"

P.register("intake.unreadable", "文件无法读取", Severity.ERROR, "intake",
           "无法读取文件“{file}”：{reason}。")
P.register("intake.unsupported", "文件类型不支持", Severity.WARNING, "intake",
           "“{file}”不是表格文件（{suffix}），已跳过。如是名单，请另存为 .xlsx 或 .csv 后放回 inbox。")
P.register("intake.sheet_skipped", "工作表未读取", Severity.WARNING, "intake",
           "“{file}”里的工作表“{sheet}”是{what}，不是名单，已跳过；其他工作表照常读取。"
           "如果名单就在这张表里，请让该单位把它复制到普通工作表后重新发送。")
P.register("intake.sheet_unreadable", "工作表无法读取", Severity.ERROR, "intake",
           "“{file}”里的工作表“{sheet}”无法读取（{reason}）；其他工作表照常读取。"
           "请确认这张表里没有名单，否则请让该单位重新发送。")


def skipped_name(name: str) -> bool:
    """Excel's lock files, hidden and system files (Thumbs.db, desktop.ini): not a return, and
    passed over without a word (the page leaves them out of 回收表 by the same rule)."""
    return name.startswith("~$") or name.startswith(".") or name.lower() in SKIPPED_NAMES


def list_inbox(inbox: Path) -> tuple[list[Path], list[P.Problem]]:
    files, problems = [], []
    for path in sorted(Path(inbox).rglob("*")):
        if not path.is_file():
            continue
        name = path.name
        if skipped_name(name):
            continue
        suffix = path.suffix.lower()
        if suffix in EXCEL_SUFFIXES or suffix in CSV_SUFFIXES:
            files.append(path)
        else:
            problems.append(P.make("intake.unsupported", file=_rel(path, inbox), suffix=suffix or "无扩展名"))
    return files, problems


def _rel(path: Path, inbox: Path) -> str:
    try:
        return path.relative_to(inbox).as_posix()
    except ValueError:
        return path.name


def read_csv(path: Path) -> list[RawSheet]:
    """A delimited text file as one sheet (UTF-8 with or without BOM, GB18030/GBK, UTF-16)."""
    return read_text(path).sheets


def _raw_file(path: Path, inbox: Path, outcome: pool.Outcome) -> tuple[RawFile | None, list[P.Problem]]:
    relname = _rel(path, inbox)
    if outcome.data is None:
        return None, [P.make("intake.unreadable", file=relname, reason=outcome.reason)]
    data: FileData = outcome.data
    try:
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        modified = dt.datetime.now()
    problems = [P.make(code, file=relname, **fields) for code, fields in data.notes]
    return RawFile(path, relname, data.sheets, modified, data.meta, data.saved, data.notes), problems


def read_file(path: Path, inbox: Path) -> tuple[RawFile | None, list[P.Problem]]:
    """One file, read in this process (a panic is caught; an abort is not: read_inbox isolates)."""
    return _raw_file(path, inbox, pool.read_in_process(path))


def read_isolated(paths: Iterable[Path], folder: Path) -> dict[Path, RawFile | str]:
    """Files from outside inbox/ (returned signature sheets, a 低保 list exported by another
    system), each read in a reader process like the inbox: its RawFile, or the Chinese reason it
    could not be read (the library's own text goes to the reading log)."""
    paths = list(paths)
    outcomes = pool.read_files(paths)
    out: dict[Path, RawFile | str] = {}
    for path in paths:
        raw, _ = _raw_file(path, folder, outcomes[path])   # skipped chart sheets: nothing to say
        out[path] = raw if raw is not None else outcomes[path].reason
    return out


def read_inbox(inbox: Path, limits: pool.Limits | None = None, *,
               known: Callable[[Path], FileData | None] | None = None
               ) -> tuple[list[RawFile], list[P.Problem]]:
    """Every returned file in inbox/, each read in isolation; unreadable ones become problems.
    `known(path)`: the data of a file parsed before (intake/cache.py), which is not read again."""
    paths, problems = list_inbox(inbox)
    remembered = {p: d for p in paths if known is not None and (d := known(p)) is not None}
    outcomes = pool.read_files([p for p in paths if p not in remembered], limits)
    outcomes.update({p: pool.Outcome(d) for p, d in remembered.items()})
    files = []
    for path in paths:
        raw, found = _raw_file(path, inbox, outcomes[path])
        problems.extend(found)
        if raw is not None:
            files.append(raw)
    return files, problems
