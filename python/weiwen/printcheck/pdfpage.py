"""A rendered page as text runs and table lines (pdfplumber), and what can go wrong on it.

A run is a stretch of glyphs LibreOffice drew in one go: consecutive in the content stream, on
one line, each glyph starting where the previous one ended. One cell's line of text is one run
(a wrapped cell is several runs, one per line). LibreOffice leaves out the glyphs a cell clips,
so clipped text shows up as a run shorter than the cell's text, and the one glyph cut in half
as a run crossing a table line.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .display import squash

if TYPE_CHECKING:                   # pdfplumber is an optional dependency, imported where a page is read
    import pdfplumber.page

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
MAX_LINES = 8          # a cell's text may be found over this many consecutive runs (wrapped lines)


@dataclass
class Run:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Page:
    number: int                                   # 1-based, within its sheet's PDF
    runs: list[Run]
    vlines: list[tuple[float, float, float]]      # (x, top, bottom)
    hlines: list[tuple[float, float, float]]      # (y, x0, x1)
    fonts: Counter[str] = field(default_factory=Counter)     # font family → glyphs
    cjk_fonts: set[str] = field(default_factory=set)         # families that drew Chinese
    width: float = 0.0
    height: float = 0.0

    def groups(self) -> Counter[str]:
        """Every text a cell could print here: each run, and each stretch of up to MAX_LINES
        consecutive runs joined (a wrapped cell), white space removed."""
        found: Counter[str] = Counter()
        texts = [squash(r.text) for r in self.runs]
        for i in range(len(texts)):
            joined = ""
            for j in range(i, min(i + MAX_LINES, len(texts))):
                joined += texts[j]
                if joined:
                    found[joined] += 1
        return found


def family(fontname: str) -> str:
    """'BAAAAA+NotoSansCJKjp-Bold-VKana' → 'NotoSansCJKjp' (subset tag and style dropped)."""
    name = fontname.split("+", 1)[-1]
    name = re.split(r"[-,]", name)[0]
    return re.sub(r"(Bold|Italic|Oblique|Regular|Medium|Light)+$", "", name) or name


def read_page(page: pdfplumber.page.Page, number: int) -> Page:
    runs: list[Run] = []
    fonts: Counter[str] = Counter()
    current: list[dict[str, Any]] = []      # pdfplumber's characters

    def close() -> None:
        if current:
            runs.append(Run("".join(c["text"] for c in current), current[0]["x0"],
                            max(c["x1"] for c in current), min(c["top"] for c in current),
                            max(c["bottom"] for c in current), current[0]["size"]))
            current.clear()

    cjk: set[str] = set()
    for ch in page.chars:
        name = family(ch.get("fontname", ""))
        fonts[name] += 1
        if ch["text"] and _CJK.match(ch["text"]):
            cjk.add(name)
        if current:
            prev = current[-1]
            size = max(prev["size"], 1.0)
            same_line = abs(ch["bottom"] - prev["bottom"]) <= 0.3 * size
            gap = ch["x0"] - prev["x1"]
            if not (same_line and -0.3 * size <= gap <= 0.15 * size):
                close()
        current.append(ch)
    close()
    vlines, hlines = [], []
    for e in page.edges:
        if e["orientation"] == "v" and e["height"] > 2:
            vlines.append((round(e["x0"], 2), e["top"], e["bottom"]))
        elif e["orientation"] == "h" and e["width"] > 2:
            hlines.append((round(e["top"], 2), e["x0"], e["x1"]))
    return Page(number, runs, vlines, hlines, fonts, cjk, float(page.width), float(page.height))


def crossing_runs(page: Page) -> list[Run]:
    """Runs that a table line cuts through: text running over a cell border, sideways (LibreOffice
    has cut the glyph that crosses it) or at the top or bottom (a wrapped line the row is too
    low for)."""
    out = []
    for run in page.runs:
        mid = (run.top + run.bottom) / 2
        tol = 0.08 * run.size + 0.3
        vtol = 0.2 * (run.bottom - run.top)
        if any(run.x0 + tol < x < run.x1 - tol and top <= mid <= bottom
               for x, top, bottom in page.vlines) or any(
                run.top + vtol < y < run.bottom - vtol and x0 < run.x1 - tol and x1 > run.x0 + tol
                for y, x0, x1 in page.hlines):
            out.append(run)
    return out


def overlapping_runs(page: Page) -> list[tuple[Run, Run]]:
    """Pairs of runs drawn over each other (each overlap more than a third of the smaller)."""
    runs = sorted(page.runs, key=lambda r: r.top)
    out = []
    for i, a in enumerate(runs):
        for b in runs[i + 1:]:
            if b.top >= a.bottom:
                break
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.bottom, b.bottom) - max(a.top, b.top)
            if w <= 0 or h <= 0:
                continue
            smaller = min((a.x1 - a.x0) * (a.bottom - a.top), (b.x1 - b.x0) * (b.bottom - b.top))
            if smaller > 0 and w * h > smaller / 3 and squash(a.text) and squash(b.text):
                out.append((a, b))
    return out


def outside_table(page: Page) -> list[Run]:
    """Runs that reach past the left or right edge of the page's tables (a title wider than the
    table it is merged over is cut at both ends). The header and footer zones are left out."""
    if not page.vlines:
        return []
    left = min(x for x, _t, _b in page.vlines)
    right = max(x for x, _t, _b in page.vlines)
    out = []
    for run in page.runs:
        if run.top < page.height * 0.05 or run.bottom > page.height * 0.93:
            continue
        tol = 0.1 * run.size + 0.5
        if squash(run.text) and (run.x0 < left - tol or run.x1 > right + tol):
            out.append(run)
    return out
