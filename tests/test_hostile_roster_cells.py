"""Cells typed over in 名册 that no unit would send: every command still finishes.

Found by typing hostile values into random cells of 名册 and running every command: a paragraph
pasted into 单位 made a signature sheet's file name longer than any file system takes, and a
来源行 typed over as 1E+30 stopped 检查 in int(). The real commands run on the saved workbook.
"""
from __future__ import annotations

from pathlib import Path

from intake_helpers import people, type_into_roster, unit_campaign, write_openpyxl
from weiwen import workbook_io
from weiwen.fileio import safe_file_stem
from weiwen.names import RETURN_COLUMNS, ProblemCol

LONG_UNIT = "东湖社区（" + "这一格误贴了一大段说明文字，" * 30 + "）"


def test_a_paragraph_in_unit_and_a_huge_source_row_do_not_stop_any_command(cli, tmp_path: Path):
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [list(RETURN_COLUMNS), *people(1, 6)])
    cli("merge", campaign.root)
    type_into_roster(campaign.workbook, {
        "测试0001": {"单位": LONG_UNIT},
        "测试0002": {"来源行": 1e30, "联系电话": "12345"}})
    for command in ("check", "amounts", "signoff", "summary", "audit"):
        cli(command, campaign.root)
    sheets = [p.name for p in (campaign.output / "签字确认表").glob("*.xlsx")]
    stem = safe_file_stem(LONG_UNIT)
    assert f"{stem}.xlsx" in sheets and len(stem.encode("utf-8")) <= 120
    problems = workbook_io.read_problems(campaign.workbook)
    phone = problems[problems[ProblemCol.NAME] == "测试0002"]
    assert len(phone) and phone[ProblemCol.ROW].isna().all()     # no row of any file
    cli("run", campaign.root)               # 名册 made again from the returned file


def test_long_names_make_short_file_names_that_stay_apart():
    a, b = "甲" * 100 + "一", "甲" * 100 + "二"
    assert safe_file_stem(a) != safe_file_stem(b)
    assert all(len(safe_file_stem(n).encode("utf-8")) <= 120 for n in (a, b))
    assert safe_file_stem("东湖社区") == "东湖社区" and safe_file_stem("a/b") == "a_b"
