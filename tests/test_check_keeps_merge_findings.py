"""检查 after 合并 keeps what only the merge could see in the returned cells.

A 身份证号 typed as a number keeps 15 digits; 名册 then holds e.g. 330106197708016000 as text.
About one such ID in eleven still has a valid check digit, so 名册 alone cannot tell it from a
real one. The merge flags it (身份证号丢失末位, 错误); a later 检查 reads 名册 back and, before,
made it 有效 — and 计算金额 paid it. A 15-digit ID converted by the merge lost its 请核对 warning
the same way. The real command runs on a real return; the outputs are read back from the file.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from stdnum.cn import ric

from intake_helpers import person, person_id, type_into_roster, unit_campaign, write_openpyxl
from checks_helpers import office_settings, roster
from weiwen import workbook_io
from weiwen.campaign import Campaign
from weiwen.checks import run_checks
from weiwen.demo import make_demo
from weiwen.checks.ids import ID_LEGACY, ID_LOST, merge_findings
from weiwen.names import PROBLEM_COLUMNS, RETURN_COLUMNS, Col, ProblemCol

#: a real ID whose first 15 digits + "000" (what a number cell keeps) pass the check digit
_BODY = "33010619770801634"
REAL_ID = _BODY + ric.calc_check_digit(_BODY + "0")
AS_NUMBER = "330106197708016000"
LEGACY = "330106500101123"


@pytest.fixture
def returned(tmp_path: Path) -> Campaign:
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [
        list(RETURN_COLUMNS), person(1),
        ["王数字", int(REAL_ID), "残疾户", 2, "13800001111", "", "文一路9号", ""],
        ["李旧号", LEGACY, "残疾户", 2, "13800002222", "", "文一路3号", ""],
        person(2)])
    return campaign


def _row(campaign: Campaign, name: str) -> dict:
    roster = workbook_io.read_roster(campaign.workbook)
    return roster[roster["户主姓名"] == name].iloc[0].to_dict()


def _kinds(campaign: Campaign, name: str) -> list[str]:
    problems = workbook_io.read_problems(campaign.workbook)
    return problems[problems[ProblemCol.NAME] == name][ProblemCol.KIND].tolist()


def test_a_check_keeps_the_lost_digits_error_and_amounts_pay_nothing(cli, returned):
    assert ric.is_valid(AS_NUMBER) is False and AS_NUMBER != REAL_ID   # stdnum is stricter
    cli("merge", returned.root)
    assert _row(returned, "王数字")["身份证号"] == AS_NUMBER
    assert _row(returned, "王数字")["状态"] == "错误"
    for _ in range(2):                                  # a check of a check too
        cli("check", returned.root)
        row = _row(returned, "王数字")
        assert row["状态"] == "错误", row
        assert "只保留了前15位" in row["问题"]
        assert _kinds(returned, "王数字") == ["身份证号丢失末位"]
    cli("amounts", returned.root)
    assert not _row(returned, "王数字")["金额"]
    assert _row(returned, "测试0001")["金额"] == 700


def test_a_check_keeps_the_legacy_ids_warning(cli, returned):
    cli("merge", returned.root)
    merged = _row(returned, "李旧号")
    assert LEGACY in merged["问题"] and merged["状态"] == "有效"
    cli("check", returned.root)
    cli("check", returned.root)
    row = _row(returned, "李旧号")
    assert row["问题"] == merged["问题"] and row["状态"] == "有效"
    assert _kinds(returned, "李旧号") == ["15位旧身份证号"]


def test_an_id_the_clerk_corrected_in_the_roster_is_checked_as_it_is(cli, returned):
    cli("merge", returned.root)
    type_into_roster(returned.workbook, {
        "王数字": {"身份证号": REAL_ID},                   # the household's own number
        "李旧号": {"身份证号": person_id(7)}})             # looked up: another number
    cli("check", returned.root)
    assert _row(returned, "王数字")["状态"] == "有效"
    assert _kinds(returned, "王数字") == [] and _kinds(returned, "李旧号") == []
    assert not _row(returned, "李旧号")["问题"]


def test_a_problem_sheet_without_its_code_column_is_read_by_kind():
    """A 问题 sheet from before its 代码 column: the rows are found by 问题类型, for the 名册 row
    of the same file and row (6 and 6.0) whose ID is still the one they name."""
    rows = roster({Col.ID: AS_NUMBER, Col.SRC_ROW: 3.0}, {Col.ID: "330106195001011231"})
    earlier = pd.DataFrame([
        ["错误", "东湖社区", "东湖社区.xlsx", 3, "张0", AS_NUMBER, ID_LOST.kind, "…", None],
        ["警告", "东湖社区", "东湖社区.xlsx", 5, "张1", "330106195001011231", ID_LEGACY.kind,
         "15位旧身份证号“330106500101123”已按规则转换为18位“330106195001011231”，请核对。", None],
        ["警告", "西湖社区", "西湖社区.csv", 5, "张1", "330106195001011231", ID_LEGACY.kind,
         "另一个文件的同一行", None],
        ["错误", "东湖社区", "东湖社区.xlsx", 5, "张1", "330106195001011000", ID_LOST.kind,
         "名册里的号码已改过", None],
    ], columns=list(PROBLEM_COLUMNS))
    lost, legacy = merge_findings(rows, earlier)
    assert lost.tolist() == [True, False]
    assert [(p.code, p.extra["at"], p.row) for p in legacy] == [(ID_LEGACY, 1, 5)]
    checked, problems = run_checks(rows, office_settings(), earlier=earlier)
    assert checked[Col.STATUS].tolist() == ["错误", "有效"]
    assert [(p.extra.get("at"), p.code) for p in problems] == [(0, ID_LOST), (1, ID_LEGACY)]
    assert "330106500101123" in checked[Col.ISSUES][1]


def _found(campaign: Campaign) -> tuple[list, list]:
    roster = workbook_io.read_roster(campaign.workbook)
    problems = workbook_io.read_problems(campaign.workbook)
    return (roster[["户主姓名", "身份证号", "状态", "问题"]].fillna("").values.tolist(),
            sorted(problems.fillna("").astype(str).values.tolist()))


@pytest.mark.slow
@pytest.mark.parametrize("which", ["return above", "demo"])
def test_a_check_of_the_merged_roster_finds_what_the_merge_found(cli, returned, tmp_path, which):
    campaign = returned
    if which == "demo":
        make_demo(tmp_path / "演示")
        campaign = Campaign.open(tmp_path / "演示")
    cli("merge", campaign.root)
    merged = _found(campaign)
    cli("check", campaign.root)
    assert _found(campaign) == merged
