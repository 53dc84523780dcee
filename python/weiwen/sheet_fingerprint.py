"""A sheet's fingerprint in a workbook on disk: what decides the values its cells read as.

Used to know, without reading 100,000 rows, that 名册 is still the sheet Weiwen wrote
(books/sheet_memo.py): any edit — the clerk's in Excel or WPS, a restored backup, another
program — changes it.
"""
from __future__ import annotations

import hashlib
import struct
import zipfile
from pathlib import Path
from collections.abc import Iterable

from .sheet_splice import sheet_paths

#: parts besides a sheet's own that decide what its cells read as: the 1904 date system
#: (workbook.xml), number formats (styles.xml), shared strings
_CONTEXT_PARTS = ("xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml")
_LOCAL_HEADER = struct.Struct("<4s22xHH")


def fingerprints(path: Path, names: Iterable[str]) -> dict[str, str]:
    """Sheet name → a digest of what its cells read as: the sheet part's stored (compressed)
    bytes, plus the CRC and size of the parts that give them meaning. Reads the compressed
    bytes only (a 100,000-row 名册 is ~10 MB of them, ~80 MB inflated). Sheets the workbook
    lacks are left out."""
    with zipfile.ZipFile(path) as archive:
        return archive_fingerprints(archive, names)


def archive_fingerprints(archive: zipfile.ZipFile, names: Iterable[str]) -> dict[str, str]:
    """`fingerprints` of a workbook already open (a writer checks the very file it copies rows
    from); the stored bytes are read from the archive's own file."""
    raw = archive.fp
    if raw is None:
        raise ValueError("the workbook is closed")
    out: dict[str, str] = {}
    paths = sheet_paths(archive)
    context = "|".join(f"{n}:{i.CRC}:{i.file_size}" for n in _CONTEXT_PARTS
                       if (i := archive.NameToInfo.get(n)) is not None)
    for name in names:
        info = archive.NameToInfo.get(paths.get(name, ""))
        if info is None:
            continue
        raw.seek(info.header_offset)
        magic, name_len, extra_len = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
        if magic != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        raw.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        digest = hashlib.sha256(f"{info.filename}|{info.compress_type}|{info.CRC}|"
                                f"{info.file_size}|{context}|".encode())
        left = info.compress_size
        while left > 0:
            block = raw.read(min(left, 1 << 20))
            if not block:
                raise zipfile.BadZipFile(f"{info.filename} is truncated")
            digest.update(block)
            left -= len(block)
        out[name] = digest.hexdigest()
    return out
