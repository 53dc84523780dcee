"""The campaign workbook on disk: calamine reads, zip-splice writes (backup + atomic replace,
openpyxl as the fallback) through workbook_io. Used by the command line and the page.

名册 as written is also what the next read gets, without reading it: worked out at the write,
kept for the rest of the process and, by the sheet's fingerprint, for the next one
(sheet_memo.py). Knowing it, the next write of such a sheet copies the rows it already holds as they
would be written (row_reuse.py) and writes only the others."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..campaign import SHIPPED_WORKBOOK, Campaign
from ..errors import CampaignError
from ..excel_kept import missing_note, missing_parts, newer_copies, newer_copy_note
from ..lock import in_use_message, read_only, read_only_message
from ..names import PROBLEM_KINDS_SHEET, Sheet
from ..values import own_copy
from ..workbook_io import (frame_from_rows, read_back_and_kept, read_sheets, sheet_rows,
                           write_frames)
from .base import Rows, Writes
from .row_reuse import Spelling, rows_to_copy, spelling
from .sheet_memo import KEPT, OnDisk, SheetMemo


class FileBook:
    """Weiwen.xlsm of `campaign`. Reads are cached until the next write (an operation reads a
    sheet once however many steps look at it); a write goes to the file at once. A sheet read as
    a frame is kept as that frame: `weiwen run`'s output steps each read 名册, and turning
    100,000 rows into a frame costs seconds, copying it from the cache nothing."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.notes: list[str] = []
        self._cache: dict[str, Rows] = {}
        self._absent: set[str] = set()
        self._frames: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = {}
        #: sheet → the sheet as the workbook holds it (its whole read-back frame, also in
        #: _frames, with its fingerprint, spelling and memo pieces), when known without reading
        #: its rows
        self._disk: dict[str, OnDisk] = {}
        self._memo = SheetMemo(campaign.root)
        self._parts_looked = False

    def _look_at_excel_parts(self) -> None:
        """Once per book, with its first read: a workbook that lost its ribbon or macros (saved
        through .ods, by WPS…) is said so, with the command that restores them; so is a copy
        saved beside it in another format after it, whose edits this command does not see
        (excel_kept.py)."""
        if self._parts_looked:
            return
        self._parts_looked = True
        workbook = self.campaign.workbook
        self.notes += [newer_copy_note(workbook, copy) for copy in newer_copies(workbook)]
        missing = missing_parts(workbook)
        if missing:
            self.notes.append(missing_note(workbook, missing))

    def read(self, names: Iterable[str]) -> dict[str, Rows]:
        self._look_at_excel_parts()
        names = list(dict.fromkeys(names))
        wanted = [n for n in names if n not in self._cache and n not in self._absent]
        if wanted:
            found = read_sheets(self.campaign.workbook, wanted)
            self._cache.update(found)
            self._absent.update(n for n in wanted if n not in found)
        return {n: self._cache[n] for n in names if n in self._cache}

    def frame(self, sheet: str, columns: Sequence[str]) -> pd.DataFrame:
        """frame_from_rows of the sheet, made once per version of the sheet; each caller gets
        its own copy (steps add and change columns). Made from the cached rows when the sheet
        was read as rows; else from its whole read-back frame when known (sheet_memo.py); else
        straight from the file, its rows not kept (名册 of a district as rows would double what
        its frame holds)."""
        self._look_at_excel_parts()
        key = (sheet, tuple(columns))
        if key not in self._frames:
            whole = self._known(sheet)
            if whole is not None:
                self._frames[key] = _select(whole, columns)
            else:
                if sheet in self._cache or sheet in self._absent:
                    rows: Iterable[Sequence[Any]] = self._cache.get(sheet, [])
                else:
                    rows = sheet_rows(self.campaign.workbook, sheet) or []
                self._frames[key] = frame_from_rows(rows, columns)
        return own_copy(self._frames[key])

    def _known(self, sheet: str) -> pd.DataFrame | None:
        """The sheet's whole read-back frame without reading its cells: written by this book, or
        kept by the sheet memo for the workbook as it is now."""
        if sheet in self._disk:
            return self._disk[sheet].frame
        if sheet not in KEPT or sheet in self._cache:
            return None
        found = self._memo.get(self.campaign.workbook, sheet)
        if found is None:
            return None
        self._keep_whole(sheet, found)
        return found.frame

    def _keep_whole(self, name: str, sheet: OnDisk) -> None:
        key = (name, tuple(str(c) for c in sheet.frame.columns))
        self._frames[key] = sheet.frame
        self._disk[name] = sheet

    def write(self, writes: Writes) -> None:
        if not writes:
            return
        # the command line and the page write the file itself: never under a program that has
        # it open and would save its own copy over the results
        in_use = in_use_message(self.campaign.workbook, "再运行一次", probe=False)
        if in_use:
            raise CampaignError("没有写入工作簿：" + in_use)
        if read_only(self.campaign.workbook):
            # a replace ignores the file's own read-only mark: a clerk who froze a finished
            # campaign that way would find it changed
            raise CampaignError(read_only_message(self.campaign.workbook, "再运行一次"))
        backs: dict[str, tuple[pd.DataFrame, Spelling | None]] = {}
        #: sheet → the sheet on disk, and which of its columns the new read-back took as they are
        befores: dict[str, tuple[OnDisk, tuple[bool, ...]]] = {}
        copy: dict[str, tuple[str, Any]] = {}
        for name, frame in writes.frames.items():
            if name in KEPT and name not in writes.raw:
                old = self._disk.get(name)
                back, kept = read_back_and_kept(frame, old.frame if old is not None else None)
                if back is None:
                    continue
                spelled = spelling(frame, back, kept)
                backs[name] = (back, spelled)
                if old is not None:
                    befores[name] = (old, tuple(k is not None for k in kept))
                    same = rows_to_copy(old.frame, old.spelling, back, spelled)
                    if same is not None and same.any():
                        copy[name] = (old.fingerprint, same)
        written = write_frames(self.campaign.workbook, self.campaign.root, writes.frames,
                               raw_sheets=writes.raw or None, copy=copy or None,
                               shipped=SHIPPED_WORKBOOK)
        self.notes += [mended_note(name) for name in written.repaired]
        for name in [*writes.sheets(), PROBLEM_KINDS_SHEET if Sheet.PROBLEMS in writes.frames
                     else ""]:
            self._cache.pop(name, None)
            self._absent.discard(name)
            self._disk.pop(name, None)
            for key in [k for k in self._frames if k[0] == name]:
                del self._frames[key]
        for name, fingerprint in written.fingerprints.items():
            if name in backs:
                before, alike = befores.get(name, (None, ()))
                pieces = self._memo.put(name, fingerprint, *backs[name], before=before, kept=alike)
                self._keep_whole(name, OnDisk(fingerprint, *backs[name], pieces))


def mended_note(sheet: str) -> str:
    return (f"工作簿里的“{sheet}”表缺了表尾（上一版程序重新合并时造成，Excel 打开时会提示“发现无法读取的内容”）。"
            f"这次写入已把它补全，条件格式、下拉列表和页边距按模板恢复；如果你改过这张表的打印设置，请重新设置一次。")


def _select(whole: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """frame_from_rows' choice of columns from a whole read-back frame: a column the sheet
    lacks is all None."""
    if list(whole.columns) == list(columns):
        return whole
    n = len(whole)
    return pd.DataFrame({c: whole[c].tolist() if c in whole.columns else [None] * n
                         for c in columns}, columns=list(columns), dtype=object)
