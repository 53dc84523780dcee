"""A merge that takes back the corrections a clerk typed into 名册 says so (roster_edits.py).

README: a merge rebuilds 名册 from inbox/ and keeps only 备注. A clerk who fixed an ID number or
a phone right in 名册 and merged again got the unit's old value back silently.
"""
from __future__ import annotations

import os
import re
import time

from openpyxl import load_workbook

from intake_helpers import type_into_roster
from weiwen.names import Col, Sheet
from weiwen.workbook_io import read_roster


def _correct(workbook, edits: dict[tuple[str, str], dict[str, str]]) -> None:
    """Type `edits` ((单位, 户主姓名) → column → new text) into 名册 and save, as a clerk does."""
    type_into_roster(workbook, dict(edits))


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


def _resend_with_phone(campaign, household: tuple[str, str], phone: str, *, when: float) -> None:
    """The unit's corrected file (this household's phone changed in its row), with the
    modification time `when`: a copy from a USB stick keeps the time the unit saved it."""
    roster = read_roster(campaign.workbook)
    row = roster[(roster[Col.UNIT] == household[0]) & (roster[Col.NAME] == household[1])].iloc[0]
    path = campaign.inbox / row[Col.SRC_FILE]
    wb = load_workbook(path)
    cells = wb.active[int(row[Col.SRC_ROW])]
    digits = re.sub(r"\D", "", row[Col.PHONE])
    old = next(c for c in cells if c.value and re.sub(r"\D", "", str(c.value)) == digits)
    old.value = phone
    wb.save(path)
    os.utime(path, (when, when))


def _xlsx_household(campaign, cli) -> tuple[str, str]:
    """A household of a returned .xlsx, after a first merge of this copy: the returns cache
    then knows the files' bytes, as on the clerk's computer after any merge."""
    cli("merge", campaign.root)
    roster = read_roster(campaign.workbook)
    row = roster[roster[Col.SRC_FILE].str.endswith(".xlsx")].iloc[0]
    return row[Col.UNIT], row[Col.NAME]


def test_a_file_the_unit_sent_again_is_not_taken_for_a_correction(demo_campaign, cli):
    household = _xlsx_household(demo_campaign, cli)
    _resend_with_phone(demo_campaign, household, "13912345678", when=time.time() + 60)
    _correct(demo_campaign.workbook, {household: {Col.PHONE: "13912345678"}})
    assert "名册里有" not in cli("merge", demo_campaign.root).output


def test_a_file_copied_with_its_old_time_is_not_taken_for_a_correction(demo_campaign, cli):
    """The unit corrected a phone and the clerk copied the file from a USB stick: its time is
    from before the workbook's last save, its bytes are new. Nothing was typed into 名册."""
    household = _xlsx_household(demo_campaign, cli)
    before = demo_campaign.workbook.stat().st_mtime - 3600
    _resend_with_phone(demo_campaign, household, "13912345678", when=before)
    out = cli("merge", demo_campaign.root).output
    assert "名册里有" not in out
    roster = read_roster(demo_campaign.workbook)
    assert "13912345678" in roster[Col.PHONE].tolist()


def test_the_same_file_sent_again_still_names_the_correction(demo_campaign, cli):
    """A unit that sends the same file again (new time, same bytes) gives back the old value:
    the clerk's correction in 名册 is not kept, and the merge says so."""
    household = _xlsx_household(demo_campaign, cli)
    _correct(demo_campaign.workbook, {household: {Col.PHONE: "13912345678"}})
    later = time.time() + 60
    for path in demo_campaign.inbox.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    out = cli("merge", demo_campaign.root).output
    assert f"{household[0]}“{household[1]}”的联系电话" in out
