"""Plumbing shared by the checks: problems from boolean masks, and problems back onto the rows.

A check is `check(roster, settings) -> list[Problem]` and never changes the roster. `emit` turns a
mask into one Problem per flagged row (the roster index travels in `Problem.extra["at"]`);
`apply` writes 状态 and 问题 for all problems at once.
"""
from __future__ import annotations

import re
from typing import Any
from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import problems as P
from ..names import REVIEWED_MARKS, Col, Severity, Status
from ..settings import Settings
from ..values import TEXT_OF
from ..values import text_column as text

Check = Callable[[pd.DataFrame, Settings], list[P.Problem]]
#: the columns (and their texts, values.with_texts) that say where a problem is
_NAMED = {c for col in (Col.UNIT, Col.SRC_FILE, Col.SRC_ROW, Col.NAME, Col.ID)
          for c in (col, TEXT_OF + col)}

#: 联系电话 with its digits only: a working column run_checks derives once (never written to
#: 名册), since four checks compare or validate phones in that form
PHONE_DIGITS = "_电话数字"
_NOT_DIGIT = re.compile(r"\D")

#: what a code does to the row's 状态 (codes not listed: 错误 severity → 错误, else nothing)
STATUS_OF: dict[str, Status] = {}
#: the stronger status wins on a row with several problems
_RANK = {Status.VALID: 0, Status.REVIEW: 1, Status.DUPLICATE: 2, Status.ERROR: 3}
_BY_RANK = {v: k for k, v in _RANK.items()}
#: the rank of a 状态 as written (anything else: none), looked up without making a Status
_RANK_OF_TEXT = {k.value: v for k, v in _RANK.items()}


def register(code: str, kind: str, severity: Severity, template: str, *,
             status: Status | None = None, stage: str = "checks") -> P.Code:
    """P.register plus the status a problem of this code gives its row."""
    registered = P.register(code, kind, severity, stage, template)
    if status is not None:
        STATUS_OF[registered] = status
    return registered


def emit(roster: pd.DataFrame, mask: pd.Series | np.ndarray, code: str, *,
         column: str = "", severity: Severity | None = None, **values: Any) -> list[P.Problem]:
    """One Problem per row where `mask` holds; `values` are scalars or Series aligned on roster."""
    mask = pd.Series(mask, index=roster.index).fillna(False).astype(bool)
    if not mask.any():
        return []
    # the flagged rows of the few columns a problem names (not a copy of every column)
    rows = roster.loc[mask, [c for c in roster.columns if c in _NAMED]]
    src = pd.to_numeric(rows[Col.SRC_ROW], errors="coerce") if Col.SRC_ROW in rows else \
        pd.Series(np.nan, index=rows.index)
    # a 来源行 typed over in 名册 as 1E+308 or 1E+30 is no row of any file: said as none, not
    # a stop in int()
    src = src.where(src.abs() < 2 ** 53)
    cols = {k: (v.loc[rows.index].tolist() if isinstance(v, pd.Series) else [v] * len(rows))
            for k, v in values.items()}
    out = []
    for i, (idx, unit, file, r, blank, name, id_) in enumerate(zip(
            rows.index, text(rows, Col.UNIT).tolist(), text(rows, Col.SRC_FILE).tolist(),
            src.tolist(), src.isna().tolist(), text(rows, Col.NAME).tolist(),
            text(rows, Col.ID).tolist())):
        out.append(P.make(code, unit=unit, file=file, row=None if blank else int(r),
                          column=column, name=name, id=id_, severity=severity, at=idx,
                          **{k: v[i] for k, v in cols.items()}))
    return out


def phone_digits(roster: pd.DataFrame) -> pd.Series:
    """联系电话 reduced to its digits (PHONE_DIGITS when the roster carries it)."""
    if PHONE_DIGITS in roster.columns:
        return roster[PHONE_DIGITS].rename(Col.PHONE)
    phone = text(roster, Col.PHONE)
    # most phones are digits already (str.isdecimal is what \d matches): only the others,
    # with hyphens, spaces or +86, are searched
    return pd.Series([v if v.isdecimal() else _NOT_DIGIT.sub("", v) for v in phone.tolist()],
                     index=phone.index, dtype=phone.dtype, name=Col.PHONE)


def repeated(key: pd.Series, among: pd.Series | None = None) -> pd.Series:
    """Rows whose `key` (NaN: none) another row shares: the only rows a check that groups by
    that key can flag, so its per-row work (amounts, ordering, normalising) is for these.
    `among`: a mask of the rows taken into account (the others have no key), as
    `repeated(key.where(among))` says without building that Series."""
    present = key.notna().to_numpy(dtype=bool)
    if among is not None:
        present = present & np.asarray(among, dtype=bool)
    # only the rows with a key are compared: a pool is often a small part of the roster
    out = np.zeros(len(key), dtype=bool)
    if present.any():
        out[present] = key[present].duplicated(keep=False).to_numpy(dtype=bool)
    return pd.Series(out, index=key.index, name=key.name)


def status_of(problem: P.Problem) -> Status:
    if problem.code in STATUS_OF:
        return STATUS_OF[problem.code]
    return Status.ERROR if problem.severity == Severity.ERROR else Status.VALID


def apply(roster: pd.DataFrame, problems: list[P.Problem]) -> None:
    """Write every problem's message into its row's 问题 and raise the row's 状态, in bulk.

    A 待核 the clerk already verified (备注 starts with one of REVIEWED_MARKS, e.g. 已核实) keeps
    its message but not the 待核 status."""
    placed = [(p.extra.get("at"), p.message, _RANK[status_of(p)]) for p in problems
              if p.extra.get("at") is not None]
    if not placed or not len(roster):
        return
    frame = pd.DataFrame(placed, columns=["at", "msg", "rank"])
    frame = frame[frame["at"].isin(roster.index)]
    rank = frame.groupby("at", sort=False)["rank"].max()
    # a row's messages in the order found, joined in one pass (not one Python call per row)
    said: dict[Any, list[str]] = {}
    for at, msg in zip(frame["at"].tolist(), frame["msg"].tolist()):
        said.setdefault(at, []).append(msg)
    messages = pd.Series(["；".join(said[at]) for at in rank.index], index=rank.index,
                         dtype=object)
    issues = text(roster, Col.ISSUES)
    current = issues.loc[messages.index]
    roster[Col.ISSUES] = issues
    written = np.where(current != "", current + "；" + messages, messages)
    roster.loc[messages.index, Col.ISSUES] = written
    if TEXT_OF + Col.ISSUES in roster.columns:
        # the checks' copy of 问题 as text (values.with_texts) for the next pass: the rows not
        # written are text already, the written ones are stripped here, not all 100,000 again
        roster[TEXT_OF + Col.ISSUES] = issues
        roster.loc[messages.index, TEXT_OF + Col.ISSUES] = [w.strip() for w in written.tolist()]
    reviewed = text(roster, Col.NOTE).loc[rank.index].str.startswith(REVIEWED_MARKS)
    rank = rank.where(~(reviewed & (rank == _RANK[Status.REVIEW])), 0)
    status = text(roster, Col.STATUS)
    old = status.loc[rank.index].map(lambda s: _RANK_OF_TEXT.get(s, 0))
    new = np.maximum(old.to_numpy(), rank.to_numpy())
    roster[Col.STATUS] = status.replace("", Status.VALID.value)
    roster.loc[rank.index, Col.STATUS] = [_BY_RANK[int(r)].value for r in new]
    if TEXT_OF + Col.STATUS in roster.columns:
        # the checks' copy of 状态 as text (values.with_texts): 状态 is text already
        roster[TEXT_OF + Col.STATUS] = roster[Col.STATUS]
