"""What a returned file really is, from its first bytes (units rename files; systems export web
pages as ".xls"): the reader chosen follows the content, not the extension. Light module.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from . import reasons as R

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
#: BOF records of BIFF2, BIFF3, BIFF4 worksheets and BIFF4W workbooks (not inside an OLE file)
BIFF_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04")

_OTHER = (
    (b"%PDF", "PDF 文件"),
    (b"\x89PNG", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF8", "图片"),
    (b"BM", None),            # too short a signature to trust alone
    (b"{\\rtf", "RTF 文档"),
)
_ARCHIVES = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")


def sniff(path: Path) -> str:
    """'empty', 'zip', 'ole', 'biff', 'text', or raises ReadFailure for what is not a table."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head:
        return "empty"
    if head.startswith(ZIP) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(OLE):
        return "ole"
    if head[:2] in BIFF_BOF and len(head) >= 4 and 4 <= int.from_bytes(head[2:4], "little") <= 20:
        return "biff"
    for magic, what in _OTHER:
        if what and head.startswith(magic):
            raise R.ReadFailure(R.RENAMED.format(what=what), f"signature {magic!r}")
    if head.startswith(_ARCHIVES):
        raise R.ReadFailure(R.ARCHIVE, "archive signature")
    lowered = head.lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"mime-version:")) \
            or (lowered.startswith(b"<?xml") and b"<html" in lowered):
        raise R.ReadFailure(R.HTML, "html")
    if lowered.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        raise R.ReadFailure(R.XML2003, "SpreadsheetML 2003")
    if not looks_like_text(head):
        raise R.ReadFailure(R.RENAMED.format(what="无法识别的内容"), "binary, no known signature")
    return "text"


def looks_like_text(sample: bytes) -> bool:
    """Delimited text: decodes (UTF-16, UTF-8, GB18030) and has next to no control characters."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:      # UTF-16 without a BOM
        halves = sample[0::2].count(0), sample[1::2].count(0)
        return max(halves) >= len(sample) // 2 - 2 and min(halves) <= len(sample) // 16
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\x0c\x1a")
    return controls <= len(text) // 100
