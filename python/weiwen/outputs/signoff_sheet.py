"""The signature-sheet layout (templates/签字确认表.xlsx) read once, and one unit's sheet laid out
from it as plain data (`xlsx.Sheet`), ready to be written by XlsxWriter.

The template is read with openpyxl: the rows down to the header row (户主姓名) are the sheet's
title area, copied with their styles, merges, heights and placeholders ({单位} …); the marked rows
under it are prototypes (〔分组行〕 〔数据行〕 〔小计行〕 〔合计行〕 〔签名行〕 〔说明行〕), each with its
styles, merges and height; column widths, margins, header/footer, print titles and frozen panes
are kept as the office set them. Every style becomes one XlsxWriter format (`xlsx.Styles`).
"""
from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..intake.headers import header_row_with
from ..names import SignCol
from ..values import to_text
from . import layout as L
from . import signoff_template as T
from . import xlsx

DEFAULT_WIDTH = 8.43
DEFAULT_HEIGHT = 15.0


@dataclass
class Proto:
    cells: list[tuple[int, Any, int | None]]   # (column, value, style)
    height: float | None
    merges: list[tuple[int, int]]              # (first column, last column) in this row


@dataclass
class Layout:
    book: xlsx.Book
    title: str                                 # the template sheet's name
    header_row: int
    columns: dict[str, int]                    # header text → column number
    protos: dict[str, Proto]
    head: list[tuple[int, int, Any, int | None]]   # (row, column, value, style) to header_row
    head_merges: list[tuple[int, int, int, int]]
    heights: dict[int, float]                  # rows down to header_row
    widths: dict[int, float]
    page: xlsx.Page
    footer: Any                                # the openpyxl footer item, to add to
    max_column: int
    wraps: set[int] = field(default_factory=set)   # styles that wrap text

    def size(self, style: int | None) -> float:
        if style is None:
            return float(self.book.default.get("font_size", 11))
        return float(self.book.styles[style].get("font_size",
                                                  self.book.default.get("font_size", 11)))

    def width(self, column: int, widths: dict[int, float] | None = None) -> float:
        return (widths or self.widths).get(column) or DEFAULT_WIDTH


def read_layout(template: Path | None) -> Layout:
    """The layout of the template's first sheet (the built-in one without a template)."""
    data = T.build_bytes() if template is None else Path(template).read_bytes()
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    styles = xlsx.Styles(data=data)
    book = xlsx.Book(default=dict(styles.default))

    def style_of(cell: Any) -> int | None:
        properties = styles.properties(cell)
        return book.style(properties) if properties else None

    found = header_row_with([list(r) for r in ws.iter_rows(max_row=30, values_only=True)],
                            (SignCol.NAME,))
    if found is None:
        raise ValueError(f"签字表模板里找不到“{SignCol.NAME}”表头")
    header_row = found + 1
    columns: dict[str, int] = {}
    width = 0
    for c in ws[header_row]:
        label = to_text(c.value).replace("\n", "").replace(" ", "")
        if label:
            columns.setdefault(label, c.column)
            width = max(width, c.column)
    head = [(cell.row, cell.column, cell.value, style_of(cell))
            for row in ws.iter_rows(min_row=1, max_row=header_row) for cell in row
            if cell.value is not None or cell.has_style]
    protos: dict[str, Proto] = {}
    merges = list(ws.merged_cells.ranges)
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
            cells.append((c, value, style_of(cell)))
        protos[mark] = Proto(cells, ws.row_dimensions[r].height,
                             [(m.min_col, m.max_col) for m in merges
                              if m.min_row == r and m.max_row == r])
    if T.MARK_DATA not in protos:
        raise ValueError(f"签字表模板里缺少“{T.MARK_DATA}”行")
    layout = Layout(
        book=book, title=ws.title, header_row=header_row, columns=columns, protos=protos,
        head=head, head_merges=[(m.min_row, m.min_col, m.max_row, m.max_col) for m in merges
                                if m.max_row <= header_row],
        heights={r: d.height for r, d in ws.row_dimensions.items()
                 if r <= header_row and d.height},
        widths=_widths(ws), page=_page(ws), footer=copy.deepcopy(ws.oddFooter),
        max_column=ws.max_column)
    layout.wraps = {i for i, p in enumerate(book.styles) if p.get("text_wrap")}
    return layout


def _widths(ws: Worksheet) -> dict[int, float]:
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.width and dim.min:
            for c in range(dim.min, (dim.max or dim.min) + 1):
                out[c] = dim.width
    return out


_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")
_CELL = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def _page(ws: Worksheet) -> xlsx.Page:
    from openpyxl.utils import column_index_from_string
    setup, margins, options = ws.page_setup, ws.page_margins, ws.print_options
    fit = ws.sheet_properties.pageSetUpPr
    titles = _ROWS.match(str(ws.print_title_rows or ""))
    freeze = _CELL.match(str(ws.freeze_panes or ""))
    return xlsx.Page(
        landscape=setup.orientation == "landscape",
        paper=int(setup.paperSize) if setup.paperSize else None,
        fit_to_page=bool(fit and fit.fitToPage),
        fit_width=int(setup.fitToWidth) if setup.fitToWidth is not None else 1,
        fit_height=int(setup.fitToHeight) if setup.fitToHeight is not None else 1,
        scale=int(setup.scale) if setup.scale else None,
        margins=(margins.left, margins.right, margins.top, margins.bottom),
        header_margin=margins.header, footer_margin=margins.footer,
        header=str(ws.oddHeader) if ws.oddHeader else "",
        title_rows=(int(titles.group(1)), int(titles.group(2))) if titles else None,
        center_horizontally=bool(options.horizontalCentered),
        center_vertically=bool(options.verticalCentered),
        print_gridlines=bool(options.gridLines),
        freeze=(int(freeze.group(2)), column_index_from_string(freeze.group(1)))
        if freeze else None)


def footer_with(layout: Layout, left: str) -> str:
    """The template's footer, with `left` in its left part (8 pt) when the office left it empty."""
    item = copy.deepcopy(layout.footer)
    if left and not item.left.text:
        item.left.text = left
        item.left.size = 8
    return str(item) if item else ""


class Renderer:
    """One unit's sheet from the layout: `head(values)`, then rows from prototypes (`proto`)
    and data rows (`data`), then `finish(...)` for the widths, heights and page breaks."""

    def __init__(self, layout: Layout, name: str, fill: Callable[[Any, dict], Any]) -> None:
        self.layout = layout
        self.fill = fill
        self.sheet = xlsx.Sheet(name, heights=dict(layout.heights), widths=dict(layout.widths),
                                merges=list(layout.head_merges))
        self.row = layout.header_row
        self.kinds: list[str] = []
        self.first: dict[int, int | None] = {}   # column → style of the first row under the header
        data = layout.protos[T.MARK_DATA]
        self.data_styles = {c: s for c, _v, s in data.cells}
        self.data_height = data.height
        self.slots = list(layout.columns.items())
        # a household's row, planned once: the data prototype's columns in order (styled, with
        # the value of their label if any), then the labelled columns the prototype leaves bare
        label_of = {c: label for label, c in self.slots}
        self.styled = [(c, label_of.get(c), s) for c, s in self.data_styles.items()]
        self.bare = [(c, label) for label, c in self.slots if c not in self.data_styles]

    def head(self, values: dict[str, Any]) -> None:
        for r, c, value, style in self.layout.head:
            if isinstance(value, str) and "{" in value:
                value = self.fill(value, values)
            self.sheet.put(r, c, value, style)
        self._fit_head_heights()

    def proto(self, mark: str, values: dict[str, Any], kind: str) -> None:
        proto = self.layout.protos[mark]
        r = self._next(kind)
        for c, value, style in proto.cells:
            self.sheet.put(r, c, self.fill(value, values), style)
        self._first({c: s for c, _v, s in proto.cells})
        self.sheet.merges += [(r, c1, r, c2) for c1, c2 in proto.merges]
        if proto.height:
            self.sheet.heights[r] = proto.height

    def data(self, cells: dict[str, Any]) -> None:
        """One household: the data prototype's style on every column, its values at their
        labels."""
        r = self._next("data")
        get = cells.get
        row = [(c, None if label is None else get(label), style)
               for c, label, style in self.styled]
        for c, label in self.bare:
            value = get(label)
            if value is not None:
                row.append((c, value, None))
        self.sheet.cells.setdefault(r, []).extend(row)
        self._first(self.data_styles)
        if self.data_height:
            self.sheet.heights[r] = self.data_height

    def _next(self, kind: str) -> int:
        self.row += 1
        self.kinds.append(kind)
        return self.row

    def _first(self, styles: dict[int, int | None]) -> None:
        """The styles of the first row under the header (its font sizes the widened columns)."""
        if self.row == self.layout.header_row + 1:
            self.first = dict(styles)

    def widen(self, texts: dict[str, list[str]]) -> None:
        """Widen (never narrow) the columns that hold data to their longest text."""
        for label, values in texts.items():
            column = self.layout.columns.get(label)
            if column is None:
                continue
            size = self.layout.size(self.first.get(column))
            if label == SignCol.AMOUNT:
                size *= 1.1                                  # the totals are bold
            needed = L.fit_width(values, size=size, pad=2.0)
            current = self.sheet.widths.get(column) or DEFAULT_WIDTH
            self.sheet.widths[column] = max(current, needed)

    def fit_label(self, mark: str, values: list[dict[str, Any]]) -> None:
        """Widen (never narrow) the last column under a prototype's first cell so that it holds
        its text on one line for each of `values`: a 小计 named after a long unit
        ("市政设施管理处小计") would wrap and be cut off by the row's height."""
        proto = self.layout.protos.get(mark)
        if proto is None or not values or not isinstance(proto.cells[0][1], str):
            return
        column, value, style = proto.cells[0]
        last = next((c2 for c1, c2 in proto.merges if c1 == column), column)
        # the padding `lines_needed` allows (1.2), and a little for the width's snapping to
        # whole pixels: a label that fits by that measure stays on one line
        needed = L.fit_width([str(self.fill(value, v)) for v in values],
                             size=self.layout.size(style), pad=1.4)
        width = lambda c: self.sheet.widths.get(c) or DEFAULT_WIDTH  # noqa: E731
        short = needed - sum(width(c) for c in range(column, last + 1))
        if short > 0:
            self.sheet.widths[last] = width(last) + short

    def finish(self, footer: str) -> xlsx.Sheet:
        sheet, layout = self.sheet, self.layout
        sheet.widths = {c: xlsx.snap_width(w) for c, w in sheet.widths.items()}
        sheet.heights = {r: xlsx.snap_height(h) for r, h in sheet.heights.items()}
        sheet.page = copy.copy(layout.page)
        sheet.page.footer = footer
        last_col = max([layout.max_column] + [c for row in sheet.cells.values()
                                              for c, _v, _s in row])
        widths = [sheet.widths.get(c) or DEFAULT_WIDTH for c in range(1, last_col + 1)]
        left, right, top, bottom = sheet.page.margins or (0.75, 0.75, 1.0, 1.0)
        page = L.Page(landscape=sheet.page.landscape, left=left, right=right, top=top,
                      bottom=bottom)
        height = lambda r: sheet.heights.get(r) or DEFAULT_HEIGHT  # noqa: E731
        titles = sum(height(r) for r in range(1, layout.header_row + 1))
        lines = [L.Line(height(layout.header_row + 1 + i), kind)
                 for i, kind in enumerate(self.kinds)]
        sheet.breaks = list(L.page_breaks(lines, titles=titles, widths=widths, page=page,
                                          first=layout.header_row + 1))
        return sheet

    def _fit_head_heights(self) -> None:
        """Raise (never lower) a title row whose wrapped text needs more lines than it has."""
        layout, sheet = self.layout, self.sheet
        spans = {(r1, c1): c2 for r1, c1, r2, c2 in sheet.merges if r1 == r2}
        for r in range(1, layout.header_row + 1):
            needed = 0.0
            for c, value, style in sheet.cells.get(r, []):
                if not isinstance(value, str) or style not in layout.wraps:
                    continue
                last = spans.get((r, c), c)
                width = sum(layout.width(i) for i in range(c, last + 1))
                needed = max(needed, L.wrapped_height([(value, width)], layout.size(style)))
            if needed > (sheet.heights.get(r) or DEFAULT_HEIGHT):
                sheet.heights[r] = needed
