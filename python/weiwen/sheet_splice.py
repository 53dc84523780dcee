"""Replace the rows of worksheets inside an existing .xlsx/.xlsm, leaving every other part alone.

Why: loading the campaign workbook with openpyxl to replace a 100,000-row 名册 costs minutes and
round-trips every part through openpyxl's model (which drops what it does not know). Here only the
`<sheetData>` of the named sheets is regenerated (streamed, inline strings); the sheet's columns,
frozen panes, data validations and conditional formats, and every other zip entry — VBA project,
ribbon, the clerk's own sheets — are copied byte for byte (but for the codeNames a LibreOffice
save dropped, put back on the workbook and its sheets: code_names.py). A large part (the old rows of a sheet
being replaced, a 名册 kept as it is) passes through a chunk at a time, never whole in memory,
its deflating and inflating done on a second thread (zip_stream.py: the machine's other core).

Cells follow the one writer contract (cells.py): strings are always text cells, so a value
starting with = + - @ can never become a formula; a date is an Excel serial with a date style
(added to styles.xml when the workbook has none). Characters XML cannot hold are dropped.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from . import code_names
from .cells import DATE_FORMAT, DATETIME_FORMAT, cell_value, date_format, excel_serial, finite
from .names import PROBLEM_KINDS_SHEET, TEXT_COLUMNS
from .zip_stream import read_ahead, write_all

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: characters XML 1.0 cannot hold: dropped from text cells
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEETDATA_OPEN = re.compile(rb"<((?:\w+:)?)sheetData\s*(/?)>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[^\"]*\"\s*/>")
_FIRST_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*\br=\"1\"[^>]*>(.*?)</(?:\w+:)?row>", re.S)
_STYLE = re.compile(rb"\bs=\"(\d+)\"")
_MERGES = re.compile(rb"<(?:\w+:)?mergeCells\b.*?</(?:\w+:)?mergeCells>", re.S)


#: deflate level of the sheets written or recompressed (a 100,000-row 名册 is ~80 MB of XML):
#: level 1 takes 0.4 s for it, level 3 0.7 s and zlib's default 6 1.0 s, for 10.7, 9.6 and
#: 8.3 MB — every merge, check and 计算金额 writes it, so speed wins over a megabyte
_LEVEL = 1
_BIG = 1 << 20


class SpliceError(Exception):
    """The workbook's structure is not what we expect (caller falls back to openpyxl)."""


def _part(target: str) -> str:
    """The zip path of a target named in xl/_rels/workbook.xml.rels."""
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip path of its XML, from workbook.xml and its relationships."""
    wb = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in wb.iter():
        if sheet.tag.endswith("}sheet"):
            rid = sheet.get(f"{{{_NS_REL}}}id")
            out[sheet.get("name")] = _part(targets.get(rid, ""))
    return out


def require_parts(archive: zipfile.ZipFile) -> None:
    """KeyError naming the first part the workbook's relationships point at that the file lacks
    (its styles, a sheet nobody reads): written on as it is, Excel would call it damaged."""
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        target = rel.get("Target") or ""
        if rel.get("TargetMode") != "External" and target:
            archive.getinfo(posixpath.normpath(_part(target)))


def _cell_xml(ref: str, value: Any, style: str, dates: Mapping[str, str]) -> str:
    """One cell under the writer contract (cells.py): numbers and dates as numbers (a date with
    a date style), booleans as booleans, everything else as inline text, exactly as given."""
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and finite(value):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>' if isinstance(value, float) \
            else f'<c r="{ref}"{style}><v>{value}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{dates[date_format(value)]}"><v>{excel_serial(value)}</v></c>'
    text = ILLEGAL_XML.sub("", str(value))
    if not text:
        return ""
    return (f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
            f"{escape(text)}</t></is></c>")


def _rows_xml(rows: Iterable[Sequence[Any]], header_style: str,
              dates: Mapping[str, str], styles: Sequence[str] = ()) -> Iterable[str]:
    letters: list[str] = []
    for r, values in enumerate(rows, start=1):
        values = list(values)
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        cells = "".join(_cell_xml(f"{col}{r}", v, header_style if r == 1 else
                                  (styles[i] if i < len(styles) and type(v) is str else ""), dates)
                        for i, (col, v) in enumerate(zip(letters, values)))
        yield f'<row r="{r}">{cells}</row>'


#: Excel's built-in text number format ("@")
_TEXT_FORMAT_ID = "49"
_COL = re.compile(rb"<(?:\w+:)?col\b[^>]*>")


@dataclass(frozen=True)
class TextStyles:
    """The cellXfs indexes of styles.xml whose number format is text (“@”), and the plainest of
    them (no font, fill or border of its own; None when there is none)."""
    ids: frozenset[str] = frozenset()
    plain: str | None = None


def text_styles(styles: bytes | None) -> TextStyles:
    if not styles:
        return TextStyles()
    from xml.sax.saxutils import unescape
    text_ids = {_TEXT_FORMAT_ID} | {_attr(m.group(0), "numFmtId") or "" for m in _NUMFMT.finditer(styles)
                                   if unescape(_attr(m.group(0), "formatCode") or "") == "@"}
    xfs = _CELLXFS.search(styles)
    if xfs is None:
        return TextStyles()
    found = [(str(i), m.group(0)) for i, m in enumerate(_XF.finditer(xfs.group(2)))
             if _attr(m.group(0), "numFmtId") in text_ids]
    plain = next((i for i, x in found
                  if all(_attr(x, a) in (None, "0") for a in ("fontId", "fillId", "borderId"))), None)
    return TextStyles(frozenset(i for i, _ in found), plain)


def column_styles(before: bytes, header: Sequence[Any], text: TextStyles) -> list[str]:
    """For each column of a sheet (by its `header`), the style its text cells are written with:
    the column's own when that is a text style, else a plain text style for 身份证号, 联系电话 and
    银行卡号 (TEXT_COLUMNS, as the openpyxl and Excel writers do), else none.

    Why: a cell carries its own style, and one written without takes the workbook's default
    (General), whatever its column says; a clerk who corrects an ID in such a cell in Excel gets
    a number, its last digits gone. A cell typed into an empty cell of a text column in Excel is
    text: the cells Weiwen writes there are made the same."""
    out = [f' s="{text.plain}"' if text.plain is not None and str(name) in TEXT_COLUMNS else ""
           for name in header]
    for m in _COL.finditer(before):
        style = _attr(m.group(0), "style")
        if style not in text.ids:
            continue
        first, last = int(_attr(m.group(0), "min") or 0), int(_attr(m.group(0), "max") or 0)
        for column in range(max(first, 1), min(last, len(out)) + 1):
            out[column - 1] = f' s="{style}"'
    return out


#: a character that makes a text cell take the slow path (escaped, or dropped as illegal XML)
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHUNK = 4000


def _column_xml(letter: str, values: list[Any], rows: Iterable[int], dates: Mapping[str, str],
                style: str = "") -> list[str]:
    """The cells of one column in the sheet rows `rows` ('' for a blank), exactly as `_cell_xml`
    makes them, its text cells with `style`; plain text and numbers without its per-cell checks
    (most of a roster)."""
    out: list[str] = []
    append = out.append
    special = _SPECIAL.search
    for r, value in zip(rows, values):
        kind = type(value)
        if kind is str and special(value) is None:
            append(f'<c r="{letter}{r}"{style} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
                   if value else "")
        elif value is None:
            append("")
        elif kind is float and value == value and value not in (_INF, -_INF):
            append(f'<c r="{letter}{r}"><v>{value!r}</v></c>')
        elif kind is int:
            append(f'<c r="{letter}{r}"><v>{value}</v></c>')
        else:
            append(_cell_xml(f"{letter}{r}", value, style if kind is str else "", dates))
    return out


_INF = float("inf")


def _frame_rows_xml(frame: pd.DataFrame, dates: Mapping[str, str],
                    styles: Sequence[str]) -> Iterable[str]:
    """The data rows of `frame` from row 2, a chunk of rows at a time, column by column, each
    column's cells with its style of `styles` (column_styles)."""
    letters = [get_column_letter(i + 1) for i in range(len(frame.columns))]
    for start in range(0, len(frame), _CHUNK):
        part = frame.iloc[start:start + _CHUNK]
        numbers = range(start + 2, start + 2 + len(part))
        columns = [_column_xml(letter, part.iloc[:, j].tolist(), numbers, dates, styles[j])
                   for j, letter in enumerate(letters)]
        for r, cells in enumerate(zip(*columns), start=start + 2):
            yield f'<row r="{r}">{"".join(cells)}</row>'


class _FrameRows:
    """A DataFrame's data rows, written column by column (see _frame_rows_xml)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame


Table = tuple[Sequence[Any], "Iterable[Sequence[Any]] | _FrameRows", int, int]   # header, rows, n_rows, n_cols


def as_table(data: pd.DataFrame | Sequence[Sequence[Any]]) -> Table:
    """A DataFrame (header = its columns) or raw rows (header = the first row) as a Table."""
    if isinstance(data, pd.DataFrame):
        return ([str(c) for c in data.columns], _FrameRows(data), len(data), len(data.columns))
    rows = list(data)
    if not rows:
        return ([], [], 0, 1)
    return (list(rows[0]), rows[1:], len(rows) - 1, max(len(r) for r in rows))


_HEAD = 1 << 20        # row 1 is looked for this far into <sheetData> (rows are in order)


@dataclass(frozen=True)
class CopyRows:
    """Data rows of a sheet being replaced that are copied from the part it replaces: `same[i]`
    when the new frame's row i is, cell for cell, the part's row i + 2 as a fresh write would make
    it (books/row_reuse.py); `still(archive)` whether the archive's part is still the one `same`
    was worked out for (its fingerprint: nothing copied otherwise)."""
    same: np.ndarray
    still: Callable[[zipfile.ZipFile], bool]


class _OldSheet:
    """A worksheet part read a chunk at a time (a 200,000-row 名册 holds ~200 MB of rows): all
    before <sheetData> and the first stretch of its rows (where row 1 is) at once, then its rows
    as they pass (`content`), then all after </sheetData> (`after`, once they have passed).
    <sheetData> is found by its tags, not by a regular expression over the rows between them."""

    def __init__(self, part: Iterator[bytes]) -> None:
        self._part = part
        data = b""
        while (opening := _SHEETDATA_OPEN.search(data)) is None:
            chunk = next(part, b"")
            if not chunk:
                raise SpliceError("no sheetData")
            data += chunk
        self.before = data[:opening.start()]
        self.after = b""
        self._read: list[bytes] = []
        if opening.group(2):                                     # <sheetData/>
            self.head = b""
            self.after = data[opening.end():] + b"".join(part)
            self._rest: Iterator[bytes] = iter(())
            return
        self._closing = b"</" + opening.group(1) + b"sheetData>"
        self._rest = self._rows_part(data[opening.end():])
        room = _HEAD - (opening.end() - opening.start())        # the window starts at the tag
        size = 0
        for chunk in self._rest:
            self._read.append(chunk)
            size += len(chunk)
            if size >= room:
                break
        self.head = b"".join(self._read)[:room]

    def _rows_part(self, rest: bytes) -> Iterator[bytes]:
        closing = self._closing
        while (end := rest.find(closing)) < 0:
            seen = max(0, len(rest) - len(closing) + 1)          # a tag cut in two stays in rest
            if seen:
                yield rest[:seen]
            rest = rest[seen:]
            chunk = next(self._part, b"")
            if not chunk:
                raise SpliceError("no </sheetData>")
            rest += chunk
        if end:
            yield rest[:end]
        self.after = rest[end + len(closing):] + b"".join(self._part)

    def content(self) -> Iterator[bytes]:
        """What is between <sheetData> and </sheetData>, a chunk at a time, once."""
        read, self._read = self._read, []
        yield from read
        # a loop, not `yield from`: a caller that stops early (the rows it needed were copied)
        # drops this generator, and closing it must not close the part's own reader, which
        # `skip` then follows to </sheetData> and what comes after it (`after`)
        for chunk in self._rest:  # noqa: UP028 (see above: not `yield from`)
            yield chunk

    def skip(self) -> None:
        """The rest of the rows let go (then `after` is known)."""
        for _ in self.content():
            pass


class _OldRows:
    """The rows of a part this module wrote — <row r="N">…</row> numbered one after another,
    nothing between them (a "<" in a cell's text is escaped) — found as the chunks pass, the
    rows before those asked for let go. Anything else ends them."""

    def __init__(self, content: Iterator[bytes]) -> None:
        self._content = content
        self._data = b""                      # what has been read and not yet let go
        self._done = False

    def _next(self) -> bytes | None:
        chunk = None if self._done else next(self._content, None)
        if chunk is None:
            self._done = True
        return chunk

    def _find(self, tag: bytes) -> bool:
        """Whether `tag` is in the rows read on from here; `_data` then starts with it (what
        came before it let go)."""
        while (at := self._data.find(tag)) < 0:
            chunk = self._next()
            if chunk is None:
                self._data = b""
                return False
            self._data = self._data[max(0, len(self._data) - len(tag) + 1):] + chunk  # a tag cut
        self._data = self._data[at:]
        return True

    def span(self, first: int, count: int) -> bytes | None:
        """Rows `first` … `first + count - 1` as the part holds them, each with its </row>, or
        None (and no more rows) when they are not all there as this module writes them. Their
        bytes are found by two searches and their rows counted, not cut row by row: most of a
        re-merge's 名册 is copied, and this is the thread that also makes the new rows. (The
        sheet's fingerprint has told already that the part is the one this module wrote.)"""
        if not self._find(b'<row r="%d">' % first):
            return self._end()
        tag = b'<row r="%d">' % (first + count)
        parts, seen, at = [self._data], len(self._data), self._data.find(tag)
        tail = self._data[-(len(tag) - 1):]               # a tag may be cut across chunks
        while at < 0:
            chunk = self._next()
            if chunk is None:
                break                                     # the part's last rows
            window = tail + chunk
            found = window.find(tag)
            if found >= 0:
                at = seen - len(tail) + found
            parts.append(chunk)
            seen += len(chunk)
            tail = window[-(len(tag) - 1):]
        data = b"".join(parts)
        rows, self._data = (data, b"") if at < 0 else (data[:at], data[at:])
        if not (rows.endswith(b"</row>") and rows.count(b"</row>") == count):
            return self._end()
        return rows

    def take(self, first: int, count: int) -> list[bytes]:
        """Rows `first` … `first + count - 1` (without </row>); fewer when the part ends or a
        row is not as this module writes it (then no more rows)."""
        if not self._find(b'<row r="%d">' % first):
            return []
        rows: list[bytes] = []
        at = 0
        for number in range(first, first + count):
            while (end := self._data.find(b"</row>", at)) < 0 \
                    and (chunk := self._next()) is not None:
                self._data = self._data[at:] + chunk
                at = 0
            if end < 0 or not self._data.startswith(b'<row r="%d">' % number, at):
                self._end()
                return rows
            rows.append(self._data[at:end])
            at = end + len(b"</row>")
        self._data = self._data[at:]
        return rows

    def _end(self) -> None:
        self._done, self._data = True, b""


def _kept_rows_xml(frame: pd.DataFrame, dates: Mapping[str, str], same: np.ndarray,
                   old: _OldRows, styles: Sequence[str]) -> Iterator[bytes]:
    """The data rows of `frame` from row 2 (as _frame_rows_xml), a row marked in `same` copied
    from the old part's row of that number when there is one, the others written."""
    letters = [get_column_letter(i + 1) for i in range(len(frame.columns))]
    for start in range(0, len(frame), _CHUNK):
        stop = min(start + _CHUNK, len(frame))
        if same[start:stop].all():
            rows = old.span(start + 2, stop - start)
            if rows is not None:
                yield rows
                continue
        there = old.take(start + 2, stop - start) if same[start:stop].any() else []
        copy = same[start:start + len(there)]
        if len(there) == stop - start and copy.all():
            yield b"</row>".join(there) + b"</row>"
            continue
        kept = set(np.flatnonzero(copy).tolist())
        fresh = [i for i in range(stop - start) if i not in kept]
        part = frame.iloc[start:stop] if not kept else frame.iloc[[start + i for i in fresh]]
        numbers = [start + i + 2 for i in fresh]
        columns = [_column_xml(letter, part.iloc[:, j].tolist(), numbers, dates, styles[j])
                   for j, letter in enumerate(letters)]
        made = (f'<row r="{r}">{"".join(cells)}</row>'.encode()
                for r, cells in zip(numbers, zip(*columns)))
        yield b"".join([there[i] + b"</row>" if i in kept else next(made)
                        for i in range(stop - start)])


def _new_sheet_xml(old: bytes | Iterable[bytes], table: Table, dates: Mapping[str, str],
                   same: np.ndarray | None = None,
                   cut: Callable[[bytes], bytes] | None = None,
                   mend: Callable[[bytes], bytes] | None = None,
                   widen: Callable[[bytes], bytes] | None = None,
                   text: TextStyles = TextStyles()) -> Iterable[bytes]:
    """The worksheet part `old` (its bytes, or the part as it is read, a chunk at a time) with
    `table` as its rows; with `same` (CopyRows), those of its rows copied from `old`; `cut`: what
    completes a part that ends right after its rows (given what comes before them), see `_tail`;
    `mend`: what puts back the sheet's codeName (code_names.py), applied before its rows;
    `widen`: what gives its drop-down lists back their reach (widened_validations), after them;
    `text`: the workbook's text styles (text_styles), given to the text cells of the columns
    that are text (column_styles)."""
    sheet = _OldSheet(iter([old] if isinstance(old, bytes) else old))
    if mend is not None:
        sheet.before = mend(sheet.before)
    first = _FIRST_ROW.search(sheet.head)
    header_style = ""
    if first is not None:
        style = _STYLE.search(first.group(1))
        header_style = f' s="{style.group(1).decode()}"' if style else ""
    header, rows, n_rows, n_cols = table
    last_col = get_column_letter(max(n_cols, 1))
    styles = column_styles(sheet.before, list(header), text)
    yield _DIMENSION.sub(f'<dimension ref="A1:{last_col}{n_rows + 1}"/>'.encode(), sheet.before,
                         count=1)
    yield b"<sheetData>"
    if isinstance(rows, _FrameRows) and same is not None and len(same) == len(rows.frame):
        yield "".join(_rows_xml([header], header_style, dates)).encode("utf-8")
        yield from _kept_rows_xml(rows.frame, dates, same, _OldRows(sheet.content()), styles)
        sheet.skip()
        yield b"</sheetData>"
        yield _tail(sheet, cut) if widen is None else widen(_tail(sheet, cut))
        return
    sheet.skip()
    chunk: list[str] = []
    if isinstance(rows, _FrameRows):
        all_xml = itertools.chain(_rows_xml([header], header_style, dates),
                                  _frame_rows_xml(rows.frame, dates, styles))
    else:
        all_xml = _rows_xml(itertools.chain([header], rows), header_style, dates, styles)
    for row in all_xml:
        chunk.append(row)
        if len(chunk) >= 2000:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")
    yield b"</sheetData>"
    yield _tail(sheet, cut) if widen is None else widen(_tail(sheet, cut))


def _tail(sheet: _OldSheet, cut: Callable[[bytes], bytes] | None) -> bytes:
    """What follows the rows: the old part's own, without its merged cells (they would not fit
    the new rows). A part that ends right after its rows (an earlier version of this module
    left 名册 and 问题 so after copying rows: Excel then calls the workbook damaged) is
    completed by `cut`."""
    after = _MERGES.sub(b"", sheet.after)
    if after.strip() or cut is None:
        return after
    return cut(sheet.before)


_WORKSHEET_OPEN = re.compile(rb"<(?:(\w+):)?worksheet\b")
_WORKSHEET_END = re.compile(rb"</(?:\w+:)?worksheet>\s*$")
_SHEETDATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_DXFS = re.compile(rb"<(?:\w+:)?dxfs\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?dxfs>)", re.S)
_DXF = re.compile(rb"<(?:\w+:)?dxf\b")
_DXF_ID = re.compile(rb'\bdxfId="(\d+)"')
_CONDITIONAL = re.compile(
    rb"<(?:\w+:)?conditionalFormatting\b.*?</(?:\w+:)?conditionalFormatting>", re.S)


def shipped_tail(shipped: Path, name: str) -> bytes | None:
    """What follows the rows of sheet `name` in the workbook `shipped` (None: it has no such
    sheet, or it cannot be read)."""
    try:
        with zipfile.ZipFile(shipped) as archive:
            path = sheet_paths(archive).get(name)
            data = archive.read(path) if path else b""
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError):
        return None
    end = _SHEETDATA_END.search(data)
    return data[end.end():] if end else None


_VALIDATION_REF = re.compile(
    rb'(<(?:\w+:)?dataValidation\b[^>]*?\bsqref=")([A-Z]+)(\d+):([A-Z]+)(\d+)(")')


def widened_validations(tail: bytes, shipped: bytes | None) -> bytes:
    """`tail` (what follows a written sheet's rows) with each drop-down list that starts where
    the shipped sheet's does, in one column, reaching as far down as the shipped one again.
    LibreOffice saves the workbook with 名册's lists (状态, 类别) cut to their first 1,000 rows;
    a merge then writes 2,000 households under them, and rows past 1,001 had no list."""
    if not shipped:
        return tail
    reach: dict[tuple[bytes, bytes], int] = {}
    for m in _VALIDATION_REF.finditer(shipped):
        if m.group(2) == m.group(4):
            key = (m.group(2), m.group(3))
            reach[key] = max(reach.get(key, 0), int(m.group(5)))

    def widen(m: re.Match[bytes]) -> bytes:
        far = reach.get((m.group(2), m.group(3)), 0)
        if m.group(2) != m.group(4) or far <= int(m.group(5)):
            return m.group(0)
        return m.group(1) + m.group(2) + m.group(3) + b":" + m.group(4) + str(far).encode() + m.group(6)
    return _VALIDATION_REF.sub(widen, tail)


def completed_tail(before: bytes, tail: bytes | None, styles: bytes | None) -> bytes:
    """The end of a worksheet part cut short after its rows: `tail` (the same sheet's, as
    shipped: its conditional formats, lists and margins) when it fits the part, else the bare
    end of the worksheet. It fits when the part's root has no prefix (the shipped elements are in
    the default namespace) and it ends the worksheet; its conditional formats are kept only while
    every format they name exists in `styles` (a clerk's own styles may number them otherwise)."""
    root = _WORKSHEET_OPEN.search(before)
    prefix = root.group(1) if root is not None and root.group(1) else b""
    if tail is None or prefix or _WORKSHEET_END.search(tail) is None:
        return b"</" + (prefix + b":" if prefix else b"") + b"worksheet>"
    dxfs = _DXFS.search(styles or b"")
    formats = len(_DXF.findall(dxfs.group(1) or b"")) if dxfs is not None else 0
    if any(int(i) >= formats for i in _DXF_ID.findall(tail)):
        tail = _CONDITIONAL.sub(b"", tail)
    return tail


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


_STYLES = "xl/styles.xml"
_NUMFMTS = re.compile(rb"<(?:\w+:)?numFmts\b[^>]*?(?:/>|>.*?</(?:\w+:)?numFmts>)", re.S)
_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b[^>]*/>")
_CELLXFS = re.compile(rb"(<(?:\w+:)?cellXfs\b[^>]*>)(.*?)(</(?:\w+:)?cellXfs>)", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", re.S)


def _attr(element: bytes, name: str) -> str | None:
    m = re.search(rb"\b" + name.encode() + rb'="([^"]*)"', element)
    return m.group(1).decode() if m else None


def date_styles(styles: bytes) -> tuple[dict[str, str], bytes | None]:
    """The cellXfs index of a plain cell with each of our date formats: an existing one when the
    workbook has it, else added (the new styles.xml is returned, None when unchanged)."""
    from xml.sax.saxutils import unescape
    changed = False
    formats = {unescape(_attr(m.group(0), "formatCode") or ""): _attr(m.group(0), "numFmtId")
               for m in _NUMFMT.finditer(styles)}
    ids: dict[str, str] = {}
    for code in (DATE_FORMAT, DATETIME_FORMAT):
        if formats.get(code):
            ids[code] = str(formats[code])
            continue
        used = [int(v) for v in formats.values() if v and v.isdigit()]
        new_id = str(max([163, *used]) + 1)
        element = f'<numFmt numFmtId="{new_id}" formatCode="{escape(code)}"/>'.encode()
        block = _NUMFMTS.search(styles)
        if block is None:
            root = re.search(rb"<(?:\w+:)?styleSheet\b[^>]*>", styles)
            if root is None:
                raise SpliceError("styles.xml without styleSheet")
            styles = (styles[:root.end()] + b'<numFmts count="1">' + element + b"</numFmts>"
                      + styles[root.end():])
        else:
            inner = block.group(0)
            if inner.endswith(b"/>") and b"</" not in inner:
                inner = inner[:-2].rstrip() + b">" + element + b"</numFmts>"
            else:
                inner = inner[:inner.rindex(b"</")] + element + inner[inner.rindex(b"</"):]
            inner = re.sub(rb'\bcount="\d+"', f'count="{len(used) + 1}"'.encode(), inner, count=1)
            styles = styles[:block.start()] + inner + styles[block.end():]
        formats[code] = new_id
        ids[code] = new_id
        changed = True
    xfs = _CELLXFS.search(styles)
    if xfs is None:
        raise SpliceError("styles.xml without cellXfs")
    elements = [m.group(0) for m in _XF.finditer(xfs.group(2))]
    out: dict[str, str] = {}
    added = b""
    for code, fmt in ids.items():
        plain = next((i for i, x in enumerate(elements) if _attr(x, "numFmtId") == fmt
                      and all(_attr(x, a) in (None, "0") for a in ("fontId", "fillId", "borderId"))
                      and b"<" not in x[1:].split(b">", 1)[-1]), None)
        if plain is None:
            plain = len(elements)
            element = (f'<xf numFmtId="{fmt}" fontId="0" fillId="0" borderId="0" xfId="0" '
                       f'applyNumberFormat="1"/>').encode()
            elements.append(element)
            added += element
            changed = True
        out[code] = str(plain)
    if added:
        opening = re.sub(rb'\bcount="\d+"', f'count="{len(elements)}"'.encode(), xfs.group(1))
        styles = (styles[:xfs.start()] + opening + xfs.group(2) + added + xfs.group(3)
                  + styles[xfs.end():])
    return out, (styles if changed else None)


def splice_frames(source: Path, target: Path,
                  frames: Mapping[str, pd.DataFrame | Sequence[Sequence[Any]]],
                  *, copy: Mapping[str, CopyRows] | None = None,
                  shipped: Path | None = None) -> list[str]:
    """Write `source` to `target` with each named sheet's rows replaced: a DataFrame under a
    header row of its columns, or raw rows from A1. A sheet that does not exist yet is added
    after the others (plain, like openpyxl's create_sheet). `copy`: sheet → rows of its frame
    that are copied from the sheet as it is (CopyRows). Raises SpliceError when the
    workbook's parts are not laid out as expected (the caller then goes through openpyxl).
    Returns the sheets of `frames` whose part ended right after its rows, completed with the
    end of the same sheet in `shipped` (completed_tail)."""
    repaired: list[str] = []
    with zipfile.ZipFile(source) as src:
        paths = sheet_paths(src)
        require_parts(src)
        missing = [name for name in frames if name not in paths]
        changed: dict[str, bytes] = {}
        if any(name not in ADDABLE for name in missing):
            raise SpliceError(f"sheets not found: {missing}")
        if missing:
            changed, added = _add_sheets(src, missing)
            paths.update(added)
        replace = {paths[name]: as_table(data) for name, data in frames.items()}
        same = {paths[name]: rows.same for name, rows in (copy or {}).items()
                if name in frames and name not in missing and rows.still(src)}
        styles = src.read(_STYLES) if _STYLES in src.NameToInfo else None
        dates = _DateStyles(styles)
        text = text_styles(styles)
        new_parts = [p for p in changed if p not in src.NameToInfo]
        mends = _code_name_mends(src, paths)

        def completion(name: str) -> Callable[[bytes], bytes]:
            def complete(before: bytes) -> bytes:
                repaired.append(name)
                return completed_tail(before, shipped_tail(shipped, name) if shipped else None,
                                      styles)
            return complete
        cut = {paths[name]: completion(name) for name in frames}
        widen = {paths[name]: functools.partial(widened_validations,
                                                shipped=shipped_tail(shipped, name))
                 for name in frames} if shipped else {}
        # Entries streamed without ZIP64 (no force_zip64): a sheet of Excel's 1,048,576 rows of
        # our cells stays far below zipfile's 2 GB limit for them, and forcing it puts ZIP64
        # sizes in every local header, a shape Excel is not known to accept for small entries;
        # so the zip is laid out as openpyxl's and XlsxWriter's are
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as dst:
            for info in src.infolist():
                if info.filename == _STYLES:
                    continue                      # last: date cells may add a style
                if info.filename in replace:
                    with src.open(info) as part, read_ahead(part, _BIG) as old, \
                            dst.open(info.filename, "w") as out:
                        write_all(out, _new_sheet_xml(old, replace[info.filename], dates,
                                                      same.get(info.filename),
                                                      cut[info.filename],
                                                      mends.get(info.filename),
                                                      widen.get(info.filename), text))
                elif info.filename in changed:
                    dst.writestr(info, mends.get(info.filename, _same)(changed[info.filename]),
                                 compress_type=zipfile.ZIP_DEFLATED)
                elif info.filename in mends and info.file_size <= _BIG:
                    dst.writestr(info, mends[info.filename](src.read(info.filename)),
                                 compress_type=zipfile.ZIP_DEFLATED)
                elif info.file_size > _BIG and info.compress_type == zipfile.ZIP_DEFLATED:
                    # streamed across, never whole in memory: a 200,000-row 名册 is ~200 MB of
                    # XML, copied again by every later write of 问题 or 汇总 (inflated on this
                    # thread while the writer thread deflates)
                    with src.open(info) as part, \
                            dst.open(info.filename, "w",
                                     force_zip64=info.file_size > zipfile.ZIP64_LIMIT) as out:
                        chunks = iter(functools.partial(part.read, _BIG), b"")
                        mend = mends.get(info.filename)
                        if mend is not None:     # its start (up to its rows) is in the first chunk
                            chunks = itertools.chain([mend(next(chunks, b""))], chunks)
                        write_all(out, chunks)
                else:
                    dst.writestr(info, src.read(info.filename), compress_type=info.compress_type)
            for path in new_parts:
                with dst.open(path, "w") as out:
                    write_all(out, _new_sheet_xml(changed[path], replace[path], dates, text=text))
            if _STYLES in src.NameToInfo:
                info = src.getinfo(_STYLES)
                dst.writestr(info, dates.styles or src.read(_STYLES),
                             compress_type=info.compress_type)
    return repaired



def _code_name_mends(src: zipfile.ZipFile, paths: Mapping[str, str]
                     ) -> dict[str, Callable[[bytes], bytes]]:
    """Part → what puts back its codeName, when the workbook has a VBA project but no codeName
    (a LibreOffice save: code_names.py). Each sheet's start is read only then, up to its rows."""
    if _VBA not in src.NameToInfo:
        return {}
    workbook = src.read(_WORKBOOK)
    if code_names.code_name(workbook, code_names.WORKBOOK_PR) is not None:
        return {}
    heads = []
    for path in paths.values():
        if path not in src.NameToInfo:
            continue
        with src.open(path) as part:
            head = part.read(_HEAD)
        end = _SHEETDATA_OPEN.search(head)
        if not _WORKSHEET_OPEN.search(head) or end is None:
            return {}                      # a chartsheet, or a start too long to mend in place
        heads.append((path, head[:end.start()]))
    return code_names.mends(src.read(_VBA), workbook, heads)


def _same(xml: bytes) -> bytes:
    return xml


_VBA = "xl/vbaProject.bin"
_WORKBOOK = "xl/workbook.xml"


class _DateStyles(Mapping[str, str]):
    """Date format → cellXfs index, worked out (and styles.xml changed) only when a date is
    written; `styles` is then the new styles.xml (None while unchanged)."""

    def __init__(self, styles: bytes | None) -> None:
        self._source = styles
        self._ids: dict[str, str] | None = None
        self.styles: bytes | None = None

    def _load(self) -> dict[str, str]:
        if self._ids is None:
            if self._source is None:
                raise SpliceError("no styles part for date cells")
            self._ids, self.styles = date_styles(self._source)
        return self._ids

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())
