"""Printed outputs shown as pages in the browser, the way they come out of the printer.

With LibreOffice (and poppler's pdftoppm) on the machine: the .xlsx is converted to PDF in a
private folder (never beside the clerk's file) through the same converter as `signoff --pdf`, and
each page becomes a PNG. Without them: an HTML rendering of the sheets (values, merged cells, bold
headers). Results are kept in the server's private temporary folder, by file and version.
"""
from __future__ import annotations

import html
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from ..outputs.pdf import PdfUnavailable, find_soffice, to_pdf
from ..values import to_text
from .files import FileEntry

MAX_HTML_ROWS = 2000
DPI = 80


@dataclass
class Rendered:
    pages: list[Path]              # PNG pages (LibreOffice route)
    html: str = ""                 # HTML route
    note: str = ""


class Previewer:
    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._lock = threading.Lock()        # one LibreOffice at a time on a small machine

    @staticmethod
    def available() -> bool:
        return bool(find_soffice() and shutil.which("pdftoppm"))

    def ready(self, entry: FileEntry) -> bool:
        """Whether `render` answers at once: its pages are made already, or no LibreOffice
        (the table route) or nothing to render. A 183-page 签字确认表 takes ~40 s otherwise."""
        if entry.kind not in ("xlsx", "xlsm", "pdf") or not self.available():
            return True
        st = entry.path.stat()
        return any((self.cache / f"{entry.id}-{st.st_mtime_ns}-{st.st_size}").glob("page-*.png"))

    def render(self, entry: FileEntry) -> Rendered:
        if entry.kind not in ("xlsx", "xlsm", "pdf"):
            return Rendered([], note="这种文件不能预览，请下载后打开。")
        st = entry.path.stat()
        folder = self.cache / f"{entry.id}-{st.st_mtime_ns}-{st.st_size}"
        with self._lock:
            done = sorted(folder.glob("page-*.png"))
            if done:
                return Rendered(done)
            if self.available():
                try:
                    return Rendered(self._pages(entry, folder))
                except (PdfUnavailable, OSError, subprocess.SubprocessError):
                    pass
        if entry.kind == "pdf":
            return Rendered([], note="本机没有 pdftoppm，不能在页面上预览 PDF，请下载后打开。")
        return Rendered([], html=sheet_html(entry.path),
                        note="本机没有安装 LibreOffice，下面是表格内容（打印版式以 Excel/WPS 为准）。")

    def _pages(self, entry: FileEntry, folder: Path) -> list[Path]:
        work = folder.with_name(folder.name + ".work")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            if entry.kind == "pdf":
                pdf = work / "file.pdf"
                shutil.copyfile(entry.path, pdf)
            else:
                copy = work / f"file.{entry.kind}"
                shutil.copyfile(entry.path, copy)
                pdf = to_pdf([copy])[0]
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), str(pdf), str(work / "page")],
                           check=True, capture_output=True, timeout=300)
            folder.mkdir(parents=True, exist_ok=True)
            pages = []
            for i, png in enumerate(sorted(work.glob("page-*.png"), key=_page_number), start=1):
                target = folder / f"page-{i:04d}.png"
                png.replace(target)
                pages.append(target)
            return pages
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _page_number(path: Path) -> int:
    try:
        return int(path.stem.rsplit("-", 1)[-1])
    except ValueError:
        return 0


def sheet_html(path: Path) -> str:
    """Each visible sheet as an HTML table (escaped text; merged cells spanned)."""
    try:
        book = load_workbook(path, data_only=True)
    except Exception:
        return "<p>文件无法读取，请下载后在 Excel/WPS 中打开。</p>"
    parts = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        spans, covered = {}, set()
        for rng in ws.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1,
                                                 rng.max_col - rng.min_col + 1)
            covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1)
                        for c in range(rng.min_col, rng.max_col + 1)} - {(rng.min_row, rng.min_col)}
        rows = []
        for r, row in enumerate(ws.iter_rows(max_row=min(ws.max_row, MAX_HTML_ROWS)), start=1):
            cells = []
            for c, cell in enumerate(row, start=1):
                if (r, c) in covered:
                    continue
                rs, cs = spans.get((r, c), (1, 1))
                attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                bold = ' class="b"' if cell.font is not None and cell.font.b else ""
                cells.append(f"<td{attrs}{bold}>{html.escape(to_text(cell.value))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        more = (f"<p>（只显示前 {MAX_HTML_ROWS} 行）</p>" if ws.max_row > MAX_HTML_ROWS else "")
        parts.append(f'<section class="sheet"><h3>{html.escape(ws.title)}</h3>'
                     f'<table class="xl">{"".join(rows)}</table>{more}</section>')
    return "".join(parts) or "<p>文件里没有可显示的工作表。</p>"
