"""What a printed sheet should show, read from the .xlsx file itself (whoever wrote it).

For each sheet: the printed rows (print area, hidden rows and columns left out, merged ranges by
their top-left cell) with the text every cell prints, each row's kind (heading, data, total,
signature line), the rows repeated at the top of every page, the fonts the cells ask for, the
totals and their 大写, and an estimate of how many pages the sheet should take.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from openpyxl.cell.cell import Cell
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..money import to_daxie
from ..openpyxl_access import cells as cells_of
from .display import is_money_format, shown, squash

#: A4 in points (portrait)
PAPER = {9: (595.3, 841.9), 1: (612.0, 792.0), 8: (841.9, 1190.6), 11: (419.5, 595.3)}
#: one unit of Excel column width as LibreOffice prints it (Calibri's digit at 11 pt, Carlito)
WIDTH_UNIT_PT = 5.55
DEFAULT_ROW_PT = 15.0
DEFAULT_WIDTH = 8.43


@dataclass
class Row:
    number: int                                  # Excel row number
    texts: list[tuple[int, str]]                 # (column, squashed printed text), non-empty
    kind: str                                    # blank heading data total sign
    height: float                                # points, as set or the default
    unknown: int = 0                             # cells whose format this checker cannot render
    multiline: set[str] = field(default_factory=set)   # texts with line breaks of their own


@dataclass
class Total:
    row: int
    amount: float
    daxie_row: int | None                        # the row holding its 大写, if any


@dataclass
class SheetModel:
    name: str
    index: int
    rows: list[Row]                              # printed rows in order (title rows included)
    title_rows: tuple[int, int] | None           # first, last row repeated on every page
    first_col: int
    last_col: int
    fonts: Counter[str] = field(default_factory=Counter)   # font name → cells
    font_examples: dict[str, str] = field(default_factory=dict)
    totals: list[Total] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)        # manual page breaks (after row)
    expected_pages: float = 1.0
    kept_share: float = 0.0                                # tallest block kept together, per page
    column_texts: dict[int, set[str]] = field(default_factory=dict)

    @property
    def body(self) -> list[Row]:
        if not self.title_rows:
            return self.rows
        first, last = self.title_rows
        return [r for r in self.rows if not first <= r.number <= last]

    @property
    def titles(self) -> list[Row]:
        if not self.title_rows:
            return []
        first, last = self.title_rows
        return [r for r in self.rows if first <= r.number <= last]


def _kind(texts: list[str]) -> str:
    if not texts:
        return "blank"
    if any(t.startswith(("合计", "小计")) or re.search(r".小计$", t) or "大写" in t for t in texts):
        return "total"
    if all(t.endswith(("：", ":")) for t in texts):
        return "sign"
    return "heading" if len(texts) == 1 else "data"


def _bounds(ws: Worksheet) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of the print area, or of the cells holding values."""
    area = ws.print_area
    if area:
        # CellRange, not range_boundaries: a print area is never whole columns or rows (openpyxl
        # drops such a print area on reading), so every bound is a number
        boxes = [CellRange(part.split("!")[-1].replace("$", "")).bounds
                 for part in (area if isinstance(area, list) else str(area).split(","))]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))
    cols, rows = [], []
    for (r, c), cell in cells_of(ws).items():
        if cell.value is not None and cell.value != "":
            rows.append(r)
            cols.append(c)
    if not rows:
        return 1, 1, 1, 1
    return min(cols), min(rows), max(cols), max(rows)


def _title_rows(ws: Worksheet) -> tuple[int, int] | None:
    titles = ws.print_title_rows
    if not titles:
        return None
    first, _, last = str(titles).replace("$", "").split("!")[-1].partition(":")
    return int(first), int(last or first)


def column_widths(ws: Worksheet, first: int, last: int) -> dict[int, float]:
    """Width of each column (Excel units), hidden columns as 0."""
    default = ws.sheet_format.defaultColWidth or DEFAULT_WIDTH
    widths = {c: float(default) for c in range(first, last + 1)}
    for key, dim in ws.column_dimensions.items():
        lo = dim.min or column_index_from_string(key)
        hi = dim.max or lo
        for c in range(max(lo, first), min(hi, last) + 1):
            if dim.hidden:
                widths[c] = 0.0
            elif dim.width:
                widths[c] = float(dim.width)
    return widths


def _page_estimate(ws: Worksheet, widths: dict[int, float], rows: list[Row],
                   title_rows: tuple[int, int] | None) -> tuple[float, float]:
    """Pages the sheet should take: rows × scale over the printable height (a bound, not a
    prediction: the check allows for the rows pagination moves to keep blocks together), and the
    share of a page the tallest such block takes."""
    setup = ws.page_setup
    paper_w, paper_h = PAPER.get(int(setup.paperSize or 9), PAPER[9])
    if setup.orientation == "landscape":
        paper_w, paper_h = paper_h, paper_w
    m = ws.page_margins
    usable_w = paper_w - 72 * ((m.left or 0.7) + (m.right or 0.7))
    usable_h = paper_h - 72 * ((m.top or 0.75) + (m.bottom or 0.75))
    table_w = sum(widths.values()) * WIDTH_UNIT_PT
    fit = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    if fit and setup.fitToWidth != 0:          # absent means 1 (what Excel and XlsxWriter write)
        scale = min(1.0, usable_w / table_w) if table_w else 1.0
    else:
        scale = (setup.scale or 100) / 100
    titles = sum(r.height for r in rows if title_rows and title_rows[0] <= r.number <= title_rows[1])
    body = sum(r.height for r in rows if not (title_rows and title_rows[0] <= r.number <= title_rows[1]))
    per_page = max(usable_h - titles * scale, usable_h / 4)
    body_rows = [r for r in rows if not (title_rows and title_rows[0] <= r.number <= title_rows[1])]
    kept = _tallest_kept_block(body_rows) * scale / per_page
    return max(body * scale / per_page, 0.01), min(kept, 0.5)


#: a section longer than this is split across pages rather than moved whole
KEPT_ROWS = 5


def _tallest_kept_block(rows: list[Row]) -> float:
    """The height of the tallest block a page break may move whole to the next page: a
    section's heading with its rows and 小计 when the section is short, else the heading with
    the two rows under it. A sheet of many short sections (a department's sheet: one section per
    unit, one to three households each) loses up to one such block at every page break."""
    tallest = 0.0
    for i, row in enumerate(rows):
        if row.kind != "heading":
            continue
        block = rows[i:i + KEPT_ROWS]
        end = next((j for j, r in enumerate(block) if r.kind == "total"), None)
        kept = block[:end + 1] if end is not None else block[:3]
        tallest = max(tallest, sum(r.height for r in kept))
    return tallest


def read_sheet(ws: Worksheet, index: int) -> SheetModel:
    min_col, min_row, max_col, max_row = _bounds(ws)
    widths = column_widths(ws, min_col, max_col)
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    rows: list[Row] = []
    fonts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    column_texts: dict[int, set[str]] = {}
    raw: dict[int, list[Cell]] = {}
    for r in range(min_row, max_row + 1):
        dim = ws.row_dimensions.get(r) if r in ws.row_dimensions else None
        if dim is not None and dim.hidden:
            continue
        texts, unknown, cells, multiline = [], 0, [], set()
        for c in range(min_col, max_col + 1):
            if widths.get(c, 1) == 0 or (r, c) in covered:
                continue
            cell = cells_of(ws).get((r, c))
            if cell is None or cell.value is None or cell.value == "":
                continue
            text = shown(cell.value, cell.number_format)
            name = cell.font.name if cell.font is not None else None
            fonts[name or "（未设字体）"] += 1
            examples.setdefault(name or "（未设字体）", f"{cell.coordinate}")
            if text is None:
                unknown += 1
                continue
            lines = text.strip()
            text = squash(text)
            if "\n" in lines:
                multiline.add(text)
            if text:
                texts.append((c, text))
                column_texts.setdefault(c, set()).add(text)
                cells.append(cell)
        height = dim.height if dim is not None and dim.height else DEFAULT_ROW_PT
        rows.append(Row(r, texts, _kind([t for _, t in texts]), float(height), unknown,
                        multiline))
        raw[r] = cells
    model = SheetModel(ws.title, index, rows, _title_rows(ws), min_col, max_col, fonts, examples,
                       column_texts=column_texts)
    model.breaks = sorted(int(b.id) for b in ws.row_breaks.brk) if ws.row_breaks else []
    model.expected_pages, model.kept_share = _page_estimate(ws, widths, rows, model.title_rows)
    model.totals = _totals(rows, raw)
    return model


def _totals(rows: list[Row], raw: dict[int, list[Cell]]) -> list[Total]:
    """合计 rows holding an amount, and where (same row or the next two) their 大写 is."""
    out = []
    for i, row in enumerate(rows):
        if not any(t.startswith("合计") and "大写" not in t for _, t in row.texts):
            continue
        amounts = [c.value for c in raw.get(row.number, [])
                   if isinstance(c.value, (int, float)) and is_money_format(c.number_format)]
        if not amounts:
            continue
        amount = float(amounts[-1])
        daxie = squash(to_daxie(amount))
        where = next((r.number for r in rows[i:i + 3] if any(daxie in t for _, t in r.texts)), None)
        out.append(Total(row.number, amount, where))
    return out


def page_bound(expected: float, kept_share: float = 0.0) -> int:
    """The most pages a sheet may take: its rows' share of the page, plus room for the rows
    that pagination moves to keep a heading with its rows and no row alone on a page — at
    least 15 %, and up to one whole kept block per page where blocks are tall."""
    if expected <= 0.85:
        return 1
    return math.ceil(expected / min(1 / 1.15, 1 - kept_share)) + 1
