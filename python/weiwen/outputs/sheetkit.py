"""One printable table sheet (title, info lines, a header repeated on every page, rows, totals)
written with openpyxl, laid out by `layout`: the look every list and summary shares.

Rows are collected first and written at `finish()`, when the column widths (from the content),
the row heights (from the wrapped text) and the page breaks are known. Cells are written as
values (strings always as text, never formulas) with styles made once per kind of cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Sequence

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from ..openpyxl_access import set_style
from ..printing import FOOTER, FOOTER_FONT, print_setup
from . import layout as L
from . import xlsx as X
from .common import put_row, style_array

MONEY = "#,##0.00"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILLS = {"header": "DDEBF7", "subtotal": "F2F2F2", "total": "FFF2CC", "daxie": "FFF2CC"}
#: kinds of rows → how pagination treats them
_PAGING = {"title": "heading", "info": "heading", "header": "heading", "section": "heading",
           "data": "data", "subtotal": "total", "total": "total", "daxie": "total",
           "note": "end", "sign": "end", "blank": "blank"}


def _wraps(kind: str, col_kind: str) -> bool:
    """Whether a cell's text wraps inside its column (the row grows to show every line): wrap
    columns always; text columns in household rows, so a name longer than the column allows is
    printed whole rather than cut. A 小计/合计 label stays on one line and runs on into the
    empty cells beside it."""
    return col_kind == "wrap" or (col_kind == "text" and kind == "data")


@dataclass
class Column:
    """kind: text (width from content up to `maximum`; a longer text — a unit's full name, a
    long category — wraps onto a second line rather than being cut), wrap (fixed width, wraps),
    money, int, date, id (digits kept as text, one line), hand (blank, for handwriting)."""
    header: str
    kind: str = "text"
    width: float | None = None          # fixed width (wrap and hand columns)
    minimum: float = 4.0
    maximum: float = 40.0


@dataclass
class _Row:
    kind: str
    values: list[Any]
    merge_from: int | None = None        # merge this column (1-based) to the last one


@dataclass
class _Plan:
    widths: list[float]
    rows: list[tuple[int, str, list[Any] | None, int | None, float]]
    header_row: int
    breaks: list[int]


@dataclass
class TableSheet:
    ws: Any
    columns: Sequence[Column]
    title: str
    info: Sequence[str] = ()
    page: L.Page = field(default_factory=L.Page)
    row_height: float = 18.0             # data rows (more for rows people write in)
    spare_lines: float = 0.0             # room under a data row's wrapped paragraph, in lines
    footer_left: str = ""
    rows: list[_Row] = field(default_factory=list)

    def section(self, text: str) -> None:
        self.rows.append(_Row("section", [text], merge_from=1))

    def row(self, values: Sequence[Any], kind: str = "data", merge_from: int | None = None) -> None:
        self.rows.append(_Row(kind, list(values), merge_from))

    def line(self, text: str, kind: str = "note") -> None:
        self.rows.append(_Row(kind, [text], merge_from=1))

    def daxie(self, label: str, text: str) -> None:
        """The amount in 大写 under a 合计, one line across the table: '合计金额（大写）：…'."""
        self.rows.append(_Row("daxie", [f"{label}：{text}"], merge_from=1))

    def blank(self) -> None:
        self.rows.append(_Row("blank", []))

    # --- writing --------------------------------------------------------------------------

    def _widths(self) -> list[float]:
        widths = []
        for i, col in enumerate(self.columns):
            if col.width is not None:
                widths.append(col.width)
                continue
            texts = [_shown(r.values[i], col) for r in self.rows
                     if i < len(r.values) and r.merge_from is None and r.kind != "section"]
            head = L.text_units(col.header, L.SIZE) + 1.6
            widths.append(max(min(head, 12), L.fit_width(texts, minimum=col.minimum,
                                                         maximum=col.maximum)))
        return widths

    def finish(self) -> None:
        """Write the laid-out sheet into the openpyxl worksheet `ws`."""
        ws, n = self.ws, len(self.columns)
        plan = self._plan()
        for i, w in enumerate(plan.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        styles = _Styles(ws, self.columns)
        for r, kind, values, merge_from, height in plan.rows:
            if values is not None:
                put_row(ws, r, values, styles=[styles.get(kind, i) for i in range(len(values))])
            if merge_from is not None:
                ws.merge_cells(start_row=r, start_column=merge_from, end_row=r, end_column=n)
            ws.row_dimensions[r].height = height
        print_setup(ws, title_rows=f"1:{plan.header_row}", landscape=self.page.landscape,
                    footer_left=self.footer_left)
        for b in plan.breaks:
            ws.row_breaks.append(Break(id=b))
        ws.freeze_panes = f"A{plan.header_row + 1}"

    def sheet(self, book: X.Book, name: str) -> X.Sheet:
        """The same laid-out sheet as `finish` writes, as data for the XlsxWriter writer
        (outputs/xlsx.py): the same cells, styles, sizes, merges, breaks and print setup."""
        n = len(self.columns)
        plan = self._plan()
        out = X.Sheet(name, widths=dict(enumerate(plan.widths, start=1)), page=X.Page(
            landscape=self.page.landscape, paper=9, fit_to_page=True, fit_width=1, fit_height=0,
            margins=(0.4, 0.4, 0.6, 0.7), header_margin=0.5, footer_margin=0.5,
            footer=_footer(self.footer_left),
            title_rows=(1, plan.header_row), center_horizontally=True,
            freeze=(plan.header_row + 1, 1)))
        styles: dict[tuple[str, str], int] = {}
        for r, kind, values, merge_from, height in plan.rows:
            if values is not None:
                last = merge_from if merge_from is not None else len(values)   # a merge: its anchor
                out.cells[r] = [(i + 1, v, _xlsx_style(book, styles, kind, self.columns, i))
                                for i, v in enumerate(values[:last])]
            if merge_from is not None:
                out.merges.append((r, merge_from, r, n))
            out.heights[r] = height
        out.breaks = list(plan.breaks)
        return out

    def _plan(self) -> _Plan:
        """Where everything goes: widths, then each row (number, kind, the n values to write or
        None, the first merged column, height), the header row and the page breaks."""
        n = len(self.columns)
        widths = self._widths()
        needed = L.text_units(self.title, 16) + 4          # the title fits over the table
        if sum(widths) < needed:
            widths = [round(w * needed / sum(widths), 1) for w in widths]
        rows: list[tuple[int, str, list[Any] | None, int | None, float]] = []
        r = 1
        rows.append((r, "title", [self.title], 1, 30))
        table_w = sum(widths)
        for text in self.info:
            r += 1
            rows.append((r, "info", [text], 1,
                         L.wrapped_height([(text, table_w)], minimum=18)))
        r += 1
        header_row = r
        rows.append((r, "header", [c.header for c in self.columns], None, L.wrapped_height(
            [(c.header, w) for c, w in zip(self.columns, widths)], minimum=22)))
        titles = sum(height for *_, height in rows)
        lines: list[L.Line] = []
        for row in self.rows:
            r += 1
            values = row.values + [None] * (n - len(row.values))
            if row.merge_from is not None:
                cells = values[:row.merge_from] + [None] * (n - row.merge_from)
                span = sum(widths[row.merge_from - 1:])
                height = L.wrapped_height([(str(values[row.merge_from - 1] or ""), span)],
                                          minimum=self._base(row.kind))
                rows.append((r, row.kind, cells, row.merge_from, height))
            elif row.kind == "blank":
                height = 8.0
                rows.append((r, row.kind, None, None, height))
            else:
                height = L.wrapped_height(
                    [(_shown(v, c), w) for v, c, w in zip(values, self.columns, widths)
                     if _wraps(row.kind, c.kind)], minimum=self._base(row.kind),
                    spare=self.spare_lines if row.kind == "data" else 0.0)
                rows.append((r, row.kind, values, None, height))
            lines.append(L.Line(height, _PAGING[row.kind]))
        breaks = L.page_breaks(lines, titles=titles, widths=widths, page=self.page,
                               first=header_row + 1)
        return _Plan(widths, rows, header_row, list(breaks))

    def _base(self, kind: str) -> float:
        return {"data": self.row_height, "section": 22.0, "sign": 36.0, "note": 18.0}.get(kind, 22.0)


def _shown(value: Any, col: Column) -> str:
    if value is None:
        return ""
    if col.kind == "money" and isinstance(value, (int, float)):
        return f"{value:,.2f}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _footer(left: str) -> str:
    """printing.print_setup's footer in Excel's header/footer codes, as openpyxl saves it."""
    parts = (f'&L&"{FOOTER_FONT}"&8 {left}' if left else "") + f'&C&"{FOOTER_FONT}"&9 {FOOTER}'
    return parts


_SCRATCH: list[Any] = []
#: (row kind, column kind) → its XlsxWriter properties: the same for every file, so mapped once
#: per process (the merge button writes one 退回修改 file per unit)
_PROPERTIES: dict[tuple[str, str], dict[str, Any]] = {}


def _xlsx_style(book: X.Book, made: dict[tuple[str, str], int], kind: str,
                columns: Sequence[Column], i: int) -> int:
    """The XlsxWriter style of a (row kind, column): the openpyxl attributes `finish` stamps,
    mapped once by outputs/xlsx.Styles (the same mapping as the signature sheet's template)."""
    col = columns[i] if i < len(columns) else Column("")
    key = (kind, col.kind if kind not in ("title", "info", "section", "note", "sign") else "")
    if key not in made:
        if key not in _PROPERTIES:
            if not _SCRATCH:
                from openpyxl import Workbook
                from openpyxl.cell.cell import Cell
                _SCRATCH.append(Cell(Workbook().active, row=1, column=1))
                _SCRATCH.append(X.Styles())
            cell, mapping = _SCRATCH
            set_style(cell, style_array(cell.parent, **_attributes(kind, key[1])))
            _PROPERTIES[key] = mapping.properties(cell)
        made[key] = book.style(dict(_PROPERTIES[key]))
    return made[key]


class _Styles:
    """One style per (row kind, column), made once and stamped on every such cell."""

    def __init__(self, ws, columns: Sequence[Column]) -> None:
        self.ws, self.columns, self.made = ws, columns, {}

    def get(self, kind: str, i: int):
        col = self.columns[i] if i < len(self.columns) else Column("")
        key = (kind, col.kind if kind not in ("title", "info", "section", "note", "sign") else "")
        if key not in self.made:
            self.made[key] = style_array(self.ws, **_attributes(kind, col.kind))
        return self.made[key]


def _attributes(kind: str, col_kind: str) -> dict[str, Any]:
    bold = kind in ("title", "header", "section", "subtotal", "total", "daxie")
    size = 16 if kind == "title" else L.SIZE
    out: dict[str, Any] = {"font": Font(name=L.FONT, size=size, bold=bold)}
    if kind == "title":
        out["alignment"] = Alignment(horizontal="center", vertical="center")
        return out
    if kind in ("info", "note", "sign"):
        out["alignment"] = Alignment(horizontal="left", vertical="center", wrap_text=True)
        return out
    out["border"] = _BORDER
    if kind in _FILLS:
        out["fill"] = PatternFill("solid", fgColor=_FILLS[kind])
    if kind == "header":
        out["alignment"] = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return out
    if kind == "section":
        out["alignment"] = Alignment(horizontal="left", vertical="center")
        return out
    if col_kind == "money":
        out["number_format"] = MONEY
        out["alignment"] = Alignment(horizontal="right", vertical="center")
    elif col_kind == "int":
        out["alignment"] = Alignment(horizontal="center", vertical="center")
    elif col_kind == "date":
        out["number_format"] = "yyyy-mm-dd"
        out["alignment"] = Alignment(horizontal="center", vertical="center")
    elif _wraps(kind, col_kind):
        out["alignment"] = Alignment(horizontal="left", vertical="center", wrap_text=True)
    else:
        if col_kind == "id":
            out["number_format"] = "@"
        out["alignment"] = Alignment(horizontal="left" if kind != "daxie" else "left",
                                     vertical="center", wrap_text=kind == "daxie")
    return out
