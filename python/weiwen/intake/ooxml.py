"""OOXML workbooks (.xlsx .xlsm .xltx, WPS .et saved as OOXML) before calamine sees them.

calamine builds a dense grid from A1 to the farthest cell: one stray value in XFD1048576 asks
for 549 GB and aborts the process. So every worksheet part is first measured by streaming its XML
(bounded by MAX_UNZIPPED, whatever the zip directory claims); a sheet whose grid would be far
larger than its cells is read here instead, sparsely, and compacted to the rows and columns that
hold data. Light module (stdlib only): it runs in the reader processes.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from collections.abc import Iterator
from xml.parsers import expat

from . import reasons as R
from .raw import RawSheet

MAX_UNZIPPED = 1 << 30           # bytes of XML read from one file, whatever the zip says
MAX_PART = 64 << 20              # workbook.xml, styles.xml, rels: small parts read whole
CHUNK = 8 << 20
DENSE_OK = 4_000_000             # a grid this size is cheap for calamine, however sparse
DENSE_RATIO = 16                 # …and so is one at most 16× the cells in the sheet XML
MAX_SLOTS = 5_000_000            # cells of the compacted grid handed on to intake

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass
class SheetPart:
    name: str
    part: str          # zip member, e.g. xl/worksheets/sheet1.xml
    kind: str          # worksheet, chartsheet, dialogsheet, macrosheet
    hidden: bool


@dataclass
class Extent:
    cells: int         # <c> elements
    max_row: int
    max_col: int
    plain: bool        # every cell names its position first (<c r="B7" …>)

    @property
    def dense(self) -> int:
        return self.max_row * self.max_col

    @property
    def absurd(self) -> bool:
        """calamine's grid (A1 to the farthest cell) would be far larger than the cells."""
        return not self.plain or self.dense > max(DENSE_OK, DENSE_RATIO * self.cells)


class Budget:
    """Bytes of XML still allowed for this file (a 40 KB zip may unzip to 40 GB)."""

    def __init__(self, limit: int = MAX_UNZIPPED) -> None:
        self.left = self.limit = limit

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise R.ReadFailure(R.ZIP_BOMB.format(limit=R.megabytes(self.limit)),
                                f"more than {self.limit} bytes of XML")


def check_zip(z: zipfile.ZipFile, budget: Budget) -> None:
    """Refuse at once what the zip directory itself admits is a bomb."""
    declared = sum(info.file_size for info in z.infolist())
    if declared > budget.limit:
        raise R.ReadFailure(R.ZIP_BOMB.format(limit=R.megabytes(budget.limit)),
                            f"declared {declared} bytes unzipped")


def chunks(z: zipfile.ZipFile, part: str, budget: Budget) -> Iterator[bytes]:
    """The part's bytes, cut after a '>' so no tag is split between two chunks."""
    carry = b""
    try:
        with z.open(part) as f:
            while True:
                block = f.read(CHUNK)
                if not block:
                    break
                budget.take(len(block))
                data = carry + block
                cut = data.rfind(b">") + 1
                if cut == 0:
                    carry = data
                    if len(carry) > CHUNK * 2:     # one tag of 16 MB: not a spreadsheet
                        raise R.ReadFailure(R.DAMAGED, "a tag longer than 16 MB")
                    continue
                carry = data[cut:]
                yield data[:cut]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        raise R.ReadFailure(R.TRUNCATED, f"{part}: {type(exc).__name__}: {exc}") from None
    if carry:
        yield carry


def read_part(z: zipfile.ZipFile, part: str, budget: Budget) -> bytes:
    data = b"".join(chunks(z, part, budget))
    if len(data) > MAX_PART:
        raise R.ReadFailure(R.ZIP_BOMB.format(limit=R.megabytes(MAX_PART)), f"{part} too large")
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise R.ReadFailure(R.UNSAFE_XML, f"DTD in {part}")
    return data


def _parse(data: bytes, start) -> None:
    """expat over `data`, calling start(local_name, attrs); no DTD allowed."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_: Any) -> None:
        raise R.ReadFailure(R.UNSAFE_XML, "DOCTYPE")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, attrs: start(name.rsplit(" ", 1)[-1], attrs)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise R.ReadFailure(R.DAMAGED, f"XML: {exc}") from None


def _member(z: zipfile.ZipFile, name: str) -> str | None:
    """The zip member `name`, matched without regard to case (some writers capitalise)."""
    names = getattr(z, "_weiwen_names", None)
    if names is None:
        names = {n.lower(): n for n in z.namelist()}
        z._weiwen_names = names          # type: ignore[attr-defined]  (10,000 sheets: look up once)
    return names.get(name.lstrip("/").lower())


def has_member(z: zipfile.ZipFile, name: str) -> bool:
    return _member(z, name) is not None


def _rels(z: zipfile.ZipFile, part: str, budget: Budget) -> dict[str, tuple[str, str]]:
    base = posixpath.dirname(part)
    rels_name = _member(z, posixpath.join(base, "_rels", posixpath.basename(part) + ".rels"))
    out: dict[str, tuple[str, str]] = {}
    if rels_name is None:
        return out

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "Relationship" and "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            path = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(base, target))
            out[attrs["Id"]] = (path, attrs.get("Type", "").rsplit("/", 1)[-1])
    _parse(read_part(z, rels_name, budget), start)
    return out


def workbook_part(z: zipfile.ZipFile) -> str | None:
    return _member(z, "xl/workbook.xml")


def sheet_parts(z: zipfile.ZipFile, budget: Budget) -> tuple[list[SheetPart], bool]:
    """The sheets in workbook order (name, part, kind, hidden) and whether dates count from 1904."""
    book = workbook_part(z)
    if book is None:
        raise R.ReadFailure(R.DAMAGED, "no xl/workbook.xml")
    rels = _rels(z, book, budget)
    sheets: list[SheetPart] = []
    date1904 = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "sheet":
            rid = attrs.get(f"{_REL} id") or next(
                (v for k, v in attrs.items() if k.endswith(" id") or k == "id"), "")
            part, kind = rels.get(rid, ("", ""))
            kind = kind.lower().replace("xlmacrosheet", "macrosheet").replace("xlintlmacrosheet", "macrosheet")
            sheets.append(SheetPart(attrs.get("name", ""), _member(z, part) or part, kind,
                                    attrs.get("state", "visible") != "visible"))
        elif name == "workbookPr":
            date1904[0] = attrs.get("date1904", "0").lower() in ("1", "true")
    _parse(read_part(z, book, budget), start)
    return sheets, date1904[0]


def calamine_safe(z: zipfile.ZipFile) -> str:
    """'' when calamine may open this package; else why not (for the log). calamine reserves
    room for the shared strings the file *claims* to have: a forged uniqueCount aborts it."""
    member = _member(z, "xl/sharedStrings.xml")
    if member is None:
        return ""
    try:
        with z.open(member) as f:
            head = f.read(4096)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return ""                       # calamine will say it is damaged
    m = re.search(rb'uniqueCount="\s*(\d+)', head)
    size = z.getinfo(member).file_size
    if m and int(m.group(1)) > min(size // 4 + 16, 5_000_000):   # an <si> takes ≥ 7 bytes
        return f"sharedStrings uniqueCount {int(m.group(1))} for {size} bytes"
    return ""


def _col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def measure(z: zipfile.ZipFile, part: str, budget: Budget, *,
            exact_over: int | None = None) -> Extent:
    """How many cells the sheet XML holds and how far the farthest one may lie, in one streaming
    pass. Cheap bounds first (the digits of the last row, the letters of the widest column); the
    exact farthest cell only when the cheap bound is too large to trust calamine with (or, with
    `exact_over`, a grid larger than that). Formatting-only cells (<c …/>) are counted too: the
    bound stays on the safe side."""
    cells = refs = 0
    row_digits = col_letters = 0
    prefixed = False
    for data in chunks(z, part, budget):
        cells += data.count(b"<c ") + data.count(b"<c>")
        refs += data.count(b'<c r="')
        prefixed = prefixed or b":c " in data or b":c>" in data
        last = _LAST_ROW.findall(data[-4096:]) or _LAST_ROW.findall(data)
        if last:
            row_digits = max(row_digits, len(last[-1]))
        col_letters = max(col_letters, 1)
        if _unusual(data, row_digits):        # one scan for the usual case: A-Z, rows < 10^digits
            while _cell_digits(data, row_digits + 1):
                row_digits += 1
            while col_letters < 3 and _cell_letters(data, col_letters + 1):
                col_letters += 1
    extent = Extent(cells, 10 ** row_digits - 1, (0, 26, 702, 16384)[col_letters],
                    plain=(cells == refs and not prefixed))
    if extent.plain and (extent.absurd or exact_over is not None and extent.dense > exact_over):
        extent = _exact(z, part, budget, extent)
    return extent


_LAST_ROW = re.compile(rb'<row r="(\d{1,7})"')


def _unusual(data: bytes, digits: int) -> bool:
    return re.search(rb'<c r="(?:[A-Z]{2}|[A-Z]\d{%d})' % (digits + 1), data) is not None


def _cell_digits(data: bytes, n: int) -> bool:
    return n <= 7 and re.search(rb'<c r="[A-Z]{1,3}\d{%d}' % n, data) is not None


def _cell_letters(data: bytes, n: int) -> bool:
    return re.search(rb'<c r="[A-Z]{%d}\d' % n, data) is not None


def _exact(z: zipfile.ZipFile, part: str, budget: Budget, extent: Extent) -> Extent:
    max_row = max_col = 0
    for data in chunks(z, part, budget):
        rows = set(_CELL_ROW.findall(data))
        if rows:
            max_row = max(max_row, max(map(int, rows)))
        cols = set(_CELL_COL.findall(data))
        if cols:
            max_col = max(max_col, max(map(_col_number, cols)))
    return Extent(extent.cells, max_row, max_col, extent.plain)


_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_CELL_COL = re.compile(rb'<c r="([A-Z]{1,3})\d')


# --- the sparse reader ------------------------------------------------------------------------

_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DURATION_IDS = {46}
_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKET = re.compile(r"\[[^\]]*\]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_EPOCH = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def _format_kind(code: str) -> str:
    """'date', 'duration' or '' for an Excel number format."""
    plain = _QUOTED.sub("", code.split(";")[0])
    if re.search(r"\[(h+|m+|s+)\]", plain, re.I):
        return "duration"
    plain = _BRACKET.sub("", plain).lower()
    return "date" if re.search(r"[dmyhs年月日时分秒]", plain.replace("general", "")) else ""


def _styles(z: zipfile.ZipFile, book: str, budget: Budget) -> list[str]:
    """Per cell style index (s="…"): 'date', 'duration' or ''."""
    rels = _rels(z, book, budget)
    part = next((p for p, kind in rels.values() if kind == "styles"), None) or "xl/styles.xml"
    member = _member(z, part)
    if member is None:
        return []
    formats: dict[int, str] = {}
    kinds: list[str] = []
    depth = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "numFmt":
            try:
                formats[int(attrs.get("numFmtId", "-1"))] = _format_kind(attrs.get("formatCode", ""))
            except ValueError:
                pass
        elif name == "cellXfs":
            depth["cellXfs"] = True
        elif name == "cellStyles":
            depth["cellXfs"] = False
        elif name == "xf" and depth["cellXfs"]:
            try:
                fid = int(attrs.get("numFmtId", "0"))
            except ValueError:
                fid = 0
            kind = formats.get(fid)
            if kind is None:
                kind = "duration" if fid in _DURATION_IDS else "date" if fid in _DATE_IDS else ""
            kinds.append(kind)
    _parse(read_part(z, member, budget), start)
    return kinds


def _shared_strings(z: zipfile.ZipFile, book: str, budget: Budget) -> list[str]:
    rels = _rels(z, book, budget)
    part = next((p for p, kind in rels.values() if kind == "sharedStrings"), None) \
        or "xl/sharedStrings.xml"
    member = _member(z, part)
    if member is None:
        return []
    strings: list[str] = []
    state = {"si": False, "t": False, "rph": 0}
    parts: list[str] = []
    parser = _stream_parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            state["si"] = True
            parts.clear()
        elif local == "t":
            state["t"] = True
        elif local == "rPh":
            state["rph"] += 1

    def end(name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            strings.append(_unescape("".join(parts)))
            state["si"] = False
        elif local == "t":
            state["t"] = False
        elif local == "rPh":
            state["rph"] -= 1

    def text(data: str) -> None:
        if state["t"] and not state["rph"]:
            parts.append(data)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    _feed(parser, z, member, budget)
    return strings


def _stream_parser():
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def refuse(*_: Any) -> None:
        raise R.ReadFailure(R.UNSAFE_XML, "DOCTYPE")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _feed(parser, z: zipfile.ZipFile, part: str, budget: Budget) -> None:
    try:
        for data in chunks(z, part, budget):
            parser.Parse(data, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        cut = exc.code in (expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
                           expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN])
        raise R.ReadFailure(R.TRUNCATED if cut else R.DAMAGED, f"XML in {part}: {exc}") from None


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _number(text: str, kind: str, date1904: bool) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text
    if not kind:
        return value
    if kind == "duration":
        return dt.timedelta(days=value)
    try:
        stamp = (_EPOCH_1904 if date1904 else _EPOCH) + dt.timedelta(days=value)
    except OverflowError:
        return value
    if value < 1 and not date1904:
        return stamp.time()
    return stamp.date() if stamp.time() == dt.time() else stamp


def read_sparse(z: zipfile.ZipFile, sheet: SheetPart, date1904: bool, budget: Budget,
                strings: list[str] | None = None, styles: list[str] | None = None) -> RawSheet:
    """Every cell that holds a value, then the grid of just the rows and columns that hold data."""
    book = workbook_part(z) or "xl/workbook.xml"
    strings = _shared_strings(z, book, budget) if strings is None else strings
    styles = _styles(z, book, budget) if styles is None else styles
    cells: dict[int, dict[int, Any]] = {}
    state: dict[str, Any] = {"row": 0, "col": 0, "t": "n", "s": 0, "text": None, "in": ""}
    parser = _stream_parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "c":
            ref = attrs.get("r")
            if ref:
                m = re.match(r"([A-Za-z]{1,3})(\d+)$", ref)
                if m:
                    state["col"] = _col_number(m.group(1).upper())
                    state["row"] = int(m.group(2))
                else:
                    state["col"] += 1
            else:
                state["col"] += 1
            state["t"] = attrs.get("t", "n")
            try:
                state["s"] = int(attrs.get("s", "0"))
            except ValueError:
                state["s"] = 0
            state["text"] = None
        elif local == "row":
            try:
                state["row"] = int(attrs["r"])
            except (KeyError, ValueError):
                state["row"] += 1
            state["col"] = 0
        elif local in ("v", "t"):
            state["in"] = local
            if state["text"] is None:
                state["text"] = []
        elif local == "rPh":
            state["in"] = ""

    def end(name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local in ("v", "t"):
            state["in"] = ""
        elif local == "c":
            value = _value(state, strings, styles, date1904)
            if value is not None and value != "":
                cells.setdefault(state["row"], {})[state["col"]] = value

    def text(data: str) -> None:
        if state["in"]:
            state["text"].append(data)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    _feed(parser, z, sheet.part, budget)
    return compact(sheet.name, cells, hidden=sheet.hidden)


def _value(state: dict[str, Any], strings: list[str], styles: list[str], date1904: bool) -> Any:
    if state["text"] is None:
        return None
    text = "".join(state["text"])
    kind = state["t"]
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            return None
    if kind in ("inlineStr", "str"):
        return _unescape(text)
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        return None
    if kind == "d":
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return text
    if not text.strip():
        return None
    style = styles[state["s"]] if 0 <= state["s"] < len(styles) else ""
    return _number(text.strip(), style, date1904)


def compact(name: str, cells: dict[int, dict[int, Any]], *, hidden: bool = False) -> RawSheet:
    """The grid of the rows and columns that hold data, with their Excel numbers.
    Refused (ReadFailure) when even that grid would exceed MAX_SLOTS."""
    row_numbers = sorted(cells)
    col_numbers = sorted({c for row in cells.values() for c in row})
    index = {c: i for i, c in enumerate(col_numbers)}
    slots = sum(index[max(cells[r])] + 1 for r in row_numbers)
    if slots > MAX_SLOTS:
        far = f"{_letters(max(col_numbers))}{max(row_numbers)}"
        raise R.ReadFailure(R.TOO_SPREAD.format(sheet=name, cells=f"{slots:,}", far=far),
                            f"{slots} slots after compaction")
    rows = []
    for r in row_numbers:
        row_cells = cells[r]
        line = [""] * (index[max(row_cells)] + 1)
        for c, v in row_cells.items():
            line[index[c]] = v
        rows.append(line)
    return RawSheet(name, rows, hidden, row_numbers, col_numbers)


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out
