"""The codeNames a LibreOffice save drops, put back when Weiwen next writes the workbook.

Weiwen.xlsm ships with the codeNames Excel gives a workbook with a first macro (ThisWorkbook,
Sheet1 … SheetN, excel_parts.set_code_names) and a VBA project holding one document module per
codeName. A clerk on a Linux desk or with WPS edits the workbook in LibreOffice Calc and saves it
as .xlsm: LibreOffice keeps the ribbon and rewrites the VBA project with the same document
modules, but writes no codeName on the workbook or its sheets. The module's `ThisWorkbook` then
finds no workbook (LibreOffice itself runs the buttons' self-test to no effect), and Excel meets
document modules that belong to nothing. Every write of the command line and the page restores
them from the project's own list of document modules: the workbook's is ThisWorkbook, a sheet's
is Sheet<its place>, as the workbook was built.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

WORKBOOK_MODULE = "ThisWorkbook"
_DOCUMENT = re.compile(rb"^Document=([^/\r\n]+)/", re.M)
WORKBOOK_PR = re.compile(rb"<((?:\w+:)?)workbookPr\b([^>]*?)(/?)>")
_WORKBOOK_OPEN = re.compile(rb"<((?:\w+:)?)workbook\b[^>]*>")
_SHEET_PR = re.compile(rb"<((?:\w+:)?)sheetPr\b([^>]*?)(/?)>")
_WORKSHEET_OPEN = re.compile(rb"<((?:\w+:)?)worksheet\b[^>]*>")
_CODE_NAME = re.compile(rb"\bcodeName=\"([^\"]*)\"")

Mend = Callable[[bytes], bytes]


def document_modules(vba_project: bytes) -> set[str]:
    """The document modules the VBA project declares (its PROJECT stream's Document= lines);
    empty when the project cannot be read (then nothing is mended)."""
    # imported here: a quarter of a second, paid only by a workbook LibreOffice saved
    from pyopenvba.cfb import CFB  # noqa: PLC0415
    try:
        project = CFB.from_bytes(vba_project).get_stream("PROJECT")
    except Exception:  # pyopenvba raises what its parser meets in a damaged container
        return set()
    return {m.group(1).decode("latin-1") for m in _DOCUMENT.finditer(project)}


def code_name(xml: bytes, element: re.Pattern[bytes]) -> str | None:
    """The codeName on the first `element` (workbookPr / sheetPr) of a part, None when absent."""
    found = element.search(xml)
    named = _CODE_NAME.search(found.group(2)) if found else None
    return named.group(1).decode("utf-8") if named else None


def _with_code_name(xml: bytes, name: str, element: re.Pattern[bytes],
                    root: re.Pattern[bytes], tag: bytes) -> bytes:
    """`xml` with codeName="name" on its first `element`, the element added as the root's first
    child when absent (workbookPr and sheetPr both come first in their parts' schemas, after
    fileVersion for workbookPr)."""
    value = b' codeName="' + name.encode("utf-8") + b'"'
    found = element.search(xml)
    if found is not None:
        return xml[:found.end(2)] + value + xml[found.end(2):]
    opened = root.search(xml)
    if opened is None:
        return xml
    at = opened.end()
    version = re.compile(rb"<(?:\w+:)?fileVersion\b[^>]*/>").match(xml, at)
    if tag == b"workbookPr" and version is not None:
        at = version.end()
    return xml[:at] + b"<" + opened.group(1) + tag + value + b"/>" + xml[at:]


def mends(vba_project: bytes | None, workbook_xml: bytes,
          sheet_heads: Sequence[tuple[str, bytes]]) -> dict[str, Mend]:
    """Part → what puts its codeName back, for the workbook (key "xl/workbook.xml") and the
    sheets (`sheet_heads`: each worksheet part in sheet order with its start, up to its rows)
    that have none while the VBA project has the document module Excel would tie them to, and
    no other part holds that name. Nothing when the workbook has no VBA project."""
    if not vba_project:
        return {}
    modules = document_modules(vba_project)
    if not modules:
        return {}
    used = {n for n in [code_name(workbook_xml, WORKBOOK_PR),
                        *(code_name(h, _SHEET_PR) for _, h in sheet_heads)] if n}
    out: dict[str, Mend] = {}
    if code_name(workbook_xml, WORKBOOK_PR) is None and WORKBOOK_MODULE in modules \
            and WORKBOOK_MODULE not in used:
        out["xl/workbook.xml"] = lambda xml: _with_code_name(
            xml, WORKBOOK_MODULE, WORKBOOK_PR, _WORKBOOK_OPEN, b"workbookPr")
    for place, (part, head) in enumerate(sheet_heads, start=1):
        name = f"Sheet{place}"
        if code_name(head, _SHEET_PR) is None and name in modules and name not in used:
            out[part] = _sheet_mend(name)
    return out


def _sheet_mend(name: str) -> Mend:
    return lambda xml: _with_code_name(xml, name, _SHEET_PR, _WORKSHEET_OPEN, b"sheetPr")
