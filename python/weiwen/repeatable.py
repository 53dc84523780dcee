"""Repeatable bytes for the Office files the build ships (the workbook, the signature template).

openpyxl stamps each zip entry and docProps/core.xml with the time of saving; fixed stamps and a
stable entry order make the same source give the same bytes, so a rebuild shows no diff.
"""
from __future__ import annotations

import io
import re
import zipfile

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = "2026-01-01T00:00:00Z"


def normalise_zip(data: bytes) -> bytes:
    """Fixed timestamps and document dates, entries in a stable order: a repeatable file."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + FIXED_DOC_TIME.encode() + rb"\g<3>", body)
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, body)
    return out.getvalue()
