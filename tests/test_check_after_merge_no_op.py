"""检查 right after 合并回收表 changes nothing, on a return with the values units really type.

The merge checks 名册 as it builds it; a 检查 reads it back from the workbook (numbers as
floats) and must find the same: the same 状态, 问题 and 问题 sheet. A 家庭人口 of 0 or 25 read
back as 0.0 / 25.0 was quoted so (家庭人口“25.0”超出范围), and every 检查 rewrote those rows.
The real commands; the workbook read back with pandas.
"""
from __future__ import annotations

import pandas as pd

from intake_helpers import HEADER, person, person_id, unit_campaign, write_openpyxl
from weiwen.names import Sheet


def _found(campaign) -> tuple[list, list]:
    sheets = pd.read_excel(campaign.workbook, sheet_name=[Sheet.ROSTER, Sheet.PROBLEMS],
                           dtype=str, engine="openpyxl")
    roster = sheets[Sheet.ROSTER][["户主姓名", "身份证号", "状态", "问题"]].fillna("")
    problems = sheets[Sheet.PROBLEMS].fillna("").drop(columns=["来源行"])
    return roster.values.tolist(), sorted(problems.values.tolist())


def test_a_check_after_the_merge_changes_nothing(cli, tmp_path):
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [
        HEADER, person(1),
        ["零人", person_id(2), "残疾户", 0, "13800000002", "", "文一路2号", ""],
        ["多人", person_id(3), "残疾户", 25, "13800000003", "", "文一路3号", ""],
        ["小数", person_id(4), "残疾户", 2.5, "13800000004", "", "文一路4号", ""],
        ["文字", person_id(5), "重点优抚对象", "五", "13800000005", "", "文一路5号", ""],
        ["卡数字", person_id(6), "低保", 2, "13800000006", 6222021234567890123.0, "文一路6号", ""],
        ["旧号", "330106500101123", "残疾户", 1, 13800000007, "", "文一路7号", ""]])
    cli("merge", campaign.root)
    merged = _found(campaign)
    assert any("家庭人口“25”超出范围" in row[3] for row in merged[0])
    cli("check", campaign.root)
    assert _found(campaign) == merged
