"""What a merge takes back of a clerk's corrections typed into 名册 itself.

A merge rebuilds 名册 from the returned files in inbox/; only 备注 is carried over (README). A
clerk who corrected an ID number, a phone or an address right in 名册 (in Excel, WPS or
LibreOffice) and then merged again got the unit's old value back without a word, and the row
its old error. The merge now says which households those were and where a correction belongs.

A cell counts as corrected when the household's row comes from the same row of a returned file
that has not changed since the last merge (so the difference is the workbook's, not a file the
unit sent again) and the value differs from what that row gives now. "Not changed" is told by
the file's bytes when the returns cache knows them (intake/cache.py: the files the last merge
parsed): a corrected file copied from a USB stick keeps the time the unit saved it, which can be
before the workbook's last save. Without the cache, by the file's modification time.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..names import BACKUP_DIR, Col
from ..values import own_copy, text_at, text_of_few, texts_differ

#: the columns a merge fills from the returned file, which a clerk may correct in 名册 (类别 too:
#: 类别按标题计 asks the clerk to correct it there)
CORRECTABLE = (Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.BANK,
               Col.ADDRESS)
#: what keep_notes looks at: a 备注 is keyed by 单位 + 身份证号 + 类别 (户主姓名 without an ID)
_MOVES = (Col.UNIT, Col.ID, Col.CATEGORY, Col.NAME)
_NUMBERS = (Col.SRC_ROW, Col.SIZE)   # 3 and 3.0: a number a spreadsheet wrote either way


def _number(frame: pd.DataFrame, column: str) -> np.ndarray:
    return (pd.to_numeric(frame[column], errors="coerce").fillna(-1).to_numpy(float)
            if column in frame else np.full(len(frame), -1.0))


def _sources(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """来源文件 as text and 来源行 as a number (-1: none) of each row."""
    return text_of_few(frame, Col.SRC_FILE), _number(frame, Col.SRC_ROW)


def _unchanged(files: set[str], inbox: Path, saved_at: float | None,
               same_bytes: set[str] | None) -> set[str]:
    """Of `files` (returned files of both 名册), those that have not changed since the last
    merge: those of `same_bytes` (the returns cache's same_as_last_merge) when known, else those
    not modified after `saved_at` (the workbook's modification time before this merge; None:
    none)."""
    files = files - {""}
    return files & same_bytes if same_bytes is not None else \
        {f for f in files if saved_at is not None and _not_after(inbox / f, saved_at)}


def _rows_of(files: np.ndarray, rows: np.ndarray, unchanged: np.ndarray
             ) -> tuple[pd.MultiIndex, np.ndarray]:
    """(来源文件, 来源行) of each row, and whether it is usable: from a row of an unchanged file,
    and no other row gives the same (then it says nothing of which household is which).
    `files`: the number of each row's 来源文件; `unchanged`: whether each number's file is."""
    keys = pd.MultiIndex.from_arrays([files, rows])
    usable = unchanged[files] & (rows >= 0) & ~keys.duplicated(keep=False)
    return keys, usable


class RosterEdits:
    """The previous 名册 against a new merge's, row by row of the returned files that have not
    changed since the last merge: `same_bytes` (the returns cache's same_as_last_merge) when
    known, else those not modified after `saved_at` (the workbook's modification time before
    this merge; None: none). The rows are paired once for both uses, and a cell is made text
    only when the two 名册 hold it differently (texts_differ): on 100,000 rows, making every
    cell text was most of what the comparison cost."""

    def __init__(self, previous: pd.DataFrame, inbox: Path, saved_at: float | None,
                 same_bytes: set[str] | None = None) -> None:
        self.previous, self.inbox = previous, inbox
        self.saved_at, self.same_bytes = saved_at, same_bytes
        self._paired: tuple[np.ndarray, pd.Index] | None = None   # positions, labels

    def _pairs(self, roster: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(positions in the previous 名册, positions in `roster`) of the rows from the same row
        of an unchanged returned file, in the previous 名册's order. Paired on the first call;
        a later call (the same merge's roster, checked) finds the same rows by their labels."""
        if self._paired is not None and roster.index.is_unique:
            old, labels = self._paired
            new = roster.index.get_indexer(labels)
            if (new >= 0).all():
                return old, new
        old, new = self._pair(roster)
        self._paired = (old, roster.index[new])
        return old, new

    def _pair(self, roster: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        none = (np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp))
        if (self.saved_at is None and self.same_bytes is None) or not len(self.previous) \
                or not len(roster):
            return none
        (old_files, old_rows), (new_files, new_rows) = _sources(self.previous), _sources(roster)
        # each 来源文件 a number, the same in both 名册
        numbers, files = pd.factorize(np.concatenate([old_files, new_files]))
        old_files, new_files = numbers[:len(old_files)], numbers[len(old_files):]
        in_both = np.intersect1d(old_files, new_files)
        unchanged_files = _unchanged(set(files[in_both]), self.inbox, self.saved_at,
                                     self.same_bytes)
        if not unchanged_files:
            return none
        unchanged = np.array([f in unchanged_files for f in files], dtype=bool)
        old_keys, old_usable = _rows_of(old_files, old_rows, unchanged)
        new_keys, new_usable = _rows_of(new_files, new_rows, unchanged)
        at = new_keys[new_usable].get_indexer(old_keys)
        found = old_usable & (at >= 0)
        return np.flatnonzero(found), np.flatnonzero(new_usable)[at[found]]

    def _differs(self, roster: pd.DataFrame, columns: tuple[str, ...]
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """The pairs, and for each of `columns` whether the two 名册 differ there (as text;
        家庭人口 as a number)."""
        old, new = self._pairs(roster)
        return old, new, {c: _number(self.previous, c)[old] != _number(roster, c)[new]
                          if c in _NUMBERS else texts_differ(self.previous, old, roster, new, c)
                          for c in columns}

    def keep_notes(self, roster: pd.DataFrame) -> pd.DataFrame:
        """`roster` with the clerk's 备注 of the rows they corrected in 名册 (身份证号, 户主姓名,
        单位 or 类别 typed over). Why: the merge keeps 备注 by 单位 + 身份证号 + 类别, which the
        correction changed, so the 备注 (已核实 …) was dropped while the merge said only 备注 is
        kept. The same row of an unchanged returned file is the same household."""
        old, new, differs = self._differs(roster, _MOVES)
        if not len(old):
            return roster
        moved = np.logical_or.reduce(list(differs.values()))
        if not moved.any():
            return roster
        roster = own_copy(roster)
        notes = roster[Col.NOTE].to_numpy(object).copy()
        before = (self.previous[Col.NOTE].to_numpy(object) if Col.NOTE in self.previous
                  else np.full(len(self.previous), None, dtype=object))
        notes[new[moved]] = ["" if v is None or v != v else v for v in before[old[moved]]]
        roster[Col.NOTE] = pd.Series(notes, index=roster.index, dtype=object)
        return roster

    def corrected(self, roster: pd.DataFrame) -> list[tuple[str, str, list[str]]]:
        """(单位, 户主姓名, the columns) of each household whose cells in the previous 名册
        differ from `roster`'s (the new merge's)."""
        old, new, differs = self._differs(roster, CORRECTABLE)
        if not len(old):
            return []
        # a 类别 the merge now reads by an alias added since (the unit's wording, in 填报类别)
        # is the settings' change, not the clerk's
        recategorised = np.flatnonzero(differs[Col.CATEGORY])
        differs[Col.CATEGORY][recategorised] = (
            text_at(self.previous, Col.CATEGORY, old[recategorised])
            != text_at(roster, Col.REPORTED_CATEGORY, new[recategorised]))
        found = np.flatnonzero(np.logical_or.reduce(list(differs.values())))
        units, names = text_at(roster, Col.UNIT, new[found]), text_at(roster, Col.NAME, new[found])
        names_before = text_at(self.previous, Col.NAME, old[found])
        return [(units[j], names[j] or names_before[j], [str(c) for c in CORRECTABLE if differs[c][i]])
                for j, i in enumerate(found)]


def _not_after(path: Path, saved_at: float) -> bool:
    try:
        return path.stat().st_mtime <= saved_at
    except OSError:
        return False


def corrected_note(households: Iterable[tuple[str, str, list[str]]]) -> str:
    found = list(households)
    shown = "、".join(f"{unit}“{name}”的{'、'.join(fields)}" for unit, name, fields in found[:5])
    return (f"名册里有 {len(found)} 户的内容和 inbox 里交回的表格不同（{shown}"
            f"{'等' if len(found) > 5 else ''}），合并后已按交回的表格重新生成：在名册里直接改的身份证号、电话等不会保留"
            f"（只保留“备注”；合并前的工作簿已备份在活动文件夹的 {BACKUP_DIR} 里）。"
            f"要改正，请让该单位改好表格重新交回，或直接改 inbox 里的这份表格，再合并一次。")
