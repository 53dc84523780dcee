"""Test support: xlwings' remote engine, the VBA client's payload and a tiny action applier.

Used by tests/test_excel_buttons.py and by benchmarks/district.py (actions per button). The
payload is what xlwings' VBA client sends (client, version, book, names, sheets with values from
A1, empty cells as "", dates as ISO strings with Z), built from a campaign workbook with openpyxl;
`press` hands it to `weiwen.excel.run` through `xw.Book(json=payload)` and returns the actions.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import xlwings as xw
from openpyxl import load_workbook

from weiwen import excel
from weiwen.campaign import Campaign

LICENSE_KEY = "noncommercial"


def register_remote_engine() -> None:
    """xlwings registers the remote engine at import time when the key is set; when it was
    imported without one, register it here (the key must be in the environment)."""
    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.pro import _xlremote
        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))


@contextlib.contextmanager
def remote_engine() -> Iterator[None]:
    """xlwings' remote engine under its noncommercial license, for the duration of the block."""
    old = os.environ.get("XLWINGS_LICENSE_KEY")
    os.environ["XLWINGS_LICENSE_KEY"] = LICENSE_KEY
    try:
        register_remote_engine()
        yield
    finally:
        if old is None:
            os.environ.pop("XLWINGS_LICENSE_KEY", None)
        else:
            os.environ["XLWINGS_LICENSE_KEY"] = old


def client_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)   # Excel keeps every number as a double; COM hands Python floats
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    return value


def payload(path: Path) -> dict:
    wb = load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows = [[client_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
        sheets.append({"name": ws.title, "values": rows or [[]], "pictures": [], "tables": []})
    return {"client": "VBA", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


def press(tag: str, campaign: Campaign) -> tuple[str, dict, list[dict]]:
    """Press one button on the campaign workbook: (message, payload, actions)."""
    data = payload(campaign.workbook)
    book = xw.Book(json=data)
    message = excel.run(tag, book=book, folder=campaign.root)
    return message, data, book.json()["actions"]


def apply(data: dict, actions: list[dict]) -> dict[str, list[list[Any]]]:
    """The sheets' values after the actions (values and clears only; formats are ignored)."""
    grids = {s["name"]: [list(r) for r in s["values"]] for s in data["sheets"]}
    names = [s["name"] for s in data["sheets"]]

    def grid_at(position: int, rows: int, cols: int) -> list[list[Any]]:
        grid = grids[names[position]]
        while len(grid) < rows:
            grid.append([])
        for row in grid:
            row.extend([""] * (cols - len(row)))
        return grid

    for a in actions:
        if a["func"] == "setValues":
            r0, c0 = a["start_row"], a["start_column"]
            grid = grid_at(a["sheet_position"], r0 + len(a["values"]),
                           c0 + max(len(v) for v in a["values"]))
            for i, row in enumerate(a["values"]):
                for j, value in enumerate(row):
                    grid[r0 + i][c0 + j] = value
        elif a["func"] in ("clearContents", "rangeClearContents", "clear"):
            r0, c0 = a["start_row"], a["start_column"]
            grid = grid_at(a["sheet_position"], r0 + a["row_count"], c0 + a["column_count"])
            for i in range(a["row_count"]):
                for j in range(a["column_count"]):
                    grid[r0 + i][c0 + j] = ""
    return grids
