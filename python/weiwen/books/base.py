"""The Book protocol, the one `Writes` contract and the reads every operation makes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from collections.abc import Iterable, Sequence

import pandas as pd

from ..campaign import Campaign
from ..cells import cell_value
from ..names import PROBLEM_COLUMNS, ROSTER_COLUMNS, SETTINGS_SHEETS, Sheet
from ..settings import Settings, load_settings
from ..values import to_text
from ..workbook_io import frame_from_rows, result_frames

Rows = list[list[Any]]


@dataclass
class Writes:
    """What an operation writes into the workbook, in one go.

    `frames`: sheet → DataFrame whose data rows replace the sheet's (header row 1 = its columns).
    `raw`: sheet → rows written from A1 as they are (the 汇总 sheet's free layout).
    """
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    raw: dict[str, Sequence[Sequence[Any]]] = field(default_factory=dict)

    @classmethod
    def results(cls, *, roster: pd.DataFrame | None = None, problems: pd.DataFrame | None = None,
                summary_rows: Sequence[Sequence[Any]] | None = None,
                extra: dict[str, pd.DataFrame] | None = None) -> Writes:
        """The result sheets in the sheet contract's columns (问题 brings 问题分类 along)."""
        return cls(frames=result_frames(roster=roster, problems=problems, extra=extra),
                   raw={Sheet.SUMMARY: summary_rows} if summary_rows is not None else {})

    def __bool__(self) -> bool:
        return bool(self.frames or self.raw)

    def sheets(self) -> list[str]:
        return [*self.frames, *self.raw]


class Book(Protocol):
    """A workbook the pipeline reads and writes (see the module docstring)."""

    campaign: Campaign
    #: what writing found that the clerk should hear of (a damaged sheet it mended)
    notes: list[str]

    def read(self, names: Iterable[str]) -> dict[str, Rows]:
        """Each named sheet's cells from A1 (header first); sheets the book lacks are left out."""
        ...

    def write(self, writes: Writes) -> None:
        """Write every sheet of `writes` (one backup / one bulk write for the lot)."""
        ...


# --- what the operations read, the same way from every book -----------------------------------

def read_settings(book: Book) -> Settings:
    return load_settings(book.read(SETTINGS_SHEETS))


def read_frame(book: Book, sheet: str, columns: Sequence[str]) -> pd.DataFrame:
    frame = getattr(book, "frame", None)            # a book that keeps its frames (FileBook)
    if frame is not None:
        kept: pd.DataFrame = frame(sheet, columns)
        return kept
    return frame_from_rows(book.read((sheet,)).get(sheet, []), columns)


def read_roster(book: Book) -> pd.DataFrame:
    return read_frame(book, Sheet.ROSTER, ROSTER_COLUMNS)


def read_problems(book: Book) -> pd.DataFrame:
    return read_frame(book, Sheet.PROBLEMS, PROBLEM_COLUMNS)


def header_of(rows: Sequence[Sequence[Any]]) -> list[str]:
    """A sheet's header row as text, without trailing blanks."""
    header = [to_text(v) for v in rows[0]] if rows else []
    while header and not header[-1]:
        header.pop()
    return header


def lay_out(frame: pd.DataFrame, header: Sequence[str]) -> tuple[list[str], pd.DataFrame]:
    """`frame` under a sheet's existing header: its columns where the header has them, other
    columns appended; values under the writer contract (cells.cell_value), as objects."""
    header = list(header) or [str(c) for c in frame.columns]
    for column in frame.columns:
        if column not in header:
            header.append(column)
    data = {column: ([cell_value(v) for v in frame[column].tolist()] if column in frame.columns
                     else [None] * len(frame)) for column in header}
    return header, pd.DataFrame(data, columns=header, dtype=object)
