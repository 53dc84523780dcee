"""The one place that reaches into openpyxl's private attributes, and why.

openpyxl's public API places a cell with `ws.cell(row, column)`, which looks the cell up (and
creates it) one at a time, and deletes rows with `delete_rows`, which shifts every cell below:
replacing 100,000 rows that way costs minutes. Here the worksheet's cell dictionary (`_cells`),
a cell's raw value (`_value`, so text is never parsed as a formula) and its style array (`_style`)
are used directly. `tests/test_openpyxl_access.py` fails loudly when openpyxl changes any of them.
"""
from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet


def drop_rows_below(ws: Worksheet, row: int) -> None:
    """Delete every cell and row height below `row` at once (no shifting, no per-row work)."""
    cells = ws._cells
    for key in [k for k in cells if k[0] > row]:
        del cells[key]
    for key in [k for k in ws.row_dimensions if k > row]:
        del ws.row_dimensions[key]


def place(ws: Worksheet, row: int, column: int, value: Any, *,
          number_format: str | None = None, style: StyleArray | None = None) -> Cell:
    """Put a new cell at (row, column), replacing any cell there. A str is stored as text as it
    is (data type "s": never a formula, whatever it starts with); other values go through
    openpyxl's own typing (numbers, booleans, dates)."""
    cell = Cell(ws, row=row, column=column)
    if isinstance(value, str):
        cell._value = value
        cell.data_type = "s"
    elif value is not None:
        cell.value = value
    if style is not None:
        cell._style = StyleArray(style)
    if number_format is not None:
        cell.number_format = number_format
    ws._cells[(row, column)] = cell
    return cell


def style_of(cell: Cell) -> StyleArray:
    """A copy of a cell's style array, to stamp on other cells with `place(style=...)`."""
    return StyleArray(cell._style)
