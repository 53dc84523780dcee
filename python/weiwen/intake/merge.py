"""Raw returned files → one roster DataFrame with provenance; every data row accounted for.

Pure: takes RawFile objects (readers.py) and Settings, returns the roster (名册 columns plus
working columns), the problems and a MergeReport. Invariant, checked here and in the tests:

    rows read = roster rows + rows rejected into 问题 (each covered by a problem with a reason)
                + family-member rows folded into their household (a list with one row per person)

"Rows read" are the data rows of the files that take part: the newest version of each unit and
files whose unit is unknown. Rows of a superseded (older) version are counted apart
(`superseded_rows`) and their files listed; they are replaced, not lost.

Versions: each file is one version of its unit, except files the clerk marked as parts of one
return — a file whose name contains 分批, or any file in a sub-folder whose name starts with 分批;
the parts of one unit in one folder are combined into one version. The newest version of a unit
(by the time saved inside the file, else the modification time) is used.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol
from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import problems as P
from ..names import ROSTER_COLUMNS, Col, Internal, Severity, Status
from ..settings import Settings, Unit
from ..values import blanks_as_empty, to_text
from . import normalize as N
from .categories import CategoryIndex, piece_categories
from .headers import find_header
from .households import MEMBERS
from .pool import LOG_FILE, log_detail
from .readers import META_TIME, RawFile
from .tables import ROW, Table, tables_of
from .units import UnitIndex, recognise

STAGE = "intake"
P.register("intake.no_header", "找不到表头", Severity.ERROR, STAGE,
           "“{file}”中找不到名单表头（如 户主姓名、身份证号、类别）。请让该单位使用下发的模板填写后重新发送。")
#: a file no unit could be told from (name, rows): its rows stay out of 名册
UNKNOWN_UNIT = "intake.unknown_unit"
P.register(UNKNOWN_UNIT, "无法识别单位", Severity.ERROR, STAGE,
           "无法确定“{file}”是哪个社区/村交回的（{rows} 行未合并）。请把文件名改为单位名称（与“单位”表一致）后重新合并。")
P.register("intake.superseded", "旧版本已被替换", Severity.WARNING, STAGE,
           "“{file}”是{unit}较早交回的版本（{rows} 行），已由较新的“{newer}”替换，未合并。")
P.register("intake.rejected_row", "无法使用的行", Severity.ERROR, STAGE,
           "第{row}行没有户主姓名和身份证号，无法合并：{content}。请补填后重新交回。")
P.register("intake.unknown_unit_row", "单位名称无法识别", Severity.ERROR, STAGE,
           "第{row}行“单位”列的“{value}”不在“单位”表中，本行未合并。请改为“单位”表里的名称后重新合并。")
P.register("intake.empty_return", "交回的是空表", Severity.WARNING, STAGE,
           "“{file}”没有填写任何名单行，未使用。{unit}如有慰问对象，请填写后重新交回。")
P.register("intake.category_from_title", "类别按标题计", Severity.WARNING, STAGE,
           "“{file}”没有“类别”列，{where}写的是“{word}”，本表 {rows} 户都按“{category}”计入。"
           "如有其他类别的户，请在名册“类别”列改正，或请该单位补上“类别”列。")
P.register("intake.head_not_listed", "户主不在名单中", Severity.WARNING, STAGE,
           "第{first}–{last}行是户主“{name}”一户的家庭成员，名单里没有户主本人的一行，已合为一户，"
           "户主姓名和身份证号取自“户主”列。请核对。")

PART_MARK = "分批"
NO_ID = "名:"        # the stable key's fallback for a row without ID: 单位|名:户主姓名|类别


@dataclass
class MergeReport:
    files_read: int = 0
    rows_read: int = 0
    roster_rows: int = 0
    rejected_rows: int = 0
    members_folded: int = 0     # rows of family members, folded into their household's row
    superseded_rows: int = 0
    rows_per_unit: dict[str, int] = field(default_factory=dict)
    superseded: list[str] = field(default_factory=list)
    #: the units that sent a file (used, superseded or empty): the others have not returned
    sent: list[str] = field(default_factory=list)
    #: 来源文件 → canonical column → the column letter in that file (for "the cell to fix")
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    def check(self) -> None:
        """The row-conservation invariant; a failure is a bug in the merge, never bad input."""
        if self.rows_read != self.roster_rows + self.rejected_rows + self.members_folded:
            raise AssertionError(f"row conservation: read {self.rows_read} ≠ roster "
                                 f"{self.roster_rows} + rejected {self.rejected_rows} + members "
                                 f"{self.members_folded}")


@dataclass
class _Piece:
    """The rows of one table that belong to one unit."""
    unit: Unit
    table: Table
    frame: pd.DataFrame

    @property
    def members(self) -> int:
        return int(self.frame[MEMBERS].fillna(0).sum()) if MEMBERS in self.frame else 0

    @property
    def rows(self) -> int:
        """Rows read: households (or rejected rows) and the members folded into them."""
        return len(self.frame) + self.members

    def cells(self) -> pd.DataFrame:
        """The piece's rows with all their cells (`frame` may be the table's outline)."""
        if self.table.cells is None:
            return self.frame
        whole = self.table.cells()
        return whole if self.frame is self.table.frame else whole.loc[self.frame.index]


def _is_part(relname: str) -> bool:
    path = PurePosixPath(relname)
    return PART_MARK in path.stem or any(p.startswith(PART_MARK) for p in path.parts[:-1])


def _version_key(relname: str) -> str:
    if _is_part(relname):
        return f"{PurePosixPath(relname).parent}/*{PART_MARK}*"
    return relname


def _stamp(raw: RawFile) -> tuple:
    return (raw.stamp, raw.modified, raw.meta.get(META_TIME, ""), raw.relname)


def _pieces(raw: RawFile, tables: list[Table], index: UnitIndex, report: MergeReport,
            problems: list[P.Problem]) -> list[_Piece]:
    """Split a file's tables by unit; rows of an unknown unit are rejected here."""
    title = " ".join(t.title for t in tables)
    unit = recognise(index, raw.meta, title, raw.relname)
    if unit is not None:
        return [_Piece(unit, t, t.frame) for t in tables]
    pieces: list[_Piece] = []
    unknown_rows = 0
    for table in tables:
        if Col.UNIT not in table.frame:
            unknown_rows += table.rows_read
            continue
        named = N.map_unique(table.frame[Col.UNIT], lambda v: index.named(to_text(v)))
        for unit in dict.fromkeys(u for u in named if u is not None):
            pieces.append(_Piece(unit, table, table.frame[named.map(lambda u, unit=unit: u is unit)]))
        for _, row in table.frame[named.isna()].iterrows():
            members = int(row.get(MEMBERS) or 0) if MEMBERS in table.frame else 0
            report.rows_read += 1 + members
            report.rejected_rows += 1 + members
            problems.append(P.make("intake.unknown_unit_row", file=table.source, row=int(row[ROW]),
                                   column=Col.UNIT, value=to_text(row[Col.UNIT]) or "（空）"))
    if unknown_rows:
        report.rows_read += unknown_rows
        report.rejected_rows += unknown_rows
        problems.append(P.make(UNKNOWN_UNIT, file=raw.relname, rows=unknown_rows))
    return pieces


def _choose_versions(pieces: list[_Piece], report: MergeReport,
                     problems: list[P.Problem]) -> list[_Piece]:
    """Per unit: the newest non-empty version wins; the others are listed as superseded."""
    by_unit: dict[str, dict[str, list[_Piece]]] = {}
    for piece in pieces:
        by_unit.setdefault(piece.unit.code, {}).setdefault(
            _version_key(piece.table.raw.relname), []).append(piece)
    used: list[_Piece] = []
    for versions in by_unit.values():
        def newest(key: str, versions: dict[str, list[_Piece]] = versions) -> tuple:
            return max(_stamp(p.table.raw) for p in versions[key])
        ranked = sorted(versions, key=newest)
        filled = [k for k in ranked if sum(p.rows for p in versions[k])]
        winner = filled[-1] if filled else ranked[-1]
        used += versions[winner]
        if not filled:
            for relname in dict.fromkeys(p.table.raw.relname for p in versions[winner]):
                problems.append(P.make("intake.empty_return", unit=versions[winner][0].unit.name,
                                       file=relname))
        newer = "、".join(dict.fromkeys(p.table.raw.relname for p in versions[winner]))
        for key in ranked:
            if key == winner:
                continue
            for relname in dict.fromkeys(p.table.raw.relname for p in versions[key]):
                rows = sum(p.rows for p in versions[key] if p.table.raw.relname == relname)
                unit = versions[key][0].unit.name
                if rows == 0:
                    problems.append(P.make("intake.empty_return", unit=unit, file=relname))
                    continue
                report.superseded.append(relname)
                report.superseded_rows += rows
                problems.append(P.make("intake.superseded", unit=unit, file=relname, rows=rows,
                                       newer=newer))
    return used


def _normalise_piece(piece: _Piece, categories: CategoryIndex
                     ) -> tuple[pd.DataFrame, list[P.Problem]]:
    found: list[P.Problem] = []
    return _normalised(piece, categories, found), found


def _normalised(piece: _Piece, categories: CategoryIndex,
                problems: list[P.Problem]) -> pd.DataFrame:
    """The piece's rows in roster columns, values cleaned column by column."""
    raw = piece.cells()
    empty = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    col = lambda name: raw[name] if name in raw else empty  # noqa: E731
    ids, id_from_number = N.ids(col(Col.ID))
    cards, card_from_number = N.cards(col(Col.CARD))
    table = piece.table
    category, reported, named = piece_categories(
        raw, table.headers, (table.title, table.sheet, PurePosixPath(table.raw.relname).stem),
        categories)
    if named is not None:
        problems.append(P.make("intake.category_from_title", unit=piece.unit.name,
                               file=table.source, where=named[0], word=named[1],
                               rows=len(raw), category=category.iloc[0]))
    out = pd.DataFrame({
        Col.UNIT: piece.unit.name,
        Col.NAME: N.names(col(Col.NAME)),
        Col.ID: ids,
        Col.CATEGORY: category,
        Col.REPORTED_CATEGORY: reported,
        Col.SIZE: N.sizes(col(Col.SIZE)),
        Col.PHONE: N.phones(col(Col.PHONE)),
        Col.CARD: cards,
        Col.BANK: N.typed(col(Col.BANK)),
        Col.ADDRESS: N.typed(col(Col.ADDRESS)),
        Col.NOTE: N.typed(col(Col.NOTE)),
        Col.SRC_FILE: piece.table.source,
        Col.SRC_ROW: raw[ROW].astype(int),
        Internal.UNIT_CODE: piece.unit.code,
        Internal.ID_FROM_NUMBER: id_from_number,
        Internal.CARD_FROM_NUMBER: card_from_number,
    }, index=raw.index)
    return out


def _as_text(column: pd.Series) -> list[str]:
    """column.fillna("").astype(str) as a list (a Python loop: pandas' string columns are
    slower at this than the loop). Most cells are text: only the others are asked if blank."""
    return ["" if v is None else v if type(v) is str else "" if pd.isna(v) else str(v)
            for v in column.tolist()]


def _keys(frame: pd.DataFrame) -> list[str]:
    ids, names = _as_text(frame[Col.ID]), _as_text(frame[Col.NAME])
    return [f"{unit}|{id_ or NO_ID + name}|{category}" for unit, id_, name, category in zip(
        _as_text(frame[Col.UNIT]), ids, names, _as_text(frame[Col.CATEGORY]))]


def roster_key(frame: pd.DataFrame, keys: list[str] | None = None) -> pd.Series:
    """Stable key of a roster row: 单位|身份证号|类别, with 名:户主姓名 when the ID is empty.
    `keys`: _keys(frame), when the caller has them already."""
    if not len(frame):
        return pd.Series([], dtype=object, index=frame.index)
    return pd.Series(_keys(frame) if keys is None else keys, index=frame.index, dtype="str")


def _occurrences(codes: np.ndarray) -> np.ndarray:
    """Each row's occurrence number among the rows of the same code, in row order (0 for the
    first): a household listed twice keeps two notes."""
    return pd.Series(codes).groupby(codes, sort=False).cumcount().to_numpy()


_KEYED = (Col.UNIT, Col.ID, Col.NAME, Col.CATEGORY)


def _previous_keys(previous: pd.DataFrame, roster: pd.DataFrame, keys: np.ndarray
                   ) -> np.ndarray:
    """_keys(previous) as an object array, with `keys` (the new roster's) taken for the rows
    whose 单位, 身份证号, 户主姓名 and 类别 are the same text as the new roster's row at the same
    position: a re-merge made from the same files gives nearly every row again where it was."""
    if any(c not in previous or c not in roster for c in _KEYED):
        return np.asarray(_keys(previous), dtype=object)
    common = min(len(previous), len(roster))
    same = np.ones(common, dtype=bool)
    for column in _KEYED:
        # blanks as '' (the text _as_text gives them), every other cell a str (its own text)
        before = blanks_as_empty(previous[column].to_numpy(object))
        after = blanks_as_empty(roster[column].to_numpy(object))
        if before is None or after is None:
            return np.asarray(_keys(previous), dtype=object)
        same &= before[:common] == after[:common]
    out = np.empty(len(previous), dtype=object)
    out[:common][same] = keys[:common][same]
    rest = np.concatenate([np.flatnonzero(~same), np.arange(common, len(previous))])
    if len(rest):
        out[rest] = np.asarray(_keys(previous.iloc[rest]), dtype=object)
    return out


def _same_listing(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """For each key of `new`, the position in `old` of the same key at the same occurrence
    (-1: none). A re-merge mostly gives each row the key it had at the same position: a key
    found only at such positions is the same listing there, on both sides (its other listings
    would be at positions that differ), and is not looked up."""
    common = min(len(old), len(new))
    old_moved, new_moved = np.ones(len(old), dtype=bool), np.ones(len(new), dtype=bool)
    old_moved[:common] = new_moved[:common] = old[:common] != new[:common]
    found = np.where(new_moved, -1, np.arange(len(new)))
    if not old_moved.any() and not new_moved.any():
        return found
    if old_moved.sum() + new_moved.sum() > common:        # reordered: look every row up
        old_rows, new_rows = np.arange(len(old)), np.arange(len(new))
    else:
        moved = set(old[old_moved].tolist()) | set(new[new_moved].tolist())
        old_rows = np.flatnonzero([k in moved for k in old.tolist()])
        new_rows = np.flatnonzero([k in moved for k in new.tolist()])
    found[new_rows] = _looked_up(old[old_rows], new[new_rows], old_rows)
    return found


def _looked_up(before: np.ndarray, after: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """_same_listing of every key of `after` among `before` (whose rows are at `positions`)."""
    # the keys of both as numbers, then (key, occurrence) looked up in one go
    codes, _ = pd.factorize(np.concatenate([before, after]))
    old, new = codes[:len(before)], codes[len(before):]
    at = pd.Index((old.astype(np.int64) << 32) | _occurrences(old)).get_indexer(
        (new.astype(np.int64) << 32) | _occurrences(new))
    found = np.full(len(after), -1, dtype=np.intp)
    found[at >= 0] = positions[at[at >= 0]]
    return found


def keep_notes(roster: pd.DataFrame, previous: pd.DataFrame | None,
               keys: list[str] | None = None) -> pd.Series:
    """备注 after a re-merge: the clerk's 备注 from the previous 名册 for every row that was
    already there (even if the clerk emptied it); the unit's own 备注 for new rows. A row is
    "already there" when its stable key and its occurrence of that key (the second listing of
    a household is its second) are in the previous 名册. `keys`: _keys(roster), when known."""
    if previous is None or not len(previous) or not len(roster):
        return roster[Col.NOTE]
    after = np.asarray(_keys(roster) if keys is None else keys, dtype=object)
    found = _same_listing(_previous_keys(previous, roster, after), after)
    known = found >= 0
    # the clerk's cell as it was, value and type, never normalised ('' for an empty cell, as a
    # unit's empty 备注 is); the None after them is what -1 (not found) picks, never used
    notes = np.asarray(["" if v is None or (isinstance(v, float) and v != v) else v
                        for v in previous[Col.NOTE].tolist()] + [None], dtype=object)
    kept = pd.Series(notes[found], index=roster.index, dtype=object)
    return roster[Col.NOTE].where(~known, kept)


def _in_order(roster: pd.DataFrame, kept: np.ndarray, unit_order: dict[str, int]
              ) -> pd.DataFrame:
    """The `kept` rows of `roster` by unit (in the 单位 sheet's order), 来源文件 and 来源行,
    stably, indexed from 0."""
    units = roster[Col.UNIT].to_numpy(object)[kept]
    files = roster[Col.SRC_FILE].to_numpy(object)[kept]
    if roster[Col.SRC_ROW].dtype == np.int64 and len(units) \
            and pd.api.types.infer_dtype(files, skipna=False) == "string":
        # what sort_values gives, from numbers: each unit's place in the sheet once per unit,
        # each file's in the names sorted once per file (a roster has a few hundred of each)
        unit_codes, unit_names = pd.factorize(units)
        places = [unit_order.get(u) if type(u) is str else None for u in unit_names.tolist()]
        if None not in places and (unit_codes >= 0).all():
            file_codes, _ = pd.factorize(files, sort=True)
            order = np.lexsort((roster[Col.SRC_ROW].to_numpy()[kept], file_codes,
                                np.asarray(places, dtype=np.int64)[unit_codes]))
            rows = np.flatnonzero(kept)[order]
            if len(rows) == len(roster) and (rows == np.arange(len(rows))).all():
                return roster.reset_index(drop=True)          # in order already: not copied
            return roster.take(rows).reset_index(drop=True)
    return roster[kept].sort_values([Col.UNIT, Col.SRC_FILE, Col.SRC_ROW], kind="stable",
                                    key=lambda s: s.map(unit_order) if s.name == Col.UNIT
                                    else s).reset_index(drop=True)


P.register("intake.file_failed", "文件内容无法处理", Severity.ERROR, "intake",
           "“{file}”的内容无法处理（{reason}），该文件未合并。请让该单位用下发的模板重新填写后发送，"
           "或把文件另存为 .xlsx 后放回 inbox 再合并。")


P.register("intake.hidden_sheet", "隐藏的工作表未合并", Severity.WARNING, "intake",
           "“{file}”里隐藏的工作表“{sheet}”也有名单表头（约 {rows} 行），按惯例是旧数据，未合并。"
           "如果它才是本次名单，请让该单位取消隐藏（或删除旧表）后重新发送。")


def _hidden_lists(raw: RawFile) -> list[P.Problem]:
    """Hidden sheets are left out (usually last year's list), but the clerk is told."""
    out = []
    for sheet in raw.sheets:
        header = find_header(sheet.rows) if sheet.hidden and sheet.rows else None
        if header is not None:
            rows = sum(1 for r in sheet.rows[header.data_start:] if any(to_text(v) for v in r))
            if rows:
                out.append(P.make("intake.hidden_sheet", file=raw.relname, sheet=sheet.name,
                                  rows=rows))
    return out


def _reason(exc: Exception, file: str) -> str:
    """The clerk's reason is Chinese; the exception's own words go to the reading log."""
    log_detail(file, "".join(traceback.format_exception(exc)))
    return f"程序处理这份表格时出错，详细信息已记入临时文件夹的 {LOG_FILE.name}"


Parsed = tuple[list[Table], list[P.Problem]]


def parse_file(raw: RawFile) -> Parsed:
    """A file's data tables and the problems of its hidden lists: all a merge needs of its cells
    (depends on the file alone, not on the settings)."""
    tables = tables_of(raw)
    return tables, (_hidden_lists(raw) if tables else [])


class Memo(Protocol):
    """Where a merge may find what it worked out before (intake/cache.py keeps it on disk):
    `parsed` returns parse(raw) and `normalised` returns make(), or the same results kept."""

    def parsed(self, raw: RawFile, parse: Callable[[RawFile], Parsed]) -> Parsed: ...

    def normalised(self, raw: RawFile, part: tuple[str, ...], make: Callable[[], Any]) -> Any: ...


class _Fresh:
    """No memo: everything worked out now."""

    def parsed(self, raw: RawFile, parse: Callable[[RawFile], Parsed]) -> Parsed:
        return parse(raw)

    def normalised(self, raw: RawFile, part: tuple[str, ...], make: Callable[[], Any]) -> Any:
        return make()


def merge_files(files: list[RawFile], settings: Settings, *,
                previous: pd.DataFrame | None = None, memo: Memo | None = None
                ) -> tuple[pd.DataFrame, list[P.Problem], MergeReport]:
    """The roster from every readable returned file (see the module docstring). `memo`: the
    parsed files and cleaned pieces of an earlier merge (the result is the same either way)."""
    memo = memo or _Fresh()
    report = MergeReport(files_read=len(files))
    problems: list[P.Problem] = []
    index = UnitIndex(settings)
    categories = CategoryIndex(settings)
    pieces: list[_Piece] = []
    for raw in files:
        counted = (report.rows_read, report.rejected_rows)
        try:
            tables, hidden = memo.parsed(raw, parse_file)
            if not tables:
                problems.append(P.make("intake.no_header", file=raw.relname))
                continue
            for table in tables:
                report.columns[table.source] = table.letters
            found: list[P.Problem] = []
            pieces += _pieces(raw, tables, index, report, found)
            problems += found + hidden
        except Exception as exc:  # one odd file must not stop the others: it becomes a problem
            report.rows_read, report.rejected_rows = counted
            problems.append(P.make("intake.file_failed", file=raw.relname, reason=_reason(exc, raw.relname)))
    used = _choose_versions(pieces, report, problems)
    report.sent = list(dict.fromkeys(p.unit.name for p in pieces))

    unit_order = {u.name: i for i, u in enumerate(settings.units)}
    frames: list[tuple[tuple[int, str], pd.DataFrame]] = []
    for piece in used:
        if not len(piece.frame):
            continue
        try:
            frame, found = memo.normalised(
                piece.table.raw, (piece.table.sheet, piece.unit.code, piece.unit.name),
                lambda piece=piece: _normalise_piece(piece, categories))
            # in the roster's order (_in_order), so that most rosters need no reordering
            frames.append(((unit_order.get(piece.unit.name, len(unit_order)),
                            piece.table.source), frame))
            problems += found + [
                P.make("intake.head_not_listed", unit=piece.unit.name, file=piece.table.source,
                       row=row, column=Col.NAME, name=name or "（空）", first=first, last=last)
                for row, name, first, last in piece.table.headless
                if row in set(piece.frame[ROW])]
            report.rows_read += piece.members
            report.members_folded += piece.members
        except Exception as exc:
            report.rows_read += piece.rows
            report.rejected_rows += piece.rows
            problems.append(P.make("intake.file_failed", unit=piece.unit.name,
                                   file=piece.table.source, reason=_reason(exc, piece.table.source)))
    columns = [*ROSTER_COLUMNS, Internal.UNIT_CODE, Internal.ID_FROM_NUMBER,
               Internal.CARD_FROM_NUMBER]
    frames.sort(key=lambda placed: placed[0])
    roster = pd.concat([frame for _, frame in frames], ignore_index=True) if frames \
        else pd.DataFrame(columns=columns)
    roster = roster.reindex(columns=columns)
    report.rows_read += len(roster)
    counts = roster[Col.UNIT].value_counts()
    for unit in settings.units:                       # in the 单位 sheet's order
        if unit.name in counts:
            report.rows_per_unit[unit.name] = int(counts[unit.name])

    nobody = roster[Col.NAME].eq("") & roster[Col.ID].eq("")
    for _, row in roster[nobody].iterrows():
        content = "、".join(str(v) for v in row[[Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD,
                                                Col.ADDRESS, Col.NOTE]] if to_text(v))[:60]
        problems.append(P.make("intake.rejected_row", unit=row[Col.UNIT], file=row[Col.SRC_FILE],
                               row=int(row[Col.SRC_ROW]), column=Col.NAME,
                               content=content or "（空）"))
    report.rejected_rows += int(nobody.sum())
    roster = _in_order(roster, ~nobody.to_numpy(bool), unit_order)
    roster[Col.SEQ] = range(1, len(roster) + 1)
    roster[Col.STATUS] = Status.VALID.value
    roster[Col.ISSUES] = ""
    keys = _keys(roster)
    roster[Col.NOTE] = keep_notes(roster, previous, keys)
    roster[Internal.KEY] = roster_key(roster, keys)
    report.roster_rows = len(roster)
    report.check()
    return roster, problems, report
