"""Checks on the merged roster: each check is a function roster, settings → problems.

Checks never touch files and never change the roster; `run_checks` derives the working columns
(18-digit IDs, birth date, age), runs the passes listed in CHECKS, and writes 状态 and 问题 per row
between passes (duplicates need to know which rows are already 错误, likely duplicates which
rows are already 重复). Adding a rule is adding one function and one line below.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import problems as P
from ..names import Col, Internal, Status
from ..settings import Settings
from ..values import own_copy, with_texts, without_texts
from ._base import PHONE_DIGITS, Check, apply, emit, phone_digits
from .coverage import Reference, check_reference, check_references, reference_frame
from .duplicates import DUPLICATE_CHECKS, LIKELY_CHECKS
from .fields import CARD_LOST, FIELD_CHECKS
from .ids import (BIRTH, ID_CHECKS, ID_LEGACY, ID_OK, ID_RAW, found_before, merge_findings,
                  prepare_ids)
from .money import MONEY_CHECKS

#: the checks, in passes; 状态 / 问题 are written after each pass (the money-safety signals come
#: after the duplicates: a 重复 row is not paid, the row that is paid gets the 待核)
CHECKS: tuple[tuple[Check, ...], ...] = (
    (*ID_CHECKS, *FIELD_CHECKS),
    DUPLICATE_CHECKS,
    (*LIKELY_CHECKS, *MONEY_CHECKS),
)
_WORKING = (ID_RAW, BIRTH, ID_OK, PHONE_DIGITS)
#: the columns whose text the checks ask for again and again
_TEXTS = (Col.UNIT, Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.ADDRESS,
          Col.SRC_FILE, Col.NOTE)

__all__ = ["CHECKS", "Check", "Reference", "run_checks", "check_references", "reference_frame",
           "emit"]


def run_checks(roster: pd.DataFrame, settings: Settings, *,
               references: Sequence[Reference] = (), earlier: pd.DataFrame | None = None
               ) -> tuple[pd.DataFrame, list[P.Problem]]:
    """The roster with 状态 / 问题 (re)computed from scratch, and every problem found.

    `references`: the lists of 对照名单 with their rows (coverage.Reference), read by the
    pipeline. Previous 状态 / 问题 values (a 名册 read back from the workbook) are replaced.
    `earlier`: for a check of 名册 as it is, the 问题 sheet, for what the merge saw in the
    returned cells (ids.merge_findings; a card kept by a number cell, fields.check_card); a
    merge sees them itself."""
    roster, problems, _ = run_checks_slotted(roster, settings, references=references,
                                             earlier=earlier)
    return roster, problems


def reference_slot(n: int) -> int:
    """The slot of the problems of the n-th list of 对照名单: after the first pass's checks and
    the merge's 15-digit IDs."""
    return len(CHECKS[0]) + 1 + n


def run_checks_slotted(roster: pd.DataFrame, settings: Settings, *,
                       references: Sequence[Reference] = (),
                       earlier: pd.DataFrame | None = None
                       ) -> tuple[pd.DataFrame, list[P.Problem], list[int]]:
    """run_checks, and for each problem the slot it was found in: the check's place in CHECKS
    (then the merge's 15-digit IDs, then each list of 对照名单). A roster's problems are found in
    slot order, and within a slot one row's in the order they are written into its 问题: what
    a check of part of a roster needs to put its problems among the others (checks/reuse.py)."""
    lost, legacy = merge_findings(roster, earlier)
    cards = [i for _, i, _ in found_before(roster, earlier, (CARD_LOST,), same_id=False,
                                           older={"intake.card_from_number": CARD_LOST})]
    cards_lost = pd.Series(roster.index.isin(cards), index=roster.index)
    for column, rows in ((Internal.ID_FROM_NUMBER, lost), (Internal.CARD_FROM_NUMBER, cards_lost)):
        if rows.any():
            roster = own_copy(roster)
            before = roster[column].fillna(False).astype(bool) if column in roster else False
            roster[column] = rows | before
    roster = prepare_ids(roster, settings)
    roster[Col.STATUS] = Status.VALID.value
    roster[Col.ISSUES] = ""
    # the checks never change these columns (only 状态 / 问题, between passes; `apply` keeps
    # the text of 状态 and 问题 up to date)
    roster = with_texts(roster, [*_TEXTS, Col.STATUS, Col.ISSUES])
    roster[PHONE_DIGITS] = phone_digits(roster)
    problems: list[P.Problem] = []
    slots: list[int] = []
    slot = 0
    for i, checks in enumerate(CHECKS):
        found: list[P.Problem] = []
        for check in checks:
            these = check(roster, settings)
            found += these
            slots += [slot] * len(these)
            slot += 1
        if i == 0:
            converted = {p.extra.get("at") for p in found if p.code == ID_LEGACY}
            kept = [p for p in legacy if p.extra["at"] not in converted]
            found += kept
            slots += [slot] * len(kept)
            slot += 1
            for n, reference in enumerate(references):
                these = check_reference(roster, reference)
                found += these
                slots += [reference_slot(n)] * len(these)
            slot = reference_slot(len(references))
        apply(roster, found)
        problems += found
    return without_texts(roster).drop(columns=list(_WORKING)), problems, slots
