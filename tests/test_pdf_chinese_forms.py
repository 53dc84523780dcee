"""The PDFs made through LibreOffice (签字确认表 --pdf, the workbench's preview, the print check)
draw Chinese in its mainland (Simplified) forms, whatever the locale of the desk.

The Chinese fonts of Linux desks (Noto Sans CJK, fonts-noto-cjk) hold the mainland, Taiwan, Hong
Kong, Japanese and Korean forms of each character and draw those of the text's language, so the
font's name proves nothing (pdffonts even names the mainland face "NotoSansCJKjp": the faces share
one glyph table). What the households see is checked instead: poppler (pdftotext, pdftoppm) finds
and draws each Chinese character of the first page, and it must look like FreeType's (Pillow's)
drawing of that character in the Noto Sans CJK SC face, not in the TC or JP one. Readers we did not
write, on a real signature sheet from the demo.
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from weiwen.names import OUTPUT_DIR, SIGNOFF_DIR
from weiwen.outputs.pdf import convert, find_soffice

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
Image = pytest.importorskip("PIL.Image")
ImageChops = pytest.importorskip("PIL.ImageChops")
ImageDraw = pytest.importorskip("PIL.ImageDraw")
ImageFont = pytest.importorskip("PIL.ImageFont")

REGIONS = {"SC": "Noto Sans CJK SC", "TC": "Noto Sans CJK TC", "JP": "Noto Sans CJK JP"}
DPI = 600
SIDE = 64            # each glyph is compared as a SIDE×SIDE bitmap of its ink
CLEAR = 60           # pixels: the nearest region's form must win by this much to count


def _faces(family: str) -> list[tuple[str, int]]:
    out = subprocess.run(["fc-list", "-f", "%{file}\t%{index}\n", family],
                         capture_output=True, text=True, check=False).stdout
    return [(f, int(i)) for f, i in (line.split("\t") for line in out.splitlines() if line)]


@pytest.fixture(scope="module")
def faces() -> dict[str, list[tuple[str, int]]]:
    missing = [t for t in ("pdftotext", "pdftoppm", "pdffonts", "fc-list") if not shutil.which(t)]
    if not find_soffice() or missing:
        pytest.skip(f"LibreOffice or poppler-utils/fontconfig missing ({', '.join(missing)})")
    found = {region: _faces(family) for region, family in REGIONS.items()}
    if not all(found.values()):
        pytest.skip("Noto Sans CJK SC/TC/JP not installed (Debian: fonts-noto-cjk)")
    return found


def _ink(img) -> object:
    """The glyph's ink, cropped and scaled to SIDE×SIDE, as a 1-bit image."""
    gray = img.convert("L").point(lambda v: 255 if v < 128 else 0)
    box = gray.getbbox()
    assert box, "no ink where the text is"
    return gray.crop(box).resize((SIDE, SIDE), Image.Resampling.BILINEAR).point(
        lambda v: 255 if v >= 128 else 0).convert("1")


@functools.cache
def _reference(file: str, index: int, char: str) -> object:
    font = ImageFont.truetype(file, 200, index=index)
    img = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(img).text((50, 20), char, font=font, fill=0)
    return _ink(img)


def _distance(a, b) -> int:
    return ImageChops.logical_xor(a, b).histogram()[255]


def _page_chars(pdf: Path, tmp: Path) -> list[tuple[str, object]]:
    """Each Chinese character of page 1, as poppler draws it. Words of wide characters only, so
    that each takes an equal share of its word's box."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-gray", "-png",
                    "-singlefile", str(pdf), str(tmp / "page")], check=True, capture_output=True)
    page = Image.open(tmp / "page.png")
    k = DPI / 72
    chars = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">([^<]+)</word>', xml):
        x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
        word = m.group(5)
        if not all(unicodedata.east_asian_width(c) in "WF" for c in word):
            continue
        width = (x1 - x0) / len(word)
        for i, char in enumerate(word):
            if "\u4e00" <= char <= "\u9fff":
                box = (int((x0 + i * width) * k) + 2, int(y0 * k),
                       int((x0 + (i + 1) * width) * k) - 2, int(y1 * k))
                chars.append((char, _ink(page.crop(box))))
    return chars


def _forms(pdf: Path, faces, tmp: Path) -> dict[str, str]:
    """Region → the characters whose drawing is clearly nearest that region's form."""
    forms = {region: "" for region in faces}
    for char, glyph in _page_chars(pdf, tmp):
        near = {region: min(_distance(glyph, _reference(f, i, char)) for f, i in found)
                for region, found in faces.items()}
        best, second = sorted(near.values())[:2]
        if second - best >= CLEAR:
            forms[min(near, key=near.__getitem__)] += char
    return forms


@pytest.mark.parametrize("desk_locale", ["C.UTF-8", "zh_TW.UTF-8", "ja_JP.UTF-8"])
def test_a_signature_sheet_pdf_draws_mainland_forms_whatever_the_desk_locale(
        demo_source, faces, desk_locale, monkeypatch, tmp_path):
    # an ASCII name: under a locale this machine has not generated, LibreOffice cannot open a
    # Chinese file name (on the desks themselves the locale is installed)
    sheet = tmp_path / "sheet.xlsx"
    shutil.copyfile(demo_source / OUTPUT_DIR / SIGNOFF_DIR / "东湖社区.xlsx", sheet)
    for name in ("LC_ALL", "LC_CTYPE", "LANG", "LANGUAGE"):
        monkeypatch.setenv(name, desk_locale)
    pdf = convert([sheet], tmp_path / "pdf")[sheet]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), \
        "every font embedded, so the forms printed are the ones checked here:\n" + "\n".join(fonts)
    forms = _forms(pdf, faces, tmp_path)
    others = {region: chars for region, chars in forms.items() if region != "SC" and chars}
    assert not others, f"characters drawn in other regions' forms: {others}"
    assert len(forms["SC"]) >= 10, forms       # the header, 须知 and names: enough to tell
