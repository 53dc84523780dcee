"""The one place that reaches into openpyxl's private attributes, and why.

openpyxl's public API places a cell with `ws.cell(row, column)`, which looks the cell up (and
creates it) one at a time, and deletes rows with `delete_rows`, which shifts every cell below:
replacing 100,000 rows that way costs minutes. Here the worksheet's cell dictionary (`_cells`),
a cell's raw value (`_value`, so text is never parsed as a formula) and its style array (`_style`)
are used directly. `tests/test_openpyxl_access.py` fails loudly when openpyxl changes any of them.

types-openpyxl lists `_value` and `_style` in Cell's __slots__ but declares no attribute for them,
so each use carries `# type: ignore[attr-defined]`. A typed wrapper would cost a function call per
cell on the path that writes 100,000 rows.
"""
from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet


def first_sheet(wb: Workbook) -> Worksheet:
    """The one sheet of a workbook just made with `Workbook()`, to fill in.

    openpyxl types `wb.active` as a worksheet, a chartsheet or None, because a loaded workbook
    may open on a chartsheet; a new workbook always holds one empty worksheet."""
    ws = wb.active
    assert isinstance(ws, Worksheet), "a new openpyxl Workbook starts with one worksheet"
    return ws


def drop_rows_below(ws: Worksheet, row: int) -> None:
    """Delete every cell and row height below `row` at once (no shifting, no per-row work)."""
    cells = ws._cells
    for key in [k for k in cells if k[0] > row]:
        del cells[key]
    for number in [k for k in ws.row_dimensions if k > row]:
        del ws.row_dimensions[number]


def place(ws: Worksheet, row: int, column: int, value: Any, *,
          number_format: str | None = None, style: StyleArray | None = None) -> Cell:
    """Put a new cell at (row, column), replacing any cell there. A str is stored as text as it
    is (data type "s": never a formula, whatever it starts with); other values go through
    openpyxl's own typing (numbers, booleans, dates)."""
    cell = Cell(ws, row=row, column=column)
    if isinstance(value, str):
        cell._value = value  # type: ignore[attr-defined]
        cell.data_type = "s"
    elif value is not None:
        cell.value = value
    if style is not None:
        cell._style = StyleArray(style)  # type: ignore[attr-defined]
    if number_format is not None:
        cell.number_format = number_format
    ws._cells[(row, column)] = cell
    return cell


def style_of(cell: Cell) -> StyleArray:
    """A copy of a cell's style array, to stamp on other cells with `place(style=...)`."""
    return StyleArray(cell._style)  # type: ignore[attr-defined]


def cells(ws: Worksheet) -> dict[tuple[int, int], Cell | MergedCell]:
    """The sheet's cells by (row, column), read without creating any (`ws.cell` creates one).
    A loaded sheet holds a MergedCell (value None) at each covered cell of a merged range."""
    return ws._cells


def write_text(cell: Cell, value: str) -> None:
    """Store `value` in an existing cell as text exactly as it is (never parsed as a formula)."""
    cell._value = value  # type: ignore[attr-defined]
    cell.data_type = "s"


def copy_style(source: Cell, target: Cell) -> None:
    """Give `target` the whole style of `source` (font, fill, border, alignment, format)."""
    target._style = source._style.__copy__()  # type: ignore[attr-defined]


def style_array(ws: Worksheet, **attributes: Any) -> StyleArray:
    """A style (font=, border=, fill=, alignment=, number_format=) made once in `ws`'s workbook,
    to stamp on many cells with `place(style=...)` or `set_style`: setting attributes cell by
    cell costs one style lookup per cell and per attribute."""
    scratch = Cell(ws, row=1, column=1)          # not placed in the sheet
    for name, value in attributes.items():
        setattr(scratch, name, value)
    style: StyleArray = scratch._style  # type: ignore[attr-defined]
    return style


def set_style(cell: Cell, style: StyleArray) -> None:
    """Stamp a style array made by `style_array` or `style_of` on a cell."""
    cell._style = StyleArray(style)  # type: ignore[attr-defined]
