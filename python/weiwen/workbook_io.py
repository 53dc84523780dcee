"""The openpyxl/calamine adapter: the campaign workbook on disk ⇄ settings and DataFrames.

Reading goes through python-calamine (fast, values only). Writing goes through openpyxl with
keep_vba=True so the VBA project, the ribbon part, the clerk's own sheets, formulas, formats and
data validations survive; only the result sheets' data rows are replaced. Every write is atomic
and preceded by a backup. (The live workbook in Excel is written by excel.py through xlwings.)
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from . import code_names
from .cells import cell_value, date_format, finite
from .errors import CampaignError, damaged_workbook, os_reason
from .fileio import atomic_write, backup, remove_stale_temps
from .names import BACKUP_DIR, PROBLEM_COLUMNS, ROSTER_COLUMNS, TEXT_COLUMNS, Sheet
from .openpyxl_access import drop_rows_below, place
from .problems import kinds_frame
from .settings import Settings, load_settings
from .sheet_fingerprint import archive_fingerprints, fingerprints
from .sheet_splice import ILLEGAL_XML as _ILLEGAL_XML, CopyRows, SpliceError, splice_frames
from .values import is_blank, to_text


def damaged(path: Path, doing: str, exc: BaseException) -> CampaignError:
    """The clerk's message for a workbook that cannot be read as one: what failed, that the file
    is as it was, and how to get the last good copy back. The library's own words (English)
    stay out; a zip part the file lacks is named."""
    name = Path(path).name
    missing = re.search(r"no item named '([^']+)'", str(exc)) if isinstance(exc, KeyError) else None
    detail = f"文件里缺少 {missing.group(1)}" if missing else "文件内容无法解析"
    return CampaignError(damaged_workbook(name, doing, detail))


def _open(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except OSError as exc:    # there, but locked or not allowed: not damage
        raise CampaignError(f"无法读取工作簿 {Path(path).name}（{os_reason(exc)}）。"
                            f"请关闭打开它的程序，或检查活动文件夹的权限后重试。") from exc
    except Exception as exc:  # calamine raises several types for a damaged file
        raise damaged(path, "读取", exc) from exc


def read_sheets(path: Path, names: Iterable[str] | None = None) -> dict[str, list[list[Any]]]:
    """Cell values of the named sheets (all sheets when None); missing sheets are left out."""
    book = _open(path)
    wanted = list(book.sheet_names) if names is None else [n for n in names
                                                           if n in book.sheet_names]
    out: dict[str, list[list[Any]]] = {}
    for name in wanted:
        out[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return out


def sheet_rows(path: Path, name: str) -> Iterator[list[Any]] | None:
    """The rows of one sheet from A1, as read_sheets gives them, made one at a time (a
    200,000-row 名册 as Python lists is ~250 MB, not needed at once to make its frame);
    None when the workbook has no such sheet."""
    book = _open(path)
    if name not in book.sheet_names:
        return None
    sheet = book.get_sheet_by_name(name)
    if sheet.start in (None, (0, 0)):
        return iter(sheet.iter_rows())
    return iter(sheet.to_python(skip_empty_area=False))   # iter_rows would not pad to A1


def read_settings(path: Path) -> Settings:
    return load_settings(read_sheets(path, (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS)))


#: rows turned into columns at a time by frame_from_rows
_CHUNK = 10_000


def frame_from_rows(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A sheet's rows (header first) as a DataFrame with exactly `columns`, text kept as text.
    Blank rows (every cell blank) are left out; blank cells become None.

    The rows may come one at a time (sheet_rows): they are taken a chunk at a time, so only the
    frame's columns are ever whole. Within a column, equal text is one string object while the
    column has few distinct values (单位, 类别, 状态, 来源文件 … of a 200,000-row 名册)."""
    rows = iter(rows)
    first = next(rows, None)
    header = [to_text(v) for v in first] if first is not None else []
    data: dict[str, list[Any]] = {column: [] for column in columns}
    places = [(data[column], header.index(column), column in TEXT_COLUMNS, _Shared())
              for column in columns if column in header]
    count = 0
    while chunk := list(itertools.islice(rows, _CHUNK)):
        body = [r for r in chunk if not all(map(_blank, r))]
        count += len(body)
        for out, i, text, shared in places:
            values = [r[i] if i < len(r) else None for r in body]
            if text:
                out += [None if _blank(v) else _text(v) for v in values]
            else:
                out += shared.one_each([None if _blank(v) else v for v in values], count)
    for column in columns:
        if column not in header:
            data[column] = [None] * count
    return pd.DataFrame(data, columns=list(columns), dtype=object)


class _Shared:
    """One string object for each distinct text of a column, while the column has few (more
    than one in four rows distinct, as names and addresses: given up, nothing to share)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] | None = {}

    def one_each(self, values: list[Any], rows: int) -> list[Any]:
        seen = self.seen
        if seen is None:
            return values
        shared = [seen.setdefault(v, v) if type(v) is str else v for v in values]
        if len(seen) * 4 > rows:
            self.seen = None
        return shared


def _text(value: Any) -> str:
    """values.to_text, with a shortcut for plain ASCII text (NFKC leaves it as it is)."""
    if type(value) is str and value.isascii():
        return " ".join(value.split())
    return to_text(value)


def _blank(value: Any) -> bool:
    """values.is_blank, inlined for the common types (the same answer for every value)."""
    kind = type(value)
    if kind is str:
        return not value or value.isspace()
    if value is None:
        return True
    if kind is float:
        return value != value
    return is_blank(value)


def read_frame(path: Path, sheet: str, columns: Sequence[str]) -> pd.DataFrame:
    """frame_from_rows of one sheet, its rows made one at a time (a missing sheet: no rows)."""
    return frame_from_rows(sheet_rows(path, sheet) or [], columns)


# --- what a spliced sheet reads back as, without reading it ---------------------------------------

class Unsure(Exception):
    """A value whose read-back is not worked out here (a date with a time of day, say)."""


#: what calamine gives for the text of an inline-string cell: XML reads a line break as \n
_LINE_BREAKS = re.compile(r"\r\n?")
#: a character the splice drops (sheet_splice.ILLEGAL_XML) or XML rewrites (\r): the slow path
_UNUSUAL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPACE = re.compile(r"\s")
_FIRST_DATE = dt.date(1900, 3, 1)      # before it, Excel's serials count a day that never was


def _read_cell(value: Any) -> Any:
    """What calamine returns for the cell sheet_splice writes for `value` ('' for no cell)."""
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value) if finite(value) else str(value)
    if isinstance(value, dt.datetime):
        if value.time() != dt.time() or value.date() < _FIRST_DATE:
            raise Unsure(value)
        return value.date()
    if isinstance(value, dt.date):
        if value < _FIRST_DATE:
            raise Unsure(value)
        return value
    return _LINE_BREAKS.sub("\n", _ILLEGAL_XML.sub("", str(value)))


def _read_column(values: list[Any], text: bool) -> list[Any]:
    """frame_from_rows' column for the cells sheet_splice writes from `values`: plain text and
    numbers (most of a roster) a column at a time, anything else cell by cell."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        joined = "".join(filter(None, values))
        if _UNUSUAL.search(joined) is None:
            if text and not (joined.isascii() and _SPACE.search(joined) is None):
                return [None if not v or v.isspace() else _text(v) for v in values]
            return [None if not v or v.isspace() else v for v in values]
    if kinds <= {float, int, type(None)} and not text:
        numbers = np.array(values, dtype=float)          # None → NaN, as a blank is
        if not np.isinf(numbers).any():
            return [None if v != v else v for v in numbers.tolist()]
    cells = [_read_cell(v) for v in values]
    if text:
        return [None if _blank(v) else _text(v) for v in cells]
    return [None if _blank(v) else v for v in cells]


def _reads_as(values: list[Any], before: list[Any], text: bool) -> str | None:
    """Whether `values` read back as `before`, a column read back before, told by comparing
    lists: text that is its read-back (a read-back text is one already: keys as keys, no
    character XML drops or rewrites, not blank), ints equal to its numbers, NaN where it is
    blank — as how the column's numbers are written ("int" for ints, else "float"). None does
    not mean they differ, only that it is worked out the long way."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        # most text columns hold no "" (read back as blank): compared as they are first
        return "float" if values == before or [v or None for v in values] == before else None
    if kinds == {int} and not text:
        same = values == before and set(map(type, before)) == {float}   # == is exact
        return "int" if same else None
    if kinds == {float}:
        blank = before.count(None) == len(before) and bool(np.isnan(values).all())
        return "float" if blank else None
    return None


def frame_as_read_back(frame: pd.DataFrame, like: pd.DataFrame | None = None
                       ) -> pd.DataFrame | None:
    """frame_from_rows(rows, its columns) of the sheet that sheet_splice writes from `frame`,
    worked out without writing or reading it (None when a value's read-back is not certain).
    `like`: what the sheet read back as before (the sheet memo's): a column that reads back as
    its column is taken from it (a re-merge changes a few rows of 100,000).

    Why: 名册 is written by one operation and read back by the next (a re-merge for the clerk's
    备注, 计算金额, the outputs); reading 100,000 rows back costs seconds. The writer contract
    makes the read-back predictable: text as written (XML's line breaks aside), numbers as
    floats, dates as dates; blank rows left out; 身份证号 / 联系电话 / 银行卡号 as keys (_text)."""
    return read_back_and_kept(frame, like)[0]


def read_back_and_kept(frame: pd.DataFrame, like: pd.DataFrame | None = None
                       ) -> tuple[pd.DataFrame | None, tuple[str | None, ...]]:
    """frame_as_read_back, and for each column whether it was taken from `like` as it is — its
    values are then `like`'s very objects, every cell plain (row_reuse.py) — as how its numbers
    are written ("int" or "float"), else None. What a re-merge's write knows without looking
    again: those columns' spelling, and that the sheet memo holds them already."""
    header = [str(c) for c in frame.columns]
    none: tuple[str | None, ...] = (None,) * len(header)
    if len(set(header)) != len(header) or any(to_text(h) != h for h in header):
        return None, none
    if like is not None and (len(like) != len(frame) or list(like.columns) != header):
        like = None
    data: dict[str, list[Any] | np.ndarray] = {}
    kept: list[str | None] = []
    try:
        for i, name in enumerate(header):
            values, text = frame.iloc[:, i].tolist(), name in TEXT_COLUMNS
            before = like.iloc[:, i].tolist() if like is not None else None
            spelled = _reads_as(values, before, text) if before is not None else None
            # a column kept is handed on as `like`'s array (the same objects), not as a list
            data[name] = like.iloc[:, i].to_numpy(dtype=object) \
                if like is not None and spelled is not None else _read_column(values, text)
            kept.append(spelled)
    except (Unsure, OverflowError):
        return None, none
    out = pd.DataFrame(data, columns=header, dtype=object)
    if all(None in values for values in data.values()):      # perhaps a blank row
        blank = out.isna().all(axis=1)
        if blank.any():
            return out[~blank].reset_index(drop=True), none
    return out, tuple(kept)


def read_roster(path: Path) -> pd.DataFrame:
    return read_frame(path, Sheet.ROSTER, ROSTER_COLUMNS)


def read_problems(path: Path) -> pd.DataFrame:
    return read_frame(path, Sheet.PROBLEMS, PROBLEM_COLUMNS)


# --- writing ----------------------------------------------------------------------------------

def _put(ws: Any, row: int, column: int, value: Any, *, text_column: bool = False) -> None:
    """One cell through openpyxl under the writer contract (cells.py)."""
    value = cell_value(value)
    if value is None:
        return
    if isinstance(value, float) and not finite(value):
        value = str(value)
    number_format = "@" if text_column and isinstance(value, str) else (
        date_format(value) if isinstance(value, dt.date) else None)
    place(ws, row, column, value, number_format=number_format)


def _replace_data(ws: Any, frame: pd.DataFrame, *, header_row: int = 1) -> None:
    """Drop the sheet's data rows (keeping header, widths, validations) and write `frame`."""
    drop_rows_below(ws, header_row)
    header = [to_text(ws.cell(row=header_row, column=c).value) for c in range(1, ws.max_column + 1)]
    positions = []
    for column in frame.columns:
        if column in header:
            positions.append(header.index(column) + 1)
        else:
            header.append(column)
            ws.cell(row=header_row, column=len(header), value=column)
            positions.append(len(header))
    text_positions = {p for p, c in zip(positions, frame.columns) if c in TEXT_COLUMNS}
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=header_row + 1):
        for c, value in zip(positions, values):
            _put(ws, r, c, value, text_column=c in text_positions)


@dataclass
class Written:
    """What write_frames did: the sheet_fingerprint.fingerprints of the spliced `frames` sheets
    as written (empty when openpyxl wrote the workbook), and the sheets whose part ended right
    after its rows and was completed (sheet_splice.completed_tail)."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)


def write_frames(path: Path, campaign_root: Path, frames: Mapping[str, pd.DataFrame],
                 *, raw_sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
                 copy: Mapping[str, tuple[str, np.ndarray]] | None = None,
                 shipped: Path | None = None) -> Written:
    """Replace the data rows of the given sheets (creating a sheet if needed) and save safely.

    `frames`: sheet name → DataFrame written under a header row of its columns.
    `raw_sheets`: sheet name → rows written from A1 as they are (the 汇总 sheet's free layout).
    When every sheet exists, only their rows are spliced into the file (fast, every other part
    untouched); otherwise the workbook goes through openpyxl (keep_vba) once.
    `copy`: sheet → (its fingerprint now, which rows of its frame the sheet already holds as a
    fresh write makes them — books/row_reuse.py): those are copied, if the sheet is still that.
    `shipped`: the workbook as shipped, whose sheets complete a part found cut short after its
    rows. The fingerprints returned are taken from the new file before it replaces the old.
    """
    path = Path(path)
    tables: dict[str, Any] = {**dict(frames), **dict(raw_sheets or {})}
    written = Written()
    rows = {name: CopyRows(same, _still(name, fingerprint))
            for name, (fingerprint, same) in (copy or {}).items()}

    def splice(tmp: Path) -> None:
        written.repaired[:] = splice_frames(path, tmp, tables, copy=rows, shipped=shipped)
        written.fingerprints.update(fingerprints(tmp, frames))

    made = backup(path, campaign_root)
    # what a killed write left beside the workbook and among the backups (never a fresh one)
    remove_stale_temps({path.parent, Path(campaign_root) / BACKUP_DIR})
    try:
        try:
            atomic_write(path, splice)
            return written
        except SpliceError:
            pass
        _write_with_openpyxl(path, frames, raw_sheets)
        return Written()
    except OSError as exc:    # a locked workbook (open in Excel), a full disk: not damage
        raise CampaignError(f"无法写入工作簿 {path.name}（{os_reason(exc)}），工作簿保持原样。"
                            f"请关闭打开它的程序，或检查活动文件夹的权限和磁盘空间后重试。") from exc
    except (zipfile.BadZipFile, KeyError, zlib.error, EOFError, ET.ParseError) as exc:
        _unmake(made)                     # a part missing, cut short, not XML: damage
        raise damaged(path, "写入", exc) from exc
    except CampaignError:
        _unmake(made)
        raise


def _unmake(backup_made: Path | None) -> None:
    """The backup just made of a damaged workbook is let go: it must never become the "latest
    backup" the clerk is told to take back (a workbook that could not be written for another
    reason is whole, and so is its backup)."""
    if backup_made is not None:
        backup_made.unlink(missing_ok=True)


def _still(sheet: str, fingerprint: str) -> Callable[[zipfile.ZipFile], bool]:
    """Whether an open workbook's `sheet` has `fingerprint`: checked on the very file the rows are
    copied from, when the copying starts."""
    def still(archive: zipfile.ZipFile) -> bool:
        try:
            return archive_fingerprints(archive, (sheet,)).get(sheet) == fingerprint
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return False
    return still


def _restore_code_names(wb: Any) -> None:
    """The codeNames a LibreOffice save dropped (code_names.py), on the way through openpyxl."""
    archive = getattr(wb, "vba_archive", None)
    if archive is None or wb.code_name is not None or "xl/vbaProject.bin" not in archive.namelist():
        return
    modules = code_names.document_modules(archive.read("xl/vbaProject.bin"))
    used = {ws.sheet_properties.codeName for ws in wb.worksheets}
    if code_names.WORKBOOK_MODULE in modules:
        wb.code_name = code_names.WORKBOOK_MODULE
    for number, ws in enumerate(wb.worksheets, start=1):
        name = f"Sheet{number}"
        if ws.sheet_properties.codeName is None and name in modules and name not in used:
            ws.sheet_properties.codeName = name


def _write_with_openpyxl(path: Path, frames: Mapping[str, pd.DataFrame],
                         raw_sheets: Mapping[str, Sequence[Sequence[Any]]] | None) -> None:
    try:
        wb = load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)
    except OSError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parser meets in a damaged part
        raise damaged(path, "写入", exc) from exc
    _restore_code_names(wb)
    for sheet, frame in frames.items():
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        if ws.max_row < 1 or ws.cell(row=1, column=1).value is None:
            for i, column in enumerate(frame.columns, start=1):
                ws.cell(row=1, column=i, value=column)
        _replace_data(ws, frame)
    for sheet, rows in (raw_sheets or {}).items():
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        drop_rows_below(ws, 0)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                _put(ws, r, c, value)
    atomic_write(path, wb.save)


def result_frames(*, roster: pd.DataFrame | None = None, problems: pd.DataFrame | None = None,
                  extra: Mapping[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """Sheet name → DataFrame in the sheet contract's columns: what both adapters write
    (this file writer and the xlwings one in excel.py)."""
    frames: dict[str, pd.DataFrame] = {}
    if roster is not None:
        frames[Sheet.ROSTER] = roster.reindex(columns=list(ROSTER_COLUMNS))
    if problems is not None:
        frames[Sheet.PROBLEMS] = problems.reindex(columns=list(PROBLEM_COLUMNS))
        # the counts always come from the same rows, whoever rewrites 问题
        frames[Sheet.PROBLEM_KINDS] = kinds_frame(frames[Sheet.PROBLEMS])
    frames.update(extra or {})
    return frames


def write_results(path: Path, campaign_root: Path, *, roster: pd.DataFrame | None = None,
                  problems: pd.DataFrame | None = None,
                  summary_rows: Sequence[Sequence[Any]] | None = None,
                  extra: Mapping[str, pd.DataFrame] | None = None) -> None:
    frames = result_frames(roster=roster, problems=problems, extra=extra)
    write_frames(path, campaign_root, frames,
                 raw_sheets={Sheet.SUMMARY: summary_rows} if summary_rows is not None else None)
