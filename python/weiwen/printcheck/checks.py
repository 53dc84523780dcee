"""The checks on a rendered sheet: the page as a person reads it against what the file holds.

`check_sheet` places every printed row on its page (rows come in order; each row's texts are
looked for on the page and used up there), then asks: is anything printed as ###, is each
cell's text whole, is the header on every page, is the sheet one page wide, is any page only a
heading or one stray row, is each 合计 beside its 大写, is the page count in bounds, does text run
over a table line or over other text. `check_fonts` asks the same of a whole document's fonts.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .display import squash
from .pdfpage import Page, crossing_runs, outside_table, overlapping_runs
from .sheet import Row, SheetModel, page_bound

#: families that draw serif (Song/Ming) glyphs; mixing them with sans ones is a fallback
_SERIF = re.compile(r"Serif|Times|Roman|Georgia|Cambria|Mincho|Ming|Song|SimSun|Batang", re.I)
_EXAMPLES = 3
#: a text this short (a name, a category, an amount) should print on one line
SHORT = 12


@dataclass(frozen=True)
class Finding:
    file: str
    sheet: str
    page: int | None          # page of the sheet (1-based), None for the whole sheet/file
    check: str                # hashes clipped missing header width heading orphan daxie pages
                              # crossing overlap outside font serif blank wrapped privacy
    message: str

    def __str__(self) -> str:
        where = f"{self.file}〔{self.sheet}〕" + (f" 第 {self.page} 页" if self.page else "")
        return f"{where}：{self.message}"


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _take(avail: Counter[str], need: Counter[str]) -> Counter[str]:
    """Use up what of `need` is available; returns what was missing."""
    missing: Counter[str] = Counter()
    for text, n in need.items():
        got = min(avail[text], n)
        avail[text] -= got
        if got < n:
            missing[text] = n - got
    return missing


def place_rows(model: SheetModel, pages: list[Page], out: list[Finding], file: str
               ) -> dict[int, list[Row]]:
    """Page → the body rows printed on it (and findings for header rows and unfound text)."""
    avail = [p.groups() for p in pages]
    singles = [Counter(squash(r.text) for r in p.runs) for p in pages]
    title_need = Counter(t for row in model.titles for _, t in row.texts)
    for page, stock in zip(pages, avail):
        missing = _take(stock, title_need)
        if missing and title_need:
            out.append(Finding(file, model.name, page.number, "header",
                               "表头没有在本页重复打印（缺：" + "、".join(
                                   _short(t) for t in list(missing)[:_EXAMPLES]) + "）"))
    on_page: dict[int, list[Row]] = {p.number: [] for p in pages}
    clipped: dict[str, list[tuple[int, int]]] = {}
    wrapped: dict[str, list[tuple[int, int]]] = {}
    pointer = 0
    for row in model.body:
        if not row.texts:
            continue
        need = Counter(t for _, t in row.texts)
        chosen = next((i for i in range(pointer, min(pointer + 3, len(pages)))
                       if all(avail[i][t] >= n for t, n in need.items())), None)
        if chosen is None:
            scores = [(sum(min(avail[i][t], n) for t, n in need.items()), -i)
                      for i in range(pointer, len(pages))]
            best = max(scores, default=(0, 0))
            if best[0] == 0:
                out.append(Finding(file, model.name, None, "missing",
                                   f"第 {row.number} 行没有打印出来（"
                                   + "、".join(_short(t) for t in list(need)[:_EXAMPLES]) + "）"))
                continue
            chosen = -best[1]
        number = pages[chosen].number
        missing = _take(avail[chosen], need)
        for text in missing:
            clipped.setdefault(text, []).append((row.number, number))
        for text in need:
            if text not in missing and len(text) <= SHORT and text not in row.multiline and not singles[chosen][text]:
                wrapped.setdefault(text, []).append((row.number, number))
        pointer = chosen
        on_page[number].append(row)
    for text, where in clipped.items():
        out.append(Finding(file, model.name, where[0][1], "clipped",
                           f"{_rows(where)}的“{_short(text)}”没有完整打印"
                           f"（被截断、换行后被裁掉或显示为 ###）"))
    for text, where in wrapped.items():
        out.append(Finding(file, model.name, where[0][1], "wrapped",
                           f"{_rows(where)}的“{text}”被折成两行（列太窄）"))
    return on_page


def _rows(where: list[tuple[int, int]]) -> str:
    rows = [r for r, _ in where]
    shown = "、".join(str(r) for r in rows[:_EXAMPLES])
    return f"第 {shown}{'…' if len(rows) > _EXAMPLES else ''} 行" + (
        f"（共 {len(rows)} 行）" if len(rows) > _EXAMPLES else "")


def _page_layout(model: SheetModel, pages: list[Page], on_page: dict[int, list[Row]],
                 out: list[Finding], file: str) -> None:
    """No page only a heading or one stray row; no heading left at the foot of a page."""
    data_total = sum(r.kind == "data" for r in model.body)
    if len(pages) < 2:
        return
    numbers = [p.number for p in pages]
    for i, n in enumerate(numbers):
        rows = on_page[n]
        if not rows:
            out.append(Finding(file, model.name, n, "blank", "本页没有表格内容（空白页或只有表头）"))
            continue
        data = [r for r in rows if r.kind == "data"]
        if not any(r.kind in ("data", "total") for r in rows):
            out.append(Finding(file, model.name, n, "heading", "本页只有标题或签名栏，没有表格行"))
        elif data_total >= 4 and len(data) < 2:
            what = "一行" if data else "合计行"
            out.append(Finding(file, model.name, n, "orphan",
                               f"本页只有{what}（第 {rows[0].number} 行），应与上一页的行排在一起"))
        last = rows[-1]
        following = on_page[numbers[i + 1]] if i + 1 < len(numbers) else []
        if last.kind == "heading" and following and following[0].kind == "data":
            out.append(Finding(file, model.name, n, "heading",
                               f"标题“{_short(last.texts[0][1])}”在页尾，它的表格在下一页"))


def _one_page_wide(model: SheetModel, pages: list[Page], out: list[Finding], file: str) -> None:
    first = model.column_texts.get(min(model.column_texts, default=0), set())
    last = model.column_texts.get(max(model.column_texts, default=0), set())
    if not first or not last:
        return
    for page in pages:
        texts = page.groups()
        if not (first & texts.keys()) or not (last & texts.keys()):
            side = "左侧" if not first & texts.keys() else "右侧"
            out.append(Finding(file, model.name, page.number, "width",
                               f"不是一页宽：本页缺少表格{side}的列（列被分到了另一页）"))


def check_sheet(model: SheetModel, pages: list[Page], file: str) -> list[Finding]:
    out: list[Finding] = []
    for page in pages:
        hashes = [r for r in page.runs if "###" in r.text]
        if hashes:
            out.append(Finding(file, model.name, page.number, "hashes",
                               f"有 {len(hashes)} 处显示为 ###（列太窄，数字放不下）"))
    if model.title_rows and pages and not any(r.texts for r in model.body):
        out.append(Finding(file, model.name, None, "heading",
                           "表格只有表头，没有一行内容（空表请写一行说明为什么是空的）"))
    if len(pages) > 1 and not model.title_rows:
        out.append(Finding(file, model.name, None, "header", "有多页，但没有设置每页重复打印表头"))
    on_page = place_rows(model, pages, out, file)
    _page_layout(model, pages, on_page, out, file)
    _one_page_wide(model, pages, out, file)
    page_of = {row.number: n for n, rows in on_page.items() for row in rows}
    for total in model.totals:
        if total.daxie_row is None:
            out.append(Finding(file, model.name, page_of.get(total.row), "daxie",
                               f"第 {total.row} 行的合计 {total.amount:,.2f} 旁边没有大写金额"))
        elif page_of.get(total.row) != page_of.get(total.daxie_row):
            out.append(Finding(file, model.name, page_of.get(total.row), "daxie",
                               f"第 {total.row} 行的合计和它的大写金额不在同一页"))
    bound = page_bound(model.expected_pages, model.kept_share)
    if len(pages) > bound:
        out.append(Finding(file, model.name, None, "pages",
                           f"打印了 {len(pages)} 页，按行数最多应为 {bound} 页"))
    for page in pages:
        crossing = crossing_runs(page)
        if crossing:
            out.append(Finding(file, model.name, page.number, "crossing",
                               "文字越过表格线（被截断）：" + "、".join(
                                   _short(r.text) for r in crossing[:_EXAMPLES])))
        beyond = outside_table(page)
        if beyond:
            out.append(Finding(file, model.name, page.number, "outside",
                               "文字超出表格两边（被截断）：" + "、".join(
                                   _short(r.text) for r in beyond[:_EXAMPLES])))
        overlaps = overlapping_runs(page)
        if overlaps:
            out.append(Finding(file, model.name, page.number, "overlap",
                               "文字互相重叠：" + "、".join(
                                   f"“{_short(a.text, 12)}”与“{_short(b.text, 12)}”"
                                   for a, b in overlaps[:_EXAMPLES])))
    return out


def check_fonts(file: str, pages: list[Page]) -> list[Finding]:
    """One CJK family for the whole document and no serif family beside sans ones."""
    families: Counter[str] = Counter()
    cjk: set[str] = set()
    for page in pages:
        families.update(page.fonts)
        cjk |= page.cjk_fonts
    out = []
    if len(cjk) > 1:
        out.append(Finding(file, "", None, "font", "中文用了不止一种字体：" + "、".join(sorted(cjk))))
    serif = {f for f in families if _SERIF.search(f)}
    if serif and serif != set(families):
        out.append(Finding(file, "", None, "serif",
                           f"有文字退回到衬线字体 {'、'.join(sorted(serif))}（其余是 "
                           f"{'、'.join(sorted(set(families) - serif))}）：单元格没有设置字体名"))
    return out


def check_cell_fonts(file: str, models: list[SheetModel]) -> list[Finding]:
    """Every printed cell asks for the same font by name."""
    fonts: Counter[str] = Counter()
    example: dict[str, str] = {}
    for m in models:
        fonts.update(m.fonts)
        for name, cell in m.font_examples.items():
            example.setdefault(name, f"〔{m.name}〕{cell}")
    if len(fonts) <= 1 and "（未设字体）" not in fonts:
        return []
    listed = "、".join(f"{name} {n} 格（如 {example[name]}）" for name, n in fonts.most_common())
    return [Finding(file, "", None, "font", f"单元格字体不统一：{listed}")]
