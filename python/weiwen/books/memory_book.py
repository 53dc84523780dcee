"""A workbook held in memory: sheets given as rows, writes applied to them and recorded.

For a client that owns the open workbook itself — a WPS add-in posts its sheets to the local
server, the pipeline runs on a MemoryBook, and `changes()` goes back as the cells to set — and
for tests. Written values follow the writer contract (cells.py); like Excel, it keeps every
number as a float when read back.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable, Mapping, Sequence

from ..campaign import Campaign
from ..cells import cell_value
from ..names import PROBLEM_KINDS_SHEET, Sheet
from .base import Rows, Writes, header_of, lay_out


def _as_read(value: Any) -> Any:
    value = cell_value(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


class MemoryBook:
    """`sheets`: sheet name → rows from A1 (header first). `writes`: every Writes received."""

    def __init__(self, campaign: Campaign, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        self.campaign = campaign
        self.notes: list[str] = []
        self.sheets: dict[str, Rows] = {name: [list(r) for r in rows]
                                        for name, rows in sheets.items()}
        self.writes: list[Writes] = []
        self._changed: list[str] = []

    def read(self, names: Iterable[str]) -> dict[str, Rows]:
        return {n: [list(r) for r in self.sheets[n]] for n in dict.fromkeys(names)
                if n in self.sheets}

    def write(self, writes: Writes) -> None:
        if not writes:
            return
        self.writes.append(writes)
        for name, frame in writes.frames.items():
            header, laid_out = lay_out(frame, header_of(self.sheets.get(name, [])))
            self.sheets[name] = [list(header), *([_as_read(v) for v in row] for row in
                                                 laid_out.itertuples(index=False, name=None))]
            self._changed.append(name)
        for name, rows in writes.raw.items():
            self.sheets[name] = [[_as_read(v) for v in row] for row in rows]
            self._changed.append(name)
        if Sheet.PROBLEMS in writes.frames and PROBLEM_KINDS_SHEET not in writes.frames:
            self._changed.append(PROBLEM_KINDS_SHEET)

    def changes(self) -> dict[str, Rows]:
        """Each sheet written so far, whole (rows from A1), in the order first written."""
        return {n: self.read((n,))[n] for n in dict.fromkeys(self._changed) if n in self.sheets}
