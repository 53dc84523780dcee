"""Helpers for the 不漏户、不错发 tests: the clerk's edits of 参数 / 单位 / 对照名单, made in the
workbook the way Excel saves them (openpyxl, macros kept)."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Sequence

from openpyxl import load_workbook

from weiwen.campaign import Campaign
from weiwen.names import ParamCol, Sheet


def edit_workbook(campaign: Campaign, edit) -> None:
    wb = load_workbook(campaign.workbook, keep_vba=True)
    edit(wb)
    wb.save(campaign.workbook)


def set_params(campaign: Campaign, **values: Any) -> None:
    """参数 rows by key: an existing row gets the value, a new key a new row."""
    def edit(wb):
        ws = wb[Sheet.PARAMS]
        header = [c.value for c in ws[1]]
        key_col, value_col = header.index(ParamCol.KEY) + 1, header.index(ParamCol.VALUE) + 1
        rows = {ws.cell(row=r, column=key_col).value: r for r in range(2, ws.max_row + 1)}
        for key, value in values.items():
            r = rows.get(key) or ws.max_row + 1
            ws.cell(row=r, column=key_col).value = key
            ws.cell(row=r, column=value_col).value = value
    edit_workbook(campaign, edit)


def set_rows(campaign: Campaign, sheet: str, rows: Sequence[Sequence[Any]]) -> None:
    """The data rows of a settings sheet (under its header row), replaced."""
    def edit(wb):
        ws = wb[sheet]
        if ws.max_row > 1:
            ws.delete_rows(2, ws.max_row - 1)
        for row in rows:
            ws.append(list(row))
    edit_workbook(campaign, edit)


def add_units(campaign: Campaign, units: Sequence[Sequence[Any]]) -> None:
    def edit(wb):
        for unit in units:
            wb[Sheet.UNITS].append(list(unit))
    edit_workbook(campaign, edit)


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    from weiwen import workbook_io
    return workbook_io.read_sheets(path, [sheet]).get(sheet, [])
