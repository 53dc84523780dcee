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
from ..values import text_column

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


def _sources(frame: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """来源文件 as text and 来源行 as a number (-1: none) of each row."""
    return text_column(frame, Col.SRC_FILE), _number(frame, Col.SRC_ROW)


def _unchanged(before: pd.Series, after: pd.Series, inbox: Path, saved_at: float | None,
               same_bytes: set[str] | None) -> set[str]:
    """The returned files of both 名册 that have not changed since the last merge: those of
    `same_bytes` (the returns cache's same_as_last_merge) when known, else those not modified
    after `saved_at` (the workbook's modification time before this merge; None: none)."""
    files = (set(before) & set(after)) - {""}
    return files & same_bytes if same_bytes is not None else \
        {f for f in files if saved_at is not None and _not_after(inbox / f, saved_at)}


def _rows_of(files: pd.Series, rows: np.ndarray, unchanged: set[str]
             ) -> tuple[pd.MultiIndex, np.ndarray]:
    """(来源文件, 来源行) of each row, and whether it is usable: from a row of an unchanged file,
    and no other row gives the same (then it says nothing of which household is which)."""
    keys = pd.MultiIndex.from_arrays([files.to_numpy(object), rows])
    usable = files.isin(unchanged).to_numpy() & (rows >= 0) & ~keys.duplicated(keep=False)
    return keys, usable


class RosterEdits:
    """The previous 名册 against a new merge's, row by row of the returned files that have not
    changed since the last merge: `same_bytes` (the returns cache's same_as_last_merge) when
    known, else those not modified after `saved_at` (the workbook's modification time before
    this merge; None: none). The rows are paired, and the previous 名册's cells read as text,
    once for both uses: on 100,000 rows this is most of what the comparison costs."""

    def __init__(self, previous: pd.DataFrame, inbox: Path, saved_at: float | None,
                 same_bytes: set[str] | None = None) -> None:
        self.previous, self.inbox = previous, inbox
        self.saved_at, self.same_bytes = saved_at, same_bytes
        self._paired: tuple[np.ndarray, pd.Index] | None = None   # positions, labels
        self._before_texts: dict[str, np.ndarray] = {}

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
        unchanged = _unchanged(old_files, new_files, self.inbox, self.saved_at, self.same_bytes)
        if not unchanged:
            return none
        old_keys, old_usable = _rows_of(old_files, old_rows, unchanged)
        new_keys, new_usable = _rows_of(new_files, new_rows, unchanged)
        at = new_keys[new_usable].get_indexer(old_keys)
        found = old_usable & (at >= 0)
        return np.flatnonzero(found), np.flatnonzero(new_usable)[at[found]]

    def _before(self, column: str, at: np.ndarray) -> np.ndarray:
        if column not in self._before_texts:
            self._before_texts[column] = _texts(self.previous, column)
        texts: np.ndarray = self._before_texts[column][at]
        return texts

    def _differs(self, roster: pd.DataFrame, columns: tuple[str, ...]
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """The pairs, and for each of `columns` whether the two 名册 differ there (as text;
        家庭人口 as a number)."""
        old, new = self._pairs(roster)
        return old, new, {c: self._before(c, old) != _texts(roster, c)[new] for c in columns}

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
        roster = roster.copy()
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
        differs[Col.CATEGORY] &= (self._before(Col.CATEGORY, old)
                                  != _texts(roster, Col.REPORTED_CATEGORY)[new])
        units, names = _texts(roster, Col.UNIT), _texts(roster, Col.NAME)
        out = []
        for i in np.flatnonzero(np.logical_or.reduce(list(differs.values()))):
            fields = [str(c) for c in CORRECTABLE if differs[c][i]]
            out.append((units[new[i]], names[new[i]] or self._before(Col.NAME, old[i:i + 1])[0],
                        fields))
        return out


def _texts(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as compared here: text_column's text, 家庭人口 and 来源行 as numbers."""
    if column in _NUMBERS:
        return _number(frame, column)
    return text_column(frame, column).to_numpy(object)


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
