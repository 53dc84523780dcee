"""Each rule of the checks on small rosters: [(来源行, code)] tuples, 状态 per row."""
from __future__ import annotations

import phonenumbers
import pandas as pd
import pytest
from faker import Faker
from stdnum import luhn
from stdnum.cn import ric

from checks_helpers import found, make_id, office_settings, roster
from weiwen.checks import CHECKS, run_checks
from weiwen.checks.coverage import Reference, reference_frame
from weiwen.checks.fields import luhn_valid, phone_valid
from weiwen.defaults import DEFAULT_STANDARDS
from weiwen.names import MEMBER_IDS, Col, Internal, Severity, StdCol

S = office_settings()


def check(*rows, settings=S, **kw):
    out, problems = run_checks(roster(*rows), settings, **kw)
    return out, problems


def statuses(out) -> list[str]:
    return out[Col.STATUS].tolist()


# --- 身份证号 -------------------------------------------------------------------------------------

def test_a_clean_roster_has_no_problems():
    out, problems = check({}, {Col.CATEGORY: "低保", Col.SIZE: 3, Col.CARD: "6222020000000000000"})
    assert problems == [] and statuses(out) == ["有效", "有效"]


def test_id_that_went_through_a_float_is_reported_with_the_exact_message():
    lost = make_id()[:15] + "008"          # what int(float(...)) gives back for 18 digits
    out, problems = check({Col.ID: lost, Internal.ID_FROM_NUMBER: True})
    assert found(problems) == [(4, "checks.id_lost_digits")]
    assert problems[0].message == (
        f"身份证号“{lost}”被表格软件（Excel、WPS 或 LibreOffice）存成了数字，只保留了前15位，"
        "最后3位已不是原来的数字，无法还原。请把身份证号一列设为文本格式，重新输入完整的18位号码。")
    assert statuses(out) == ["错误"]


def test_lost_digits_recognised_on_a_roster_read_back_from_the_sheet():
    """名册 has no 'came from a number' flag: …000 with a wrong checksum is the float's trace."""
    base = make_id()[:15]
    out, problems = check({Col.ID: base + "000"}, {Col.ID: make_id(seq="200")})
    if ric.calc_check_digit(base + "00") != "0":
        assert found(problems) == [(4, "checks.id_lost_digits")]


def test_id_errors_are_length_characters_checksum_and_birth_date_only():
    good = make_id()
    out, problems = check(
        {Col.ID: good[:-1] + ("1" if good[-1] != "1" else "2")},   # checksum
        {Col.ID: good[:16]},                                        # length
        {Col.ID: "33010619500101A23X"},                             # characters
        {Col.ID: make_id(birth="19990230")},                        # impossible date
        {Col.ID: make_id(birth="20300101")},                        # born after the campaign
    )
    assert found(problems) == [(r, "checks.id_invalid") for r in (4, 5, 6, 7, 8)]
    reasons = [p.message for p in problems]
    assert "校验位" in reasons[0] and "现为16位" in reasons[1] and "字符" in reasons[2]
    assert "出生日期" in reasons[3] and "出生日期" in reasons[4]


def test_real_ids_are_never_rejected_for_their_region():
    fake = Faker("zh_CN")
    fake.seed_instance(4)
    ids = [fake.ssn() for _ in range(300)]
    ids = [i for i in ids if int(i[6:10]) < 2026]
    out, problems = check(*[{Col.ID: i, Col.SIZE: 1} for i in ids])
    assert not [p for p in problems if p.severity == Severity.ERROR]
    unknown = [p for p in problems if p.code == "checks.id_region"]
    assert all(p.severity == Severity.WARNING for p in unknown)
    assert set(statuses(out)) == {"有效"}


def test_unknown_region_is_a_warning():
    out, problems = check({Col.ID: make_id(region="990101")})
    assert found(problems) == [(4, "checks.id_region")] and statuses(out) == ["有效"]


def test_fifteen_digit_id_is_converted_and_said_so():
    old = "330106500101123"                       # born 1950-01-01
    out, problems = check({Col.ID: old})
    new = out[Col.ID].iloc[0]
    assert len(new) == 18 and new[6:14] == "19500101" and new[-1] == ric.calc_check_digit(new)
    assert found(problems) == [(4, "checks.id_legacy")] and old in problems[0].message
    assert out[Internal.AGE].iloc[0] == 77


def test_age_at_campaign_start():
    out, _ = check({Col.ID: make_id(birth="19570120")}, {Col.ID: make_id(birth="19570121")})
    assert out[Internal.AGE].tolist() == [70, 69]


# --- other fields -----------------------------------------------------------------------------

def test_missing_required_fields_are_errors_and_missing_phone_a_warning():
    out, problems = check({Col.NAME: ""}, {Col.ID: ""}, {Col.CATEGORY: ""}, {Col.PHONE: ""})
    assert found(problems) == [(4, "checks.missing_field"), (5, "checks.missing_field"),
                               (6, "checks.missing_field"), (7, "checks.phone_missing")]
    assert statuses(out) == ["错误", "错误", "错误", "有效"]


def test_unknown_category_lists_the_valid_ones():
    out, problems = check({Col.CATEGORY: "困难户"})
    assert found(problems) == [(4, "checks.unknown_category")]
    assert "困难户" in problems[0].message and "低保、" in problems[0].message


@pytest.mark.parametrize("size, category, expected", [
    (0, "低保", Severity.ERROR), (21, "低保", Severity.ERROR), ("2.5", "低保", Severity.ERROR),
    (None, "低保", Severity.ERROR), (21, "残疾户", Severity.WARNING), ("两人", "残疾户", Severity.WARNING),
])
@pytest.mark.slow
def test_household_size_is_an_integer_from_1_to_20(size, category, expected):
    _, problems = check({Col.SIZE: size, Col.CATEGORY: category, Col.CARD: "6222020000000000000"})
    assert [(p.code, p.severity) for p in problems] == [("checks.size_invalid", expected)]


def test_size_may_be_blank_when_the_amount_does_not_depend_on_it():
    assert check({Col.SIZE: None})[1] == []


def test_phones_mobile_or_landline_with_area_code():
    out, problems = check({Col.PHONE: "13812345678"}, {Col.PHONE: "0571-88001234"},
                          {Col.PHONE: "88001234"}, {Col.PHONE: "1381234567"},
                          {Col.PHONE: "+86 139 1234 5678"})
    assert found(problems) == [(6, "checks.phone_invalid"), (7, "checks.phone_invalid")]


def test_phone_patterns_agree_with_phonenumbers():
    sample = ["13812345678", "14012345678", "19912345678", "057188001234", "01012345678",
              "88001234", "0571880012", "17012345678", "16612345678", "0755-2345678"]
    ours = phone_valid(pd.Series(sample)).tolist()
    theirs = [phonenumbers.is_valid_number(phonenumbers.parse(n, "CN")) for n in sample]
    assert ours == theirs


def test_bank_cards_luhn_and_length():
    ok = "6222020000000000000"
    assert luhn.is_valid(ok)
    bad_luhn = ok[:-1] + "7"
    out, problems = check({Col.CATEGORY: "低保", Col.SIZE: 1, Col.CARD: bad_luhn},
                          {Col.CATEGORY: "低保", Col.SIZE: 1, Col.CARD: "62220200"},
                          {Col.CATEGORY: "低保", Col.SIZE: 1, Col.CARD: ""},
                          {Col.CARD: "62220200"})
    assert [(p.row, p.code, p.severity) for p in problems] == [
        (5, "checks.card_invalid", "错误"), (7, "checks.card_invalid", "警告"),
        (4, "checks.card_invalid", "警告"), (6, "checks.card_missing", "警告")]
    assert statuses(out) == ["有效", "错误", "有效", "有效"]


def test_luhn_vectorised_agrees_with_stdnum():
    cards = ["6222020000000000000", "4111111111111111", "4111111111111112", "79927398713",
             "6222021234567890123", "abc", ""]
    assert luhn_valid(pd.Series(cards)).tolist() == [
        c.isdigit() and luhn.is_valid(c) for c in cards]


def test_category_condition_failing_is_review_with_the_reason():
    out, problems = check({Col.CATEGORY: "70岁以上特困独居老人", Col.ID: make_id(birth="19600101")},
                          {Col.CATEGORY: "70岁以上特困独居老人", Col.ID: make_id(birth="19500101")})
    assert found(problems) == [(4, "checks.condition_failed")]
    assert "年龄>=70" in problems[0].message and "67岁" in problems[0].message
    assert statuses(out) == ["待核", "有效"]


def test_review_verified_by_the_clerk_stays_valid():
    out, problems = check({Col.CATEGORY: "70岁以上特困独居老人", Col.ID: make_id(birth="19600101"),
                           Col.NOTE: "已核实：户口本年龄有误"})
    assert found(problems) == [(4, "checks.condition_failed")] and statuses(out) == ["有效"]


# --- duplicates -------------------------------------------------------------------------------

def test_same_id_in_two_units_keeps_one_and_names_where():
    same = make_id(seq="777")
    out, problems = check({Col.ID: same}, {Col.ID: same, Col.UNIT: "西湖社区",
                                           Col.SRC_FILE: "西湖社区.xlsx"})
    assert found(problems) == [(5, "checks.duplicate_id")]
    assert "东湖社区“东湖社区.xlsx”第4行" in problems[0].message
    assert statuses(out) == ["有效", "重复"]


def test_same_id_twice_in_one_unit():
    same = make_id(seq="777")
    out, problems = check({Col.ID: same}, {}, {Col.ID: same})
    assert found(problems) == [(6, "checks.duplicate_id")] and statuses(out) == ["有效", "有效", "重复"]


def test_several_categories_paid_once_at_the_highest_tier():
    same = make_id(seq="777")
    out, problems = check({Col.ID: same, Col.CATEGORY: "残疾户", Col.SIZE: 3},
                          {Col.ID: same, Col.CATEGORY: "低保", Col.SIZE: 3,
                           Col.CARD: "6222020000000000000"})
    assert found(problems) == [(4, "checks.duplicate_category")]
    assert "按最高档次按“低保”发放1100元" in problems[0].message
    assert statuses(out) == ["重复", "有效"]


def test_tie_goes_to_the_lower_priority_number():
    same = make_id(seq="777")
    out, problems = check({Col.ID: same, Col.CATEGORY: "重点优抚对象"},   # 800, 优先级 3
                          {Col.ID: same, Col.CATEGORY: "参战涉核人员"})   # 800, 优先级 3
    assert statuses(out) == ["有效", "重复"]                            # same: first listed
    # a real tie on the amount: the lower 优先级 number wins even when it is listed second
    standards = [dict(r, **({StdCol.PRIORITY: 2} if r[StdCol.CATEGORY] == "参战涉核人员" else {}))
                 for r in DEFAULT_STANDARDS]
    out, problems = check({Col.ID: same, Col.CATEGORY: "重点优抚对象"},   # 800, 优先级 3
                          {Col.ID: same, Col.CATEGORY: "参战涉核人员"},   # 800, 优先级 2
                          settings=office_settings(standards))
    assert statuses(out) == ["重复", "有效"]
    assert "参战涉核人员" in problems[0].message
    out, problems = check({Col.ID: same, Col.CATEGORY: "大重病患者"},      # 700, 优先级 2
                          {Col.ID: same, Col.CATEGORY: "低保", Col.SIZE: 2,
                           Col.CARD: "6222020000000000000"})            # 900, 优先级 1
    assert statuses(out) == ["重复", "有效"]


def test_a_row_without_序号_comes_after_every_numbered_row_of_the_roster():
    """序号 missing: the row ranks after the numbered rows of the whole roster (not just after
    those it is compared with), so the row kept, or named first, is the numbered one."""
    same = make_id(seq="777")
    rows = [{} for _ in range(10)]
    rows[0] = {Col.ID: same, Col.SEQ: None}
    rows[4] = {Col.ID: same}                                           # 序号 5
    out, problems = check(*rows)
    assert found(problems) == [(4, "checks.duplicate_id")] and "第8行" in problems[0].message
    assert statuses(out)[0] == "重复" and statuses(out)[4] == "有效"
    rows = [{} for _ in range(10)]
    rows[0] = {Col.NAME: "王芳", Col.PHONE: "13900001111", Col.SEQ: None}
    rows[4] = {Col.NAME: "王芳", Col.PHONE: "13900001111"}              # 序号 5
    out, problems = check(*rows)
    assert found(problems) == [(4, "checks.likely_duplicate")] and "第8行" in problems[0].message
    assert statuses(out)[0] == "待核" and statuses(out)[4] == "有效"


def test_one_household_in_three_units_paid_once_at_its_highest_tier():
    same = make_id(seq="777")
    out, problems = check(
        {Col.ID: same, Col.CATEGORY: "残疾户", Col.SIZE: 3},
        {},
        {Col.ID: same, Col.CATEGORY: "低保", Col.SIZE: 3, Col.CARD: "6222020000000000000",
         Col.UNIT: "西湖社区", Col.SRC_FILE: "西湖社区.xlsx"},
        {Col.ID: same, Col.CATEGORY: "大重病患者", Col.SIZE: 3, Col.UNIT: "南山村",
         Col.SRC_FILE: "南山村.xlsx"},
        {Col.ID: same, Col.CATEGORY: "低保", Col.SIZE: 3, Col.CARD: "6222020000000000000",
         Col.UNIT: "南山村", Col.SRC_FILE: "南山村.xlsx"})
    duplicates = [(p.row, p.code) for p in problems if p.code.startswith("checks.duplicate")]
    assert duplicates == [(8, "checks.duplicate_id"), (4, "checks.duplicate_category"),
                          (7, "checks.duplicate_category")]
    for p in problems:
        if p.code.startswith("checks.duplicate"):
            assert "西湖社区“西湖社区.xlsx”第6行（低保）" in p.message
    assert statuses(out)[:3] == ["重复", "有效", "有效"] and statuses(out)[3:] == ["重复", "重复"]


def test_a_row_already_待核_is_not_the_one_kept_unless_the_clerk_verified_it():
    """Same ID under two categories of the same amount and 优先级: the row that meets its
    category's condition is kept before the 待核 one, even listed second; 已核实 on the 待核 row
    makes it an ordinary row again, kept as the first listed."""
    young = make_id(birth="19600101", seq="777")
    rows = ({Col.ID: young, Col.CATEGORY: "70岁以上特困独居老人"},   # 700, 年龄>=70 fails: 待核
            {Col.ID: young, Col.CATEGORY: "大重病患者"})             # 700, same 优先级
    out, problems = check(*rows)
    assert statuses(out) == ["重复", "有效"]
    assert [p.code for p in problems if p.row == 4] == ["checks.condition_failed",
                                                        "checks.duplicate_category"]
    out, problems = check(dict(rows[0], **{Col.NOTE: "已核实"}), rows[1])
    assert statuses(out) == ["有效", "重复"]


def test_likely_duplicates_leave_out_the_rows_made_重复_before():
    """The checks after the duplicates read 状态 as the duplicates left it."""
    same = make_id(seq="777")
    out, problems = check({Col.ID: same, Col.PHONE: "13900001111"},
                          {Col.ID: same, Col.PHONE: "13900001111"},     # 重复 of the first
                          {Col.NAME: "张0", Col.PHONE: "13900001111"})  # same name and phone
    assert found(problems) == [(5, "checks.duplicate_id"), (6, "checks.likely_duplicate")]
    assert "第4行" in problems[1].message
    assert statuses(out) == ["有效", "重复", "待核"]


def test_error_rows_are_not_duplicates_and_not_kept():
    same = make_id(seq="777")
    out, problems = check({Col.ID: same, Col.CATEGORY: "困难户"}, {Col.ID: same})
    assert statuses(out) == ["错误", "有效"]


def test_likely_duplicates_are_review_never_removed():
    out, problems = check(
        {Col.NAME: "王芳", Col.PHONE: "13900001111", Col.ADDRESS: "文一路1号"},
        {Col.NAME: "王芳", Col.PHONE: "13900001111", Col.ADDRESS: "教工路9号"},   # name + phone
        {Col.NAME: "李强", Col.ADDRESS: "文二路12号3幢201室"},
        {Col.NAME: "李强", Col.ADDRESS: "文二路12号 3幢 201"},                  # name + address
        {Col.NAME: "李强", Col.ADDRESS: "文二路12号3幢202室"},                  # other flat
    )
    assert found(problems) == [(5, "checks.likely_duplicate"), (7, "checks.likely_duplicate")]
    assert "姓名相同、电话相同" in problems[0].message and "第4行" in problems[0].message
    assert "地址几乎相同" in problems[1].message and "第6行" in problems[1].message
    assert statuses(out) == ["有效", "待核", "有效", "待核", "有效"]


def test_an_address_typed_with_full_width_digits_is_still_near():
    """名册 keeps the address as typed; the comparison reads 幸福路１２号 as 幸福路12号."""
    out, problems = check(
        {Col.NAME: "李强", Col.ADDRESS: "幸福路12号3幢201室"},
        {Col.NAME: "李强", Col.ADDRESS: "幸福路１２号３幢２０１室"},
    )
    assert found(problems) == [(5, "checks.likely_duplicate")]
    assert out[Col.ADDRESS].tolist()[1] == "幸福路１２号３幢２０１室"


def test_head_listed_as_member_of_another_household():
    head = make_id(seq="555")
    out, problems = check({MEMBER_IDS: f"{make_id(seq='556')}、{head}"}, {Col.ID: head})
    assert found(problems) == [(5, "checks.likely_duplicate")]
    assert "家庭成员" in problems[0].message


# --- coverage ---------------------------------------------------------------------------------

def test_coverage_lists_missed_households_and_dibao_not_on_the_roll():
    on_roll, missed = make_id(seq="101"), make_id(seq="102")
    ref = reference_frame([["低保名单"], ["姓名", "身份证号码", "社区"],
                           ["甲", on_roll, "东湖社区"], ["乙", missed, "西湖社区"]], "低保名单.xlsx")
    rule = office_settings(**{"低保名单": "低保名单.xlsx"}).references[0]
    out, problems = check({Col.ID: on_roll, Col.CATEGORY: "低保", Col.SIZE: 1,
                           Col.CARD: "6222020000000000000"},
                          {Col.CATEGORY: "低保", Col.SIZE: 1, Col.CARD: "6222020000000000018"},
                          references=[Reference(rule, ref)])
    assert [(p.unit, p.row, p.code) for p in problems] == [
        ("西湖社区", 4, "checks.not_returned"), ("东湖社区", 5, "checks.not_on_reference")]
    assert statuses(out) == ["有效", "待核"]


# --- shape ------------------------------------------------------------------------------------

def test_checks_are_listed_in_one_place_and_do_not_change_the_roster():
    from weiwen.checks.ids import prepare_ids
    r = prepare_ids(roster({}, {Col.PHONE: ""}), S)
    before = r.copy()
    for check_fn in (c for group in CHECKS for c in group):
        check_fn(r, S)
    pd.testing.assert_frame_equal(r, before)
    assert len([c for group in CHECKS for c in group]) >= 12


def test_re_running_the_checks_gives_the_same_result():
    same = make_id(seq="777")
    out, problems = check({Col.ID: same}, {Col.ID: same, Col.UNIT: "西湖社区"}, {Col.PHONE: ""})
    again, problems2 = run_checks(out, S)
    assert found(problems) == found(problems2)
    assert statuses(again) == statuses(out) and again[Col.ISSUES].tolist() == out[Col.ISSUES].tolist()


def test_a_row_the_clerk_typed_into_名册_is_named_by_its_head_not_as_nan():
    """A row typed into 名册 by hand has no 来源文件 / 来源行: the reasons naming it still read
    as Chinese, and the checks that join several rows' places do not fail on it."""
    same, card, phone = make_id(seq="777"), "6222020000000000000", "13900001111"
    typed = {Col.ID: same, Col.NAME: "王五", Col.SRC_FILE: None, Col.SRC_ROW: None,
             Col.CARD: card, Col.PHONE: phone, Col.SEQ: None}
    out, problems = check(typed, {Col.ID: same, Col.NAME: "王五", Col.UNIT: "西湖社区",
                                  Col.SRC_FILE: "西湖社区.xlsx"},
                          {Col.NAME: "赵六", Col.CARD: card, Col.PHONE: phone},
                          {Col.NAME: "钱七", Col.PHONE: phone})
    messages = " ".join(p.message for p in problems)
    assert "nan" not in messages and "<NA>" not in messages
    assert "东湖社区在名册中直接填写的“王五”（残疾户）" in messages
    assert {"checks.duplicate_id", "checks.shared_card", "checks.shared_phone"} <= {
        p.code for p in problems}
