"""Printed sheets written with XlsxWriter: a laid-out sheet as plain data, a template's openpyxl
styles mapped once to XlsxWriter formats, and one workbook per file from those sheets.

Why: openpyxl makes an object per cell and serialises slowly; a district's signature sheets are a
million cells, each written twice (the unit's file and the batch book). The layouts stay where
people edit them (templates/签字确认表.xlsx, restyled in Excel): the template is read once with
openpyxl, each style on it becomes one XlsxWriter format (font, fill, border, alignment, number
format, protection; theme colours resolved with the template's own theme), and every sheet is
written from a `Sheet`: cells with their style, merges, row heights, column widths, page breaks
and the print setup.

Sizes: Excel draws column widths and row heights in whole pixels — a width in pixels of the
default font's digit (7 px for 11-point Calibri or 宋体), a height in 0.75-point steps — and saves
them so (a width of 10.5 comes back as 10.57); XlsxWriter writes them the same way. A sheet's
sizes are snapped to that grid (`snap_width`, `snap_height`) before its page breaks are worked
out, so the breaks fit the sizes in the file.
"""
from __future__ import annotations

import colorsys
import io
import os
import pickle
import queue
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import xlsxwriter

from ..cells import cell_value, finite

#: the OOXML defaults a style may leave out
_BORDERS = {None: 0, "thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6,
            "hair": 7, "mediumDashed": 8, "dashDot": 9, "mediumDashDot": 10, "dashDotDot": 11,
            "mediumDashDotDot": 12, "slantDashDot": 13}
_PATTERNS = {None: 0, "none": 0, "solid": 1, "mediumGray": 2, "darkGray": 3, "lightGray": 4,
             "darkHorizontal": 5, "darkVertical": 6, "darkDown": 7, "darkUp": 8, "darkGrid": 9,
             "darkTrellis": 10, "lightHorizontal": 11, "lightVertical": 12, "lightDown": 13,
             "lightUp": 14, "lightGrid": 15, "lightTrellis": 16, "gray125": 17, "gray0625": 18}
_HORIZONTAL = {"left": "left", "center": "center", "right": "right", "fill": "fill",
               "justify": "justify", "centerContinuous": "center_across",
               "distributed": "distributed"}
_VERTICAL = {"top": "top", "center": "vcenter", "bottom": "bottom", "justify": "vjustify",
             "distributed": "vdistributed"}
_UNDERLINE = {"single": 1, "double": 2, "singleAccounting": 33, "doubleAccounting": 34}
#: theme colour index → the element of the theme's colour scheme (lt1/dk1 and lt2/dk2 swap)
_THEME_SLOTS = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4",
                "accent5", "accent6", "hlink", "folHlink")
_NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
       "s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def pixels(width: float, digit: int = 7) -> int:
    """The pixels Excel draws for a stored column width (ECMA-376 18.3.1.13)."""
    return int(((256 * width + int(128 / digit)) / 256) * digit)


def snap_width(width: float) -> float:
    """A column width as Excel keeps it: whole pixels of a 7-pixel digit."""
    return pixels(width) / 7


def row_pixels(height: float) -> int:
    return int(height * 4 / 3 + 0.5)


def snap_height(height: float) -> float:
    """A row height as Excel keeps it: whole pixels, 0.75 point each."""
    return row_pixels(height) * 0.75


# --- the plain-data sheet ----------------------------------------------------------------------

@dataclass
class Page:
    """A sheet's print setup, as Excel keeps it."""
    landscape: bool = False
    paper: int | None = None
    fit_to_page: bool = False
    fit_width: int = 1
    fit_height: int = 1
    scale: int | None = None
    margins: tuple[float, float, float, float] | None = None   # left, right, top, bottom
    header_margin: float = 0.3
    footer_margin: float = 0.3
    header: str = ""
    footer: str = ""
    title_rows: tuple[int, int] | None = None    # 1-based first, last
    center_horizontally: bool = False
    center_vertically: bool = False
    print_gridlines: bool = False
    freeze: tuple[int, int] | None = None         # 1-based row, column of the first free cell


@dataclass
class Sheet:
    """One sheet: `cells[row]` = [(column, value, style)] (1-based, style an index into the
    book's styles or None), merges as (first row, first col, last row, last col)."""
    name: str
    cells: dict[int, list[tuple[int, Any, int | None]]] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)      # stored widths, by column
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)             # a new page after these rows
    page: Page = field(default_factory=Page)
    default_height: float | None = None
    column_styles: dict[int, int] = field(default_factory=dict)  # a typed cell's style, by column
    #: data validations: (first row, first col, last row, last col, XlsxWriter options), 1-based
    validations: list[tuple[int, int, int, int, dict[str, Any]]] = field(default_factory=list)

    def put(self, row: int, column: int, value: Any, style: int | None) -> None:
        self.cells.setdefault(row, []).append((column, value, style))


@dataclass
class Book:
    """What every sheet of one output shares: its styles (XlsxWriter format properties) and the
    default font (the template's Normal style)."""
    styles: list[dict[str, Any]] = field(default_factory=list)
    default: dict[str, Any] = field(default_factory=lambda: {"font_name": "Calibri",
                                                             "font_size": 11})

    def style(self, properties: dict[str, Any]) -> int:
        """The index of a style with these properties (added once)."""
        key = repr(sorted(properties.items()))
        index = self._index().get(key)
        if index is None:
            index = len(self.styles)
            self.styles.append(properties)
            self._keys[key] = index
        return index

    def _index(self) -> dict[str, int]:
        if not hasattr(self, "_keys"):
            self._keys = {repr(sorted(p.items())): i for i, p in enumerate(self.styles)}
        return self._keys


def write(path: Path, book: Book, sheets: Iterable[Sheet]) -> Path:
    """One .xlsx at `path` holding `sheets`, in order (kept in memory until it is closed, and
    assembled there too: for a small file, the fastest way)."""
    writer = Writer(path, book, streamed=False, assembled_in_memory=True)
    for sheet in sheets:
        writer.add(sheet)
    return writer.close()


class Writer:
    """An .xlsx written sheet by sheet. `streamed`: each row goes to the file as it is written
    (XlsxWriter's constant_memory: a batch book of a district's sheets never sits in memory);
    it needs every merge within one row (a merge's cells are written when it is made).
    `assembled_in_memory`: the file's parts are put together in memory, not first written to
    temporary files one by one (XlsxWriter's default) — for a small file the temporary files
    cost more than the writing (9 units' 退回修改 files: 0.25–0.4 s with them, 0.09 s without);
    a large book keeps them, so its whole XML never sits in memory."""

    def __init__(self, path: Path, book: Book, *, streamed: bool,
                 assembled_in_memory: bool = False) -> None:
        self.path = Path(path)
        self.book = book
        self.streamed = streamed
        self.wb = xlsxwriter.Workbook(str(path), {
            "default_format_properties": dict(book.default), "constant_memory": streamed,
            "in_memory": assembled_in_memory and not streamed,
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
        self.formats: dict[int, Any] = {}

    def _format(self, style: int | None) -> Any:
        if style is None:
            return None
        if style not in self.formats:
            self.formats[style] = self.wb.add_format(self.book.styles[style])
        return self.formats[style]

    def add(self, sheet: Sheet) -> None:
        if self.streamed and any(r1 != r2 for r1, _c1, r2, _c2 in sheet.merges):
            raise ValueError(f"{sheet.name}: a merge over several rows cannot be streamed")
        _write_sheet(self.wb.add_worksheet(sheet.name), sheet, self._format)

    def close(self) -> Path:
        self.wb.close()
        return self.path


def streamable(merges: Iterable[tuple[int, int, int, int]]) -> bool:
    """Whether sheets with these merges can be written row by row (`Writer(streamed=True)`)."""
    return all(r1 == r2 for r1, _c1, r2, _c2 in merges)


_INF = float("inf")
#: from this many rows on, unit files are written by a second process (its start costs ~0.5 s)
PARALLEL_ROWS = 20_000


class Parallel:
    """Unit files written by a second process when there is much to write (a district: this
    process lays out the sheets and writes the batch book meanwhile), else here at once.

    The writer is `python -m weiwen.outputs.xlsx_worker` (subprocess: multiprocessing's spawn
    would run the caller's main module again). `wait()` (and leaving the block) raises the first
    error; files the process could not write (it died, or never started) are written here."""

    def __init__(self, *, rows: int, minimum: int | None = None) -> None:
        minimum = PARALLEL_ROWS if minimum is None else minimum
        self.proc: subprocess.Popen | None = None
        self.pending: dict[str, tuple[Path, Book, list[Sheet]]] = {}
        self.answers: queue.Queue = queue.Queue()
        self.errors: list[str] = []
        self.ended = False                  # the process said nothing more (it ended)
        if rows >= minimum and (os.cpu_count() or 1) > 1:
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "weiwen.outputs.xlsx_worker"], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, env=_child_env(),
                    creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
                threading.Thread(target=self._listen, daemon=True).start()
            except OSError:                 # no second process here: write in turn
                self.proc = None

    def _listen(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            while True:
                self.answers.put(pickle.load(self.proc.stdout))
        except Exception:                   # EOF: the process ended
            self.answers.put(None)

    def submit(self, path: Path, book: Book, sheets: list[Sheet]) -> None:
        """write(path, book, sheets), now or in the writer process."""
        if self.proc is not None:
            self._settle(block=False)
            self.pending[str(path)] = (path, book, sheets)
            try:
                assert self.proc.stdin is not None
                pickle.dump((str(path), book, sheets), self.proc.stdin,
                            protocol=pickle.HIGHEST_PROTOCOL)
                self.proc.stdin.flush()
                return
            except (OSError, ValueError):   # the process is gone: the rest is written here
                self.pending.pop(str(path))
                self._stop()
        write(path, book, sheets)

    def wait(self) -> None:
        if self.proc is None and not self.pending:     # none started, or all written
            return
        while self.pending and not self.ended:
            self._settle(block=True)
        self._stop()
        for path, book, sheets in list(self.pending.values()):   # died: what it had not done
            write(path, book, sheets)
        self.pending.clear()
        if self.errors:
            raise RuntimeError(f"writing an output file failed:\n{self.errors[0]}")

    def _settle(self, *, block: bool) -> None:
        """Take the process's answers so far (with `block`, at least one): a written file's
        sheets are let go at once — kept until the end, a district's signature sheets would all
        sit in this process's memory together."""
        while not self.ended:
            try:
                answer = self.answers.get(block=block)
            except queue.Empty:
                return
            block = False
            if answer is None:
                self.ended = True
                return
            self.pending.pop(answer[1], None)
            if answer[0] == "error":
                self.errors.append(answer[2])

    def _stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=60)
        except Exception:
            proc.kill()

    def __enter__(self) -> Parallel:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.wait()
        elif self.proc is not None:
            self.proc.kill()
            self.proc = None


def _child_env() -> dict[str, str]:
    """The writer imports the same weiwen as this process, installed or not."""
    env = dict(os.environ)
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
    return env


def _write_sheet(ws: Any, sheet: Sheet, fmt: Any) -> None:
    """One sheet, its rows in order (as XlsxWriter's streamed mode needs)."""
    for column, width in sorted(sheet.widths.items()):
        ws.set_column_pixels(column - 1, column - 1, pixels(width),
                             fmt(sheet.column_styles.get(column)))
    if sheet.default_height:
        ws.set_default_row(sheet.default_height)
    for row, height in sheet.heights.items():
        ws.set_row_pixels(row - 1, row_pixels(height))
    anchors = {}
    for r1, c1, r2, c2 in sheet.merges:
        anchors[(r1, c1)] = (r2, c2)
    merge_rows = {r for r, _c in anchors}
    # a district's sheets are a million cells: each style's format is looked up once per sheet
    formats: dict[int | None, Any] = {}
    for row in sorted(sheet.cells):
        r = row - 1
        merged = row in merge_rows
        for column, value, style in sheet.cells[row]:
            try:
                cell_format = formats[style]
            except KeyError:
                cell_format = formats[style] = fmt(style)
            c = column - 1
            if merged and (row, column) in anchors:
                r2, c2 = anchors.pop((row, column))
                ws.merge_range(r, c, r2 - 1, c2 - 1, "", cell_format)
            _write_cell(ws, r, c, value, cell_format)
    for (row, column), (r2, c2) in anchors.items():       # a merge whose first cell is empty
        ws.merge_range(row - 1, column - 1, r2 - 1, c2 - 1, "", None)
    for r1, c1, r2, c2, options in sheet.validations:
        ws.data_validation(r1 - 1, c1 - 1, r2 - 1, c2 - 1, options)
    if sheet.breaks:
        ws.set_h_pagebreaks(sorted(sheet.breaks))
    _page(ws, sheet.page)


def _write_cell(ws: Any, r: int, c: int, value: Any, cell_format: Any) -> None:
    """A cell under the writer contract (cells.py): text is always text, never a formula."""
    kind = type(value)
    if kind is str and value:
        ws.write_string(r, c, value, cell_format)
        return
    if kind is int or (kind is float and value == value and abs(value) != _INF):
        ws.write_number(r, c, value, cell_format)
        return
    value = cell_value(value)
    if value is None:
        if cell_format is not None:
            ws.write_blank(r, c, None, cell_format)
    elif isinstance(value, str):
        ws.write_string(r, c, value, cell_format)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, cell_format)
    elif isinstance(value, (int, float)) and finite(value):
        ws.write_number(r, c, value, cell_format)
    elif hasattr(value, "year"):
        ws.write_datetime(r, c, value, cell_format)
    else:
        ws.write_string(r, c, str(value), cell_format)


def _page(ws: Any, page: Page) -> None:
    if page.landscape:
        ws.set_landscape()
    if page.paper:
        ws.set_paper(page.paper)
    if page.fit_to_page:
        ws.fit_to_pages(page.fit_width, page.fit_height)
    elif page.scale:
        ws.set_print_scale(page.scale)
    if page.margins:
        left, right, top, bottom = page.margins
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    if page.header or page.header_margin != 0.3:      # XlsxWriter's margin otherwise
        ws.set_header(page.header, {"margin": page.header_margin})
    if page.footer:
        ws.set_footer(page.footer, {"margin": page.footer_margin})
    if page.title_rows:
        ws.repeat_rows(page.title_rows[0] - 1, page.title_rows[1] - 1)
    if page.center_horizontally:
        ws.center_horizontally()
    if page.center_vertically:
        ws.center_vertically()
    if page.print_gridlines:
        ws.hide_gridlines(0)
    if page.freeze:
        ws.freeze_panes(page.freeze[0] - 1, page.freeze[1] - 1)


# --- openpyxl styles → XlsxWriter format properties ----------------------------------------------

class Styles:
    """Maps the styles of one openpyxl workbook loaded from `path` (a template) to format
    properties: `properties(cell)`. Theme colours are resolved with the file's own theme."""

    def __init__(self, path: Path | None = None, data: bytes | None = None) -> None:
        self.theme: list[str] = []
        self.default: dict[str, Any] = {"font_name": "Calibri", "font_size": 11}
        source = path if path is not None else (None if data is None else io.BytesIO(data))
        if source is not None:
            try:
                with zipfile.ZipFile(source) as z:
                    names = set(z.namelist())
                    if "xl/theme/theme1.xml" in names:
                        self.theme = _theme_colours(z.read("xl/theme/theme1.xml"))
                    if "xl/styles.xml" in names:
                        self.default = _default_font(z.read("xl/styles.xml")) or self.default
            except (zipfile.BadZipFile, OSError, ET.ParseError):
                pass

    def properties(self, cell: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self._font(cell.font, out)
        self._fill(cell.fill, out)
        self._border(cell.border, out)
        self._alignment(cell.alignment, out)
        if cell.number_format and cell.number_format != "General":
            out["num_format"] = cell.number_format
        protection = cell.protection
        if protection is not None:
            if protection.locked is False:
                out["locked"] = False
            if protection.hidden:
                out["hidden"] = True
        return out

    def colour(self, color: Any) -> str | None:
        """'#RRGGBB' for an openpyxl Color (rgb, theme with tint, indexed), None for automatic."""
        if color is None:
            return None
        kind = getattr(color, "type", None)
        if kind == "rgb" and isinstance(color.rgb, str) and len(color.rgb) >= 6:
            return "#" + color.rgb[-6:].upper()
        if kind == "theme" and color.theme is not None and color.theme < len(self.theme):
            return _tinted(self.theme[color.theme], color.tint or 0.0)
        if kind == "indexed" and color.indexed is not None:
            from openpyxl.styles.colors import COLOR_INDEX
            if color.indexed < 64 and color.indexed < len(COLOR_INDEX):
                return "#" + COLOR_INDEX[color.indexed][-6:].upper()
        return None

    def _font(self, font: Any, out: dict[str, Any]) -> None:
        if font is None:
            return
        if font.name:
            out["font_name"] = font.name
        if font.sz:
            out["font_size"] = float(font.sz)
        if font.b:
            out["bold"] = True
        if font.i:
            out["italic"] = True
        if font.u:
            out["underline"] = _UNDERLINE.get(font.u, 1)
        if font.strike:
            out["font_strikeout"] = True
        if font.vertAlign == "superscript":
            out["font_script"] = 1
        elif font.vertAlign == "subscript":
            out["font_script"] = 2
        colour = self.colour(font.color)
        if colour:
            out["font_color"] = colour

    def _fill(self, fill: Any, out: dict[str, Any]) -> None:
        pattern = getattr(fill, "patternType", None) or getattr(fill, "fill_type", None)
        if not pattern or pattern == "none":
            return
        out["pattern"] = _PATTERNS.get(pattern, 1)
        fg, bg = self.colour(fill.fgColor), self.colour(fill.bgColor)
        if pattern == "solid":
            if fg:
                out["bg_color"] = fg
        else:
            if fg:
                out["fg_color"] = fg
            if bg:
                out["bg_color"] = bg

    def _border(self, border: Any, out: dict[str, Any]) -> None:
        if border is None:
            return
        for side in ("left", "right", "top", "bottom"):
            edge = getattr(border, side)
            style = _BORDERS.get(getattr(edge, "style", None), 1) if edge is not None else 0
            if style:
                out[side] = style
                colour = self.colour(edge.color)
                if colour and colour != "#000000":
                    out[f"{side}_color"] = colour
        diagonal = border.diagonal
        if diagonal is not None and diagonal.style and (border.diagonalUp or border.diagonalDown):
            out["diag_type"] = 3 if border.diagonalUp and border.diagonalDown else (
                1 if border.diagonalUp else 2)
            out["diag_border"] = _BORDERS.get(diagonal.style, 1)
            colour = self.colour(diagonal.color)
            if colour:
                out["diag_color"] = colour

    @staticmethod
    def _alignment(alignment: Any, out: dict[str, Any]) -> None:
        if alignment is None:
            return
        if alignment.horizontal in _HORIZONTAL:
            out["align"] = _HORIZONTAL[alignment.horizontal]
        if alignment.vertical in _VERTICAL:
            out["valign"] = _VERTICAL[alignment.vertical]
        if alignment.wrap_text:
            out["text_wrap"] = True
        if alignment.shrink_to_fit:
            out["shrink"] = True
        if alignment.indent:
            out["indent"] = int(alignment.indent)
        rotation = int(alignment.text_rotation or 0)
        if rotation == 255:
            out["rotation"] = 270
        elif 0 < rotation <= 90:
            out["rotation"] = rotation
        elif 90 < rotation <= 180:
            out["rotation"] = 90 - rotation


def _theme_colours(xml: bytes) -> list[str]:
    root = ET.fromstring(xml)
    scheme = root.find(".//a:clrScheme", _NS)
    if scheme is None:
        return []
    colours = {}
    for child in scheme:
        tag = child.tag.split("}")[-1]
        value = None
        for el in child:
            value = el.get("val") if el.tag.endswith("srgbClr") else el.get("lastClr")
        colours[tag] = value or "000000"
    return ["#" + colours.get(slot, "000000").upper() for slot in _THEME_SLOTS]


def _default_font(xml: bytes) -> dict[str, Any] | None:
    root = ET.fromstring(xml)
    font = root.find("s:fonts/s:font", _NS)
    if font is None:
        return None
    out: dict[str, Any] = {}
    name = font.find("s:name", _NS)
    size = font.find("s:sz", _NS)
    if name is not None and name.get("val"):
        out["font_name"] = name.get("val")
    if size is not None and size.get("val"):
        out["font_size"] = float(size.get("val"))
    return out or None


def _tinted(colour: str, tint: float) -> str:
    """A theme colour with Excel's tint applied (lighter above 0, darker below)."""
    if not tint:
        return colour
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, min(1.0, max(0.0, light)), s)
    return "#" + "".join(f"{round(v * 255):02X}" for v in (r, g, b))

