"""A written workbook as Excel meets it, for the tests: its XML parts through a strict parser
(calamine, Weiwen's reader, forgives a part cut short; Excel does not), its zip entries' local
headers as written, and a workbook rewritten with some parts changed or left out (damage)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

XML_PARTS = (".xml", ".rels", ".vml")


def unparsable(path: Path) -> list[str]:
    """'part: why' for each XML part of the workbook a strict XML parser refuses."""
    bad = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.endswith(XML_PARTS):
                try:
                    ET.fromstring(archive.read(info))
                except ET.ParseError as exc:
                    bad.append(f"{info.filename}: {exc}")
    return bad


class LocalHeader(NamedTuple):
    name: str
    version: int           # needed to extract: 20 plain, 45 with ZIP64
    extra_ids: list[int]   # 0x0001: ZIP64 sizes
    sizes_deferred: bool   # both sizes 0xFFFFFFFF: they are in the ZIP64 field


def local_headers(path: Path) -> list[LocalHeader]:
    """Each entry's local header as written (zipfile reads the central directory instead)."""
    out = []
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        for info in archive.infolist():
            raw.seek(info.header_offset)
            head = raw.read(30)
            name_len, extra_len = (int.from_bytes(head[26:28], "little"),
                                   int.from_bytes(head[28:30], "little"))
            extra = raw.read(name_len + extra_len)[name_len:]
            ids = []
            while len(extra) >= 4:
                ids.append(int.from_bytes(extra[:2], "little"))
                extra = extra[4 + int.from_bytes(extra[2:4], "little"):]
            out.append(LocalHeader(info.filename, int.from_bytes(head[4:6], "little"), ids,
                                   head[18:26] == b"\xff" * 8))
    return out


def zip64(header: LocalHeader) -> bool:
    return header.version > 20 or 0x0001 in header.extra_ids or header.sizes_deferred


def rewrite(path: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """The workbook written again with each part's bytes as `change(name, bytes)` gives them
    (None: the part left out)."""
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            changed = change(info.filename, data)
            if changed is not None:
                archive.writestr(info, changed)


def cut_after_rows(path: Path, sheets: tuple[str, ...]) -> None:
    """The parts of `sheets` cut right after </sheetData>, as an earlier version's re-merge
    wrote them (calamine reads such a part; Excel calls the workbook damaged)."""
    from weiwen.sheet_splice import sheet_paths
    with zipfile.ZipFile(path) as archive:
        cut = {sheet_paths(archive)[s] for s in sheets}
    rewrite(path, lambda name, data: data[:data.index(b"</sheetData>") + len(b"</sheetData>")]
            if name in cut else data)
