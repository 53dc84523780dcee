"""openpyxl_access.py is the one module that uses openpyxl's private attributes; these tests fail
loudly (with the attribute named) the day openpyxl changes one of them."""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from weiwen.openpyxl_access import (cells, copy_style, drop_rows_below, place, set_style,
                                    style_array, style_of, write_text)


def test_the_private_attributes_we_rely_on_still_exist():
    ws = Workbook().active
    cell = ws.cell(row=1, column=1, value="x")
    assert isinstance(ws._cells, dict) and ws._cells[(1, 1)] is cell, "Worksheet._cells changed"
    assert hasattr(cell, "_value"), "Cell._value changed"
    assert hasattr(cell, "_style"), "Cell._style changed"


def test_place_writes_text_as_text_and_values_typed(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["标题"])
    place(ws, 2, 1, "=1+1")
    place(ws, 2, 2, 7)
    place(ws, 2, 3, dt.date(2027, 1, 22), number_format="yyyy-mm-dd")
    bold = ws["A1"]
    bold.font = Font(bold=True)
    place(ws, 2, 4, "粗体", style=style_of(bold))
    path = tmp_path / "t.xlsx"
    wb.save(path)
    back = load_workbook(path).active
    assert back["A2"].value == "=1+1" and back["A2"].data_type == "s"     # never a formula
    assert back["B2"].value == 7
    assert back["C2"].is_date and back["C2"].value == dt.datetime(2027, 1, 22)
    assert back["D2"].font.bold


def test_drop_rows_below_keeps_the_header_and_forgets_the_rest(tmp_path):
    wb = Workbook()
    ws = wb.active
    for r in range(1, 101):
        ws.append([r, f"行{r}"])
        ws.row_dimensions[r].height = 20
    drop_rows_below(ws, 1)
    assert ws.max_row == 1 and [c.value for c in ws[1]] == [1, "行1"]
    assert all(k <= 1 for k in ws.row_dimensions)
    assert isinstance(ws._cells[(1, 1)], Cell)


def test_text_styles_and_the_cell_map_round_trip(tmp_path):
    wb = Workbook()
    ws = wb.active
    head = ws.cell(row=1, column=1)
    write_text(head, "+HYPERLINK(1)")
    bold = style_array(ws, font=Font(bold=True), number_format="0.00")
    set_style(ws.cell(row=2, column=1, value=3), bold)
    copy_style(ws["A2"], ws.cell(row=2, column=2, value=4))
    assert set(cells(ws)) == {(1, 1), (2, 1), (2, 2)}          # reading made no cell
    path = tmp_path / "t.xlsx"
    wb.save(path)
    back = load_workbook(path).active
    assert back["A1"].value == "+HYPERLINK(1)" and back["A1"].data_type == "s"
    assert back["A2"].font.bold and back["B2"].font.bold and back["B2"].number_format == "0.00"
