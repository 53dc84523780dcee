"""Render workbooks through LibreOffice headless, one PDF per visible sheet, and PNG pages.

LibreOffice numbers pages across the whole workbook, so to know which page belongs to which
sheet each visible sheet is rendered from its own copy of the file in which every other sheet is
hidden (only the `state` attributes of xl/workbook.xml change; every other part is copied byte
for byte, so the check sees the file as its writer made it, whichever writer that was).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence

from ..outputs.pdf import PdfUnavailable, convert

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?/?>")
_STATE = re.compile(rb'\sstate="[^"]*"')
_SHEET_PARTS = re.compile(rb"(<(?:\w+:)?sheet\b)([^>]*?/?>)")       # _SHEET as (name, the rest)


@dataclass
class Rendered:
    source: Path          # the workbook
    sheet: int            # index among all its sheets
    name: str
    pdf: Path


def sheet_states(path: Path) -> list[tuple[str, str]]:
    """(name, state) of every sheet, in workbook order."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml")
    out = []
    for tag in _SHEET.findall(xml):
        name = re.search(rb'\sname="([^"]*)"', tag)
        state = re.search(rb'\sstate="([^"]*)"', tag)
        out.append((_unescape(name.group(1).decode()) if name else "",
                    state.group(1).decode() if state else "visible"))
    return out


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def only_sheet(path: Path, index: int, target: Path) -> Path:
    """A copy of `path` in which only sheet `index` is visible (and active). The hidden sheets
    lose their drawings too: LibreOffice prints the charts of hidden sheets."""
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        parts = _sheet_parts(z)
        others = {p for i, p in enumerate(parts) if i != index}
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = _show_only(data, index)
            elif item.filename in others:
                data = _DRAWING.sub(b"", data)
            out.writestr(item, data)
    return target


_DRAWING = re.compile(rb"<(?:\w+:)?drawing\b[^>]*/>")


def _sheet_parts(z: zipfile.ZipFile) -> list[str]:
    """The part name of each sheet in workbook order (through xl/_rels/workbook.xml.rels)."""
    rels = z.read("xl/_rels/workbook.xml.rels")
    targets = {m.group(1): m.group(2) for m in re.finditer(
        rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(
        rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    parts = []
    for tag in _SHEET.findall(z.read("xl/workbook.xml")):
        rid = re.search(rb'\br:id="([^"]+)"|\bid="([^"]+)"', tag)
        target = targets.get(rid.group(1) or rid.group(2), b"").decode() if rid else ""
        target = target.lstrip("/")
        parts.append(target if target.startswith("xl/") else "xl/" + target)
    return parts


def _show_only(xml: bytes, index: int) -> bytes:
    counter = iter(range(10**6))

    def one(match: re.Match[bytes]) -> bytes:
        state = b"visible" if next(counter) == index else b"hidden"
        return match.group(1) + b' state="' + state + b'"' + _STATE.sub(b"", match.group(2))

    xml = _SHEET_PARTS.sub(one, xml)
    # LibreOffice prints a hidden sheet that has a print area: keep only this sheet's
    xml = re.sub(rb'<definedName\b[^>]*name="_xlnm.Print_Area"[^>]*localSheetId="(\d+)"[^>]*>.*?</definedName>',
                 lambda m: m.group(0) if int(m.group(1)) == index else b"", xml, flags=re.S)
    xml = re.sub(rb'<definedName\b[^>]*localSheetId="(\d+)"[^>]*name="_xlnm.Print_Area"[^>]*>.*?</definedName>',
                 lambda m: m.group(0) if int(m.group(1)) == index else b"", xml, flags=re.S)
    # the active and first tab: replaced, or added where the file leaves them at their default
    # 0 (XlsxWriter and Excel omit them), else LibreOffice prints the hidden first sheet
    for name in (b"activeTab", b"firstSheet"):
        value = name + b'="%d"' % index
        if re.search(name + rb'="\d+"', xml):
            xml = re.sub(name + rb'="\d+"', value, xml)
        else:
            xml = re.sub(rb"<((?:\w+:)?workbookView)\b", rb"<\1 " + value, xml, count=1)
    return xml


def render(files: Sequence[Path], workdir: Path) -> list[Rendered]:
    """Every visible sheet of every file to its own PDF (one LibreOffice run for all)."""
    workdir = Path(workdir)
    inputs = workdir / "in"
    inputs.mkdir(parents=True, exist_ok=True)
    plan: list[tuple[Path, int, str, Path]] = []
    for n, path in enumerate(files):
        states = sheet_states(path)
        visible = [i for i, (_, state) in enumerate(states) if state == "visible"]
        for i in visible:
            copy = inputs / f"f{n:04d}-s{i:02d}.xlsx"
            if len(visible) == 1:
                shutil.copyfile(path, copy)
            else:
                only_sheet(path, i, copy)
            plan.append((Path(path), i, states[i][0], copy))
    made = _convert_all([c for *_, c in plan], workdir / "pdf")
    return [Rendered(src, i, name, made[copy]) for src, i, name, copy in plan]


BATCH = 40


def _convert_all(files: list[Path], outdir: Path) -> dict[Path, Path]:
    """LibreOffice in batches (one long run over hundreds of files may stop early); a file it
    skipped gets one more try on its own."""
    made: dict[Path, Path] = {}
    for start in range(0, len(files), BATCH):
        batch = files[start:start + BATCH]
        try:
            made.update(convert(batch, outdir))
        except PdfUnavailable:
            for f in batch:
                pdf = outdir / (f.stem + ".pdf")
                made[f] = pdf if pdf.is_file() else convert([f], outdir)[f]
    return made


def to_png(pdf: Path, prefix: Path, *, dpi: int = 60) -> list[Path]:
    """Every page of `pdf` as prefix-N.png (pdftoppm), for a person to look at."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True,
                   capture_output=True, timeout=300)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))
