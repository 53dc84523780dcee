"""A merge that takes back the corrections a clerk typed into 名册 says so (roster_edits.py).

README: a merge rebuilds 名册 from inbox/ and keeps only 备注. A clerk who fixed an ID number or
a phone right in 名册 and merged again got the unit's old value back silently.
"""
from __future__ import annotations

import os
import time

from openpyxl import load_workbook

from weiwen.names import Col, Sheet


def _correct(workbook, edits: dict[tuple[str, str], dict[str, str]]) -> None:
    """Type `edits` ((单位, 户主姓名) → column → new text) into 名册 and save, as a clerk does."""
    wb = load_workbook(workbook, keep_vba=True)
    ws = wb[Sheet.ROSTER]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        key = (row[header.index(Col.UNIT)].value, row[header.index(Col.NAME)].value)
        for column, text in edits.get(key, {}).items():
            row[header.index(column)].value = text
    wb.save(workbook)


def _households(workbook, n: int) -> list[tuple[str, str]]:
    ws = load_workbook(workbook, read_only=True)[Sheet.ROSTER]
    rows = ws.iter_rows(min_row=2, max_row=n + 1, max_col=3, values_only=True)
    return [(unit, name) for _, unit, name in rows]


def test_a_merge_names_the_corrections_of_roster_it_did_not_keep(demo_campaign, cli):
    first, second = _households(demo_campaign.workbook, 2)
    _correct(demo_campaign.workbook, {first: {Col.ID: "330106195001011236"},
                                      second: {Col.PHONE: "13912345678", Col.ADDRESS: "新地址"}})
    out = cli("merge", demo_campaign.root).output
    assert "名册里有 2 户的内容和 inbox 里交回的表格不同" in out
    assert f"{first[0]}“{first[1]}”的身份证号" in out
    assert f"{second[0]}“{second[1]}”的联系电话、地址" in out
    assert "只保留“备注”" in out and "重新交回" in out
    # said once: the next merge finds 名册 as the files give it
    assert "名册里有" not in cli("merge", demo_campaign.root).output


def test_a_file_the_unit_sent_again_is_not_taken_for_a_correction(demo_campaign, cli):
    first, = _households(demo_campaign.workbook, 1)
    _correct(demo_campaign.workbook, {first: {Col.PHONE: "13912345678"}})
    later = time.time() + 60           # every returned file replaced after the workbook's save
    for path in demo_campaign.inbox.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    assert "名册里有" not in cli("merge", demo_campaign.root).output
