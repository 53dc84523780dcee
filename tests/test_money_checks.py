"""不漏户、不错发 on small rosters: the money-safety signals (待核, naming the other rows), the
reference lists of 对照名单 (必须在 / 不能在), the previous campaign's 对比, 未交回 units."""
from __future__ import annotations

import datetime as dt

import pytest
import pandas as pd
from stdnum import luhn

from checks_helpers import found, make_id, office_settings, roster
from weiwen.checks import run_checks
from weiwen.checks.coverage import Reference, reference_frame
from weiwen.checks.last_campaign import change_counts, compare, previous_frame
from weiwen.intake.returns import OVERDUE, RETURNED, not_returned_problems, unit_returns
from weiwen.defaults import DEFAULT_STANDARDS
from weiwen.names import (PARAM_PHONE_LIMIT, ROSTER_COLUMNS, STANDARD_COLUMNS, Change, Col,
                          CompareCol, RefCol, Sheet, Status)
from weiwen.references import ReferenceRule
from weiwen.settings import load_settings

S = office_settings()
SHARED = "621700154001234567" + luhn.calc_check_digit("621700154001234567")  # one card, two IDs


def card(i: int) -> str:
    body = f"6222020000000000{i:02d}"
    return body + luhn.calc_check_digit(body)


def check(*rows, settings=S, **kw):
    return run_checks(roster(*rows), settings, **kw)


def codes(problems, code) -> list[int]:
    return [p.row for p in problems if p.code == code]


# --- money-safety signals --------------------------------------------------------------------

def test_one_card_on_two_ids_makes_both_rows_待核_naming_the_other():
    out, problems = check({Col.CATEGORY: "低保", Col.SIZE: 1, Col.CARD: SHARED},
                          {Col.CATEGORY: "低保", Col.SIZE: 2, Col.CARD: card(1)},
                          {Col.CATEGORY: "低保", Col.SIZE: 2, Col.CARD: SHARED[:6] + " " + SHARED[6:],
                           Col.UNIT: "西湖社区", Col.SRC_FILE: "西湖社区.xlsx"})
    assert found(problems) == [(4, "checks.shared_card"), (6, "checks.shared_card")]
    assert out[Col.STATUS].tolist() == ["待核", "有效", "待核"]
    assert "西湖社区“西湖社区.xlsx”第6行" in problems[0].message
    assert "东湖社区“东湖社区.xlsx”第4行" in problems[1].message
    assert "共2户用这张卡" in problems[0].message


def test_the_same_household_twice_is_no_shared_card():
    same = make_id(seq="555")
    out, problems = check({Col.ID: same, Col.CATEGORY: "低保", Col.SIZE: 1, Col.CARD: SHARED},
                          {Col.ID: same, Col.CATEGORY: "残疾户", Col.SIZE: 1})
    assert "checks.shared_card" not in {p.code for p in problems}
    assert out[Col.STATUS].tolist() == ["重复", "有效"]       # 残疾户 700 beats 低保 1-person 550


def test_a_phone_on_more_households_than_the_threshold():
    phone = "13812345678"
    rows = [{Col.PHONE: phone} for _ in range(3)] + [{Col.PHONE: "13900001111"}]
    out, problems = check(*rows)
    assert codes(problems, "checks.shared_phone") == [4, 5, 6]
    assert out[Col.STATUS].tolist() == ["待核", "待核", "待核", "有效"]
    assert "共用于3户" in problems[0].message and "同一电话最多户数" in problems[0].message
    assert "第5行" in problems[0].message and "第6行" in problems[0].message
    # the office raises the threshold in 参数: three households on one phone are fine
    _, problems = check(*rows, settings=office_settings(**{PARAM_PHONE_LIMIT: 3}))
    assert codes(problems, "checks.shared_phone") == []


def test_two_households_on_one_phone_are_within_the_default_threshold():
    _, problems = check({Col.PHONE: "13812345678"}, {Col.PHONE: "138 1234 5678"})
    assert codes(problems, "checks.shared_phone") == []


def test_one_id_under_two_names():
    same = make_id(seq="556")
    out, problems = check({Col.ID: same, Col.NAME: "王建国"},
                          {Col.ID: same, Col.NAME: "王健国", Col.UNIT: "西湖社区",
                           Col.SRC_FILE: "西湖社区.xlsx"})
    assert codes(problems, "checks.id_two_names") == [4]          # the paid row; row 5 is 重复
    assert "写作“王健国”" in [p for p in problems if p.code == "checks.id_two_names"][0].message
    assert out[Col.STATUS].tolist() == ["待核", "重复"]


def test_a_household_of_two_units_with_different_addresses():
    same = make_id(seq="557")
    out, problems = check({Col.ID: same, Col.ADDRESS: "文一路12号3幢201室"},
                          {Col.ID: same, Col.ADDRESS: "青山村5组18号", Col.UNIT: "青山村",
                           Col.SRC_FILE: "青山村.xlsx"})
    flagged = [p for p in problems if p.code == "checks.two_units_addresses"]
    assert [p.row for p in flagged] == [4]
    assert "青山村“青山村.xlsx”第5行" in flagged[0].message and "青山村5组18号" in flagged[0].message
    assert out[Col.STATUS].tolist() == ["待核", "重复"]
    # the same address written a little differently is no signal
    _, problems = check({Col.ID: same, Col.ADDRESS: "文一路12号3幢201室"},
                        {Col.ID: same, Col.ADDRESS: "文一路12号3幢 201室", Col.UNIT: "青山村"})
    assert codes(problems, "checks.two_units_addresses") == []


def test_a_verified_row_stays_paid_and_keeps_its_reason():
    out, problems = check({Col.CARD: SHARED, Col.NOTE: "已核实：夫妻两户"}, {Col.CARD: SHARED})
    assert out[Col.STATUS].tolist() == ["有效", "待核"]
    assert "银行卡号" in out[Col.ISSUES].iloc[0]


@pytest.mark.slow
def test_money_checks_on_20k_rows_name_at_most_three_others():
    """One phone on 5,000 rows: bounded work, each reason names three rows and counts the rest."""
    n = 20_000
    frame = roster(*({Col.PHONE: "13812345678" if i < 5000 else f"139{i:08d}",
                      Col.ID: make_id(birth=f"19{50 + i // 1000}0101", seq=f"{i % 1000:03d}")}
                     for i in range(n)))
    out, problems = run_checks(frame, S)
    shared = [p for p in problems if p.code == "checks.shared_phone"]
    assert len(shared) == 5000
    assert shared[10].message.count("第") == 3 and "等4999处" in shared[10].message


# --- 对照名单 ---------------------------------------------------------------------------------

def test_a_death_list_makes_the_listed_household_待核_with_its_note():
    dead = make_id(seq="601")
    rows = [["死亡人员名单"], ["姓名", "公民身份号码", "死亡日期"], ["李四", dead, "2026-12-01"]]
    rule = ReferenceRule("死亡名单.xlsx", "不能在", (), "已故？", 2)
    ref = Reference(rule, reference_frame(rows, "死亡名单.xlsx"))
    out, problems = check({Col.ID: dead}, {}, references=[ref])
    assert found(problems) == [(4, "checks.on_excluded_list")]
    assert "“死亡名单.xlsx”第3行（李四）（已故？）" in problems[0].message
    assert out[Col.STATUS].tolist() == ["待核", "有效"]


def test_a_must_list_for_some_categories_only():
    listed, missed = make_id(seq="701"), make_id(seq="702")
    rows = [["户主姓名", "身份证号"], ["甲", listed], ["乙", missed]]
    settings = office_settings()
    rule = ReferenceRule("优抚名单", "必须在", ("重点优抚对象",), "不在退役军人事务局名单", 3)
    ref = Reference(rule, reference_frame(rows, "优抚名单"))
    out, problems = check({Col.ID: listed, Col.CATEGORY: "重点优抚对象"},
                          {Col.CATEGORY: "重点优抚对象"}, {Col.CATEGORY: "残疾户"},
                          settings=settings, references=[ref])
    assert [(p.row, p.code) for p in problems] == [(3, "checks.not_returned"),
                                                   (5, "checks.not_on_reference")]
    assert "（不在退役军人事务局名单）" in problems[1].message
    assert out[Col.STATUS].tolist() == ["有效", "待核", "有效"]


def test_references_sheet_rules_and_their_mistakes():
    sheets = {
        Sheet.PARAMS: [["项目", "值", "说明"], ["低保名单", "低保.xlsx", ""]],
        Sheet.UNITS: [["单位编码", "单位名称"], ["1", "东湖社区"]],
        Sheet.STANDARDS: [list(STANDARD_COLUMNS)] + [[r[c] for c in STANDARD_COLUMNS]
                                                     for r in DEFAULT_STANDARDS],
        Sheet.REFERENCES: [list(RefCol),
                           ["死亡名单.xlsx", "不能在", "", "已故？"],
                           ["优抚.xlsx", "必须在", "其他", ""],
                           ["x.xlsx", "应该在", "", ""],
                           ["y.xlsx", "不能在", "困难户", ""]],
    }
    loaded = load_settings(sheets)
    rules = [(r.source, r.rule, r.categories[:2], r.where) for r in loaded.references]
    assert rules == [("低保.xlsx", "必须在", ("低保",), "参数“低保名单”"),
                     ("死亡名单.xlsx", "不能在", (), "“对照名单”表第2行"),
                     ("优抚.xlsx", "必须在", ("重点优抚对象", "参战涉核人员"), "“对照名单”表第3行")]
    bad = [(p.row, p.column, p.code) for p in loaded.problems if Sheet.REFERENCES in p.file]
    assert bad == [(4, RefCol.RULE, "settings.bad_choice"),
                   (5, RefCol.CATEGORIES, "settings.bad_choice")]


# --- the previous campaign --------------------------------------------------------------------

def _previous(*records) -> pd.DataFrame:
    header = list(ROSTER_COLUMNS)
    rows = [header] + [[r.get(c) for c in header] for r in records]
    return previous_frame(rows, "上次.xlsm")


def test_compare_lists_missing_new_and_changed_households():
    stay, gone, moved, new = (make_id(seq=s) for s in ("801", "802", "803", "804"))
    unpaid_last = make_id(seq="805")
    previous = _previous(
        {Col.UNIT: "东湖社区", Col.NAME: "甲", Col.ID: stay, Col.CATEGORY: "残疾户", Col.AMOUNT: 700,
         Col.STATUS: "有效"},
        {Col.UNIT: "东湖社区", Col.NAME: "乙", Col.ID: gone, Col.CATEGORY: "低保", Col.AMOUNT: 900,
         Col.STATUS: "有效"},
        {Col.UNIT: "西湖社区", Col.NAME: "丙", Col.ID: moved, Col.CATEGORY: "大重病患者",
         Col.AMOUNT: 700, Col.STATUS: "有效"},
        {Col.UNIT: "西湖社区", Col.NAME: "丁", Col.ID: unpaid_last, Col.CATEGORY: "残疾户",
         Col.AMOUNT: 0, Col.STATUS: "重复"})
    out, _ = check({Col.ID: stay, Col.CATEGORY: "残疾户"},
                   {Col.ID: moved, Col.CATEGORY: "低保", Col.SIZE: 3, Col.CARD: card(5)},
                   {Col.ID: new})
    frame, problems = compare(out, previous, S)
    assert [(p.unit, p.row, p.code, p.id) for p in problems] == [
        ("东湖社区", 3, "checks.missing_since_last", gone)]
    assert problems[0].message.startswith("上次慰问有、本次未报，请核实是否漏报")
    assert frame[[CompareCol.CHANGE, CompareCol.ID]].values.tolist() == [
        ["本次未报", gone], ["新增", new], ["类别变化", moved]]
    changed = frame.iloc[2]
    assert (changed[CompareCol.LAST_CATEGORY], changed[CompareCol.CATEGORY],
            changed[CompareCol.LAST_AMOUNT], changed[CompareCol.AMOUNT]) == (
        "大重病患者", "低保", 700, 1100)
    assert "上次由西湖社区报送" in changed[CompareCol.NOTE]
    assert change_counts(frame) == {"本次未报": 1, "新增": 1, "类别变化": 1, "金额变化": 0}


def test_a_plain_roster_file_counts_every_listed_household_as_paid():
    someone = make_id(seq="901")
    rows = [["2026年中秋慰问名单"], ["序号", "姓名", "身份证号码", "类别", "社区"],
            [1, "甲", someone, "残疾户", "东湖社区"]]
    previous = previous_frame(rows, "中秋名单.xlsx")
    out, _ = check({})
    _, problems = compare(out, previous, S)
    assert [(p.unit, p.row, p.id) for p in problems] == [("东湖社区", 3, someone)]


def test_an_amount_change_alone():
    same = make_id(seq="902")
    previous = _previous({Col.UNIT: "东湖社区", Col.NAME: "甲", Col.ID: same, Col.CATEGORY: "低保",
                          Col.AMOUNT: 550, Col.STATUS: "有效"})
    out, _ = check({Col.ID: same, Col.CATEGORY: "低保", Col.SIZE: 2, Col.CARD: card(9)})
    frame, problems = compare(out, previous, S)
    assert problems == [] and frame[CompareCol.CHANGE].tolist() == [Change.AMOUNT]
    assert frame[CompareCol.NOTE].iloc[0] == "金额由550元改为900元"


# --- 未交回 -------------------------------------------------------------------------------------

def test_units_without_a_return_one_line_each_overdue_after_the_deadline():
    settings = office_settings()                       # 东湖社区, 西湖社区; deadline 2027-01-10
    returns = unit_returns(settings, ["东湖社区"], {"东湖社区": 5}, today=dt.date(2027, 1, 5))
    assert [(r.unit, r.status) for r in returns] == [("东湖社区", RETURNED), ("西湖社区", "未交回")]
    problems = not_returned_problems(returns, settings)
    assert [(p.unit, p.code) for p in problems] == [("西湖社区", "intake.not_returned")]
    assert "回收截止日期 2027年1月10日" in problems[0].message and "逾期" not in problems[0].message
    late = unit_returns(settings, ["东湖社区"], today=dt.date(2027, 1, 11))
    assert late[1].status == OVERDUE
    assert "逾期" in not_returned_problems(late, settings)[0].message
    assert not [r for r in unit_returns(settings, ["东湖社区", "西湖社区"]) if r.status != RETURNED]
    assert Status.REVIEW == "待核"


@pytest.mark.slow
def test_many_ids_under_two_names_stay_fast():
    """3,000 IDs each written with two names: every row named, in bounded time (one pass over
    the names, not one per flagged row)."""
    import time
    rows = []
    for i in range(3000):
        same = make_id(birth=f"19{50 + i // 1000}0101", seq=f"{i % 1000:03d}")
        rows += [{Col.ID: same, Col.NAME: f"王{i}"}, {Col.ID: same, Col.NAME: f"汪{i}"}]
    frame = roster(*rows)
    started = time.perf_counter()
    _, problems = run_checks(frame, S)
    assert time.perf_counter() - started < 5
    two = [p for p in problems if p.code == "checks.id_two_names"]
    assert len(two) == 3000 and "写作“汪0”" in two[0].message
