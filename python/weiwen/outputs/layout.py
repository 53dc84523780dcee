"""How printed outputs are laid out, as pure arithmetic any writer can use (openpyxl or XlsxWriter).

- One font, set by name on every cell (`FONT`).
- Column widths from the content: a Chinese character takes about two Latin ones.
- Wrapped text: how many lines it needs in a column, and the row height that holds them.
- Pagination: where to break pages so that a heading stays with its rows, no page holds one
  stray row, and a total stays with the rows above it. Excel, WPS and LibreOffice each paginate
  by their own metrics; manual breaks placed a little before the fullest page any of them could
  hold make all of them print the same pages.

Widths are Excel column units (one digit of the default 11 pt font); heights are points.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from dataclasses import dataclass
from collections.abc import Iterable, Sequence

FONT = "宋体"         # Windows Excel/WPS have it; LibreOffice falls back to one CJK family
SIZE = 10.5           # body text (五号)
#: one column-width unit in points: Excel (7 px + 5 px padding per column) and LibreOffice with
#: Calibri's metrics (Carlito) differ a little; pagination assumes the narrower (larger scale)
UNIT_PT_EXCEL, PAD_PT_EXCEL, UNIT_PT_LO = 5.25, 3.75, 5.55
LINE = 1.45           # line height / font size (CJK fonts with their ascent and descent)
A4 = (595.3, 841.9)


@lru_cache(maxsize=4096)
def char_units(ch: str, size: float = SIZE) -> float:
    """Width of one character in column units at `size` pt: 2.1 for a Chinese one, 1.35 for a
    digit or Latin letter (the wider of SimSun's and the fallback fonts' glyphs)."""
    wide = unicodedata.east_asian_width(ch) in ("W", "F")
    return (2.1 if wide else 1.35) * size / 11


def text_units(text: str, size: float = SIZE) -> float:
    """Width of the longest line of `text` in column units."""
    return _text_units(str(text), float(size))


@lru_cache(maxsize=65536)
def _text_units(text: str, size: float) -> float:
    return max((sum(char_units(c, size) for c in line) for line in text.split("\n")),
               default=0.0)


def fit_width(texts: Iterable[str], *, size: float = SIZE, minimum: float = 4.0,
              maximum: float = 60.0, pad: float = 1.6) -> float:
    """The column width that shows the longest of `texts` on one line (within min/max)."""
    longest = max((text_units(t, size) for t in set(texts) if t), default=0.0)
    return round(min(maximum, max(minimum, longest + pad)), 1)


def lines_needed(text: str, width: float, size: float = SIZE, pad: float = 1.2) -> int:
    """Lines `text` takes when wrapped in a column `width` units wide (breaks anywhere between
    Chinese characters, at spaces in Latin text, and at its own line breaks)."""
    room = max(width - pad, 1.0)
    total = 0
    for line in str(text).split("\n"):
        used, count = 0.0, 1
        for ch in line:
            w = char_units(ch, size)
            if used + w > room:
                count += 1
                used = 0.0
            used += w
        total += count
    return max(total, 1)


def row_height(lines: float, size: float = SIZE, *, minimum: float = 0.0) -> float:
    """Points for a row of `lines` lines at `size`."""
    return round(max(minimum, lines * size * LINE + 3), 1)


def wrapped_height(texts: Sequence[tuple[str, float]], size: float = SIZE, *,
                   minimum: float = 0.0, spare: float = 0.0) -> float:
    """Height of a row whose cells (text, column width) wrap; `spare` lines more when a text
    takes two lines or more."""
    lines = max((lines_needed(t, w, size) for t, w in texts if t), default=1)
    return row_height(lines + (spare if lines > 1 else 0.0), size, minimum=minimum)


# --- pagination ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """An A4 page and its margins (inches), landscape or not."""
    landscape: bool = True
    left: float = 0.4
    right: float = 0.4
    top: float = 0.6
    bottom: float = 0.7

    def usable(self) -> tuple[float, float]:
        w, h = (A4[1], A4[0]) if self.landscape else A4
        return w - 72 * (self.left + self.right), h - 72 * (self.top + self.bottom)


def fit_scale(widths: Sequence[float], page: Page) -> float:
    """The largest scale any of Excel, WPS, LibreOffice uses to fit the columns to the width."""
    usable_w, _ = page.usable()
    narrowest = min(sum(widths) * UNIT_PT_EXCEL + PAD_PT_EXCEL * len(widths),
                    sum(widths) * UNIT_PT_LO)
    return min(1.0, usable_w / narrowest) if narrowest else 1.0


@dataclass(frozen=True)
class Line:
    """One row to paginate: its height and what it is.
    kind: 'heading' (keeps with the two rows under it), 'data', 'total' (keeps with the row above),
    'end' (signature / note lines that keep with the total above), 'blank'."""
    height: float
    kind: str = "data"


def page_breaks(lines: Sequence[Line], *, titles: float, widths: Sequence[float], page: Page,
                first: int = 1, slack: float = 0.94) -> list[int]:
    """Row numbers after which a page breaks (`lines[0]` is row `first`).

    Greedy fill up to `slack` of the page (so every application's own break comes later than
    ours), then move rows back so that no heading ends a page, no page starts with a total,
    signature line or the last row of a block alone, and no block leaves one row behind.
    """
    scale = fit_scale(widths, page)
    _, usable_h = page.usable()
    room = (usable_h * slack) / scale - titles
    if room <= 0:
        return []
    n = len(lines)
    breaks: list[int] = []
    start = 0
    while start < n:
        used, end = 0.0, start
        while end < n and used + lines[end].height <= room:
            used += lines[end].height
            end += 1
        if end >= n:
            break
        if end == start:                      # one row taller than a page: it gets its own
            end = start + 1
        cut = _movable_cut(lines, start, end)
        breaks.append(first + cut - 1)
        start = cut
    if breaks:
        _last_page_rows(lines, breaks, first)
    return breaks


def _last_page_rows(lines: Sequence[Line], breaks: list[int], first: int) -> None:
    """The last page holds at least two data rows when the page before can spare them: a block
    of one row (a one-household section and the totals) takes rows from the page above."""
    cut = breaks[-1] - first + 1
    before = breaks[-2] - first + 1 if len(breaks) > 1 else 0
    data = lambda a, b: sum(1 for line in lines[a:b] if line.kind == "data")
    moved = cut
    while data(moved, len(lines)) < 2 and data(before, moved - 1) >= 3:
        moved -= 1
        while moved - 1 > before and (lines[moved].kind in ("total", "end")
                                      or lines[moved - 1].kind in ("heading", "blank")):
            moved -= 1                        # keep totals with their rows, headings with theirs
    if moved != cut and moved - before >= 2:
        breaks[-1] = first + moved - 1


def _movable_cut(lines: Sequence[Line], start: int, end: int) -> int:
    """Where to cut in lines[start:end] (the next page starts at the returned index)."""
    cut = end
    for _ in range(10):                       # at most a few rows move to the next page
        nxt = lines[cut].kind if cut < len(lines) else "data"
        prev = lines[cut - 1].kind
        prev2 = lines[cut - 2].kind if cut - 2 >= start else "heading"
        after = lines[cut + 1].kind if cut + 1 < len(lines) else "end"
        if prev in ("heading", "blank"):
            cut -= 1                          # a heading (or a gap) never ends a page
        elif nxt in ("total", "end"):
            cut -= 1                          # a total or signature line keeps the row above
        elif prev == "data" and prev2 == "heading":
            cut -= 2                          # a heading with one row: both go over
        elif nxt == "data" and after in ("total", "end"):
            cut -= 1                          # the last row of a block never goes over alone
        else:
            break
        if cut - start < 2:
            return end                        # nothing sensible to move: keep the greedy cut
    return cut
