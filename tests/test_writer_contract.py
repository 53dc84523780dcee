"""One writer contract: the same frame through the zip splice, openpyxl and xlwings gives the same
cells — a date stays a date, a number a number, text exactly the text (never a formula)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from weiwen import workbook_io
from weiwen.books import Writes, XlwingsBook
from weiwen.names import Col, VisitSheet
from weiwen.sheet_splice import SpliceError, splice_frames

xw = pytest.importorskip("xlwings")
from xlwings_remote import payload, remote_engine  # noqa: E402

#: each column: a value the pipeline may write, and the cell it must become (type, value)
CASES: dict[str, tuple[Any, Any]] = {
    "全角文字": ("已核实：本人实际年龄70岁，户籍登记有误", ("s", "已核实：本人实际年龄70岁，户籍登记有误")),
    "括号": ("张建国（党工委书记）", ("s", "张建国（党工委书记）")),
    "像公式": ("=SUM(A1:A9)", ("s", "=SUM(A1:A9)")),
    "像数字的文字": ("0012", ("s", "0012")),
    "像日期的文字": ("2027-01-22", ("s", "2027-01-22")),
    "空格": ("  两  个  ", ("s", "  两  个  ")),
    "整数": (7, ("n", 7.0)),
    "小数": (1100.5, ("n", 1100.5)),
    "numpy整数": (pd.array([3], dtype="Int64")[0], ("n", 3.0)),
    "布尔": (True, ("b", True)),
    "日期": (dt.date(2027, 1, 22), ("d", dt.datetime(2027, 1, 22))),
    "日期时间": (dt.datetime(2027, 1, 22, 9, 30), ("d", dt.datetime(2027, 1, 22, 9, 30))),
    "Timestamp": (pd.Timestamp(2027, 2, 5), ("d", dt.datetime(2027, 2, 5))),
    "空": (None, None),
    "空文字": ("", None),
    Col.ID: ("110101199001011237", ("s", "110101199001011237")),
}


def _frame() -> pd.DataFrame:
    return pd.DataFrame([{c: v for c, (v, _) in CASES.items()}], columns=list(CASES), dtype=object)


def _expected() -> dict[str, Any]:
    return {c: want for c, (_, want) in CASES.items()}


def _openpyxl_cells(path, sheet: str) -> dict[str, Any]:
    ws = load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    out = {}
    for name, cell in zip(header, ws[2]):
        value = cell.value
        if value is None:
            out[name] = None
        elif cell.is_date:
            out[name] = ("d", value.replace(microsecond=0))
        elif isinstance(value, bool):
            out[name] = ("b", value)
        elif isinstance(value, (int, float)):
            out[name] = ("n", float(value))
        else:
            out[name] = ("s", value)
    return {n: out.get(n) for n in CASES}


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")
_EXCEL_NUMBER = re.compile(r"^\s*[-+]?(\d[\d,]*)?(\.\d+)?\s*$")


def _as_excel_stores(value: Any, text_format: bool) -> Any:
    """A value of a setValues action as Excel stores it: ' makes text; in a text-formatted
    column a string stays text; otherwise Excel parses what it can (dates, numbers, booleans)."""
    if value in ("", None):
        return None
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if value.startswith("'"):
        return ("s", value[1:])
    if text_format:
        return ("s", value)
    if _ISO.match(value):
        return ("d", dt.datetime.fromisoformat(value))
    if _EXCEL_NUMBER.match(value) and any(ch.isdigit() for ch in value):
        return ("n", float(value.replace(",", "")))
    if value.upper() in ("TRUE", "FALSE"):
        return ("b", value.upper() == "TRUE")
    if value.startswith(("=", "+", "-", "@")):
        return ("formula", value)
    return ("s", value)


def _xlwings_cells(campaign, sheet: str) -> dict[str, Any]:
    data = payload(campaign.workbook)
    book = xw.Book(json=data)
    XlwingsBook(book, campaign).write(Writes(frames={sheet: _frame()}))
    actions = book.json()["actions"]
    position = [s["name"] for s in data["sheets"]].index(sheet)
    text_columns = {a["start_column"] for a in actions if a["func"] == "setNumberFormat"
                    and a["args"] == ["@"] and a["sheet_position"] == position}
    header = next(s["values"][0] for s in data["sheets"] if s["name"] == sheet)
    header = [h for h in header if h != ""]
    values = next(a["values"] for a in actions if a["func"] == "setValues"
                  and a["sheet_position"] == position and a["start_row"] == 1)[0]
    header += [c for c in CASES if c not in header][:max(0, len(values) - len(header))]
    header_action = [a for a in actions if a["func"] == "setValues" and a["start_row"] == 0
                     and a["sheet_position"] == position]
    if header_action:
        header = header_action[0]["values"][0]
    return {name: _as_excel_stores(v, i in text_columns)
            for i, (name, v) in enumerate(zip(header, values)) if name in CASES}


def test_zip_splice_follows_the_contract(campaign):
    workbook_io.write_frames(campaign.workbook, campaign.root, {VisitSheet.PLAN: _frame()})
    assert _openpyxl_cells(campaign.workbook, VisitSheet.PLAN) == _expected()


def test_openpyxl_fallback_follows_the_contract(campaign, monkeypatch):
    def refuse(*args, **kwargs):
        raise SpliceError("forced: the openpyxl path")
    monkeypatch.setattr(workbook_io, "splice_frames", refuse)
    workbook_io.write_frames(campaign.workbook, campaign.root, {VisitSheet.PLAN: _frame()})
    assert _openpyxl_cells(campaign.workbook, VisitSheet.PLAN) == _expected()


def test_xlwings_follows_the_contract(campaign):
    with remote_engine():
        assert _xlwings_cells(campaign, VisitSheet.PLAN) == _expected()


def test_the_three_writers_agree(campaign, tmp_path, monkeypatch):
    """The same frame, three writers, cell by cell the same type and value."""
    splice = tmp_path / "splice.xlsm"
    splice_frames(campaign.workbook, splice, {VisitSheet.PLAN: _frame()})
    by_splice = _openpyxl_cells(splice, VisitSheet.PLAN)
    monkeypatch.setattr(workbook_io, "splice_frames",
                        lambda *a, **k: (_ for _ in ()).throw(SpliceError("openpyxl path")))
    workbook_io.write_frames(campaign.workbook, campaign.root, {VisitSheet.PLAN: _frame()})
    by_openpyxl = _openpyxl_cells(campaign.workbook, VisitSheet.PLAN)
    with remote_engine():
        by_xlwings = _xlwings_cells(campaign, VisitSheet.PLAN)
    assert by_splice == by_openpyxl == by_xlwings


def test_a_workbook_without_a_date_style_gets_one(tmp_path):
    """The splice adds a yyyy-mm-dd style to styles.xml when the workbook has none."""
    from openpyxl import Workbook
    path = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active.title = "表"
    wb.active.append(["日期"])
    wb.save(path)
    out = tmp_path / "out.xlsx"
    splice_frames(path, out, {"表": pd.DataFrame({"日期": [dt.date(2027, 1, 22)]})})
    cell = load_workbook(out)["表"]["A2"]
    assert cell.is_date and cell.value == dt.datetime(2027, 1, 22)
    assert cell.number_format == "yyyy-mm-dd"
