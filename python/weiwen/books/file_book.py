"""The campaign workbook on disk: calamine reads, zip-splice writes (backup + atomic replace,
openpyxl as the fallback) through workbook_io. Used by the command line and the page."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..campaign import Campaign
from ..names import PROBLEM_KINDS_SHEET, Sheet
from ..workbook_io import frame_from_rows, read_sheets, sheet_rows, write_frames
from .base import Rows, Writes


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
        was read as rows; else straight from the file, its rows not kept (名册 of a district
        as rows would double what its frame holds)."""
        key = (sheet, tuple(columns))
        if key not in self._frames:
            if sheet in self._cache or sheet in self._absent:
                rows: Iterable[Sequence[Any]] = self._cache.get(sheet, [])
            else:
                rows = sheet_rows(self.campaign.workbook, sheet) or []
            self._frames[key] = frame_from_rows(rows, columns)
        return self._frames[key].copy()

    def write(self, writes: Writes) -> None:
        if not writes:
            return
        write_frames(self.campaign.workbook, self.campaign.root, writes.frames,
                     raw_sheets=writes.raw or None)
        for name in [*writes.sheets(), PROBLEM_KINDS_SHEET if Sheet.PROBLEMS in writes.frames
                     else ""]:
            self._cache.pop(name, None)
            self._absent.discard(name)
            for key in [k for k in self._frames if k[0] == name]:
                del self._frames[key]
