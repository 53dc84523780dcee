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

import functools
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..names import BACKUP_DIR, Col
from ..values import text_column

#: the columns a merge fills from the returned file, which a clerk may correct in 名册 (类别 too:
#: 类别按标题计 asks the clerk to correct it there)
CORRECTABLE = (Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.BANK,
               Col.ADDRESS)
_NUMBERS = (Col.SRC_ROW, Col.SIZE)   # 3 and 3.0: a number a spreadsheet wrote either way


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: (pd.to_numeric(frame[c], errors="coerce").fillna(-1)
                            if c in _NUMBERS and c in frame else text_column(frame, c))
                        for c in (Col.SRC_FILE, Col.SRC_ROW, Col.UNIT, Col.REPORTED_CATEGORY,
                                  *CORRECTABLE)})
    out = out[(out[Col.SRC_FILE] != "") & (out[Col.SRC_ROW] >= 0)]
    return out.drop_duplicates([Col.SRC_FILE, Col.SRC_ROW], keep=False)


def _unchanged(before: pd.DataFrame, after: pd.DataFrame, inbox: Path, saved_at: float | None,
               same_bytes: set[str] | None) -> set[str]:
    """The returned files of both 名册 that have not changed since the last merge: those of
    `same_bytes` (the returns cache's same_as_last_merge) when known, else those not modified
    after `saved_at` (the workbook's modification time before this merge; None: none)."""
    files = set(before[Col.SRC_FILE]) & set(after[Col.SRC_FILE])
    return files & same_bytes if same_bytes is not None else \
        {f for f in files if saved_at is not None and _not_after(inbox / f, saved_at)}


class RosterEdits:
    """The previous 名册 against a new merge's, row by row of the returned files that have not
    changed since the last merge: `same_bytes` (the returns cache's same_as_last_merge) when
    known, else those not modified after `saved_at` (the workbook's modification time before
    this merge; None: none). The previous 名册's side is worked out once for both uses."""

    def __init__(self, previous: pd.DataFrame, inbox: Path, saved_at: float | None,
                 same_bytes: set[str] | None = None) -> None:
        self.previous, self.inbox = previous, inbox
        self.saved_at, self.same_bytes = saved_at, same_bytes

    @functools.cached_property
    def _before(self) -> pd.DataFrame:
        return _keyed(self.previous).assign(
            _note=self.previous[Col.NOTE] if Col.NOTE in self.previous else None)

    def _same_rows(self, roster: pd.DataFrame) -> pd.DataFrame:
        """The rows of both 名册 from the same row of an unchanged returned file, side by side
        (the new merge's columns with _new; its row in `roster` as _at)."""
        if (self.saved_at is None and self.same_bytes is None) or not len(self.previous) \
                or not len(roster):
            return pd.DataFrame()
        before, after = self._before, _keyed(roster).assign(_at=lambda f: f.index)
        unchanged = _unchanged(before, after, self.inbox, self.saved_at, self.same_bytes)
        if not unchanged:
            return pd.DataFrame()
        return before[before[Col.SRC_FILE].isin(unchanged)].merge(
            after, on=[Col.SRC_FILE, Col.SRC_ROW], suffixes=("", "_new"))

    def keep_notes(self, roster: pd.DataFrame) -> pd.DataFrame:
        """`roster` with the clerk's 备注 of the rows they corrected in 名册 (身份证号, 户主姓名,
        单位 or 类别 typed over). Why: the merge keeps 备注 by 单位 + 身份证号 + 类别, which the
        correction changed, so the 备注 (已核实 …) was dropped while the merge said only 备注 is
        kept. The same row of an unchanged returned file is the same household."""
        joined = self._same_rows(roster)
        if not len(joined):
            return roster
        moved = pd.Series(False, index=joined.index)
        for column in (Col.UNIT, Col.ID, Col.CATEGORY, Col.NAME):
            moved |= joined[column] != joined[f"{column}_new"]
        if not moved.any():
            return roster
        roster = roster.copy()
        roster[Col.NOTE] = roster[Col.NOTE].astype(object)
        for at, note in zip(joined.loc[moved, "_at"], joined.loc[moved, "_note"]):
            roster.at[at, Col.NOTE] = "" if note is None or note != note else note
        return roster

    def corrected(self, roster: pd.DataFrame) -> list[tuple[str, str, list[str]]]:
        """(单位, 户主姓名, the columns) of each household whose cells in the previous 名册
        differ from `roster`'s (the new merge's)."""
        joined = self._same_rows(roster)
        if not len(joined):
            return []
        differs = pd.DataFrame({c: joined[c] != joined[f"{c}_new"] for c in CORRECTABLE})
        # a 类别 the merge now reads by an alias added since (the unit's wording, in 填报类别)
        # is the settings' change, not the clerk's
        differs[Col.CATEGORY] &= joined[Col.CATEGORY] != joined[f"{Col.REPORTED_CATEGORY}_new"]
        out = []
        for i in differs.index[differs.any(axis=1)]:
            row = joined.loc[i]
            fields = [str(c) for c in CORRECTABLE if differs.at[i, c]]
            out.append((row[f"{Col.UNIT}_new"], row[f"{Col.NAME}_new"] or row[Col.NAME], fields))
        return out


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
