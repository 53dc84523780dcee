"""A 标准 row typed wrong is the office's mistake, not the units'.

Typing 七百 for 700 in LibreOffice (or Excel) leaves text in 标准.金额: the row is reported, and
its category cannot be paid until it is mended. Its households were told “类别不在‘标准’表中” and
every unit with such a household got a 退回修改 row asking it to change a category it wrote right.
"""
from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from weiwen.names import Sheet


def _type_in_standards(workbook, cell: str, text: str) -> None:
    wb = load_workbook(workbook, keep_vba=True)
    wb[Sheet.STANDARDS][cell] = text
    wb.save(workbook)


def test_a_category_whose_standard_row_is_wrong_is_not_sent_back_to_the_units(demo_campaign, cli):
    category = load_workbook(demo_campaign.workbook)[Sheet.STANDARDS]["A3"].value
    _type_in_standards(demo_campaign.workbook, "D3", "七百")
    cli("merge", demo_campaign.root)
    problems = pd.read_excel(demo_campaign.workbook, sheet_name=Sheet.PROBLEMS, dtype=object, engine="openpyxl")
    ours = problems[problems["问题类型"] == "类别的标准有误"]
    assert len(ours) > 0
    assert all(f"“标准”表第3行“{category}”填错了" in m and "改正那一行后点“检查”" in m
               for m in ours["说明"])
    assert not problems["说明"].str.contains(f"类别“{category}”不在", regex=False).any()
    assert problems["说明"].str.contains("“标准”表第3行“金额”列的值“七百”不是数字",
                                       regex=False).any()
    for sent in (demo_campaign.root / "output" / "退回修改").glob("*.xlsx"):
        texts = [str(c.value) for row in load_workbook(sent).worksheets[0].iter_rows()
                 for c in row if c.value]
        assert not any(category in t for t in texts), sent.name
    # mended, the same households are paid again
    _type_in_standards(demo_campaign.workbook, "D3", "700")
    cli("check", demo_campaign.root)
    problems = pd.read_excel(demo_campaign.workbook, sheet_name=Sheet.PROBLEMS, dtype=object, engine="openpyxl")
    assert not (problems["问题类型"] == "类别的标准有误").any()
