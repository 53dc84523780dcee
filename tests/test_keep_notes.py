"""备注 across a re-merge (intake.merge.keep_notes): the clerk's note stays on the household it
was written for, checked against the rule written out as the plain loop it stands for."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings as hsettings, strategies as st

from weiwen.intake.merge import keep_notes, roster_key
from weiwen.names import Col

NOTES = st.sampled_from(["", None, float("nan"), "已核实", "已电话核实", 3, 3.5])


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[Col.UNIT, Col.ID, Col.NAME, Col.CATEGORY, Col.NOTE])


def rule(roster: pd.DataFrame, previous: pd.DataFrame) -> list:
    """The n-th listing of a household (单位|身份证号 or 名:姓名|类别) takes the previous 名册's
    n-th listing's 备注 (an empty cell as ''), else keeps the unit's own."""
    def listings(f: pd.DataFrame) -> list[str]:
        seen: dict[str, int] = {}
        out = []
        for key in roster_key(f).tolist():
            seen[key] = seen.get(key, 0) + 1
            out.append(f"{key}#{seen[key]}")
        return out
    before = {}
    for key, note in zip(listings(previous), previous[Col.NOTE].tolist()):
        before[key] = "" if note is None or note != note else note
    return [before.get(k, own) for k, own in zip(listings(roster), roster[Col.NOTE].tolist())]


def test_a_household_listed_twice_keeps_each_listings_note():
    previous = frame([("东湖社区", "110101194001011234", "张三", "低保", "已核实：两处房产"),
                      ("东湖社区", "110101194001011234", "张三", "低保", None),
                      ("东湖社区", "", "李四", "特困", "已电话核实")])
    roster = frame([("东湖社区", "110101194001011234", "张三", "低保", "单位备注一"),
                    ("东湖社区", "110101194001011234", "张三", "低保", "单位备注二"),
                    ("东湖社区", "110101194001011234", "张三", "低保", "第三次"),
                    ("东湖社区", "", "李四", "特困", ""),
                    ("青山村", "", "李四", "特困", "新报")])
    assert keep_notes(roster, previous).tolist() == [
        "已核实：两处房产", "", "第三次", "已电话核实", "新报"]


def test_no_previous_roster_keeps_the_units_notes():
    roster = frame([("东湖社区", "", "李四", "特困", "单位备注")])
    assert keep_notes(roster, None).tolist() == ["单位备注"]
    assert keep_notes(roster, frame([])).tolist() == ["单位备注"]


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["东湖社区", "青山村"]),
                          st.sampled_from(["", "110101194001011234", "11010119400101123X"]),
                          st.sampled_from(["张三", "李四", ""]), st.sampled_from(["低保", "特困"]),
                          NOTES), max_size=12),
       st.lists(st.tuples(st.sampled_from(["东湖社区", "青山村"]),
                          st.sampled_from(["", "110101194001011234", "11010119400101123X"]),
                          st.sampled_from(["张三", "李四", ""]), st.sampled_from(["低保", "特困"]),
                          NOTES), min_size=1, max_size=12))
def test_notes_follow_the_rule(before, now):
    previous, roster = frame(before), frame(now)
    kept = keep_notes(roster, previous).tolist()
    expected = rule(roster, previous) if len(previous) else roster[Col.NOTE].tolist()
    assert len(kept) == len(expected)
    # the same value of the same type (a float NaN, the unit's empty cell, stays one)
    assert all(type(a) is type(b) and (a == b or (a != a and b != b))
               for a, b in zip(kept, expected)), (kept, expected)


_CELLS = {Col.UNIT: ["东湖社区", "青山村", " 青山村", None],
          Col.ID: ["", "110101194001011234", "11010119400101123X", None, float("nan"), 3.0],
          Col.NAME: ["张三", "李四", "", None], Col.CATEGORY: ["低保", "特困", None]}


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(*(st.sampled_from(v) for v in _CELLS.values())), min_size=1,
                max_size=4),
       st.lists(st.tuples(st.integers(0, 3), NOTES), min_size=1, max_size=14),
       st.lists(st.tuples(st.integers(0, 13), st.sampled_from(list(_CELLS)), st.integers(0, 5)),
                max_size=3),
       st.integers(-3, 3))
def test_notes_follow_the_rule_when_most_rows_stay_in_place(households, listed, edits, grown):
    """A re-merge gives most rows their key again at the same position (keep_notes compares
    those in place and looks up only the keys that moved): a household listed twice with one
    listing changed, rows added or gone at the end, blank and number cells in the key."""
    before = [(*households[i % len(households)], note) for i, note in listed]
    now = [list(row) for row in before]
    for row, column, value in edits:
        if row < len(now):
            cells = _CELLS[column]
            now[row][list(_CELLS).index(column)] = cells[value % len(cells)]
    now = now + now[:grown] if grown > 0 else now[:len(now) + grown] or now[:1]
    previous, roster = frame(before), frame([tuple(row) for row in now])
    kept = keep_notes(roster, previous).tolist()
    expected = rule(roster, previous)
    assert all(type(a) is type(b) and (a == b or (a != a and b != b))
               for a, b in zip(kept, expected)) and len(kept) == len(expected), (kept, expected)
