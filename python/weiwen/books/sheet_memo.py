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

One entry per sheet: a new write replaces it. The entry names its columns; each column is a
piece of its own, named by the digest of its bytes and shared by every entry that holds the same
column. A re-merge changes a column or two of 名册: the new entry names the others' pieces as they
are, and only the changed columns are packed and written (FileBook knows which: the read-back of
such a column was taken as it is from the memo's). Entries and pieces are the campaign's own
personal data, kept in its own folder, behind the returns cache's HMAC (intake/cache.py: a
damaged, foreign or tampered one is ignored), and a piece is only used when its bytes still have
the digest the entry names; a cache that cannot be written only costs speed.
"""
from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
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
#: where a sheet's column pieces live (apart from its entries, so each is pruned on its own)
_PIECES: dict[str, str] = {sheet: f"{kind}-columns" for sheet, kind in _KIND.items()}
_SEP, _NONE = "\x00", "\x01"     # never in a read-back text (the splice drops them)


@dataclass(frozen=True)
class OnDisk:
    """A kept sheet as the workbook holds it: its fingerprint, the frame it reads back as, how
    its cells were spelled (None when not known), and the memo's pieces of its columns (None
    when not kept)."""
    fingerprint: str
    frame: pd.DataFrame
    spelling: Spelling | None
    pieces: tuple[str, ...] | None = None


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
        store = Store(self.folder)
        entry = store.get(_KIND[sheet], (sheet, key))
        if entry is None:
            return None
        try:
            header, pieces, spelled = entry
            columns = []
            for digest in pieces:
                payload = store.get_bytes(_PIECES[sheet], (digest,))
                if payload is None or hashlib.sha256(payload).hexdigest() != digest:
                    return None
                columns.append(pickle.loads(payload))
            frame = _unpack((list(header), columns))
            return OnDisk(key, frame, None if spelled is None else Spelling(*spelled),
                          tuple(pieces))
        except Exception:          # an entry of another shape: read the sheet
            return None

    def put(self, sheet: str, key: str, frame: pd.DataFrame, spelling: Spelling | None,
            *, before: OnDisk | None = None, kept: Sequence[bool] = ()
            ) -> tuple[str, ...] | None:
        """Keep `frame` as the sheet's read-back under fingerprint `key`; the pieces it is kept
        in (None when not kept). `kept[i]`: column i is, object for object, column i of
        `before`'s frame — its piece is named again, not packed and written again."""
        if sheet not in KEPT:
            return None
        store = Store(self.folder)
        if not store.enabled:
            return None
        pieces: list[str] = []
        for i in range(frame.shape[1]):
            old = before.pieces[i] if before is not None and before.pieces is not None \
                and i < len(before.pieces) and i < len(kept) and kept[i] else None
            if old is not None and store.keep(_PIECES[sheet], (old,)):
                pieces.append(old)
                continue
            try:
                payload = pickle.dumps(_pack_column(frame.iloc[:, i].tolist()),
                                       protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:      # a cache that cannot be written only costs speed
                return None
            digest = hashlib.sha256(payload).hexdigest()
            if not store.keep(_PIECES[sheet], (digest,)):
                store.put_bytes(_PIECES[sheet], (digest,), payload)
            pieces.append(digest)
        spelled = None if spelling is None else (spelling.numbers, spelling.odd, spelling.loose)
        store.put(_KIND[sheet], (sheet, key), ([str(c) for c in frame.columns], pieces, spelled))
        store.prune((_KIND[sheet], _PIECES[sheet]))
        return tuple(pieces)


def _pack_column(values: list[Any]) -> tuple[str, Any]:
    """Text joined into one string, numbers as an array: a fraction of the time of pickling
    100,000 cells one by one."""
    kinds = set(map(type, values))
    blanks = values.count(None)
    if kinds <= {str, type(None)}:
        joined = _SEP.join([_NONE if v is None else v for v in values])
        if joined.count(_SEP) == max(len(values) - 1, 0) and joined.count(_NONE) == blanks:
            return "text", (joined, len(values))
    elif kinds <= {float, type(None)}:
        numbers = np.array(values, dtype=float)            # None → NaN
        if int(np.isnan(numbers).sum()) == blanks:
            return "number", numbers
    return "values", values


def _unpack(packed: tuple[list[str], list[tuple[str, Any]]]) -> pd.DataFrame:
    header, columns = packed
    data: dict[str, Any] = {}
    for name, (kind, payload) in zip(header, columns):
        if kind == "text":
            joined, n = payload
            # the blanks put back in one numpy pass, not a Python call per cell
            cells = np.empty(n, dtype=object)
            if n:
                cells[:] = joined.split(_SEP)
                if _NONE in joined:
                    cells[cells == _NONE] = None
            data[name] = cells
        elif kind == "number":
            cells = payload.astype(object)
            cells[np.isnan(payload)] = None
            data[name] = cells
        else:
            data[name] = list(payload)
    return pd.DataFrame(data, columns=header, dtype=object)
