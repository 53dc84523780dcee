"""A 银行卡号 that went through a number cell is not paid by card, after the merge or a check.

A 19-digit card typed into a number cell keeps 15 digits: 6222021234567890123 comes back as
6222021234567890000. The merge said so in 问题 (银行卡号被存成数字, 错误) but left the row 有效:
计算金额 paid it by card and 银行代发.xlsx, the list sent to the bank as it is, carried the
number that is not the household's. Now a card-paid household with such a card is 错误 until the
unit sends the card as text or the clerk types it in 名册; a 检查 keeps that as it keeps the
lost 身份证号 (the 问题 row of the same file and row). Real commands, files read back with
openpyxl.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from stdnum import luhn

from intake_helpers import (HEADER, person, person_id, type_into_roster, unit_campaign,
                            write_openpyxl)
from weiwen.campaign import Campaign
from weiwen.names import Sheet

FULL = "6222021234567890123"
AS_NUMBER = "6222021234567890000"          # what the number cell kept
GOOD = "622202000000000001" + luhn.calc_check_digit("622202000000000001")


@pytest.fixture
def returned(tmp_path: Path) -> Campaign:
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [
        HEADER, person(1),
        ["卡数字", person_id(2), "低保", 2, "13800000002", float(FULL), "文一路2号", ""],
        ["卡正常", person_id(3), "低保", 2, "13800000003", GOOD, "文一路3号", ""],
        ["现金户", person_id(4), "残疾户", 2, "13800000004", 6222029876543210987.0, "文一路4号", ""]])
    return campaign


def _sheet(path: Path, sheet: str | int = 0) -> list[tuple]:
    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet]
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def _household(campaign: Campaign, name: str) -> dict:
    rows = _sheet(campaign.workbook, Sheet.ROSTER)
    (row,) = [dict(zip(rows[0], r)) for r in rows[1:] if name in r]
    return row


def _problems(campaign: Campaign, name: str) -> list[tuple]:
    rows = _sheet(campaign.workbook, Sheet.PROBLEMS)
    return [(p["级别"], p["问题类型"]) for p in (dict(zip(rows[0], r)) for r in rows[1:])
            if p["户主姓名"] == name]


def _bank_cards(campaign: Campaign) -> list[str]:
    return [str(r[2]) for r in _sheet(campaign.output / "银行代发.xlsx") if isinstance(r[0], int)]


def test_a_card_kept_as_a_number_is_not_sent_to_the_bank(cli, returned):
    cli("merge", returned.root)
    for step in ("merge", "check", "check"):
        if step == "check":
            cli("check", returned.root)
        row = _household(returned, "卡数字")
        assert (row["银行卡号"], row["状态"]) == (AS_NUMBER, "错误"), step
        assert "存成了数字" in row["问题"]
        assert _problems(returned, "卡数字") == [("错误", "银行卡号被存成数字")], step
        cash = _household(returned, "现金户")          # cash: the card is not used, a warning
        assert cash["状态"] == "有效"
        assert _problems(returned, "现金户") == [("警告", "银行卡号被存成数字")], step
    cli("amounts", returned.root)
    assert not _household(returned, "卡数字")["金额"]
    assert _household(returned, "现金户")["金额"] == 700
    cli("summary", returned.root)
    assert _bank_cards(returned) == [GOOD]


def test_the_card_typed_again_in_the_roster_is_paid_after_a_check(cli, returned):
    cli("merge", returned.root)
    type_into_roster(returned.workbook, {"卡数字": {"银行卡号": FULL}})
    cli("check", returned.root)
    assert _household(returned, "卡数字")["状态"] == "有效"
    assert _problems(returned, "卡数字") == [("警告", "银行卡号无效")]      # FULL fails Luhn
    cli("amounts", returned.root)
    cli("summary", returned.root)
    assert _household(returned, "卡数字")["金额"] == 900
    assert sorted(_bank_cards(returned)) == sorted([GOOD, FULL])


def test_correcting_the_id_of_the_row_keeps_its_card_unpaid(cli, tmp_path):
    """A return whose ID and card columns were both numbers (the format cleared): the clerk types
    the household's ID in 名册, as 身份证号丢失末位 asks, and presses 检查 — the card is still the
    number cell's and the row stays 错误 for it."""
    campaign = unit_campaign(tmp_path / "活动")
    real = person_id(2)
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [
        HEADER, person(1),
        ["两列数字", int(real), "低保", 2, "13800000002", float(FULL), "文一路2号", ""]])
    cli("merge", campaign.root)
    kinds = [k for _, k in _problems(campaign, "两列数字")]
    assert sorted(kinds) == ["身份证号丢失末位", "银行卡号被存成数字"]
    type_into_roster(campaign.workbook, {"两列数字": {"身份证号": real}})
    cli("check", campaign.root)
    row = _household(campaign, "两列数字")
    assert (row["身份证号"], row["状态"]) == (real, "错误")
    assert _problems(campaign, "两列数字") == [("错误", "银行卡号被存成数字")]
    cli("amounts", campaign.root)
    assert not _household(campaign, "两列数字")["金额"]
