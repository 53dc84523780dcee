"""Read every returned file in inbox/ into raw tables of cell values, with provenance.

The only place that opens returned files. xlsx/xlsm/xls through python-calamine (data only,
never Excel, never macros), csv in UTF-8 (with or without BOM) or GBK. A file that cannot be read
becomes a Problem; nothing raises.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from .. import problems as P
from ..names import Severity
from ..values import to_text

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb"}
CSV_SUFFIXES = {".csv", ".txt"}
SKIPPED_NAMES = {"thumbs.db", ".ds_store", "desktop.ini"}
META_SHEET = "_weiwen"   # hidden sheet in our templates: rows 单位编码 / 单位名称 / 活动名称 / 生成时间
META_CODE = "单位编码"
META_NAME = "单位名称"
META_CAMPAIGN = "活动名称"
META_TIME = "生成时间"
META_VERSION = "模板版本"

P.register("intake.unreadable", "文件无法读取", Severity.ERROR, "intake",
           "无法读取文件“{file}”（{reason}）。请让该单位用模板重新保存为 .xlsx 后再发送。")
P.register("intake.unsupported", "文件类型不支持", Severity.WARNING, "intake",
           "“{file}”不是表格文件（{suffix}），已跳过。如是名单，请另存为 .xlsx 或 .csv 后放回 inbox。")


@dataclass
class RawSheet:
    name: str
    rows: list[list[Any]]
    hidden: bool = False


@dataclass
class RawFile:
    """One returned file: its sheets' cell values and what we know about where it came from."""
    path: Path
    relname: str                   # path relative to inbox/, shown to the clerk
    sheets: list[RawSheet]
    modified: dt.datetime          # the file system's modification time
    meta: dict[str, str] = field(default_factory=dict)   # from the template's hidden sheet
    saved: dt.datetime | None = None   # "last saved" recorded inside the file (xlsx/xlsm)

    @property
    def stamp(self) -> dt.datetime:
        """When this version was made: the time inside the file, else the modification time.
        (An emailed attachment's mtime is when the clerk saved it, not when the unit did.)"""
        return self.saved or self.modified


def list_inbox(inbox: Path) -> tuple[list[Path], list[P.Problem]]:
    files, problems = [], []
    for path in sorted(Path(inbox).rglob("*")):
        if not path.is_file():
            continue
        name = path.name
        if name.startswith("~$") or name.startswith(".") or name.lower() in SKIPPED_NAMES:
            continue   # Excel lock files, system files: silently skipped
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


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):      # Excel's "Unicode text"
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_csv(path: Path) -> list[RawSheet]:
    text = _decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return [RawSheet(path.stem, rows)]


def read_excel(path: Path) -> tuple[list[RawSheet], dict[str, str]]:
    book = CalamineWorkbook.from_path(str(path))
    sheets, meta = [], {}
    for info in book.sheets_metadata:
        rows = book.get_sheet_by_name(info.name).to_python(skip_empty_area=False)
        hidden = "hidden" in str(info.visible).lower()
        if info.name == META_SHEET:
            meta = {to_text(r[0]): to_text(r[1]) for r in rows if len(r) >= 2 and to_text(r[0])}
            continue
        sheets.append(RawSheet(info.name, [list(r) for r in rows], hidden=hidden))
    return sheets, meta


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def saved_time(path: Path) -> dt.datetime | None:
    """docProps/core.xml's dcterms:modified (local time), which Excel and WPS set on every save."""
    if path.suffix.lower() not in {".xlsx", ".xlsm"}:
        return None
    try:
        with zipfile.ZipFile(path) as z:
            m = _MODIFIED.search(z.read("docProps/core.xml"))
        if not m:
            return None
        stamp = dt.datetime.fromisoformat(m.group(1).decode().strip().replace("Z", "+00:00"))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone().replace(tzinfo=None)
    return stamp


def unreadable_reason(exc: Exception, path: Path) -> str:
    """Why a file could not be read, in words the clerk can pass on to the unit (issue 9)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return "文件无法打开，可能正被其他程序占用"
    text = str(exc).strip()
    if not head:
        return "文件是空的"
    if "password" in text.lower() or "encrypt" in text.lower():
        return "文件设置了打开密码，请让该单位去掉密码"
    if path.suffix.lower() in EXCEL_SUFFIXES:
        if head.startswith(b"PK"):
            return "文件不完整或已损坏，可能下载或复制没有完成"
        if not head.startswith(b"\xd0\xcf\x11\xe0"):
            return "文件内容不是 Excel 表格，可能只是改了扩展名"
    detail = text.splitlines()[0][:100] if text else type(exc).__name__
    return f"文件已损坏或格式无法识别：{detail}"


def read_file(path: Path, inbox: Path) -> tuple[RawFile | None, list[P.Problem]]:
    relname = _rel(path, inbox)
    try:
        if path.suffix.lower() in CSV_SUFFIXES:
            sheets, meta = read_csv(path), {}
        else:
            sheets, meta = read_excel(path)
    except Exception as exc:  # any damage in a returned file is the unit's problem, not a crash
        return None, [P.make("intake.unreadable", file=relname, reason=unreadable_reason(exc, path))]
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime)
    return RawFile(path, relname, sheets, modified, meta, saved_time(path)), []


def read_inbox(inbox: Path) -> tuple[list[RawFile], list[P.Problem]]:
    paths, problems = list_inbox(inbox)
    files = []
    for path in paths:
        raw, found = read_file(path, inbox)
        problems.extend(found)
        if raw is not None:
            files.append(raw)
    return files, problems
