"""The campaign workbook on disk: calamine reads, zip-splice writes (backup + atomic replace,
openpyxl as the fallback) through workbook_io. Used by the command line and the page.

名册 as written is also what the next read gets, without reading it: worked out at the write,
kept for the rest of the process and, by the sheet's fingerprint, for the next one
(sheet_memo.py)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..campaign import Campaign
from ..names import PROBLEM_KINDS_SHEET, Sheet
from ..workbook_io import (frame_as_read_back, frame_from_rows, read_sheets, sheet_rows,
                           write_frames)
from .base import Rows, Writes
from .sheet_memo import KEPT, SheetMemo


class FileBook:
    """Weiwen.xlsm of `campaign`. Reads are cached until the next write (an operation reads a
    sheet once however many steps look at it); a write goes to the file at once. A sheet read as
    a frame is kept as that frame: `weiwen run`'s output steps each read 名册, and turning
    100,000 rows into a frame costs seconds, copying it from the cache nothing."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self._cache: dict[str, Rows] = {}
        self._absent: set[str] = set()
        self._frames: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = {}
        #: sheet → the key in _frames of its whole read-back frame (all its columns), when known
        #: without reading its rows
        self._whole: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._memo = SheetMemo(campaign.root)

    def read(self, names: Iterable[str]) -> dict[str, Rows]:
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
        return self._frames[key].copy()

    def _known(self, sheet: str) -> pd.DataFrame | None:
        """The sheet's whole read-back frame without reading its cells: written by this book, or
        kept by the sheet memo for the workbook as it is now."""
        if sheet in self._whole:
            return self._frames[self._whole[sheet]]
        if sheet not in KEPT or sheet in self._cache:
            return None
        found = self._memo.get(self.campaign.workbook, sheet)
        if found is not None:
            self._keep_whole(sheet, found)
        return found

    def _keep_whole(self, sheet: str, frame: pd.DataFrame) -> None:
        key = (sheet, tuple(str(c) for c in frame.columns))
        self._frames[key] = frame
        self._whole[sheet] = key

    def write(self, writes: Writes) -> None:
        if not writes:
            return
        written = write_frames(self.campaign.workbook, self.campaign.root, writes.frames,
                               raw_sheets=writes.raw or None)
        for name in [*writes.sheets(), PROBLEM_KINDS_SHEET if Sheet.PROBLEMS in writes.frames
                     else ""]:
            self._cache.pop(name, None)
            self._absent.discard(name)
            self._whole.pop(name, None)
            for key in [k for k in self._frames if k[0] == name]:
                del self._frames[key]
        for name, fingerprint in written.items():
            if name in KEPT and name not in writes.raw:
                frame = frame_as_read_back(writes.frames[name])
                if frame is not None:
                    self._keep_whole(name, frame)
                    self._memo.put(name, fingerprint, frame)


def _select(whole: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """frame_from_rows' choice of columns from a whole read-back frame: a column the sheet
    lacks is all None."""
    if list(whole.columns) == list(columns):
        return whole
    n = len(whole)
    return pd.DataFrame({c: whole[c].tolist() if c in whole.columns else [None] * n
                         for c in columns}, columns=list(columns), dtype=object)
