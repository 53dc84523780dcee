"""计算金额 after 标准 changed, without 检查: refused with what to do, not paid by the old choice.

A household listed as 残疾户 and as 大重病患者 (700 each) is paid once, on the category the
check chose. The clerk raises 大重病患者 to 900 in 标准 and presses 计算金额: before, it paid 700
on 残疾户 with a 计发依据 saying 按最高档次发放. The real commands run on real files.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake_helpers import person, person_id, unit_campaign, write_openpyxl
from weiwen import workbook_io
from weiwen.books import FileBook, read_settings
from weiwen.campaign import Campaign
from weiwen.names import RETURN_COLUMNS, Sheet, StdCol
from weiwen.pipeline import checked_standards


@pytest.fixture
def listed_twice(tmp_path: Path) -> Campaign:
    campaign = unit_campaign(tmp_path / "活动")
    twice = person(9)
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [
        list(RETURN_COLUMNS), person(1), twice, [twice[0], person_id(9), "大重病患者", *twice[3:]]])
    return campaign


def _standard(campaign: Campaign, category: str, column: str, value) -> None:
    """The clerk types `value` into 标准's `column` of `category` and saves."""
    wb = load_workbook(campaign.workbook, keep_vba=True)
    ws = wb[Sheet.STANDARDS]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == category)
    row[header.index(column)].value = value
    wb.save(campaign.workbook)


def _paid(campaign: Campaign, name: str) -> list[tuple[str, float]]:
    roster = workbook_io.read_roster(campaign.workbook)
    rows = roster[(roster["户主姓名"] == name) & (roster["金额"].fillna(0) > 0)]
    return list(zip(rows["类别"], rows["金额"]))


def test_amounts_refuse_until_the_check_has_seen_the_new_standard(cli, listed_twice):
    name = person(9)[0]
    cli("merge", listed_twice.root)
    cli("amounts", listed_twice.root)
    assert len(_paid(listed_twice, name)) == 1 and _paid(listed_twice, name)[0][1] == 700
    _standard(listed_twice, "大重病患者", StdCol.AMOUNT, 900)
    before = listed_twice.workbook.read_bytes()
    refused = cli("amounts", listed_twice.root, ok=False)
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "“标准”表在上次合并或检查之后改过" in refused.output
    assert "请先点“检查”" in refused.output and "weiwen check" in refused.output
    assert listed_twice.workbook.read_bytes() == before          # nothing written
    cli("check", listed_twice.root)
    cli("amounts", listed_twice.root)
    assert _paid(listed_twice, name) == [("大重病患者", 900)]


def test_what_does_not_change_the_standard_does_not_stop_amounts(cli, listed_twice):
    """The 参数 title changed, or a 标准 row moved down: amounts run without a check."""
    cli("merge", listed_twice.root)
    wb = load_workbook(listed_twice.workbook, keep_vba=True)
    wb[Sheet.PARAMS]["B2"] = "2027年春节走访慰问（第二批）"
    ws = wb[Sheet.STANDARDS]
    first = [c.value for c in ws[2]]
    ws.append(first)                                             # 低保 moved to the end
    ws.delete_rows(2)
    wb.save(listed_twice.workbook)
    cli("amounts", listed_twice.root)
    cli("check", listed_twice.root)
    _standard(listed_twice, "残疾户", StdCol.AMOUNT, 750)
    (listed_twice.root / ".cache" / checked_standards.NAME).unlink()   # a copied campaign
    cli("amounts", listed_twice.root)                              # not known: not compared


def test_the_digest_is_the_same_through_excel_and_the_file(listed_twice):
    """A merge from the command line and 计算金额 from the Excel button read 标准 through
    different readers (xlwings gives every number as a float): the same 标准 is the same."""
    xw = pytest.importorskip("xlwings")
    from weiwen.books import XlwingsBook
    from xlwings_remote import payload, remote_engine
    with remote_engine():
        book = XlwingsBook(xw.Book(json=payload(listed_twice.workbook)), listed_twice)
        through_excel = checked_standards.digest(read_settings(book))
    from_file = checked_standards.digest(read_settings(FileBook(listed_twice)))
    assert through_excel == from_file
