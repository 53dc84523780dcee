"""签字确认表: one printable sheet per unit from the layout in templates/签字确认表.xlsx.

Only paid households (有效, 金额 > 0) are listed, cash and card in separate sections (the card
section starts on a new page), each with a 小计, then the unit's 合计 with the amount in 大写 and
the 经办人 / 审核人 / 负责人 line. The layout's print settings (A4 landscape, header rows repeated,
one page wide, "第 N 页 共 M 页") are kept as the office set them.

Privacy: the sheet goes from door to door, so 身份证号 is masked (330106********2888) and the
phone is printed masked too (137****7189): the signer can recognise and confirm their own number,
or write a new one, without the sheet handing every neighbour's number around. Full numbers stay
in 名册; `signatures.py` reads an unchanged masked phone as "confirmed".
"""
from __future__ import annotations

import datetime as dt
import io
from copy import copy, deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from .. import shipped
from ..fileio import atomic_write, safe_file_stem
from ..intake.headers import header_row_with
from ..masking import mask_id, mask_phone
from ..money import to_daxie
from ..names import (SIGNOFF_BATCH_FILE, SIGNOFF_DIR, SIGNOFF_TEMPLATE_FILE, TEMPLATES_DIR, Col,
                     SignCol)
from ..settings import Settings
from ..values import as_typed, cn_date, to_text
from . import signoff_template as T
from .common import (by_roster_order, by_unit, paid_households, payment_order, put, put_row,
                     safe_sheet_title)


@dataclass
class _Proto:
    cells: list[tuple[int, Any, Any]]          # (column, value, StyleArray)
    height: float | None
    merges: list[tuple[int, int]]              # (first column, last column) in this row


@dataclass
class Layout:
    header_row: int
    columns: dict[str, int]                    # header text → column number
    width: int
    protos: dict[str, _Proto]


@dataclass
class SignoffResult:
    files: list[Path] = field(default_factory=list)       # per-unit workbooks
    batch: Path | None = None
    households: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, float] = field(default_factory=dict)
    template: str = ""


def find_template(campaign_root: Path | None) -> Path | None:
    """The campaign's own layout (CAMPAIGN/templates/签字确认表.xlsx) or the shipped one."""
    candidates = [Path(campaign_root) / TEMPLATES_DIR / SIGNOFF_TEMPLATE_FILE] if campaign_root else []
    candidates.append(shipped.path(f"{TEMPLATES_DIR}/{SIGNOFF_TEMPLATE_FILE}"))
    return next((p for p in candidates if p.is_file()), None)


def _open_template(template: Path | None):
    if template is None:   # a broken install without templates/: the built-in layout
        return load_workbook(io.BytesIO(T.build_bytes()))
    return load_workbook(template)


def read_layout(ws: Worksheet) -> Layout:
    """Find the header row (the one holding 户主姓名) and the prototype rows under it."""
    found = header_row_with([list(r) for r in ws.iter_rows(max_row=30, values_only=True)],
                            (SignCol.NAME,))
    header_row = None if found is None else found + 1
    if header_row is None:
        raise ValueError(f"签字表模板里找不到“{SignCol.NAME}”表头")
    columns: dict[str, int] = {}
    width = 0
    for c in ws[header_row]:
        label = to_text(c.value).replace("\n", "").replace(" ", "")
        if label:
            columns.setdefault(label, c.column)
            width = max(width, c.column)
    protos: dict[str, _Proto] = {}
    for r in range(header_row + 1, ws.max_row + 1):
        first = to_text(ws.cell(row=r, column=1).value)
        mark = next((m for m in T.MARKS if first.startswith(m)), None)
        if mark is None:
            continue
        cells = []
        for c in range(1, max(width, ws.max_column) + 1):
            cell = ws.cell(row=r, column=c)
            value = cell.value
            if c == 1 and isinstance(value, str):
                value = value[len(mark):]
            cells.append((c, value, copy(cell._style)))
        merges = [(m.min_col, m.max_col) for m in ws.merged_cells.ranges
                  if m.min_row == r and m.max_row == r]
        protos[mark] = _Proto(cells, ws.row_dimensions[r].height, merges)
    for m in (T.MARK_DATA,):
        if m not in protos:
            raise ValueError(f"签字表模板里缺少“{m}”行")
    return Layout(header_row, columns, width, protos)


def _clear_below(ws: Worksheet, row: int) -> None:
    for key in [k for k in ws._cells if k[0] > row]:
        del ws._cells[key]
    for key in [k for k in ws.row_dimensions if k > row]:
        del ws.row_dimensions[key]
    for m in [m for m in ws.merged_cells.ranges if m.max_row > row]:
        ws.merged_cells.remove(m)


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if not isinstance(value, str) or "{" not in value:
        return value
    for key, v in values.items():
        token = "{" + key + "}"
        if value == token and isinstance(v, (int, float)):
            return v
        value = value.replace(token, as_typed(v) if not isinstance(v, float) else f"{v:,.2f}")
    return value.replace("慰问慰问金", "慰问金")   # 活动名称 "…走访慰问" + "慰问金…"


def _proto_row(ws: Worksheet, r: int, proto: _Proto, values: dict[str, Any]) -> None:
    for c, value, style in proto.cells:
        cell = put(ws, r, c, _fill(value, values))
        cell._style = copy(style)
    for c1, c2 in proto.merges:   # the range only: the cells keep the prototype's borders
        ws.merged_cells.add(MergedCellRange(ws, f"{get_column_letter(c1)}{r}:{get_column_letter(c2)}{r}"))
    if proto.height:
        ws.row_dimensions[r].height = proto.height


def _data_values(row: dict[str, Any], seq: int) -> dict[str, Any]:
    return {
        SignCol.SEQ: seq, SignCol.NAME: to_text(row[Col.NAME]), SignCol.ID: mask_id(row[Col.ID]),
        SignCol.CATEGORY: to_text(row[Col.CATEGORY]), SignCol.SIZE: row[Col.SIZE],
        SignCol.AMOUNT: float(row[Col.AMOUNT]), SignCol.PHONE: mask_phone(row[Col.PHONE]),
    }


def _totals(frame: pd.DataFrame) -> dict[str, Any]:
    amount = float(frame[Col.AMOUNT].sum())
    people = int(sum(v for v in frame[Col.SIZE] if v))
    return {"户数": len(frame), "人数": people, "金额": amount, "大写": to_daxie(amount)}


def render(ws: Worksheet, layout: Layout, unit: str, households: pd.DataFrame,
           context: dict[str, Any]) -> int:
    """Fill one sheet (a copy of the template sheet) for `unit`; returns the last row written."""
    values = dict(context, 单位=unit)
    for row in ws.iter_rows(max_row=layout.header_row):
        for cell in row:
            if isinstance(cell.value, str) and "{" in cell.value:
                put(ws, cell.row, cell.column, _fill(cell.value, values))
    _clear_below(ws, layout.header_row)
    protos, r = layout.protos, layout.header_row
    data = layout.protos[T.MARK_DATA]
    # one data row = the prototype's styles on every column, the household's values at their labels
    width = max([c for c, _v, _s in data.cells] + list(layout.columns.values()) + [0])
    styles: list = [None] * width
    for c, _value, style in data.cells:
        styles[c - 1] = style
    slots = [(label, c - 1) for label, c in layout.columns.items()]
    sections = [(p, households[households[Col.PAYMENT] == p]) for p in payment_order(households)]
    for index, (payment, section) in enumerate(sections):
        section = by_roster_order(section)
        totals = dict(values, 发放方式=payment, **_totals(section))
        if T.MARK_GROUP in protos:
            r += 1
            if index:
                ws.row_breaks.append(Break(id=r - 1))   # the card section starts a new page
            _proto_row(ws, r, protos[T.MARK_GROUP], totals)
        for seq, household in enumerate(section.to_dict("records"), start=1):
            r += 1
            cells = _data_values(household, seq)
            row_values: list[Any] = [None] * len(styles)
            for label, i in slots:
                row_values[i] = cells.get(label)
            put_row(ws, r, row_values, styles=styles)
            if data.height:
                ws.row_dimensions[r].height = data.height
        if len(sections) > 1 and T.MARK_SUBTOTAL in protos:
            r += 1
            _proto_row(ws, r, protos[T.MARK_SUBTOTAL], totals)
    for mark in (T.MARK_TOTAL, T.MARK_SIGN, T.MARK_NOTE):
        if mark in protos:
            r += 1
            _proto_row(ws, r, protos[mark], dict(values, 发放方式="", **_totals(households)))
    return r


def _copy_print_settings(source: Worksheet, target: Worksheet) -> None:
    """What Worksheet.copy_worksheet leaves out: print titles, header/footer, frozen panes."""
    target.print_title_rows = source.print_title_rows
    target.print_title_cols = source.print_title_cols
    target.HeaderFooter = deepcopy(source.HeaderFooter)
    target.freeze_panes = source.freeze_panes
    target.page_setup = copy(source.page_setup)
    target.page_setup._parent = target


def _context(settings: Settings, today: dt.date) -> dict[str, Any]:
    deadline = settings.params.signoff_deadline
    return {"活动名称": settings.params.title,
            "签字表上交日期": cn_date(deadline, "规定日期"),
            "打印日期": cn_date(today)}


def _book_for(template: Path | None, units: list[tuple[str, pd.DataFrame]],
              context: dict[str, Any]):
    wb = _open_template(template)
    source = wb.worksheets[0]
    layout = read_layout(source)
    taken: list[str] = [source.title]
    for unit, households in units:
        ws = wb.copy_worksheet(source)
        _copy_print_settings(source, ws)
        ws.title = safe_sheet_title(unit, taken)
        taken.append(ws.title)
        render(ws, layout, unit, households, context)
    for other in list(wb.worksheets):
        if other is source or other.title not in taken[1:]:
            wb.remove(other)
    wb.active = 0
    return wb


def write_signoff(roster: pd.DataFrame, settings: Settings, output_dir: Path, *,
                  template: Path | None = None, today: dt.date | None = None,
                  batch: bool = True) -> SignoffResult:
    """Write output/签字确认表/<单位>.xlsx for every unit with paid households (+ the batch book).

    Every unit's sheet is rendered once into one workbook; each unit file is that workbook saved
    with only the unit's sheet, the batch file is it saved with all of them.
    """
    paid = paid_households(roster)
    folder = Path(output_dir) / SIGNOFF_DIR
    context = _context(settings, today or dt.date.today())
    result = SignoffResult(template=str(template) if template else "（内置版式）")
    units = by_unit(paid, settings)
    if not units:
        return result
    wb = _book_for(template, units, context)
    sheets = list(wb._sheets)
    try:
        for (unit, households), ws in zip(units, sheets):
            wb._sheets = [ws]
            wb.active = 0
            result.files.append(atomic_write(folder / f"{safe_file_stem(unit)}.xlsx", wb.save))
            result.households[unit] = len(households)
            result.amounts[unit] = float(households[Col.AMOUNT].sum())
    finally:
        wb._sheets = sheets
        wb.active = 0
    if batch:
        result.batch = atomic_write(folder / SIGNOFF_BATCH_FILE, wb.save)
    return result
