"""A paid household whose 家庭人口 is not a number does not stop the signature sheets.

家庭人口 matters only for a category paid by household size (低保): there a “五” is 错误. A
重点优抚对象 is paid per person whatever the size, so “五” is a 警告 and the row is 有效 and paid
— and `weiwen signoff` (and `weiwen run`) stopped with an internal error adding up the 人数 of
the sheet (NaN), leaving last time's signature sheets in output/. README: 名单里的问题不会让命令中断.
The real command; the sheet read back with openpyxl.
"""
from __future__ import annotations

from openpyxl import load_workbook

from intake_helpers import HEADER, person, person_id, unit_campaign, write_openpyxl


def test_signoff_with_a_size_typed_in_words(cli, tmp_path):
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [
        HEADER, person(1),
        ["优抚", person_id(2), "重点优抚对象", "五", "13800000002", "", "文一路2号", ""]])
    cli("run", campaign.root)
    sheets = [p for p in (campaign.output / "签字确认表").glob("*.xlsx") if "全部" not in p.name]
    rows = [r for p in sheets for r in load_workbook(p, data_only=True).worksheets[0]
            .iter_rows(values_only=True)]
    paid = {r[1]: r for r in rows if isinstance(r[0], int)}
    assert set(paid) == {"测试0001", "优抚"}
    totals = [[v for v in r if v is not None] for r in rows if r[0] == "合计"]
    assert sorted(t[3] for t in totals) == [700, 800]
    assert sorted(t[2] for t in totals) == ["0 人", "2 人"]    # the unknown size counts no one
