"""Replace the rows of worksheets inside an existing .xlsx/.xlsm, leaving every other part alone.

Why: loading the campaign workbook with openpyxl to replace a 100,000-row 名册 costs minutes and
round-trips every part through openpyxl's model (which drops what it does not know). Here only the
`<sheetData>` of the named sheets is regenerated (streamed, inline strings); the sheet's columns,
frozen panes, data validations and conditional formats, and every other zip entry — VBA project,
ribbon, the clerk's own sheets — are copied byte for byte.

Strings are always written as text cells, so a value starting with = + - @ can never become a
formula. Characters XML cannot hold (control characters) are dropped.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape

import pandas as pd
from openpyxl.utils import get_column_letter

from .names import PROBLEM_KINDS_SHEET

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEETDATA = re.compile(rb"<(?:\w+:)?sheetData\s*/>|<(?:\w+:)?sheetData>.*?</(?:\w+:)?sheetData>",
                        re.S)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[^\"]*\"\s*/>")
_FIRST_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*\br=\"1\"[^>]*>(.*?)</(?:\w+:)?row>", re.S)
_STYLE = re.compile(rb"\bs=\"(\d+)\"")
_MERGES = re.compile(rb"<(?:\w+:)?mergeCells\b.*?</(?:\w+:)?mergeCells>", re.S)


class SpliceError(Exception):
    """The workbook's structure is not what we expect (caller falls back to openpyxl)."""


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip path of its XML, from workbook.xml and its relationships."""
    import xml.etree.ElementTree as ET
    wb = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in wb.iter():
        if sheet.tag.endswith("}sheet"):
            rid = sheet.get(f"{{{_NS_REL}}}id")
            target = targets.get(rid, "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            out[sheet.get("name")] = path
    return out


def _cell_xml(ref: str, value: Any, style: str = "") -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and math.isfinite(value):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>' if isinstance(value, float) \
            else f'<c r="{ref}"{style}><v>{value}</v></c>'
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        value = value.date().isoformat() if isinstance(value, dt.datetime) and \
            value.time() == dt.time() else value.isoformat()
    text = _ILLEGAL.sub("", str(value))
    if not text:
        return ""
    return (f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
            f"{escape(text)}</t></is></c>")


def _rows_xml(rows: Iterable[Sequence[Any]], header_style: str) -> Iterable[str]:
    letters: list[str] = []
    for r, values in enumerate(rows, start=1):
        values = list(values)
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        style = header_style if r == 1 else ""
        cells = "".join(_cell_xml(f"{l}{r}", v, style) for l, v in zip(letters, values))
        yield f'<row r="{r}">{cells}</row>'


Table = tuple[Sequence[Any], Iterable[Sequence[Any]], int, int]   # header, rows, n_rows, n_cols


def as_table(data: pd.DataFrame | Sequence[Sequence[Any]]) -> Table:
    """A DataFrame (header = its columns) or raw rows (header = the first row) as a Table."""
    if isinstance(data, pd.DataFrame):
        return ([str(c) for c in data.columns], data.itertuples(index=False, name=None),
                len(data), len(data.columns))
    rows = list(data)
    if not rows:
        return ([], [], 0, 1)
    return (list(rows[0]), rows[1:], len(rows) - 1, max(len(r) for r in rows))


def _new_sheet_xml(old: bytes, table: Table) -> Iterable[bytes]:
    match = _SHEETDATA.search(old)
    if match is None:
        raise SpliceError("no sheetData")
    first = _FIRST_ROW.search(match.group(0))
    header_style = ""
    if first is not None:
        style = _STYLE.search(first.group(1))
        header_style = f' s="{style.group(1).decode()}"' if style else ""
    header, rows, n_rows, n_cols = table
    last_col = get_column_letter(max(n_cols, 1))
    prefix = _DIMENSION.sub(f'<dimension ref="A1:{last_col}{n_rows + 1}"/>'.encode(),
                            old[:match.start()], count=1)
    yield prefix
    yield b"<sheetData>"
    chunk: list[str] = []
    all_rows = (r for part in ([header], rows) for r in part)
    for row in _rows_xml(all_rows, header_style):
        chunk.append(row)
        if len(chunk) >= 2000:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")
    yield b"</sheetData>"
    yield _MERGES.sub(b"", old[match.end():])   # merges of the old rows would not fit the new


#: result sheets the pipeline writes that an older workbook may lack: added here, in the zip;
#: any other missing sheet still goes through openpyxl (workbook_io's fallback)
ADDABLE = frozenset({PROBLEM_KINDS_SHEET})
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORKSHEET_TYPE = f"{_NS_REL}/worksheet"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_EMPTY_SHEET = f'<worksheet xmlns="{_NS_MAIN}"><sheetData/></worksheet>'.encode()


def _insert_before(xml: bytes, closing: bytes, part: str) -> bytes:
    """`part` (one element) inserted before the closing tag `closing`, with that tag's prefix."""
    match = re.search(rb"</(?:(\w+):)?" + closing + rb">", xml)
    if match is None:
        raise SpliceError(f"no </{closing.decode()}>")
    prefix = match.group(1).decode() + ":" if match.group(1) else ""
    return xml[:match.start()] + ("<" + prefix + part[1:]).encode() + xml[match.start():]


def _add_sheets(src: zipfile.ZipFile, names: list[str]) -> tuple[dict[str, bytes], dict[str, str]]:
    """New (empty) worksheets `names` appended after the existing ones, as Excel would add them:
    returns the changed/new zip entries (workbook.xml, its rels, [Content_Types].xml, the sheet
    parts) and name → new sheet path. Raises SpliceError on a layout we do not recognise."""
    workbook = src.read("xl/workbook.xml")
    rels = src.read("xl/_rels/workbook.xml.rels")
    types = src.read("[Content_Types].xml")
    taken = set(src.namelist())
    sheet_ids = [int(v) for v in re.findall(rb'\bsheetId="(\d+)"', workbook)]
    rel_ids = set(re.findall(rb'\bId="([^"]+)"', rels))
    parts: dict[str, bytes] = {}
    paths: dict[str, str] = {}
    n, sheet_id = 1, max(sheet_ids, default=0)
    for name in names:
        while f"xl/worksheets/sheet{n}.xml" in taken or f"rIdWeiwen{n}".encode() in rel_ids:
            n += 1
        path, rid, sheet_id = f"xl/worksheets/sheet{n}.xml", f"rIdWeiwen{n}", sheet_id + 1
        taken.add(path)
        # the element declares the relationships namespace itself: lxml-written workbooks declare
        # it on each <sheet>, not on the root
        workbook = _insert_before(workbook, b"sheets",
                                  f'<sheet xmlns:r="{_NS_REL}" '
                                  f'name="{escape(name, {chr(34): "&quot;"})}" '
                                  f'sheetId="{sheet_id}" r:id="{rid}"/>')
        rels = _insert_before(rels, b"Relationships", f'<Relationship Id="{rid}" '
                              f'Type="{_WORKSHEET_TYPE}" Target="/{path}"/>')
        types = _insert_before(types, b"Types", f'<Override PartName="/{path}" '
                               f'ContentType="{_WORKSHEET_CT}"/>')
        parts[path] = _EMPTY_SHEET
        paths[name] = path
    parts.update({"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels,
                  "[Content_Types].xml": types})
    return parts, paths


def splice_frames(source: Path, target: Path,
                  frames: Mapping[str, pd.DataFrame | Sequence[Sequence[Any]]]) -> None:
    """Write `source` to `target` with each named sheet's rows replaced: a DataFrame under a
    header row of its columns, or raw rows from A1. A sheet that does not exist yet is added
    after the others (plain, like openpyxl's create_sheet). Raises SpliceError when the
    workbook's parts are not laid out as expected (the caller then goes through openpyxl)."""
    with zipfile.ZipFile(source) as src:
        paths = sheet_paths(src)
        missing = [name for name in frames if name not in paths]
        changed: dict[str, bytes] = {}
        if any(name not in ADDABLE for name in missing):
            raise SpliceError(f"sheets not found: {missing}")
        if missing:
            changed, added = _add_sheets(src, missing)
            paths.update(added)
        replace = {paths[name]: as_table(data) for name, data in frames.items()}
        new_parts = [p for p in changed if p not in src.NameToInfo]
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename in replace:
                    new_info = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    new_info.compress_type = zipfile.ZIP_DEFLATED
                    new_info.external_attr = info.external_attr
                    with dst.open(new_info, "w", force_zip64=True) as out:
                        for part in _new_sheet_xml(src.read(info.filename),
                                                   replace[info.filename]):
                            out.write(part)
                elif info.filename in changed:
                    dst.writestr(info, changed[info.filename], compress_type=zipfile.ZIP_DEFLATED)
                else:
                    dst.writestr(info, src.read(info.filename), compress_type=info.compress_type)
            for path in new_parts:
                new_info = zipfile.ZipInfo(path, date_time=dt.datetime.now().timetuple()[:6])
                new_info.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(new_info, "w", force_zip64=True) as out:
                    for part in _new_sheet_xml(changed[path], replace[path]):
                        out.write(part)
