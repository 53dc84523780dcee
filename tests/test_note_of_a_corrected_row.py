"""The clerk's 备注 stays on a household whose 身份证号 or 类别 they corrected in 名册.

A merge keeps 备注 by 单位 + 身份证号 + 类别; a row whose ID the clerk corrected in 名册 no
longer had the returned row's key, so the next merge dropped its 备注 (already 已核实 …) while its
own note said “只保留‘备注’”. For a returned file that has not changed, the same 来源文件 and
来源行 are the same household: its 备注 follows. The real command; 名册 read back with openpyxl.
"""
from __future__ import annotations

from openpyxl import load_workbook

from intake_helpers import HEADER, person, person_id, type_into_roster, unit_campaign, write_openpyxl
from weiwen.names import Sheet


def _notes(campaign) -> dict:
    ws = load_workbook(campaign.workbook, read_only=True, data_only=True)[Sheet.ROSTER]
    rows = list(ws.iter_rows(values_only=True))
    return {r[rows[0].index("户主姓名")]: r[rows[0].index("备注")] for r in rows[1:] if r[0]}


def test_a_note_on_a_corrected_row_survives_the_next_merge(cli, tmp_path):
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [HEADER, *(person(n) for n in range(1, 5))])
    cli("merge", campaign.root)
    type_into_roster(campaign.workbook, {
        "测试0001": {"身份证号": person_id(91), "备注": "已核实，号码按户口本改（１）"},
        "测试0002": {"类别": "大重病患者", "备注": "  2027-01-05 已签 "},
        "测试0003": {"备注": "电话已打"}})
    cli("check", campaign.root)
    result = cli("merge", campaign.root)
    said = result.output.replace("\n", "")
    assert "测试0001”的身份证号" in said and "测试0002”的类别" in said and "只保留“备注”" in said
    notes = _notes(campaign)
    assert notes["测试0001"] == "已核实，号码按户口本改（１）"
    assert notes["测试0002"] == "  2027-01-05 已签 "
    assert notes["测试0003"] == "电话已打" and notes["测试0004"] is None
