"""不漏户、不错发 through the real `weiwen` command on real files: 未交回 units, a category alias,
the lists of 对照名单 (a death list, a damaged list), the previous campaign (对比 sheet and the
warnings), and the money-safety signals as the clerk sees them in 名册 and 问题."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import pandas as pd
from openpyxl import load_workbook
from stdnum import luhn

from coverage_helpers import set_params, set_rows, sheet_rows
from intake_helpers import HEADER, person, person_id, unit_campaign, write_openpyxl
from weiwen import workbook_io
from weiwen.names import Col, CompareCol, ProblemCol, Sheet

TITLE = ["2027年春节慰问名单"]


def card(i: int) -> str:
    body = f"6222020000000000{i:02d}"
    return body + luhn.calc_check_digit(body)


def _returns(campaign, *, qingshan: bool = False) -> None:
    east = [person(n) for n in range(1, 6)]
    east[0][2] = "低保户"                       # how many communities write 低保
    east[0][3], east[0][5] = 3, card(1)
    west = [person(n) for n in range(11, 15)]
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [TITLE, HEADER, *east])
    write_openpyxl(campaign.inbox / "西湖社区名单.xlsx", [TITLE, HEADER, *west])
    if qingshan:
        write_openpyxl(campaign.inbox / "青山村.xlsx", [TITLE, HEADER, person(21)])


def _problems(campaign) -> pd.DataFrame:
    return workbook_io.read_problems(campaign.workbook)


@pytest.mark.slow
def test_a_unit_without_a_return_is_in_the_report_and_in_问题(tmp_path, cli):
    campaign = unit_campaign(tmp_path / "活动")
    _returns(campaign)
    report = cli.json("merge", campaign.root)
    assert report["not_returned"] == ["青山村"]
    assert report["unit_returns"] == {"东湖社区": "已交回", "西湖社区": "已交回",
                                      "青山村": "逾期" if dt.date.today() > dt.date(2027, 1, 10)
                                      else "未交回"}
    problems = _problems(campaign)
    line = problems[problems[ProblemCol.CODE] == "intake.not_returned"]
    assert line[ProblemCol.UNIT].tolist() == ["青山村"] and line[ProblemCol.KIND].tolist() == ["未交回"]
    assert "王丽 0571-88001234" in line[ProblemCol.MESSAGE].iloc[0]
    text = cli("merge", campaign.root).stdout
    assert "未交回的单位" in text and "青山村" in text
    # the unit sends its list: the line goes away with the next merge
    write_openpyxl(campaign.inbox / "青山村.xlsx", [TITLE, HEADER, person(21)])
    assert cli.json("merge", campaign.root)["not_returned"] == []
    assert "intake.not_returned" not in _problems(campaign)[ProblemCol.CODE].tolist()


def test_a_unit_whose_file_cannot_be_used_has_returned_and_is_named_on_the_error(tmp_path, cli):
    """Not chased as 未交回: its file came, the error line (with the unit) says to resend it."""
    campaign = unit_campaign(tmp_path / "活动")
    _returns(campaign)
    write_openpyxl(campaign.inbox / "青山村.xlsx", [["说明"], ["本村今年名单见附件"]])
    (campaign.inbox / "西湖社区名单.xlsx").write_bytes(b"PK\x03\x04 broken zip")
    report = cli.json("merge", campaign.root)
    assert report["not_returned"] == []
    problems = _problems(campaign)
    by_file = dict(zip(problems[ProblemCol.FILE], problems[ProblemCol.UNIT]))
    assert by_file["青山村.xlsx"] == "青山村" and by_file["西湖社区名单.xlsx"] == "西湖社区"
    assert "intake.not_returned" not in problems[ProblemCol.CODE].tolist()


@pytest.mark.slow
def test_overdue_after_the_return_deadline(tmp_path, cli):
    campaign = unit_campaign(tmp_path / "活动")
    _returns(campaign)
    set_params(campaign, 回收截止日期=dt.datetime(2020, 1, 10))
    report = cli.json("merge", campaign.root)
    assert report["unit_returns"]["青山村"] == "逾期"
    message = _problems(campaign).set_index(ProblemCol.CODE).loc["intake.not_returned",
                                                                 ProblemCol.MESSAGE]
    assert "已过回收截止日期（2020年1月10日），逾期" in message


def test_低保户_from_a_community_is_read_as_低保_and_its_wording_kept(tmp_path, cli):
    campaign = unit_campaign(tmp_path / "活动")
    _returns(campaign, qingshan=True)
    cli.json("merge", campaign.root)
    roster = workbook_io.read_roster(campaign.workbook)
    first = roster.iloc[0]
    assert (first[Col.CATEGORY], first[Col.REPORTED_CATEGORY], first[Col.STATUS]) == (
        "低保", "低保户", "有效")
    assert "checks.unknown_category" not in _problems(campaign)[ProblemCol.CODE].tolist()


@pytest.mark.slow
def test_a_death_list_and_a_damaged_list_of_对照名单(tmp_path, cli):
    campaign = unit_campaign(tmp_path / "活动")
    _returns(campaign, qingshan=True)
    write_openpyxl(campaign.root / "死亡名单.xlsx",
                   [["2026年死亡人员名单"], ["姓名", "公民身份号码", "死亡日期"],
                    ["测试0012", person_id(12), "2026-12-20"]])
    (campaign.root / "坏名单.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    set_rows(campaign, Sheet.REFERENCES, [["死亡名单.xlsx", "不能在", "", "已故？"],
                                          ["坏名单.xlsx", "必须在", "低保", ""],
                                          ["没有这个名单", "必须在", "", ""]])
    cli.json("merge", campaign.root)
    roster = workbook_io.read_roster(campaign.workbook).set_index(Col.ID)
    assert roster.loc[person_id(12), Col.STATUS] == "待核"
    assert "已故？" in roster.loc[person_id(12), Col.ISSUES]
    problems = _problems(campaign)
    unreadable = problems[problems[ProblemCol.CODE] == "checks.reference_unreadable"]
    assert unreadable[ProblemCol.ROW].tolist() == [3, 4]
    assert "“对照名单”表第3行指定的“坏名单.xlsx”无法读取" in unreadable[ProblemCol.MESSAGE].iloc[0]
    assert "既不是活动文件夹中的文件" in unreadable[ProblemCol.MESSAGE].iloc[1]


@pytest.mark.slow
def test_a_list_kept_as_a_sheet_of_the_workbook(tmp_path, cli):
    campaign = unit_campaign(tmp_path / "活动")
    _returns(campaign, qingshan=True)
    workbook_io.write_frames(campaign.workbook, campaign.root, {
        "低保名单": pd.DataFrame({"姓名": ["测试0001", "名单外"], "身份证号": [person_id(1), person_id(99)]})})
    set_params(campaign, 低保名单="低保名单")
    cli.json("merge", campaign.root)
    problems = _problems(campaign)
    missed = problems[problems[ProblemCol.CODE] == "checks.not_returned"]
    assert missed[ProblemCol.ID].tolist() == [person_id(99)]


@pytest.mark.slow
def test_last_campaign_compared_warned_per_unit_and_listed_in_对比(tmp_path, cli):
    last = unit_campaign(tmp_path / "2026中秋")
    _returns(last, qingshan=True)
    write_openpyxl(last.inbox / "西湖社区名单.xlsx", [TITLE, HEADER, *[person(n) for n in range(11, 17)]])
    cli.json("run", last.root)
    now = unit_campaign(tmp_path / "2027春节")
    _returns(now, qingshan=True)                   # 西湖社区 lists 11–14, not 15 and 16 any more
    write_openpyxl(now.inbox / "青山村.xlsx", [TITLE, HEADER, person(21), person(22)])
    set_params(now, 上次活动="..\\2026中秋\\Weiwen.xlsm")
    report = cli.json("merge", now.root)
    assert any("与上次活动对比" in n and "本次未报 2 户" in n and "新增 1 户" in n
               for n in report["notes"])
    problems = _problems(now)
    missing = problems[problems[ProblemCol.CODE] == "checks.missing_since_last"]
    assert missing[ProblemCol.UNIT].tolist() == ["西湖社区", "西湖社区"]
    assert sorted(missing[ProblemCol.ID]) == [person_id(15), person_id(16)]
    assert missing[ProblemCol.FILE].tolist() == ["Weiwen.xlsm", "Weiwen.xlsm"]
    # …and in that unit's 退回修改, IDs masked, no row of its return to point at
    feedback = load_workbook(now.output / "退回修改" / "西湖社区.xlsx").active
    lines = [[c for c in row] for row in feedback.iter_rows(values_only=True)]
    asked = [r for r in lines if any(isinstance(c, str) and "上次慰问有、本次未报" in c for c in r)]
    assert len(asked) == 2 and all("（上次慰问名单）" in r for r in asked)
    assert not any(person_id(15) in str(c) for r in lines for c in r)
    comparison = workbook_io.frame_from_rows(sheet_rows(now.workbook, Sheet.COMPARISON),
                                             list(CompareCol))
    assert comparison[CompareCol.CHANGE].tolist() == ["本次未报", "本次未报", "新增"]
    assert comparison[CompareCol.ID].tolist()[-1] == person_id(22)
    # the counts in the finance summary
    cli.json("amounts", now.root)
    cli.json("summary", now.root)
    rows = workbook_io.read_sheets(now.workbook, [Sheet.SUMMARY])[Sheet.SUMMARY]
    start = next(i for i, r in enumerate(rows) if str(r[0]).endswith("与上次活动对比（户数）"))
    assert [(r[0], r[4]) for r in rows[start + 1:start + 5]] == [
        ("本次未报", 2), ("新增", 1), ("类别变化", 0), ("金额变化", 0)]
    # the setting cleared: the next check empties 对比
    set_params(now, 上次活动=None)
    cli.json("check", now.root)
    assert len(sheet_rows(now.workbook, Sheet.COMPARISON)) <= 1


@pytest.mark.slow
def test_a_previous_campaign_that_cannot_be_read_is_one_warning(tmp_path, cli):
    campaign = unit_campaign(tmp_path / "活动")
    _returns(campaign, qingshan=True)
    set_params(campaign, 上次活动="不存在/Weiwen.xlsm")
    cli.json("merge", campaign.root)
    problems = _problems(campaign)
    assert problems[problems[ProblemCol.CODE] == "checks.last_campaign_unreadable"][
        ProblemCol.KIND].tolist() == ["上次活动无法读取"]


@pytest.mark.slow
def test_one_card_two_households_across_units_through_the_cli(tmp_path, cli):
    campaign = unit_campaign(tmp_path / "活动")
    shared = card(7)
    east = [person(1, "低保"), person(2)]
    east[0][3], east[0][5] = 2, shared
    west = [person(11, "低保")]
    west[0][3], west[0][5] = 1, shared
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [TITLE, HEADER, *east])
    write_openpyxl(campaign.inbox / "西湖社区.xlsx", [TITLE, HEADER, *west])
    report = cli.json("run", campaign.root)
    roster = workbook_io.read_roster(campaign.workbook).set_index(Col.ID)
    assert roster.loc[[person_id(1), person_id(11)], Col.STATUS].tolist() == ["待核", "待核"]
    assert "西湖社区“西湖社区.xlsx”第3行" in roster.loc[person_id(1), Col.ISSUES]
    assert report["workbook_problems_by_kind"]["同卡不同人"] == 2
    assert report["households_paid"] == 1                 # 待核 rows wait for the clerk
    assert json.dumps(report, ensure_ascii=False).count(shared) == 0   # no card in the report

