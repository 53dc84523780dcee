"""Shared by the WPS add-in tests: a campaign workbook as the fake WPS 表格 holds it (what Value2
gives: dates as serials, with their number formats), the Node test runner, and one way to compare
sheets cell by cell whichever writer made them."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from weiwen.cells import excel_serial

TESTS = Path(__file__).resolve().parent
NODE_DIR = TESTS / "wps"
SKIPPED_SHEETS = ("xlwings.conf",)


def node() -> str | None:
    return shutil.which("node") or shutil.which("nodejs")


def value2(value: Any) -> Any:
    """A cell value as WPS's Value2 gives it."""
    if isinstance(value, (dt.date, dt.datetime)):
        return excel_serial(value)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return value


def workbook_json(path: Path) -> dict[str, Any]:
    """{FullName, sheets: [{name, values, formats}]}: the workbook as the fake WPS holds it."""
    wb = load_workbook(path, keep_vba=True)
    sheets = []
    for ws in wb.worksheets:
        values, formats = [], []
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
            values.append([value2(c.value) for c in row])
            formats.append([None if c.number_format == "General" else c.number_format for c in row])
        sheets.append({"name": ws.title, "values": values, "formats": formats})
    return {"FullName": str(path), "sheets": sheets}


def is_date_format(fmt: str | None) -> bool:
    """Whether a number format shows a date (quoted text and [colours] aside)."""
    if not fmt or fmt in ("@", "General"):
        return False
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt.split(";")[0]).lower()
    return bool(re.search(r"[ydh]", bare)) or "mm" in bare


def comparable(cells: list[list[tuple[Any, str | None]]]) -> list[list[Any]]:
    """Rows of (value, format) as compared: a date cell as ('日期', ISO date), a number as a
    float, text as text, blanks as None; trailing blanks dropped."""
    out = []
    for row in cells:
        values = []
        for value, fmt in row:
            if value == "" or value is None:
                value = None
            elif isinstance(value, bool):
                pass
            elif isinstance(value, (int, float)):
                if is_date_format(fmt):
                    day = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
                    value = ("日期", day.isoformat(sep=" ").removesuffix(" 00:00:00"))
                else:
                    value = float(value)
            values.append(value)
        while values and values[-1] is None:
            values.pop()
        out.append(values)
    while out and not out[-1]:
        out.pop()
    return out


def sheets_of(data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """A workbook_json's sheets, comparable."""
    return {s["name"]: comparable([list(zip(v, f)) for v, f in zip(s["values"], s["formats"])])
            for s in data["sheets"] if s["name"] not in SKIPPED_SHEETS}


def run_node(args: list[str], env: dict[str, str] | None = None,
             timeout: int = 600) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    return subprocess.run([node(), *args], cwd=NODE_DIR, env=full, capture_output=True,
                          text=True, timeout=timeout)


def press_in_node(fixture: dict[str, Any], port: int, token: str, tags: list[str],
                  out: Path) -> list[dict[str, Any]]:
    """Press `tags` in order through main.js on the fake WPS holding `fixture`; each step's
    answer, alerts, active sheet and every sheet afterwards."""
    source = out.with_suffix(".in.json")
    source.write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
    done = run_node(["press.js", str(source), str(port), token, str(out), *tags])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))
