"""名册 and 问题 as they read back, kept beside the campaign by the sheet's content: CAMPAIGN/.cache/workbook/

Every operation on the campaign folder reads 名册 back from the workbook, and the one before it
wrote it: a re-merge for the clerk's 备注, 计算金额, the outputs. For 100,000 rows that read costs
seconds. When FileBook splices 名册 it works out what the sheet reads back as
(workbook_io.frame_as_read_back) and keeps it here under the sheet's fingerprint
(sheet_fingerprint.py: the sheet part's bytes as stored, with the parts that give its cells
their meaning) and the code version. Any other change to the sheet — the clerk's edit in Excel
or WPS, a restored backup, another program — changes the fingerprint: the sheet is then read.

With the frame goes how its cells were spelled (row_reuse.Spelling): what lets the next write copy
the rows that have not changed instead of writing them again.

One entry per sheet: a new write replaces it. Entries are the campaign's own personal data,
kept in its own folder, behind the returns cache's HMAC (intake/cache.py: a damaged, foreign or
tampered entry is ignored); a cache that cannot be written only costs speed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..intake.cache import CACHE_DIR, Store
from ..names import Sheet
from ..sheet_fingerprint import fingerprints
from .row_reuse import Spelling

WORKBOOK = "workbook"
#: the sheets kept: the big one every operation reads back, and 问题, which every merge reads
#: for the rows of the later stages it keeps
KEPT: frozenset[str] = frozenset({Sheet.ROSTER, Sheet.PROBLEMS})
_KIND: dict[str, str] = {Sheet.ROSTER: "roster", Sheet.PROBLEMS: "problems"}
_SEP, _NONE = "\x00", "\x01"     # never in a read-back text (the splice drops them)


@dataclass(frozen=True)
class OnDisk:
    """A kept sheet as the workbook holds it: its fingerprint, the frame it reads back as, and
    how its cells were spelled (None when not known)."""
    fingerprint: str
    frame: pd.DataFrame
    spelling: Spelling | None


class SheetMemo:
    """get / put a kept sheet's read-back frame by the workbook's fingerprint of that sheet."""

    def __init__(self, campaign_root: Path) -> None:
        self.folder = Path(campaign_root) / CACHE_DIR / WORKBOOK

    def get(self, workbook: Path, sheet: str) -> OnDisk | None:
        if sheet not in KEPT:
            return None
        try:
            key = fingerprints(workbook, (sheet,)).get(sheet)
        except Exception:          # unreadable here: the reader says why
            return None
        if key is None:
            return None
        packed = Store(self.folder).get(_KIND[sheet], (sheet, key))
        if packed is None:
            return None
        try:
            frame, spelled = packed
            return OnDisk(key, _unpack(frame), None if spelled is None else Spelling(*spelled))
        except Exception:          # an entry of another shape: read the sheet
            return None

    def put(self, sheet: str, key: str, frame: pd.DataFrame, spelling: Spelling | None) -> None:
        if sheet not in KEPT:
            return
        store = Store(self.folder)
        spelled = None if spelling is None else (spelling.numbers, spelling.odd, spelling.loose)
        store.put(_KIND[sheet], (sheet, key), (_pack(frame), spelled))
        store.prune((_KIND[sheet],))


def _pack(frame: pd.DataFrame) -> tuple[list[str], list[tuple[str, Any]]]:
    """Columns of text joined into one string, columns of numbers as arrays: a fraction of the
    time of pickling 2 million cells one by one."""
    columns: list[tuple[str, Any]] = []
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i].tolist()
        kinds = set(map(type, values))
        blanks = values.count(None)
        if kinds <= {str, type(None)}:
            joined = _SEP.join([_NONE if v is None else v for v in values])
            if joined.count(_SEP) == max(len(values) - 1, 0) and joined.count(_NONE) == blanks:
                columns.append(("text", (joined, len(values))))
                continue
        elif kinds <= {float, type(None)}:
            numbers = np.array(values, dtype=float)            # None → NaN
            if int(np.isnan(numbers).sum()) == blanks:
                columns.append(("number", numbers))
                continue
        columns.append(("values", values))
    return [str(c) for c in frame.columns], columns


def _unpack(packed: tuple[list[str], list[tuple[str, Any]]]) -> pd.DataFrame:
    header, columns = packed
    data: dict[str, list[Any]] = {}
    for name, (kind, payload) in zip(header, columns):
        if kind == "text":
            joined, n = payload
            data[name] = [None if v == _NONE else v for v in joined.split(_SEP)] if n else []
        elif kind == "number":
            data[name] = [None if v != v else v for v in payload.tolist()]
        else:
            data[name] = list(payload)
    return pd.DataFrame(data, columns=header, dtype=object)
