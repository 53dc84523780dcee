"""签字确认表: one printable sheet per unit from the layout in templates/签字确认表.xlsx.

Only paid households (有效, 金额 > 0) are listed, cash and card in separate sections with one
序号 running through both, each with a 小计, then the unit's 合计 with the amount in 大写 and
the 经办人 / 审核人 / 负责人 line. A card-paid household without a card number is marked in 备注.
The layout's print settings (A4 landscape, header rows repeated, one page wide, "第 N 页 共 M 页")
are kept as the office set them; the name and category columns widen to their longest text, and
page breaks keep each section heading with its rows and no row alone on a page. The roster state
(名册校验码) is in the footer and, with {名册}, on the sheet.

Privacy: the sheet goes from door to door, so 身份证号 is masked (330106********2888) and the
phone is printed masked too (137****7189): the signer can recognise and confirm their own number,
or write a new one, without the sheet handing every neighbour's number around. Full numbers stay
in 名册; `signatures.py` reads an unchanged masked phone as "confirmed".
"""
from __future__ import annotations

import datetime as dt
import io
import tempfile
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
from ..fileio import safe_file_stem
from ..intake.headers import header_row_with
from ..masking import mask_id, mask_phone
from ..money import to_daxie
from ..names import (SIGNOFF_BATCH_FILE, SIGNOFF_DIR, SIGNOFF_TEMPLATE_FILE, TEMPLATES_DIR, Col,
                     Payment, SignCol)
from ..settings import Settings
from ..values import as_typed, cn_date, to_text
from . import layout as L
from . import signoff_template as T
from .outset import OutputSet
from .pdf import PdfUnavailable, convert
from .state import RosterState, record, require_paid, roster_state
from .common import (by_owner, by_roster_order, by_unit, paid_households, payment_order, put,
                     put_row, safe_sheet_title)


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
    pdfs: list[Path] = field(default_factory=list)
    pdf_note: str = ""                                    # why there are no PDFs
    not_removed: list[Path] = field(default_factory=list)  # stale files open elsewhere
    households: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, float] = field(default_factory=dict)
    template: str = ""
    departments: list[str] = field(default_factory=list)  # sheets of a 责任部门 (标准)


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


NO_CARD = "缺银行卡号，请补"


def _data_values(row: dict[str, Any], seq: int) -> dict[str, Any]:
    values = {
        SignCol.SEQ: seq, SignCol.NAME: to_text(row[Col.NAME]), SignCol.ID: mask_id(row[Col.ID]),
        SignCol.CATEGORY: to_text(row[Col.CATEGORY]), SignCol.SIZE: row[Col.SIZE],
        SignCol.AMOUNT: float(row[Col.AMOUNT]), SignCol.PHONE: mask_phone(row[Col.PHONE]),
    }
    if to_text(row.get(Col.PAYMENT)) == Payment.CARD.value and not to_text(row.get(Col.CARD)):
        values[SignCol.NOTE] = NO_CARD             # paid by card, but 名册 has no card number
    return values


def _totals(frame: pd.DataFrame) -> dict[str, Any]:
    amount = float(frame[Col.AMOUNT].sum())
    people = int(sum(v for v in frame[Col.SIZE] if v))
    return {"户数": len(frame), "人数": people, "金额": amount, "大写": to_daxie(amount)}


def render(ws: Worksheet, layout: Layout, unit: str, households: pd.DataFrame,
           context: dict[str, Any],
           sections: list[tuple[str, pd.DataFrame]] | None = None) -> int:
    """Fill one sheet (a copy of the template sheet) for `unit`; returns the last row written.
    `sections`: (heading, households) — by default one per 发放方式; a department's sheet has one
    per unit inside it. 序号 runs on through the sections; the page breaks keep each heading with
    its rows and leave no row alone on a page (`paginate`)."""
    values = dict(context, 单位=unit)
    for row in ws.iter_rows(max_row=layout.header_row):
        for cell in row:
            if isinstance(cell.value, str) and "{" in cell.value:
                put(ws, cell.row, cell.column, _fill(cell.value, values))
    _fit_heights(ws, layout.header_row)
    _clear_below(ws, layout.header_row)
    protos, r = layout.protos, layout.header_row
    data = layout.protos[T.MARK_DATA]
    # one data row = the prototype's styles on every column, the household's values at their labels
    width = max([c for c, _v, _s in data.cells] + list(layout.columns.values()) + [0])
    styles: list = [None] * width
    for c, _value, style in data.cells:
        styles[c - 1] = style
    slots = [(label, c - 1) for label, c in layout.columns.items()]
    if sections is None:
        sections = [(p, households[households[Col.PAYMENT] == p])
                    for p in payment_order(households)]
    kinds: list[str] = []
    seq = 0
    for payment, section in sections:
        section = by_roster_order(section)
        totals = dict(values, 发放方式=payment, **_totals(section))
        if T.MARK_GROUP in protos:
            r += 1
            _proto_row(ws, r, protos[T.MARK_GROUP], totals)
            kinds.append("heading")
        for household in section.to_dict("records"):
            r += 1
            seq += 1
            cells = _data_values(household, seq)
            row_values: list[Any] = [None] * len(styles)
            for label, i in slots:
                row_values[i] = cells.get(label)
            put_row(ws, r, row_values, styles=styles)
            if data.height:
                ws.row_dimensions[r].height = data.height
            kinds.append("data")
        if len(sections) > 1 and T.MARK_SUBTOTAL in protos:
            r += 1
            _proto_row(ws, r, protos[T.MARK_SUBTOTAL], totals)
            kinds.append("total")
    for mark in (T.MARK_TOTAL, T.MARK_SIGN, T.MARK_NOTE):
        if mark in protos:
            r += 1
            _proto_row(ws, r, protos[mark], dict(values, 发放方式="", **_totals(households)))
            kinds.append("total" if mark == T.MARK_TOTAL else "end")
    _fit_columns(ws, layout, households)
    paginate(ws, layout.header_row, kinds)
    return r


def _fit_columns(ws: Worksheet, layout: Layout, households: pd.DataFrame) -> None:
    """Widen (never narrow) the template's columns that hold data to their longest text, so a
    long category such as 70岁以上特困独居老人 stays on one line and the bold 合计 never prints
    as ###."""
    if not len(households):
        return
    total = float(households[Col.AMOUNT].sum())
    texts = {SignCol.NAME: households[Col.NAME].map(to_text),
             SignCol.CATEGORY: households[Col.CATEGORY].map(to_text),
             SignCol.ID: households[Col.ID].map(mask_id),
             SignCol.AMOUNT: [f"{total:,.2f}"]}
    card = households[households[Col.PAYMENT].map(to_text) == Payment.CARD.value]
    if len(card) and (card[Col.CARD].map(to_text) == "").any():
        texts[SignCol.NOTE] = [NO_CARD]
    for label, values in texts.items():
        column = layout.columns.get(label)
        if column is None:
            continue
        letter = get_column_letter(column)
        size = float(ws.cell(row=layout.header_row + 1, column=column).font.size or 11)
        if label == SignCol.AMOUNT:
            size *= 1.1                                  # the totals are bold
        needed = L.fit_width(values, size=size, pad=2.0)
        current = ws.column_dimensions[letter].width or 8.43
        ws.column_dimensions[letter].width = max(current, needed)


def _fit_heights(ws: Worksheet, last_row: int) -> None:
    """Raise (never lower) a title row whose wrapped text needs more lines than it has room for
    (the 须知 line with a long date)."""
    spans = {(m.min_row, m.min_col): m.max_col for m in ws.merged_cells.ranges
             if m.min_row == m.max_row and m.min_row <= last_row}
    for r in range(1, last_row + 1):
        needed = 0.0
        for c in range(1, ws.max_column + 1):
            cell = ws._cells.get((r, c))
            if cell is None or not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            last = spans.get((r, c), c)
            width = sum(ws.column_dimensions[get_column_letter(i)].width or 8.43
                        for i in range(c, last + 1))
            size = float(cell.font.size or 11)
            needed = max(needed, L.wrapped_height([(cell.value, width)], size))
        if needed > (ws.row_dimensions[r].height or 15.0):
            ws.row_dimensions[r].height = needed


def paginate(ws: Worksheet, header_row: int, kinds: list[str]) -> None:
    """Manual page breaks from the rows' heights and the sheet's own page setup."""
    ws.row_breaks.brk = []
    last_col = max((c for c in range(1, ws.max_column + 1)), default=1)
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, last_col + 1)]
    m = ws.page_margins
    page = L.Page(landscape=ws.page_setup.orientation == "landscape", left=m.left, right=m.right,
                  top=m.top, bottom=m.bottom)
    height = lambda r: ws.row_dimensions[r].height or 15.0
    titles = sum(height(r) for r in range(1, header_row + 1))
    lines = [L.Line(height(header_row + 1 + i), kind) for i, kind in enumerate(kinds)]
    for row in L.page_breaks(lines, titles=titles, widths=widths, page=page, first=header_row + 1):
        ws.row_breaks.append(Break(id=row))


def _copy_print_settings(source: Worksheet, target: Worksheet) -> None:
    """What Worksheet.copy_worksheet leaves out: print titles, header/footer, frozen panes."""
    target.print_title_rows = source.print_title_rows
    target.print_title_cols = source.print_title_cols
    target.HeaderFooter = deepcopy(source.HeaderFooter)
    target.freeze_panes = source.freeze_panes
    target.page_setup = copy(source.page_setup)
    target.page_setup._parent = target


def _context(settings: Settings, today: dt.date, state: RosterState | None = None) -> dict[str, Any]:
    deadline = settings.params.signoff_deadline
    return {"活动名称": settings.params.title,
            "签字表上交日期": cn_date(deadline, "规定日期"),
            "打印日期": cn_date(today),
            "名册": state.line() if state else "",
            "单位称谓": settings.unit_word, "经办部门": settings.office}


@dataclass
class SheetFor:
    """One signature sheet: a unit with the households it pays, or a 责任部门 with those of its
    categories from every unit (one section per unit inside)."""
    name: str
    households: pd.DataFrame
    sections: list[tuple[str, pd.DataFrame]] | None = None
    context: dict[str, Any] = field(default_factory=dict)


def sheets_for(paid: pd.DataFrame, settings: Settings) -> list[SheetFor]:
    """The units' sheets, then the departments' (标准.责任部门)."""
    out = []
    for name, households, department in by_owner(paid, settings):
        if not department:
            out.append(SheetFor(name, households))
            continue
        sections = by_unit(households, settings)
        out.append(SheetFor(name, households, sections, {"单位称谓": "责任部门"}))
    return out


def _book_for(template: Path | None, units: list[SheetFor],
              context: dict[str, Any], footer: str = ""):
    wb = _open_template(template)
    source = wb.worksheets[0]
    layout = read_layout(source)
    taken: list[str] = [source.title]
    for sheet in units:
        ws = wb.copy_worksheet(source)
        _copy_print_settings(source, ws)
        ws.title = safe_sheet_title(sheet.name, taken)
        taken.append(ws.title)
        if footer and not ws.oddFooter.left.text:
            ws.oddFooter.left.text = footer
            ws.oddFooter.left.size = 8
        render(ws, layout, sheet.name, sheet.households, dict(context, **sheet.context),
               sheet.sections)
    for other in list(wb.worksheets):
        if other is source or other.title not in taken[1:]:
            wb.remove(other)
    wb.active = 0
    return wb


def write_signoff(roster: pd.DataFrame, settings: Settings, output_dir: Path, *,
                  template: Path | None = None, today: dt.date | None = None,
                  batch: bool = True, pdf: bool = False) -> SignoffResult:
    """Write output/签字确认表/<单位>.xlsx for every unit with paid households (+ the batch book,
    + a PDF of each with `pdf`), replacing the folder's whole set: the sheets (and PDFs) of units
    no longer paid, and PDFs not made again this time, are removed. Refuses (NotReady, nothing
    touched) when no household would be paid.

    Every unit's sheet is rendered once into one workbook; each unit file is that workbook saved
    with only the unit's sheet, the batch file is it saved with all of them.
    """
    require_paid(roster, "签字确认表")
    state = roster_state(roster)
    paid = paid_households(roster)
    folder = Path(output_dir) / SIGNOFF_DIR
    context = _context(settings, today or dt.date.today(), state)
    result = SignoffResult(template=str(template) if template else "（内置版式）")
    units = sheets_for(paid, settings)
    result.departments = [s.name for s in units if s.sections is not None]
    wb = _book_for(template, units, context, state.footer())
    sheets = list(wb._sheets)
    unit_files: list[tuple[Path, Path]] = []          # (staged temp file, target)
    names = {u.name for u in settings.units}
    with OutputSet(folder, patterns=("*.xlsx", "*.pdf")) as out:
        try:
            for sheet, ws in zip(units, sheets):
                wb._sheets = [ws]
                wb.active = 0
                stem = safe_file_stem(sheet.name)
                if sheet.sections is not None and sheet.name in names:   # a unit of that name too
                    stem += "（责任部门）"
                target = out.write(folder / f"{stem}.xlsx", wb.save)
                unit_files.append((out.staged[-1][0], target))
                result.households[sheet.name] = len(sheet.households)
                result.amounts[sheet.name] = float(sheet.households[Col.AMOUNT].sum())
        finally:
            wb._sheets = sheets
            wb.active = 0
        if batch:
            result.batch = out.write(folder / SIGNOFF_BATCH_FILE, wb.save)
        if pdf:
            _stage_pdfs(out, unit_files, result)
    result.files = [target for _, target in unit_files]
    result.pdfs = [p for p in out.written if p.suffix == ".pdf"]
    result.not_removed = out.not_removed
    record(Path(output_dir), "signoff", out.written, state)
    return result


def _stage_pdfs(out: OutputSet, unit_files: list[tuple[Path, Path]], result: SignoffResult) -> None:
    """PDFs of the staged unit files join the same set (or, without LibreOffice, a note)."""
    with tempfile.TemporaryDirectory(prefix="weiwen-pdf-") as tmp:
        try:
            made = convert([staged for staged, _ in unit_files], Path(tmp))
        except PdfUnavailable as exc:
            result.pdf_note = str(exc)
            return
        for staged, target in unit_files:
            out.stage_file(made[staged], target.with_suffix(".pdf"))
