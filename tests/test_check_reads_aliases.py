"""检查 reads 名册's 类别 through 标准's aliases, as 合并回收表 reads the returns.

README: a wording not in 标准 stays as written with 类别无效; "把这个写法加进该类别的“别名”后再点
“检查”即可". The check read 名册 back but never looked at the aliases, so the household stayed
错误 (类别“困难户”不在“标准”表中) and unpaid, while a merge of the same files paid it: two commands
that contradict each other. The real commands on a real return; 名册 and 问题 read back with
openpyxl.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake_helpers import HEADER, person, unit_campaign, write_openpyxl
from weiwen.campaign import Campaign
from weiwen.names import Sheet, StdCol


@pytest.fixture
def returned(tmp_path: Path) -> Campaign:
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx",
                   [HEADER, person(1), person(2, "困难户"), person(3)])
    return campaign


def _sheet(campaign: Campaign, sheet: str) -> list[dict]:
    ws = load_workbook(campaign.workbook, read_only=True, data_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def _household(campaign: Campaign, name: str) -> dict:
    (row,) = [r for r in _sheet(campaign, Sheet.ROSTER) if r["户主姓名"] == name]
    return row


def _kinds(campaign: Campaign) -> list[str]:
    return [r["问题类型"] for r in _sheet(campaign, Sheet.PROBLEMS)]


def _edit(campaign: Campaign, sheet: str, match: str, column: str, change) -> None:
    wb = load_workbook(campaign.workbook, keep_vba=True)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if match in [c.value for c in row]:
            cell = row[header.index(column)]
            cell.value = change(cell.value)
    wb.save(campaign.workbook)


def test_an_alias_added_after_the_merge_is_read_by_the_check(cli, returned):
    cli("merge", returned.root)
    assert _household(returned, "测试0002")["状态"] == "错误"
    assert "类别无效" in _kinds(returned)
    _edit(returned, Sheet.STANDARDS, "低收入困难家庭", StdCol.ALIASES,
          lambda aliases: f"{aliases}、困难户" if aliases else "困难户")
    for _ in range(2):                                  # a check of a check too
        cli("check", returned.root)
        row = _household(returned, "测试0002")
        assert (row["类别"], row["填报类别"], row["状态"]) == ("低收入困难家庭", "困难户", "有效")
        assert "类别无效" not in _kinds(returned)
    cli("amounts", returned.root)
    assert _household(returned, "测试0002")["金额"] == 700
    checked = _sheet(returned, Sheet.ROSTER)
    cli("merge", returned.root)                         # the merge of the same files agrees
    cli("amounts", returned.root)
    assert [(r["类别"], r["填报类别"], r["状态"], r["金额"]) for r in _sheet(returned, Sheet.ROSTER)] \
        == [(r["类别"], r["填报类别"], r["状态"], r["金额"]) for r in checked]


def test_a_category_the_clerk_types_in_the_roster_by_its_alias(cli, returned):
    cli("merge", returned.root)
    _edit(returned, Sheet.ROSTER, "测试0002", "类别", lambda _: "低保户")
    _edit(returned, Sheet.ROSTER, "测试0002", "银行卡号", lambda _: "6222021234567890128")
    cli("check", returned.root)
    row = _household(returned, "测试0002")
    assert (row["类别"], row["填报类别"], row["状态"]) == ("低保", "低保户", "有效")
    cli("amounts", returned.root)
    row = _household(returned, "测试0002")
    assert (row["金额"], row["发放方式"]) == (900, "银行打卡")


def test_a_wording_no_alias_names_stays_as_written(cli, returned):
    cli("merge", returned.root)
    cli("check", returned.root)
    row = _household(returned, "测试0002")
    assert (row["类别"], row["填报类别"], row["状态"]) == ("困难户", None, "错误")
