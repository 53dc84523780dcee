"""The campaign workbook on disk: calamine reads, zip-splice writes (backup + atomic replace,
openpyxl as the fallback) through workbook_io. Used by the command line and the page."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from ..campaign import Campaign
from ..names import PROBLEM_KINDS_SHEET, Sheet
from ..workbook_io import frame_from_rows, read_sheets, write_frames
from .base import Rows, Writes


class FileBook:
    """Weiwen.xlsm of `campaign`. Reads are cached until the next write (an operation reads a
    sheet once however many steps look at it); a write goes to the file at once. A sheet's rows
    as a frame are kept too: `weiwen run`'s output steps each read 名册, and turning 100,000 rows
    into a frame costs seconds, reading them from the cache nothing."""

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
        """frame_from_rows of the sheet's cached rows, made once per version of the sheet; each
        caller gets its own copy (steps add and change columns)."""
        key = (sheet, tuple(columns))
        if key not in self._frames:
            self._frames[key] = frame_from_rows(self.read((sheet,)).get(sheet, []), columns)
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
