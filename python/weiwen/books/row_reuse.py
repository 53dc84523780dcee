"""Which rows of 名册 on disk a new write can copy as they are, instead of writing them again.

Why: a re-merge after one unit's corrected file rewrites a 100,000-row 名册 in which nearly every
row is the one already there, at the same row number; writing those cells again is most of the
write. A row can be copied when its cells are, byte for byte, the ones a fresh write makes: it
reads back as the new row does (workbook_io.frame_as_read_back; sheet_memo.py keeps that of the
sheet on disk) AND every cell of both rows is "plain" — spelled as its read-back fixes it. What the
read-back does not fix, and so makes a cell not plain: a number's spelling (3 or 3.0: the column's
numbers are written as ints or as floats, and both columns must agree), blank-looking text that
still makes a cell ("  "), text the read-back changes (line breaks, characters XML cannot hold,
身份证号 / 联系电话 / 银行卡号 read back as keys: "１３８ 0000" and 138.0 read back as text
unlike what was written).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..cells import cell_value, finite
from ..names import TEXT_COLUMNS
from ..sheet_splice import ILLEGAL_XML


@dataclass(frozen=True)
class Spelling:
    """How a written frame's cells were spelled beyond what they read back as: per column, "int"
    or "float" (how its numbers are written), the rows whose cell is not plain, and whether it
    holds booleans (True == 1.0: its read-back is then compared with types)."""
    numbers: tuple[str, ...]
    odd: tuple[tuple[int, ...], ...]
    loose: tuple[bool, ...]


def spelling(frame: pd.DataFrame, read_back: pd.DataFrame,
             kept: Sequence[str | None] = ()) -> Spelling | None:
    """The Spelling of `frame` as sheet_splice writes it; `read_back` is its frame_as_read_back.
    None when a row of the sheet is not a row of the read-back (a blank row left out).
    `kept`: per column, how its numbers are written when its read-back was taken as it is from
    the sheet's before (workbook_io.read_back_and_kept): such a column's cells are all plain and
    it holds no booleans, so it is not looked at again — in a re-merge, all columns but a few."""
    header = [str(c) for c in frame.columns]
    if len(read_back) != len(frame) or list(read_back.columns) != header:
        return None
    numbers: list[str] = []
    odd: list[tuple[int, ...]] = []
    loose: list[bool] = []
    for i, name in enumerate(header):
        known = kept[i] if i < len(kept) else None
        if known is not None:
            numbers.append(known)
            odd.append(())
            loose.append(False)
            continue
        values = frame.iloc[:, i].tolist()
        back = read_back.iloc[:, i].tolist()
        kinds = set(map(type, values))
        kind = "int" if any(issubclass(k, (int, np.integer)) and not issubclass(k, (bool, np.bool_))
                            for k in kinds) else "float"
        numbers.append(kind)
        odd.append(_odd_rows(values, back, kinds, name in TEXT_COLUMNS, kind))
        loose.append(not kinds <= {str, type(None)} and bool in set(map(type, back)))
    return Spelling(tuple(numbers), tuple(odd), tuple(loose))


#: columns whose values read back as themselves when the lists are equal (a list compare in C)
_PLAIN_KINDS = ({str, type(None)}, {int}, {float}, {bool})


def _odd_rows(values: list[Any], back: list[Any], kinds: set[type], text: bool, kind: str
              ) -> tuple[int, ...]:
    if values == back and any(kinds <= plain for plain in _PLAIN_KINDS) and not (
            text and kinds - {str, type(None)}):
        return ()
    if kinds <= {str, type(None)} and [v or None for v in values] == back:
        return ()                                     # text as read back, "" as a blank
    if kinds == {float} and back.count(None) == len(back):
        return ()                                     # all NaN (a number would read back)
    # the common cells (text as read back, blanks) without a call each
    return tuple(i for i, (v, r) in enumerate(zip(values, back))
                 if not ((type(v) is str and (v == r or not v)) or v is None
                         or (type(v) is float and v != v) or _plain(v, r, text, kind)))


def _plain(value: Any, back: Any, text: bool, kind: str) -> bool:
    """Whether the cell written for `value` is the one written for its read-back `back` (a
    number spelled as the column's `kind`)."""
    value = cell_value(value)
    if value is None:
        return True                                   # no cell
    kind_of = type(value)
    if kind_of is str:
        return value == back or (back is None and ILLEGAL_XML.sub("", value) == "")
    if text:
        return False                                  # read back as its text: not what was written
    if kind_of is bool:
        return True
    if kind_of is int:
        return kind == "int" and value == back        # == is exact between int and float
    if kind_of is float:
        return kind == "float" or not finite(value)   # inf is written, and read, as text
    if isinstance(value, dt.datetime):
        return value.time() == dt.time()              # as its date
    return isinstance(value, dt.date)


def rows_to_copy(old: pd.DataFrame, old_spelling: Spelling | None,
                 new: pd.DataFrame, new_spelling: Spelling | None) -> np.ndarray | None:
    """For each row of the new frame (by its read-back `new`), whether the sheet's row of the same
    number, written from a frame that reads back as `old`, is the row a fresh write makes. None
    when no row can be: columns or number spellings differ, or a spelling is unknown."""
    if old_spelling is None or new_spelling is None \
            or list(old.columns) != list(new.columns) or old_spelling.numbers != new_spelling.numbers:
        return None
    n, m = len(new), min(len(new), len(old))
    same = np.zeros(n, dtype=bool)
    same[:m] = True
    for j in range(new.shape[1]):
        a, b = old.iloc[:, j].tolist(), new.iloc[:, j].tolist()
        if len(a) != m or len(b) != m:
            a, b = a[:m], b[:m]
        if a != b or old_spelling.loose[j] or new_spelling.loose[j]:
            left = np.flatnonzero(same[:m])
            if len(left) * 2 > m:
                same[:m] &= np.fromiter((x == y and type(x) is type(y) for x, y in zip(a, b)),
                                        dtype=bool, count=m)
            else:                                   # rows moved: only the few still alike
                same[left] = [a[i] == b[i] and type(a[i]) is type(b[i]) for i in left.tolist()]
    for rows in (*old_spelling.odd, *new_spelling.odd):
        if rows:
            index = np.asarray(rows, dtype=np.int64)
            same[index[index < n]] = False
    return same

