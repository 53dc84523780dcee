"""A re-merge's checks reuse the last merge's for the rows no change reaches (checks/reuse.py):
whatever changed, the roster and the problems are the ones checking the whole roster gives.

Random rosters drawn from small pools, so that rows share IDs (also as a 15-digit number, in
lower case, with spaces, in full-width digits), phones, cards, names and near-identical
addresses across units, with messy cells (None, NaN, numbers, 已核实); then random changes, as
a corrected file brings them: rows gone, rows added, cells changed. Each result is compared
with run_checks of the whole roster, cell by cell and problem by problem, three merges in a
row (the third reuses the memo the second, partial, check left).
"""
from __future__ import annotations

import datetime as dt
import math
import pickle
import random
from typing import Any

import numpy as np
import pandas as pd
import pytest
import stdnum

from checks_helpers import make_id, office_settings
from weiwen import problems as P
from weiwen.checks import run_checks_slotted
from weiwen.checks.coverage import Reference, reference_frame
from weiwen.checks import reuse
from weiwen.checks.reuse import Checked, check_merged, row_digests
from weiwen.names import MEMBER_IDS, ROSTER_COLUMNS, Col, Internal, RefRule, Status
from weiwen.pipeline.check_memo import context
from weiwen.pipeline.problem_sheet import problem_frame
from weiwen.references import ReferenceRule

UNITS = ("东湖社区", "西湖社区")
IDS = [make_id(birth=f"19{40 + i}0{1 + i % 9}1{i % 10}", seq=f"{100 + i}") for i in range(12)]
NAMES = ["张三", "李四", "王五", "赵六", "张 三", ""]
PHONES = ["13800000001", "13800000002", "138-0000-0003", "057188001234", "12345", ""]
CARDS = ["6222020000000000018", "6222 0200 0000 0000 026", "6222020000000000000", ""]
ADDRESSES = ["文一路12号", "文一路１２号", "文一路12号3幢", "文二路8号", "西溪路1号101室", ""]
CATEGORIES = ["残疾户", "低保", "特困", "70岁以上特困独居老人", "优抚对象", "不存在的类别", ""]
SETTINGS = office_settings(活动开始日期="2027-01-20")


def _id_variant(rng: random.Random) -> Any:
    if rng.random() < 0.6:               # most households: an ID of their own
        return make_id(birth=f"19{rng.randrange(30, 70)}0{rng.randrange(1, 10)}1{rng.randrange(10)}",
                       seq=f"{rng.randrange(1000):03d}")
    the_id = rng.choice(IDS)
    return rng.choice([
        the_id, the_id, the_id,
        the_id[:6] + the_id[8:17],                          # the 15-digit form
        the_id.lower(), f" {the_id[:6]} {the_id[6:]}",
        the_id.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        the_id[:17] + ("0" if the_id[17] != "0" else "1"),  # a wrong check digit
        "", None, float("nan"), 3.30106195001e17,
    ])


def _shared(rng: random.Random, pool: list[Any], own: str, share: float = 0.25) -> Any:
    """A value from `pool` (shared with other rows) now and then, else one of the row's own."""
    return rng.choice(pool) if rng.random() < share else own


def _row(rng: random.Random, unit: str, row: int) -> dict[str, Any]:
    n = rng.randrange(10 ** 8)
    return {
        Col.SEQ: 0, Col.UNIT: unit, Col.NAME: _shared(rng, NAMES, f"户主{n % 997}"),
        Col.ID: _id_variant(rng),
        Col.CATEGORY: rng.choice(CATEGORIES), Col.REPORTED_CATEGORY: "",
        Col.SIZE: rng.choice([1, 2, 3, "3", 3.0, 25, None, "二", 1e20, True, 2 ** 70,
                              dt.date(2027, 1, 1), "=1+1", "😀"]),
        Col.PHONE: _shared(rng, PHONES + [None, 13800000001], f"139{n:08d}"),
        Col.CARD: _shared(rng, CARDS, "", 0.4), Col.BANK: "",
        Col.ADDRESS: _shared(rng, ADDRESSES, f"幸福路{n % 9973}号"),
        Col.AMOUNT: math.nan, Col.PAYMENT: math.nan, Col.BASIS: math.nan,
        Col.STATUS: Status.VALID.value, Col.ISSUES: "", Col.SRC_FILE: f"{unit}.xlsx",
        Col.SRC_ROW: row, Col.NOTE: rng.choice(["", "", "已核实", None, "已核实，住院", 42, "已核实" * 400]),
        Internal.UNIT_CODE: "001" if unit == UNITS[0] else "002",
        Internal.ID_FROM_NUMBER: rng.random() < 0.05,
        Internal.CARD_FROM_NUMBER: rng.random() < 0.05,
    }


def _numbered(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [*ROSTER_COLUMNS, Internal.UNIT_CODE, Internal.ID_FROM_NUMBER,
               Internal.CARD_FROM_NUMBER]
    frame = pd.DataFrame(rows, columns=columns)
    frame[Col.SEQ] = range(1, len(frame) + 1)
    return frame


def _first(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [_row(rng, unit, 4 + i) for unit in UNITS for i in range(n // 2)]


def _changed(rng: random.Random, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a unit's corrected file does to the merged rows: some go, some come, cells change
    (the rows of the unit in their place, in the order of the file)."""
    rows = [dict(r) for r in rows]
    for _ in range(rng.choice([0, 1, 2, 4, 8])):
        kind, at = rng.random(), rng.randrange(len(rows))
        if kind < 0.3 and len(rows) > 2:
            del rows[at]
        elif kind < 0.6:
            rows.insert(at, _row(rng, rows[at][Col.UNIT], 1000 + rng.randrange(10_000)))
        else:
            column, value = rng.choice([
                (Col.ID, _id_variant(rng)), (Col.NAME, rng.choice(NAMES)),
                (Col.PHONE, rng.choice(PHONES)), (Col.CARD, rng.choice(CARDS)),
                (Col.ADDRESS, rng.choice(ADDRESSES)), (Col.NOTE, "已核实"),
                (Col.PHONE, f"137{rng.randrange(10 ** 8):08d}"),
                (Col.CATEGORY, rng.choice(CATEGORIES)), (Col.SIZE, rng.choice([1, "x", 30]))])
            rows[at][column] = value
    return rows


def _references(rng: random.Random) -> list[Reference]:
    out = []
    for n, rule in enumerate([RefRule.MUST, RefRule.MUST_NOT]):
        if rng.random() < 0.5:
            listed = [["姓名", "身份证号码", "社区"]] + [
                [f"名{i}", the_id, rng.choice(UNITS)] for i, the_id in enumerate(IDS)
                if rng.random() < 0.4]
            frame = reference_frame(listed, f"名单{n}.xlsx")
            assert frame is not None
            categories = rng.choice([(), ("低保",), ("低保", "特困")])
            out.append(Reference(ReferenceRule(f"名单{n}.xlsx", rule, categories, row=2 + n),
                                 frame))
    return out


def _cells(frame: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    return {c: [(type(v).__name__, repr(v)) for v in frame[c].tolist()] for c in frame.columns}


def _said(problem: P.Problem) -> tuple:
    return (str(problem.code), problem.message, str(problem.severity), problem.unit,
            problem.file, problem.row, problem.column, problem.name, problem.id,
            tuple(sorted((k, repr(v)) for k, v in problem.extra.items())))


def _by_row(problems: list[P.Problem]) -> dict[Any, list[tuple]]:
    out: dict[Any, list[tuple]] = {}
    for problem in problems:
        out.setdefault(problem.extra.get("at"), []).append(_said(problem))
    return out


def _assert_as_whole(roster: pd.DataFrame, got: pd.DataFrame, found: list[P.Problem],
                     references: list[Reference], memo: Checked) -> None:
    want, want_found, want_slots = run_checks_slotted(roster, SETTINGS, references=references)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert _cells(got) == _cells(want)
    assert sorted(map(_said, found)) == sorted(map(_said, want_found))
    assert _by_row(found) == _by_row(want_found)
    pd.testing.assert_frame_equal(problem_frame(found), problem_frame(want_found))
    # the memo's slot and row of each problem are the ones run_checks found it in and at
    where = dict(zip(roster.index, range(len(roster))))
    assert sorted(zip(memo.slots.tolist(), memo.rows.tolist(), map(_said, found))) == sorted(
        zip(want_slots, [where.get(p.extra.get("at"), -1) for p in want_found],
            map(_said, want_found)))
    assert list(memo.slots) == sorted(memo.slots)


@pytest.mark.parametrize("seed", range(20))
def test_a_partial_check_gives_what_checking_the_whole_roster_gives(seed):
    rng = random.Random(seed)
    references = _references(rng)
    rows = _first(rng, rng.choice([6, 30, 80]))
    roster = _numbered(rows)
    got, found, memo = check_merged(roster, SETTINGS, references=references)
    _assert_as_whole(roster, got, found, references, memo)
    for _ in range(2):
        rows = _changed(rng, rows)
        roster = _numbered(rows)
        # the memo goes through pickle, as it is kept on disk between merges
        got, found, memo = check_merged(roster, SETTINGS, references=references,
                                        before=pickle.loads(pickle.dumps(memo)))
        _assert_as_whole(roster, got, found, references, memo)


def _district(n: int = 400) -> list[dict[str, Any]]:
    """Rows that mostly do not share keys (as in a real district), a few that do."""
    rows = []
    for i in range(n):
        unit = UNITS[i * 2 // n]
        rows.append({**_row(random.Random(i), unit, 4 + i),
                     Col.ID: make_id(birth=f"19{30 + i % 60}0101", seq=f"{i % 1000:03d}"),
                     Col.NAME: f"户主{i}", Col.PHONE: f"139{i:08d}",
                     Col.CARD: "", Col.ADDRESS: f"幸福路{i}号", Col.NOTE: "",
                     Col.CATEGORY: "低保", Col.SIZE: 2, Internal.ID_FROM_NUMBER: False,
                     Internal.CARD_FROM_NUMBER: False})
    return rows


@pytest.fixture
def checked(monkeypatch) -> list[int]:
    """The size of each roster (or part of one) run_checks is given from here on."""
    seen: list[int] = []
    real = reuse.run_checks_slotted

    def spy(roster, settings, **kwargs):
        seen.append(len(roster))
        return real(roster, settings, **kwargs)

    monkeypatch.setattr(reuse, "run_checks_slotted", spy)
    return seen


def test_only_the_rows_a_change_reaches_are_checked_again(checked):
    rows = _district()
    _, _, memo = check_merged(_numbered(rows), SETTINGS)
    rows[10] = {**rows[10], Col.PHONE: rows[300][Col.PHONE]}      # a phone another unit's row has
    rows.insert(50, {**rows[200], Col.SRC_ROW: 9999})             # a household listed twice
    del rows[120]
    checked.clear()
    roster = _numbered(rows)
    got, found, memo = check_merged(roster, SETTINGS, before=memo)
    # the changed row with its phone's other row; the added row with the row it repeats
    assert checked == [4]
    _assert_as_whole(roster, got, found, [], memo)
    assert {p.code for p in found} >= {"checks.duplicate_id"}


@pytest.mark.parametrize("change", ["reordered", "members", "columns", "no number", "damaged"])
def test_what_cannot_be_reused_is_checked_whole(change, checked):
    rows = _district(60)
    _, _, memo = check_merged(_numbered(rows), SETTINGS)
    roster = _numbered(rows)
    if change == "reordered":
        roster = roster.iloc[::-1].reset_index(drop=True)
    elif change == "members":
        roster[MEMBER_IDS] = ""
        roster.loc[3, MEMBER_IDS] = rows[5][Col.ID]
    elif change == "columns":
        roster = roster.drop(columns=[Internal.CARD_FROM_NUMBER])
    elif change == "no number":
        roster[Col.SEQ] = roster[Col.SEQ].astype(object)
        roster.loc[7, Col.SEQ] = None
    else:                                   # a memo that does not hold together
        roster.loc[7, Col.PHONE] = "13900000000"
        memo.links = memo.links[:5]
    checked.clear()
    got, found, memo = check_merged(roster, SETTINGS, before=memo)
    assert checked == [len(roster)]
    _assert_as_whole(roster, got, found, [], memo)


def test_a_cell_of_another_type_is_a_change():
    """3 and "3", None and "None", NaN and "nan": a check may tell them apart, so the row is
    checked again."""
    rows = _district(20)
    rows[4][Col.SIZE] = 3
    rows[5][Col.NOTE] = None
    rows[6][Col.PHONE] = math.nan
    _, _, memo = check_merged(_numbered(rows), SETTINGS)
    rows[4][Col.SIZE] = "3"
    rows[5][Col.NOTE] = "None"
    rows[6][Col.PHONE] = "nan"
    roster = _numbered(rows)
    assert np.flatnonzero(row_digests(roster) != memo.digests).tolist() == [4, 5, 6]
    got, found, memo = check_merged(roster, SETTINGS, before=memo)
    _assert_as_whole(roster, got, found, [], memo)


def test_the_memo_is_kept_under_what_the_checks_depend_on_besides_the_roster(monkeypatch):
    """The settings sheets (as their digest), each 对照名单 list's rows, and the day (ages are
    counted to it when 参数 has no 活动开始日期) and python-stdnum's version (its table of region
    codes): a change to any makes another context, and
    the merge then checks the whole roster."""
    listed = reference_frame([["姓名", "身份证号码", "社区"], ["甲", IDS[0], UNITS[0]],
                              ["乙", IDS[1], UNITS[1]]], "低保名单.xlsx")
    assert listed is not None
    references = [Reference(ReferenceRule("低保名单.xlsx", RefRule.MUST, ("低保",), row=2), listed)]
    day = dt.date(2027, 1, 20)
    base = context("settings", references, day)
    assert base == context("settings", references, day)
    assert base != context("other settings", references, day)
    assert base != context("settings", references, day + dt.timedelta(days=1))
    assert base != context("settings", [], day)
    edited = references[0].frame.copy()
    edited.iloc[0, 0] = "改过的名字"
    changed = [Reference(references[0].rule, edited), *references[1:]]
    assert base != context("settings", changed, day)
    monkeypatch.setattr(stdnum, "__version__", "0.0")              # another table of regions
    assert base != context("settings", references, day)
