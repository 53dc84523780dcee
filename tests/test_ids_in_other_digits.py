"""身份证号 and 银行卡号 in other digits than 0–9: never a crash, and the merge's answer.

A unit (or the clerk, typing into 名册) may write an ID in full-width digits (３３０１０６…, an
input method's full-width mode) or in digits of another script (Arabic-Indic ٣٣٠…, pasted from
elsewhere). The check digit is worked out on bytes; before, such an ID reached it as a "digit"
and the whole merge or 检查 stopped with a UnicodeEncodeError. Full-width digits are the same
number (the merge reads them as 0–9, NFKC): the ID is checked as such. Other scripts' digits are
no ID number: 错误, with the message of a malformed ID, and the row stays in 名册. A card
number in other digits than full-width ones is flagged: the bank takes 0–9 only.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from intake_helpers import person, person_id, type_into_roster, unit_campaign, write_openpyxl
from weiwen import workbook_io
from weiwen.campaign import Campaign
from weiwen.names import RETURN_COLUMNS, ProblemCol

_FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_CARD = "6222021234567890128"                 # passes the Luhn check


@pytest.fixture
def returned(tmp_path: Path) -> Campaign:
    campaign = unit_campaign(tmp_path / "活动")
    full, arabic = person(3), person(4)
    full[0], full[1] = "全角号", person_id(3).translate(_FULL)
    arabic[0], arabic[1] = "阿文号", person_id(4).translate(_ARABIC)
    arabic_card, full_card = person(5), person(6)
    arabic_card[0], arabic_card[5] = "阿文卡", _CARD.translate(_ARABIC)
    full_card[0], full_card[5] = "全角卡", _CARD.translate(_FULL)
    write_openpyxl(campaign.inbox / "东湖社区.xlsx",
                   [list(RETURN_COLUMNS), person(1), full, arabic, arabic_card, full_card,
                    person(2)])
    return campaign


def _rows(campaign: Campaign) -> dict[str, dict]:
    roster = workbook_io.read_roster(campaign.workbook)
    return {r["户主姓名"]: r for r in roster.to_dict("records")}


def _kinds(campaign: Campaign, name: str) -> list[str]:
    problems = workbook_io.read_problems(campaign.workbook)
    return problems[problems[ProblemCol.NAME] == name][ProblemCol.KIND].tolist()


def _messages(campaign: Campaign, name: str) -> list[str]:
    problems = workbook_io.read_problems(campaign.workbook)
    return problems[problems[ProblemCol.NAME] == name][ProblemCol.MESSAGE].tolist()


def test_a_merge_reads_full_width_digits_as_the_id_and_other_digits_as_an_error(cli, returned):
    cli("merge", returned.root)
    rows = _rows(returned)
    assert len(rows) == 6                                       # every row that came in
    assert rows["全角号"]["身份证号"] == person_id(3)
    assert rows["全角号"]["状态"] == "有效"
    assert rows["阿文号"]["状态"] == "错误"
    assert _kinds(returned, "阿文号") == ["身份证号无效"]
    assert "含有数字0到9和末位X以外的字符" in _messages(returned, "阿文号")[0]
    assert rows["全角卡"]["银行卡号"] == _CARD and _kinds(returned, "全角卡") == []
    assert _kinds(returned, "阿文卡") == ["银行卡号无效"]
    assert "0到9以外的数字" in _messages(returned, "阿文卡")[0]
    assert rows["测试0001"]["状态"] == "有效"


def test_a_check_after_the_clerk_types_an_id_in_full_width_digits(cli, returned):
    cli("merge", returned.root)
    type_into_roster(returned.workbook, {
        "测试0002": {"身份证号": person_id(2).translate(_FULL)},
        "测试0001": {"身份证号": person_id(1).translate(_ARABIC)},
        "全角卡": {"银行卡号": _CARD.translate(_FULL)}})
    cli("check", returned.root)
    rows = _rows(returned)
    assert rows["测试0002"]["状态"] == "有效"
    assert rows["测试0002"]["身份证号"] == person_id(2)     # as the merge writes it
    assert rows["测试0001"]["状态"] == "错误"
    assert _kinds(returned, "测试0001") == ["身份证号无效"]
    assert rows["全角卡"]["银行卡号"] == _CARD and _kinds(returned, "全角卡") == []  # as merged
    cli("amounts", returned.root)
    rows = _rows(returned)
    assert rows["测试0002"]["金额"] and not rows["测试0001"]["金额"]
