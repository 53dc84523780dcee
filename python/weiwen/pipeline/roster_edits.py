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

import pandas as pd

from ..names import BACKUP_DIR, Col
from ..values import text_column

#: the columns a merge fills from the returned file, which a clerk may correct in 名册
CORRECTABLE = (Col.NAME, Col.ID, Col.SIZE, Col.PHONE, Col.CARD, Col.BANK, Col.ADDRESS)
_NUMBERS = (Col.SRC_ROW, Col.SIZE)   # 3 and 3.0: a number a spreadsheet wrote either way


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: (pd.to_numeric(frame[c], errors="coerce").fillna(-1)
                            if c in _NUMBERS and c in frame else text_column(frame, c))
                        for c in (Col.SRC_FILE, Col.SRC_ROW, Col.UNIT, *CORRECTABLE)})
    out = out[(out[Col.SRC_FILE] != "") & (out[Col.SRC_ROW] >= 0)]
    return out.drop_duplicates([Col.SRC_FILE, Col.SRC_ROW], keep=False)


def corrected_in_roster(previous: pd.DataFrame, roster: pd.DataFrame, inbox: Path,
                        saved_at: float | None, same_bytes: set[str] | None = None
                        ) -> list[tuple[str, str, list[str]]]:
    """(单位, 户主姓名, the columns) of each household whose cells in the `previous` 名册 differ
    from the new merge's, for rows of returned files that have not changed: the files of
    `same_bytes` (the returns cache's same_as_last_merge) when known, else those not modified
    after `saved_at` (the workbook's modification time before this merge; None: nothing is
    compared)."""
    if (saved_at is None and same_bytes is None) or not len(previous) or not len(roster):
        return []
    before, after = _keyed(previous), _keyed(roster)
    files = set(before[Col.SRC_FILE]) & set(after[Col.SRC_FILE])
    unchanged = files & same_bytes if same_bytes is not None else \
        {f for f in files if saved_at is not None and _not_after(inbox / f, saved_at)}
    if not unchanged:
        return []
    joined = before[before[Col.SRC_FILE].isin(unchanged)].merge(
        after, on=[Col.SRC_FILE, Col.SRC_ROW], suffixes=("", "_new"))
    differs = pd.DataFrame({c: joined[c] != joined[f"{c}_new"] for c in CORRECTABLE})
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
