"""金额 / 发放方式 / 计发依据 from 标准, with the office's numbers; a bureau campaign; the budget."""
from __future__ import annotations

from stdnum import luhn

from checks_helpers import make_id, office_settings, roster
from weiwen.amounts import compute_amounts
from weiwen.checks import run_checks
from weiwen.names import Col, Method, Payment, StdCol

S = office_settings()
CARD = "6222020000000000000"


def card(i: int) -> str:
    """Another household's card (one card on two IDs is a money-safety signal of its own)."""
    body = f"6222020000000000{i:02d}"
    return body + luhn.calc_check_digit(body)


def paid(*rows, settings=S):
    checked, problems = run_checks(roster(*rows), settings)
    out, amount_problems = compute_amounts(checked, settings)
    return out, problems + amount_problems


def test_highest_tier_with_the_office_numbers():
    """3-person 低保 also 残疾户 → 1100 once; 1-person 低保 also 残疾户 → 700 once (700 > 550)."""
    three, one = make_id(seq="301"), make_id(seq="101")
    out, _ = paid({Col.ID: three, Col.CATEGORY: "低保", Col.SIZE: 3, Col.CARD: CARD},
                  {Col.ID: three, Col.CATEGORY: "残疾户", Col.SIZE: 3},
                  {Col.ID: one, Col.CATEGORY: "低保", Col.SIZE: 1, Col.CARD: card(1)},
                  {Col.ID: one, Col.CATEGORY: "残疾户", Col.SIZE: 1})
    assert out[Col.AMOUNT].tolist() == [1100, 0, 0, 700]
    assert out[Col.STATUS].tolist() == ["有效", "重复", "重复", "有效"]
    assert out.groupby(Col.ID)[Col.AMOUNT].sum().to_dict() == {three: 1100, one: 700}
    assert out[Col.BASIS].iloc[0] == "低保 3人户 1100元；同时列为残疾户，按最高档次发放"
    assert out[Col.BASIS].iloc[3] == "残疾户 按户 700元；同时列为低保，按最高档次发放"
    assert "同一户已在东湖社区按“低保”1100元发放" in out[Col.BASIS].iloc[1]
    assert out[Col.PAYMENT].tolist() == ["银行打卡", "现金", "银行打卡", "现金"]


def test_methods_by_size_per_household_per_person():
    out, problems = paid({Col.CATEGORY: "低保", Col.SIZE: 2, Col.CARD: CARD},
                         {Col.CATEGORY: "低保", Col.SIZE: 5, Col.CARD: card(2)},
                         {Col.CATEGORY: "大重病患者", Col.SIZE: 4},
                         {Col.CATEGORY: "精简老职工", Col.SIZE: 3},
                         {Col.CATEGORY: "困难户"})
    assert out[Col.AMOUNT].tolist() == [900, 1100, 700, 600, 0]
    assert out[Col.BASIS].tolist()[:4] == [
        "低保 2人户 900元", "低保 5人户（3人及以上户） 1100元", "大重病患者 按户 700元",
        "精简老职工 按人 600元"]
    assert out[Col.BASIS].iloc[4].startswith("不发放（有错误）：类别“困难户”")
    assert (out[Col.BASIS] != "").all()


def test_review_rows_get_their_amount_but_say_so():
    out, _ = paid({Col.CATEGORY: "70岁以上特困独居老人", Col.SIZE: 1, Col.ID: make_id(birth="19600101")})
    assert out[Col.AMOUNT].tolist() == [700]
    assert out[Col.BASIS].iloc[0].startswith("待核，核实后发放：70岁以上特困独居老人 按户 700元")


def test_bureau_campaign_flat_per_household():
    std = [{StdCol.CATEGORY: "在职职工", StdCol.GROUP: "职工", StdCol.METHOD: Method.PER_HOUSEHOLD,
            StdCol.AMOUNT: 1000, StdCol.PRIORITY: 1, StdCol.PAYMENT: Payment.CARD},
           {StdCol.CATEGORY: "退休职工", StdCol.GROUP: "职工", StdCol.METHOD: Method.PER_HOUSEHOLD,
            StdCol.AMOUNT: 1000, StdCol.PRIORITY: 2, StdCol.PAYMENT: Payment.CARD}]
    settings = office_settings(std)
    assert settings.problems == []
    out, problems = paid({Col.CATEGORY: "在职职工", Col.CARD: CARD, Col.SIZE: None},
                         {Col.CATEGORY: "退休职工", Col.CARD: card(3), Col.SIZE: None},
                         settings=settings)
    assert out[Col.AMOUNT].tolist() == [1000, 1000] and problems == []
    assert out[Col.BASIS].tolist() == ["在职职工 按户 1000元", "退休职工 按户 1000元"]


def test_budget_exceeded_is_a_warning():
    settings = office_settings(**{"预算": 1000})
    out, problems = paid({Col.CATEGORY: "残疾户"}, {Col.CATEGORY: "大重病患者"}, settings=settings)
    over = [p for p in problems if p.code == "amounts.over_budget"]
    assert len(over) == 1 and over[0].severity == "警告" and "1,400" in over[0].message


def test_amounts_follow_status_only_and_are_vectorised_over_a_roster_read_back():
    """名册 read back: 家庭人口 as float, no working columns."""
    out, _ = paid({Col.CATEGORY: "低保", Col.SIZE: 3, Col.CARD: CARD})
    back = out[[c for c in out.columns if not c.startswith("_")]].copy()
    back[Col.SIZE] = back[Col.SIZE].astype(float)
    again, _ = compute_amounts(back, S)
    assert again[Col.AMOUNT].tolist() == [1100] and again[Col.BASIS].tolist() == ["低保 3人户 1100元"]


def test_a_household_size_beyond_any_integer_does_not_stop_amounts(cli, tmp_path):
    """家庭人口 1E+20 (a slip in a number cell; 2**70 alike): 计算金额 and the whole run finish;
    the 按户人数分档 row is 错误 and unpaid, the 按户 row is paid with its 计发依据."""
    from intake_helpers import person, unit_campaign, write_openpyxl
    from weiwen import workbook_io
    from weiwen.names import RETURN_COLUMNS, ProblemCol

    campaign = unit_campaign(tmp_path / "活动")
    by_size, per_household = person(1, "低保"), person(2, "残疾户")
    by_size[3], per_household[3] = 1e20, 2 ** 70
    write_openpyxl(campaign.inbox / "东湖社区.xlsx",
                   [list(RETURN_COLUMNS), by_size, per_household, person(3)])
    cli("merge", campaign.root)
    cli("amounts", campaign.root)
    rows = {r[Col.NAME]: r for r in workbook_io.read_roster(campaign.workbook).to_dict("records")}
    assert rows["测试0001"][Col.STATUS] == "错误" and not rows["测试0001"][Col.AMOUNT]
    assert rows["测试0002"][Col.AMOUNT] == 700
    assert rows["测试0002"][Col.BASIS] == "残疾户 按户 700元"
    problems = workbook_io.read_problems(campaign.workbook)
    assert "家庭人口" in " ".join(problems[problems["户主姓名"] == "测试0001"][ProblemCol.MESSAGE])
    cli("run", campaign.root)
