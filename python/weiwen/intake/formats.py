"""Read one returned file, whatever its format, into raw sheets: the code that runs inside a
reader process (pool.py). Light imports only (no pandas): python-calamine, and xlrd / olefile when
a file needs them.

Formats: xlsx / xlsm / xltx / xltm and WPS .et / .ett saved as OOXML (ooxml.py measures every sheet
first); xls / xlt / .et as BIFF5-8 (calamine, then xlrd as a second opinion); BIFF2-4 (xlrd);
xlsb and ods (calamine); csv / tsv / txt in UTF-8 (with or without BOM), GB18030 / GBK, UTF-16.
The content decides, not the extension. Chart, dialog and macro sheets are left out with a note.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import struct
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..logfile import scrub
from . import ooxml
from . import reasons as R
from .raw import RawSheet
from .sniff import sniff

META_SHEET = "_weiwen"   # hidden sheet in our templates: rows 单位编码 / 单位名称 / 活动名称 / 生成时间
CSV_MAX_CELL = 1 << 20   # characters in one CSV field
CSV_MAX_COLUMNS = 16_384
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
NOT_DATA = {"chartsheet": "图表", "dialogsheet": "对话框", "macrosheet": "宏表",
            "ChartSheet": "图表", "DialogSheet": "对话框", "MacroSheet": "宏表", "Vba": "宏代码"}


@dataclass
class FileData:
    """What a reader process sends back for one file (picklable, no pandas)."""
    sheets: list[RawSheet] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    saved: dt.datetime | None = None
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def skip(self, sheet: str, what: str) -> None:
        self.notes.append(("intake.sheet_skipped", {"sheet": sheet, "what": what}))

    def failed(self, sheet: str, reason: str) -> None:
        self.notes.append(("intake.sheet_unreadable", {"sheet": sheet, "reason": reason}))

    def add(self, sheet: RawSheet) -> None:
        if sheet.name == META_SHEET:
            self.meta = {_text(r[0]): _text(r[1]) for r in sheet.rows if len(r) >= 2 and _text(r[0])}
        else:
            self.sheets.append(sheet)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_guarded(path: Path) -> tuple[FileData | None, str, str]:
    """(data, "", "") or (None, the clerk's reason, the library's detail): never raises for the
    file's sake. A Rust panic from calamine is a BaseException, so that is what is caught."""
    try:
        return read_any(path), "", ""
    except R.ReadFailure as exc:
        return None, exc.reason, exc.detail
    except MemoryError:
        return None, R.MEMORY.format(limit="可用内存"), "MemoryError"
    except RecursionError as exc:
        return None, R.DAMAGED, f"RecursionError: {exc}"
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None, R.CRASHED, f"{type(exc).__name__}: {exc}"


def read_any(path: Path) -> FileData:
    """The file's sheets, or ReadFailure with the reason the clerk reads."""
    try:
        kind = sniff(path)
    except OSError as exc:
        raise R.ReadFailure(R.LOCKED, repr(exc)) from None
    if kind == "empty":
        raise R.ReadFailure(R.EMPTY, "0 bytes")
    if kind == "text":
        if path.suffix.lower() not in TEXT_SUFFIXES and not _delimited(path):
            raise R.ReadFailure(R.RENAMED.format(what="一段文字"), "text without delimiters")
        return read_text(path)    # an "Excel export" that is really tab-separated text
    if kind == "zip":
        return _read_zip(path)
    if kind == "ole":
        return _read_ole(path)
    return _read_xlrd(path)                            # BIFF2-4


# --- zip: OOXML, xlsb, ods --------------------------------------------------------------------

def _read_zip(path: Path) -> FileData:
    try:
        z = zipfile.ZipFile(path)
        names = {n.lower() for n in z.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise R.ReadFailure(R.TRUNCATED, repr(exc)) from None
    with z:
        budget = ooxml.Budget()
        ooxml.check_zip(z, budget)
        if "xl/workbook.xml" in names:
            return _read_ooxml(path, z, budget)
        if "xl/workbook.bin" in names or "mimetype" in names and _ods(z):
            return _read_calamine(path)
        if "word/document.xml" in names:
            raise R.ReadFailure(R.RENAMED.format(what="Word 文档"), "docx")
        if "ppt/presentation.xml" in names:
            raise R.ReadFailure(R.RENAMED.format(what="演示文稿"), "pptx")
        if "mimetype" in names:
            raise R.ReadFailure(R.RENAMED.format(what="文字文档或其他 OpenDocument 文件"), "odf")
        if "[content_types].xml" in names or "_rels/.rels" in names:
            raise R.ReadFailure(R.TRUNCATED, "OOXML package without a workbook part")
        raise R.ReadFailure(R.ARCHIVE, "zip without a workbook")


def _ods(z: zipfile.ZipFile) -> bool:
    with z.open(next(n for n in z.namelist() if n.lower() == "mimetype")) as f:
        return b"spreadsheet" in f.read(200)


def _read_ooxml(path: Path, z: zipfile.ZipFile, budget: ooxml.Budget) -> FileData:
    parts, date1904 = ooxml.sheet_parts(z, budget)
    out = FileData(saved=saved_time(z))
    why = ooxml.calamine_safe(z)
    book, why = (None, why) if why else _calamine_book(path)
    shared: dict[str, Any] = {}
    for part in parts:
        if part.kind not in ("worksheet", ""):
            out.skip(part.name, NOT_DATA.get(part.kind, "非数据工作表"))
            continue
        try:
            if not ooxml.has_member(z, part.part):
                raise R.ReadFailure(R.TRUNCATED, f"missing part {part.part}")
            extent = ooxml.measure(z, part.part, budget)
            sheet = None
            if book is not None and not extent.absurd:
                sheet = _calamine_sheet(book, part.name, part.hidden)
            if sheet is None:
                if "strings" not in shared:
                    name = ooxml.workbook_part(z) or "xl/workbook.xml"
                    shared["strings"] = ooxml._shared_strings(z, name, budget)
                    shared["styles"] = ooxml._styles(z, name, budget)
                sheet = ooxml.read_sparse(z, part, date1904, budget, shared["strings"],
                                          shared["styles"])
            out.add(sheet)
        except R.ReadFailure as exc:
            if "解压后超过" in exc.reason:
                raise
            _log_detail(path, exc.detail)
            out.failed(part.name, exc.reason)
    if not out.sheets and not out.meta:
        failed = [n for n in out.notes if n[0] == "intake.sheet_unreadable"]
        if failed:
            raise R.ReadFailure(failed[0][1]["reason"], why)
        if not parts and book is None:
            raise R.ReadFailure(R.DAMAGED, why)
    return out


def _calamine_book(path: Path):
    try:
        from python_calamine import CalamineWorkbook
        return CalamineWorkbook.from_path(str(path)), ""
    except BaseException as exc:     # a Rust panic is a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None, f"{type(exc).__name__}: {exc}"


def _calamine_sheet(book, name: str, hidden: bool) -> RawSheet | None:
    """The sheet through calamine, or None when calamine cannot read it (the caller tries the
    sparse reader)."""
    try:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        _log_detail(Path(str(book.path or "")), f"calamine sheet {name!r}: {type(exc).__name__}: {exc}")
        return None
    return RawSheet(name, [list(r) for r in rows], hidden)


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def saved_time(z: zipfile.ZipFile) -> dt.datetime | None:
    """docProps/core.xml's dcterms:modified (local time), which Excel and WPS set on every save."""
    try:
        info = z.getinfo("docProps/core.xml")
        if info.file_size > 1 << 20:
            return None
        m = _MODIFIED.search(z.read(info))
        if not m:
            return None
        stamp = dt.datetime.fromisoformat(m.group(1).decode().strip().replace("Z", "+00:00"))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError, UnicodeDecodeError):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone().replace(tzinfo=None)
    return stamp


# --- calamine for xls / xlsb / ods --------------------------------------------------------------

def _read_calamine(path: Path) -> FileData:
    book, why = _calamine_book(path)
    if book is None:
        raise R.ReadFailure(_reason_for(why), why)
    out = FileData()
    for info in book.sheets_metadata:
        kind = str(info.typ).rsplit(".", 1)[-1]
        if kind != "WorkSheet":
            out.skip(info.name, NOT_DATA.get(kind, "非数据工作表"))
            continue
        hidden = "hidden" in str(info.visible).lower()
        try:
            sheet = book.get_sheet_by_name(info.name)
            out.add(_grid(sheet, info.name, hidden))
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            _log_detail(path, f"sheet {info.name!r}: {type(exc).__name__}: {exc}")
            out.failed(info.name, _reason_for(exc))
    if not out.sheets and not out.meta:
        failed = [n for n in out.notes if n[0] == "intake.sheet_unreadable"]
        if failed:
            raise R.ReadFailure(failed[0][1]["reason"], "every sheet failed")
    return out


def _reason_for(exc: BaseException | str) -> str:
    """The clerk's reason for a library error (its text only goes to the log)."""
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return R.PASSWORD
    if "cell limit" in text:
        return R.TOO_BIG
    if any(w in text for w in ("eof", "end of file", "fill whole buffer", "truncat", "past end",
                               "zip", "invalid checksum", "crc")):
        return R.TRUNCATED
    return R.DAMAGED


def _grid(sheet, name: str, hidden: bool) -> RawSheet:
    """calamine's grid from A1; a sparse one (BIFF8 allows 65,536 × 256) is compacted."""
    end = sheet.end
    if end is None:
        return RawSheet(name, [], hidden)
    if (end[0] + 1) * (end[1] + 1) <= ooxml.DENSE_OK:
        return RawSheet(name, [list(r) for r in sheet.to_python(skip_empty_area=False)], hidden)
    top, left = sheet.start or (0, 0)
    cells: dict[int, dict[int, Any]] = {}
    for i, row in enumerate(sheet.iter_rows()):
        filled = {left + j + 1: v for j, v in enumerate(row) if v != "" and v is not None}
        if filled:
            cells[top + i + 1] = filled
    return ooxml.compact(name, cells, hidden=hidden)


# --- OLE: xls / et (BIFF5-8), encrypted OOXML, other Office files ------------------------------------

def _read_ole(path: Path) -> FileData:
    import olefile
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s).lower(): "/".join(s) for s in ole.listdir()}
            if "encryptedpackage" in streams or "encryptioninfo" in streams:
                raise R.ReadFailure(R.PASSWORD, "OOXML encrypted package")
            book = streams.get("workbook") or streams.get("book")
            if book is None:
                if "worddocument" in streams:
                    raise R.ReadFailure(R.RENAMED.format(what="Word 文档"), "doc")
                if "powerpoint document" in streams:
                    raise R.ReadFailure(R.RENAMED.format(what="演示文稿"), "ppt")
                raise R.ReadFailure(R.RENAMED.format(what="不含表格的 Office 文件"),
                                    f"OLE streams {sorted(streams)[:8]}")
            stream = ole.openstream(book).read()
            if _biff_encrypted(stream):
                raise R.ReadFailure(R.PASSWORD, "BIFF FILEPASS record")
    except R.ReadFailure:
        raise
    except Exception as exc:   # olefile on a damaged container
        raise R.ReadFailure(R.TRUNCATED, f"olefile: {type(exc).__name__}: {exc}") from None
    if _biff_large(stream):    # calamine's dense grid of 65,536 × 256 cells would take 1 GB
        return _read_xlrd(path, sparse=True)
    try:
        return _read_calamine(path)
    except R.ReadFailure as first:
        try:
            return _read_xlrd(path)
        except R.ReadFailure:
            raise first from None


def _biff_encrypted(data: bytes) -> bool:
    """A FILEPASS record (0x002F) in the workbook globals: XOR or RC4 encryption."""
    pos = 0
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        if kind == 0x002F:
            return True
        if kind == 0x000A:       # EOF of the globals substream
            return False
        pos += 4 + size
    return False


def _biff_large(data: bytes) -> bool:
    """Whether a sheet's DIMENSIONS record declares a grid larger than ooxml.DENSE_OK (each
    BOUNDSHEET record of the globals gives the offset of a sheet's BOF; DIMENSIONS follows it)."""
    offsets, pos = [], 0
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        if kind == 0x0085 and size >= 4:
            offsets.append(struct.unpack_from("<I", data, pos + 4)[0])
        if kind == 0x000A:
            break
        pos += 4 + size
    for start in offsets:
        pos = start
        for _ in range(200):
            if pos + 4 > len(data):
                break
            kind, size = struct.unpack_from("<HH", data, pos)
            if kind == 0x0200 and size >= 8:
                if size >= 14:
                    rows, cols = struct.unpack_from("<I", data, pos + 8)[0], \
                        struct.unpack_from("<H", data, pos + 14)[0]
                else:
                    rows, cols = struct.unpack_from("<H", data, pos + 6)[0], \
                        struct.unpack_from("<H", data, pos + 10)[0]
                if rows * cols > ooxml.DENSE_OK:
                    return True
                break
            if kind == 0x000A:
                break
            pos += 4 + size
    return False


def _read_xlrd(path: Path, sparse: bool = False) -> FileData:
    import xlrd
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, ragged_rows=True,
                                  logfile=io.StringIO())
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        text = str(exc).lower()
        reason = R.PASSWORD if "encrypt" in text or "password" in text else \
            R.TRUNCATED if isinstance(exc, (EOFError, IndexError, struct.error)) or "eof" in text \
            else R.DAMAGED
        raise R.ReadFailure(reason, f"xlrd: {type(exc).__name__}: {exc}") from None
    out = FileData()
    for index, name in enumerate(book.sheet_names()):
        try:
            sheet = book.sheet_by_index(index)
            hidden = bool(getattr(sheet, "visibility", 0))
            rows = [[_xlrd_value(cell, book.datemode) for cell in sheet.row(r)]
                    for r in range(sheet.nrows)]
            if sparse:
                cells = {r + 1: {c + 1: v for c, v in enumerate(row) if v != ""}
                         for r, row in enumerate(rows)}
                out.add(ooxml.compact(name, {r: c for r, c in cells.items() if c}, hidden=hidden))
            else:
                out.add(RawSheet(name, rows, hidden))
        except Exception as exc:
            _log_detail(path, f"xlrd sheet {name!r}: {type(exc).__name__}: {exc}")
            out.failed(name, R.DAMAGED)
    if not out.sheets and not out.meta and any(n[0] == "intake.sheet_unreadable" for n in out.notes):
        raise R.ReadFailure(R.DAMAGED, "xlrd: every sheet failed")
    return out


def _xlrd_value(cell, datemode: int) -> Any:
    import xlrd
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            stamp = xlrd.xldate_as_datetime(value, datemode)
        except Exception:
            return value
        return stamp.date() if stamp.time() == dt.time() else stamp
    return value


# --- delimited text ------------------------------------------------------------------------------------

def decode(data: bytes) -> str:
    """UTF-16 (Excel's "Unicode text"), UTF-8 with or without BOM, else GB18030 (GBK's superset)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:     # UTF-16 without a BOM
        odd_zeros = sample[1::2].count(0)
        return data.decode("utf-16-le" if odd_zeros >= sample[0::2].count(0) else "utf-16-be",
                           errors="replace")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _delimited(path: Path) -> bool:
    with open(path, "rb") as f:
        text = decode(f.read(8192))
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    return any(line.count(sep) >= 2 for line in lines for sep in "\t,;")


def read_text(path: Path) -> FileData:
    """A CSV / TSV / text export as one sheet named after the file."""
    text = decode(path.read_bytes())
    _check_line_lengths(text)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(CSV_MAX_CELL)
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise R.ReadFailure(R.CSV_CELL.format(row=reader.line_num, limit=f"{CSV_MAX_CELL:,}"),
                                    str(exc)) from None
            raise R.ReadFailure(R.DAMAGED, f"csv: {exc}") from None
        if len(row) > CSV_MAX_COLUMNS:
            raise R.ReadFailure(R.CSV_WIDE.format(row=reader.line_num, limit=f"{CSV_MAX_COLUMNS:,}"),
                                f"{len(row)} fields")
        rows.append(row)
    return FileData(sheets=[RawSheet(path.stem, rows)])


def _check_line_lengths(text: str) -> None:
    """No line longer than CSV_MAX_CELL characters (one 100 MB line is not a list, and the csv
    module would hold all its fields at once)."""
    pos, line = 0, 1
    while True:
        nxt = text.find("\n", pos)
        end = len(text) if nxt < 0 else nxt
        if end - pos > CSV_MAX_CELL:
            raise R.ReadFailure(R.CSV_CELL.format(row=line, limit=f"{CSV_MAX_CELL:,}"),
                                f"line {line}: {end - pos} characters")
        if nxt < 0:
            return
        pos, line = nxt + 1, line + 1


def _log_detail(path: Path, detail: str) -> None:
    """Library text for the log: the reader process's stderr goes to the reading log."""
    if detail:
        print(scrub(f"[{path.name}] {detail}"[:2000]), file=sys.stderr)
