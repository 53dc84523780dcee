"""The checks of a re-merge, reusing the last merge's outcome for the rows no change can reach.

Every check looks at one row, or at the rows that share a key with it: the 身份证号 (a 15-digit
one as its 18-digit form), the digits of 联系电话, the 银行卡号, or 户主姓名 with the house
numbers of 地址 (疑似重复 by address compares only within such a block). So a row's 状态 and
问题 depend on the rows linked to it through a chain of these keys, and on nothing else: the
settings, the lists of 对照名单 and the day (ages), which the caller's memo is keyed by.

When one unit sends a corrected file, most rows of the new merge are the same as the last
merge's, cell for cell. The rows that are new or changed, the rows that went away, and every
row linked to them (through any chain of keys, in either merge) are checked again together by
`run_checks`; every other row keeps its 状态 / 问题, and its problems, from the last check.
The result is the one a check of the whole roster gives: the same roster, the same problems
and, for each row, its problems in the same order. (Only the order between rows of the
problem list may differ; the 问题 sheet and the units' feedback are sorted by unit, file and
row.)

Not reused (the whole roster is checked): a roster with 家庭成员身份证号 (a member's ID links
two households in a way not keyed here), a 序号 that is not a number in every row (the checks
order rows by it), rows that are not in the same order as in the last merge, and a memo made
for other columns.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from .. import problems as P
from ..names import MEMBER_IDS, Col, Internal, RefRule
from ..settings import Settings
from ..values import own_copy, text_column as text
from . import reference_slot, run_checks_slotted
from ._base import phone_digits
from .coverage import NOT_RETURNED, Reference, not_returned
from .duplicates import normal_address
from .fields import card_numbers
from .ids import raw_ids

#: the columns run_checks writes (the others it hands back as they came)
OUTCOME = (Col.ID, Col.STATUS, Col.ISSUES, Internal.AGE)
#: columns that are not a row's content: numbered anew by every merge, or written by the checks
_NOT_CONTENT = frozenset({Col.SEQ, Col.STATUS, Col.ISSUES, Internal.KEY})
_NUMBERS = re.compile(r"\d+")
_KIND = {str: 1, int: 2, float: 3, bool: 4}
#: set into the digest of a number, a yes/no or any other value, so that none is a text's
_INT, _FLOAT = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
_BOOL, _OTHER = np.uint64(0x165667B19E3779F9), np.uint64(0x27D4EB2F165667C5)


@dataclasses.dataclass
class Checked:
    """What a check of a merged roster leaves for the next merge's, by row position: each
    row's content digest and link keys, its outcome (OUTCOME), and the problems found with
    their slots (run_checks_slotted) and rows (positions; -1: none)."""
    columns: tuple[str, ...]
    digests: np.ndarray
    links: np.ndarray
    outcome: pd.DataFrame
    problems: list[P.Problem]
    slots: np.ndarray
    rows: np.ndarray

    def __reduce__(self) -> tuple[Any, ...]:
        # the problems as their fields: a tenth of the time pickle takes to make 10,000
        # dataclass objects again
        fields = [vars(p) for p in self.problems]
        return (_restore, (self.columns, self.digests, self.links, self.outcome, fields,
                           self.slots, self.rows))


def _restore(columns: tuple[str, ...], digests: np.ndarray, links: np.ndarray,
             outcome: pd.DataFrame, fields: list[dict[str, Any]], slots: np.ndarray,
             rows: np.ndarray) -> Checked:
    make = object.__new__
    problems = []
    for values in fields:
        problem = make(P.Problem)
        vars(problem).update(values)
        problems.append(problem)
    return Checked(columns, digests, links, outcome, problems, slots, rows)


def _column_digest(values: pd.Series) -> np.ndarray:
    """A 64-bit digest per cell that tells apart what the checks tell apart: the value and its
    type (3, 3.0 and "3"; None and "None"; NaN and "nan"). A cell's digest depends neither on
    the other cells of its column nor on the dtype pandas gave the column: one "3" among
    numbers, or one text filled in where all were blank, changes its own row only."""
    kind = values.dtype
    if kind == np.int64:
        return pd.util.hash_array(values.to_numpy()) ^ _INT
    if kind == np.float64:
        return pd.util.hash_array(values.to_numpy()) ^ _FLOAT
    if kind == np.bool_:
        return pd.util.hash_array(values.to_numpy()) ^ _BOOL
    cells = values.to_numpy(object)
    inferred = infer_dtype(cells, skipna=False)
    if inferred == "string":               # most columns of a merge: text only
        return _text_digest(cells)
    if inferred == "integer":              # 家庭人口 as a merge reads it: ints only
        try:
            return pd.util.hash_array(cells.astype(np.int64)) ^ _INT
        except OverflowError:
            pass
    kinds = np.fromiter((_KIND.get(type(v), 0) for v in cells), dtype=np.int8, count=len(cells))
    out = np.zeros(len(cells), dtype=np.uint64)
    texts = kinds == 1
    if texts.any():
        out[texts] = _text_digest(cells[texts])
    for code, salt, dtype in ((2, _INT, np.int64), (3, _FLOAT, np.float64), (4, _BOOL, np.bool_)):
        these = kinds == code
        if not these.any():
            continue
        try:
            out[these] = pd.util.hash_array(cells[these].astype(dtype)) ^ salt
        except OverflowError:              # an int beyond 64 bits: told by its digits below
            kinds[these] = 0
    rest = kinds == 0
    if rest.any():
        typed = np.asarray([f"{type(v).__qualname__}:{v!r}" for v in cells[rest]], dtype=object)
        out[rest] = pd.util.hash_array(typed, categorize=False) ^ _OTHER
    return out


def _text_digest(cells: np.ndarray) -> np.ndarray:
    """Text cells' digests (the same either way): the distinct values hashed once when a column
    repeats a few (单位, 类别, 来源文件), each cell when most differ (身份证号, 地址)."""
    few = len(set(cells[:2000].tolist())) < 200
    return pd.util.hash_array(cells, categorize=few)


def row_digests(roster: pd.DataFrame) -> np.ndarray:
    """A 64-bit digest of each row's content (every column but 序号 and what the checks write)."""
    out = np.zeros(len(roster), dtype=np.uint64)
    for column in roster.columns:
        if column in _NOT_CONTENT:
            continue
        out = (out * np.uint64(1_000_003)) ^ _column_digest(roster[column])
    return out


def _key_hashes(kind: int, keys: pd.Series) -> np.ndarray:
    """The keys as 64-bit numbers (0: no key), one kind apart from another."""
    values = keys.to_numpy(object)
    present = values != ""
    out = np.zeros(len(values), dtype=np.uint64)
    if present.any():
        out[present] = (pd.util.hash_array(values[present], categorize=False)
                        ^ np.uint64(kind * 0x9E3779B97F4A7C15 % 2 ** 64)) | np.uint64(1)
    return out


def _id_keys(roster: pd.DataFrame) -> pd.Series:
    """A key every row gets that the checks may group with it by 身份证号: the ID as written
    without spaces, in upper case, with an 18-digit one's century and check digit left out,
    so a 15-digit ID and its 18-digit form meet (a coarser key only links more rows)."""
    written = text(roster, Col.ID)
    raw = raw_ids(written)
    return pd.Series([r[:6] + r[8:17] if len(r) == 18 else r if r else "=" + w if w else ""
                      for r, w in zip(raw.tolist(), written.tolist())], index=roster.index,
                     dtype=object)


def _block_keys(roster: pd.DataFrame) -> pd.Series:
    """户主姓名 with the house numbers of 地址: the blocks 疑似重复 by address compares within."""
    name = text(roster, Col.NAME)
    address = normal_address(text(roster, Col.ADDRESS))
    return pd.Series([f"{n}|{'-'.join(_NUMBERS.findall(a))}" if n and a else ""
                      for n, a in zip(name.tolist(), address.tolist())], index=roster.index,
                     dtype=object)


def row_links(roster: pd.DataFrame) -> np.ndarray:
    """Each row's keys (rows × 4, 0: none): the rows a check may look at together share one."""
    if not len(roster):
        return np.zeros((0, 4), dtype=np.uint64)
    return np.column_stack([
        _key_hashes(1, _id_keys(roster)),
        _key_hashes(2, phone_digits(roster)),
        _key_hashes(3, card_numbers(roster)),
        _key_hashes(4, _block_keys(roster)),
    ])


def reached(links: np.ndarray, seeds: np.ndarray, gone: np.ndarray) -> np.ndarray:
    """The rows linked, through any chain of shared keys, to a row of `seeds` (a mask) or to a
    row that went away (`gone`: its keys)."""
    found = seeds.copy()
    keys = np.unique(np.concatenate([links[seeds].ravel(), gone.ravel()]))
    keys = keys[keys != 0]
    while len(keys):
        hit = np.isin(links, keys).any(axis=1) & ~found
        if not hit.any():
            break
        found |= hit
        keys = np.unique(links[hit].ravel())
        keys = keys[keys != 0]
    return found


def _reusable(roster: pd.DataFrame, before: Checked) -> bool:
    if tuple(roster.columns) != before.columns or not len(roster):
        return False
    if any(before.problems[i].code != NOT_RETURNED for i in np.flatnonzero(before.rows < 0)):
        return False
    if MEMBER_IDS in roster and (text(roster, MEMBER_IDS) != "").any():
        return False
    seq = pd.to_numeric(roster[Col.SEQ], errors="coerce") if Col.SEQ in roster else None
    return seq is not None and bool(seq.notna().all())


def _pairs(digests: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(new positions, old positions) of the rows found unchanged, by digest (a digest met
    twice on a side pairs nothing); None when they are not in the same order as before."""
    once = np.flatnonzero(~pd.Series(old).duplicated(keep=False).to_numpy())
    at = pd.Index(old[once]).get_indexer(digests)
    at = np.where(at >= 0, once[np.maximum(at, 0)], -1) if len(once) else at
    new_pos = np.flatnonzero((at >= 0) & ~pd.Series(digests).duplicated(keep=False).to_numpy())
    old_pos = at[new_pos]
    if len(old_pos) > 1 and not (np.diff(old_pos) > 0).all():
        return None
    return new_pos, old_pos


def check_merged(roster: pd.DataFrame, settings: Settings, *,
                 references: Sequence[Reference] = (), before: Checked | None = None
                 ) -> tuple[pd.DataFrame, list[P.Problem], Checked | None]:
    """run_checks of a merged roster (fresh: nothing from the 问题 sheet), reusing `before` —
    the memo of the last merge's check under the same settings, lists and day — for the rows no
    change reaches (see the module docstring); and the memo of this check for the next one
    (None when none can be made).
    `before` is used up: its problems are handed on, not copied."""
    # the memo only ever saves time: whatever it cannot do, the roster is checked whole (and
    # without a memo for the next merge when none can be made)
    try:
        digests: np.ndarray | None = row_digests(roster)
    except Exception:
        digests = None
    if digests is not None and before is not None and _reusable(roster, before):
        try:
            pairs = _pairs(digests, before.digests)
            if pairs is not None:
                return _check_again(roster, settings, references, before, digests, *pairs)
        except Exception:
            pass
    out, problems, slots = run_checks_slotted(roster, settings, references=references)
    if digests is None:
        return out, problems, None
    try:
        memo = _memo(roster, out, digests, row_links(roster), problems,
                     np.asarray(slots, dtype=np.int64), _rows_of(roster, problems))
    except Exception:
        memo = None
    return out, problems, memo


def _check_again(roster: pd.DataFrame, settings: Settings, references: Sequence[Reference],
                 before: Checked, digests: np.ndarray, new_pos: np.ndarray, old_pos: np.ndarray
                 ) -> tuple[pd.DataFrame, list[P.Problem], Checked]:
    """check_merged with the rows of `new_pos` unchanged since the memo's rows `old_pos`."""
    links = np.zeros((len(roster), 4), dtype=np.uint64)
    links[new_pos] = before.links[old_pos]
    changed = np.ones(len(roster), dtype=bool)
    changed[new_pos] = False
    if changed.any():
        links[changed] = row_links(roster.iloc[np.flatnonzero(changed)])
    kept_old = np.zeros(len(before.digests), dtype=bool)
    kept_old[old_pos] = True
    again = reached(links, changed, before.links[~kept_old])
    # the rows reused: unchanged, and out of reach of every change
    new_of_old = np.full(len(before.digests) + 1, -1, dtype=np.int64)   # [-1]: no row
    reuse = ~again[new_pos]
    new_of_old[old_pos[reuse]] = new_pos[reuse]

    kept = before.outcome.iloc[old_pos[reuse]]
    kept.index = roster.index[new_pos[reuse]]
    parts = [kept] if len(kept) else []
    # the last check's problems of the rows reused, pointed at their rows in this roster
    rows_then = new_of_old[before.rows]
    reused = np.flatnonzero(rows_then >= 0)
    labels = roster.index[rows_then[reused]].tolist()
    problems = [before.problems[i] for i in reused.tolist()]
    for problem, label in zip(problems, labels):
        problem.extra["at"] = label
    slot_parts: list[np.ndarray] = [before.slots[reused]]
    row_parts: list[np.ndarray] = [rows_then[reused]]
    if again.any():
        out_again, found, found_slots = run_checks_slotted(
            roster.iloc[np.flatnonzero(again)], settings, references=references)
        parts.append(out_again[list(OUTCOME)])
        # the 漏报 of a part say nothing of the whole roster: asked again below
        placed = [(p, s) for p, s in zip(found, found_slots) if p.code != NOT_RETURNED]
        problems += [p for p, _ in placed]
        slot_parts.append(np.asarray([s for _, s in placed], dtype=np.int64))
        row_parts.append(_rows_of(roster, [p for p, _ in placed]))
    outcome = pd.concat(parts).reindex(roster.index) if len(parts) > 1 else parts[0]
    out = own_copy(roster)
    for column in OUTCOME:
        out[column] = outcome[column]
    # the people of a 必须在 list whom no unit sent: asked of the whole roster's IDs
    must = [(n, r) for n, r in enumerate(references) if r.rule.rule != RefRule.MUST_NOT]
    ids = set(text(out, Col.ID).tolist()) if must else set()
    for n, reference in must:
        missing = not_returned(reference, ids)
        problems += missing
        slot_parts.append(np.full(len(missing), reference_slot(n), dtype=np.int64))
        row_parts.append(np.full(len(missing), -1, dtype=np.int64))
    slot, row = np.concatenate(slot_parts), np.concatenate(row_parts)
    # run_checks' order: by slot, and within a slot by row (each row's problems as found)
    order = np.lexsort((row, slot))
    problems = [problems[i] for i in order.tolist()]
    return out, problems, _memo(roster, out, digests, links, problems, slot[order], row[order])


def _rows_of(roster: pd.DataFrame, problems: list[P.Problem]) -> np.ndarray:
    """The position in `roster` of each problem's row (-1: none)."""
    at = roster.index.get_indexer(pd.Index([p.extra.get("at") for p in problems], dtype=object))
    return at.astype(np.int64)


def _memo(roster: pd.DataFrame, out: pd.DataFrame, digests: np.ndarray, links: np.ndarray,
          problems: list[P.Problem], slots: np.ndarray, rows: np.ndarray) -> Checked:
    return Checked(columns=tuple(roster.columns), digests=digests, links=links,
                   outcome=out[list(OUTCOME)].reset_index(drop=True), problems=problems,
                   slots=slots, rows=rows)
