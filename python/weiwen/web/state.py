"""What the pages show about a campaign, read from its folder and workbook (never written here).

The workbook's settings, 名册 and 问题 are read once per version of the file (its size and time)
through the package's own readers and kept in memory, so a 100,000-row roster is read once, not
on every scroll. When 名册 last changed is read from the workbook's backups: each write first
copies the workbook to .backup/ with the time in its name, and a digest of the 名册 sheet's
stored cells tells which write changed it (whoever wrote it: the page, the command line).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from posixpath import join as posix_join
from typing import Any, TypeVar
from collections.abc import Callable
from xml.etree import ElementTree as ET

import pandas as pd

from .. import workbook_io
from ..campaign import Campaign
from ..names import (BACKUP_DIR, PROBLEM_COLUMNS, ROSTER_COLUMNS, SETTINGS_SHEETS, Col,
                     ProblemCol, Sheet, Status)
from ..settings import Settings, load_settings

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_STAMP = re.compile(r"-(\d{8}-\d{6})(?:-(\d{1,6}))?$")
T = TypeVar("T")


@dataclass
class Snapshot:
    """One version of the workbook as the pages use it."""
    version: tuple[int, int]
    settings: Settings
    roster: pd.DataFrame
    problems: pd.DataFrame
    sheets: dict[str, list[list[Any]]]           # 参数 / 单位 / 标准 rows as they are
    modified: dt.datetime
    roster_changed: dt.datetime | None
    roster_changed_exact: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per version of the workbook (a 100,000-row roster is summed once)."""
        if key not in self.extra:
            self.extra[key] = compute()
        value: T = self.extra[key]               # what compute() gave for this key
        return value


def text_column(series: pd.Series) -> pd.Series:
    """A column of the roster as text, fast: frame_from_rows already gave text where it matters."""
    return series.where(series.notna(), "").astype(str)


class CampaignState:
    """The campaign's folder and workbook, cached by the workbook's version."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def version(self) -> tuple[int, int]:
        st = self.campaign.workbook.stat()
        return st.st_mtime_ns, st.st_size

    def snapshot(self) -> Snapshot:
        with self._lock:
            version = self.version()
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._read(version)
            return self._snapshot

    def _read(self, version: tuple[int, int]) -> Snapshot:
        path = self.campaign.workbook
        sheets = workbook_io.read_sheets(path, (*SETTINGS_SHEETS, Sheet.ROSTER, Sheet.PROBLEMS))
        settings = load_settings({n: sheets.get(n, []) for n in SETTINGS_SHEETS})
        roster = workbook_io.frame_from_rows(sheets.pop(Sheet.ROSTER, []), ROSTER_COLUMNS)
        problems = workbook_io.frame_from_rows(sheets.pop(Sheet.PROBLEMS, []), PROBLEM_COLUMNS)
        modified = dt.datetime.fromtimestamp(version[0] / 1e9)
        changed, exact = roster_changed_at(self.campaign, modified)
        return Snapshot(version, settings, roster, problems, sheets, modified, changed, exact)


# --- when 名册 last changed -----------------------------------------------------------------

def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip entry holding `sheet` (workbook.xml → its relationship → the part)."""
    try:
        wb = ET.fromstring(book.read("xl/workbook.xml"))
        rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    rid = next((s.get(f"{{{_NS['r']}}}id") for s in wb.iterfind("m:sheets/m:sheet", _NS)
                if s.get("name") == sheet), None)
    target = next((r.get("Target") for r in rels.iterfind("rel:Relationship", _NS)
                   if r.get("Id") == rid), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posix_join("xl", target)


_WHOLE_FLOAT = re.compile(rb"<v>(-?\d+)\.0</v>")
_fingerprints: dict[tuple[str, int, int], str | None] = {}


def roster_fingerprint(path: Path) -> str | None:
    """A digest of the 名册 sheet's cells as stored (1.0 and 1 are the same number), or None.
    Backups never change, so each file's digest is computed once."""
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _fingerprints:
        try:
            with zipfile.ZipFile(path) as book:
                part = _sheet_part(book, Sheet.ROSTER)
                data = book.read(part) if part else None
        except (OSError, zipfile.BadZipFile, KeyError):
            data = None
        _fingerprints[key] = (hashlib.blake2b(_WHOLE_FLOAT.sub(rb"<v>\1</v>", data)).hexdigest()
                              if data is not None else None)
        if len(_fingerprints) > 64:
            _fingerprints.pop(next(iter(_fingerprints)))
    return _fingerprints[key]


def _backups(campaign: Campaign) -> list[tuple[dt.datetime, Path]]:
    stem, suffix = campaign.workbook.stem, campaign.workbook.suffix
    found = []
    for path in (campaign.root / BACKUP_DIR).glob(f"{stem}-*{suffix}"):
        match = _STAMP.search(path.stem)
        if match:
            when = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
            micro = int((match.group(2) or "0").ljust(6, "0"))
            found.append((when.replace(microsecond=micro), path))
    return sorted(found)


def roster_changed_at(campaign: Campaign, modified: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """When 名册 was last written, and whether that is known (False: at the latest then).

    Backups are the workbook before each write, named by the write's time: the newest backup
    whose 名册 differs from today's names the write that made today's 名册. A save made after the
    newest backup (Excel, WPS) may have changed it too: then the file's own time is the answer."""
    now = roster_fingerprint(campaign.workbook)
    backups = _backups(campaign)
    if now is None:
        return None, False
    if not backups:
        return modified, False
    last_write = backups[-1][0]
    if (modified - last_write).total_seconds() > 120:   # saved by something that keeps no backup
        return modified, False
    for when, path in reversed(backups):
        if roster_fingerprint(path) != now:
            return when, True
    return backups[0][0], False


# --- small summaries the overview uses ------------------------------------------------------

def status_counts(roster: pd.DataFrame) -> dict[str, int]:
    counts = text_column(roster[Col.STATUS]).value_counts() if len(roster) else pd.Series(dtype=int)
    return {s.value: int(counts.get(s.value, 0)) for s in Status}


def amounts_state(roster: pd.DataFrame) -> str:
    """已计算 / 未计算 / 部分计算 for the households that are paid (有效)."""
    if not len(roster):
        return "名册为空"
    valid = roster[text_column(roster[Col.STATUS]) == Status.VALID.value]
    if not len(valid):
        return "没有有效户"
    filled = pd.to_numeric(valid[Col.AMOUNT], errors="coerce").notna()
    if filled.all():
        return "已计算"
    return "未计算" if not filled.any() else f"部分计算（{int(filled.sum())}/{len(valid)} 户）"


def paid(roster: pd.DataFrame) -> tuple[int, float]:
    if not len(roster):
        return 0, 0.0
    amounts = pd.to_numeric(roster[Col.AMOUNT], errors="coerce").fillna(0)
    mask = (text_column(roster[Col.STATUS]) == Status.VALID.value) & (amounts > 0)
    return int(mask.sum()), float(amounts[mask].sum())


def source_file(value: Any) -> str:
    """来源文件 "名单.xlsx〔Sheet1〕" → the file "名单.xlsx"."""
    text = "" if value is None else str(value)
    return text.split("〔", 1)[0]


def problems_by_file(problems: pd.DataFrame) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    if not len(problems):
        return out
    files = problems[ProblemCol.FILE].map(source_file)
    counts = problems.groupby([files, ProblemCol.SEVERITY]).size()
    for file, severity, n in zip(counts.index.get_level_values(0), counts.index.get_level_values(1),
                                 counts):
        out.setdefault(str(file), {})[str(severity)] = int(n)
    return out
