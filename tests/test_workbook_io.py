"""Writing results into the campaign workbook: only the result sheets' rows change."""
from __future__ import annotations

import zipfile

import pandas as pd
from openpyxl import load_workbook

from weiwen import workbook_io
from weiwen.names import PROBLEM_COLUMNS, ROSTER_COLUMNS, Col, Sheet
from weiwen.sheet_splice import sheet_paths


def _roster(n: int) -> pd.DataFrame:
    return pd.DataFrame({
        Col.SEQ: range(1, n + 1), Col.UNIT: "东湖社区", Col.NAME: [f"张{i}" for i in range(n)],
        Col.ID: [f"33010619500101{i:04d}" for i in range(n)], Col.AMOUNT: 700.0,
        Col.SRC_ROW: range(3, n + 3), Col.NOTE: "",
    }).reindex(columns=list(ROSTER_COLUMNS))


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_only_result_sheets_change_every_other_part_is_byte_identical(campaign):
    before = _parts(campaign.workbook)
    workbook_io.write_results(campaign.workbook, campaign.root, roster=_roster(50),
                              problems=pd.DataFrame(columns=list(PROBLEM_COLUMNS)))
    after = _parts(campaign.workbook)
    with zipfile.ZipFile(campaign.workbook) as z:
        paths = sheet_paths(z)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed <= {paths[Sheet.ROSTER], paths[Sheet.PROBLEMS], paths[Sheet.PROBLEM_KINDS]}
    assert set(after) == set(before)


def test_a_large_sheet_written_before_survives_the_next_write_byte_for_byte(campaign):
    # 名册 of a district is far larger than the part the next write copies in one piece
    workbook_io.write_results(campaign.workbook, campaign.root, roster=_roster(20_000))
    before = _parts(campaign.workbook)
    with zipfile.ZipFile(campaign.workbook) as z:
        roster_part = sheet_paths(z)[Sheet.ROSTER]
        assert z.getinfo(roster_part).file_size > 1 << 20
    workbook_io.write_results(campaign.workbook, campaign.root, summary_rows=[["汇总", 1]])
    after = _parts(campaign.workbook)
    assert after[roster_part] == before[roster_part]
    assert len(workbook_io.read_roster(campaign.workbook)) == 20_000


def test_rows_read_back_equal_what_was_written_and_old_rows_are_gone(campaign):
    workbook_io.write_results(campaign.workbook, campaign.root, roster=_roster(200))
    workbook_io.write_results(campaign.workbook, campaign.root, roster=_roster(3))
    back = workbook_io.read_roster(campaign.workbook)
    assert len(back) == 3
    assert list(back[Col.ID]) == [f"33010619500101{i:04d}" for i in range(3)]
    wb = load_workbook(campaign.workbook, read_only=True)
    assert wb[Sheet.ROSTER].max_row == 4


def test_formula_looking_text_stays_text_and_control_characters_are_dropped(campaign):
    roster = _roster(4)
    roster[Col.NAME] = ['=HYPERLINK("http://x","点我")', "+cmd|'/c calc'!A0", "@SUM(A1)", "王\x01五"]
    workbook_io.write_results(campaign.workbook, campaign.root, roster=roster)
    wb = load_workbook(campaign.workbook)
    cells = [row[2] for row in wb[Sheet.ROSTER].iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * 4
    assert [c.value for c in cells] == ['=HYPERLINK("http://x","点我")', "+cmd|'/c calc'!A0",
                                        "@SUM(A1)", "王五"]


def test_header_keeps_its_style_and_the_sheet_its_validations(campaign):
    workbook_io.write_results(campaign.workbook, campaign.root, roster=_roster(5))
    ws = load_workbook(campaign.workbook)[Sheet.ROSTER]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert ws.data_validations.dataValidation, "validations must survive"


def test_a_backup_is_taken_before_each_write(campaign):
    for _ in range(12):
        workbook_io.write_results(campaign.workbook, campaign.root, roster=_roster(1))
    backups = list((campaign.root / ".backup").glob("*.xlsm"))
    assert len(backups) == 10


def test_missing_result_sheet_falls_back_to_openpyxl(campaign):
    wb = load_workbook(campaign.workbook, keep_vba=True)
    del wb[Sheet.PROBLEMS]
    wb.save(campaign.workbook)
    problems = pd.DataFrame([["错误", "东湖社区", "a.xlsx", 3, "张三", "", "类别无效", "说明",
                              "checks.unknown_category"]], columns=list(PROBLEM_COLUMNS))
    workbook_io.write_results(campaign.workbook, campaign.root, roster=_roster(2), problems=problems)
    back = workbook_io.read_problems(campaign.workbook)
    assert list(back.iloc[0]) == ["错误", "东湖社区", "a.xlsx", 3, "张三", None, "类别无效", "说明",
                                  "checks.unknown_category"]
    assert len(workbook_io.read_roster(campaign.workbook)) == 2
