"""The raw cells of one returned file, as the readers hand them to intake (no pandas here: the
reader processes import this module and must start fast).

`RawSheet.rows[i][j]` is the cell in Excel row `row_number(i)`, column `col_number(j)`. A sheet is
normally dense from A1 (row i+1, column j+1); a sheet whose cells lie far apart (one value in
XFD1048576) is compacted to the rows and columns that hold data, and `row_numbers` /
`col_numbers` keep the Excel positions the unit sees.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RawSheet:
    name: str
    rows: list[list[Any]]
    hidden: bool = False
    row_numbers: list[int] | None = None   # Excel row of rows[i]; None: i + 1
    col_numbers: list[int] | None = None   # Excel column (1 = A) of rows[.][j]; None: j + 1

    def row_number(self, index: int) -> int:
        """The Excel row number (1-based) of `rows[index]`."""
        return self.row_numbers[index] if self.row_numbers is not None else index + 1

    def col_number(self, index: int) -> int:
        """The Excel column number (1 = A) of position `index` in a row."""
        if self.col_numbers is not None and index < len(self.col_numbers):
            return self.col_numbers[index]
        extra = index - len(self.col_numbers) if self.col_numbers else index
        base = self.col_numbers[-1] if self.col_numbers else 0
        return base + extra + 1


@dataclass
class RawFile:
    """One returned file: its sheets' cell values and what we know about where it came from."""
    path: Path
    relname: str                   # path relative to inbox/, shown to the clerk
    sheets: list[RawSheet]
    modified: dt.datetime          # the file system's modification time
    meta: dict[str, str] = field(default_factory=dict)   # from the template's hidden sheet
    saved: dt.datetime | None = None   # "last saved" recorded inside the file (xlsx/xlsm)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """What the reader left out, as (problem code, fields): a chart sheet, a macro sheet."""

    @property
    def stamp(self) -> dt.datetime:
        """When this version was made: the time inside the file, else the modification time.
        (An emailed attachment's mtime is when the clerk saved it, not when the unit did.)"""
        return self.saved or self.modified
