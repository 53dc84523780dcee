"""What every command reports: the 问题 sheet's real counts, words that fit the command, and the
later stages' problems surviving a re-merge; the same operation on a book in memory."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from weiwen import pipeline, workbook_io
from weiwen.books import FileBook, MemoryBook
from weiwen.names import SIGNED_DIR, ProblemCol, Severity, Sheet
from weiwen.pipeline import stages_of


def _sheet_counts(campaign) -> tuple[int, int]:
    sheet = workbook_io.read_problems(campaign.workbook)
    return len(sheet), int((sheet[ProblemCol.SEVERITY] == Severity.ERROR).sum())


@pytest.mark.slow
def test_every_command_reports_the_workbooks_real_problem_counts(demo_campaign, cli):
    total, errors = _sheet_counts(demo_campaign)
    assert total > 10
    for command in ("amounts", "signoff", "summary", "audit"):
        data = cli.json(command, demo_campaign.root)
        assert (data["workbook_problems"], data["workbook_errors"]) == _sheet_counts(demo_campaign)
        assert data["workbook_problems"] == total and data["outcome"]      # not "问题 0 条"
        printed = cli(command, demo_campaign.root).output
        line = next(x for x in printed.splitlines() if x.startswith("问题表"))
        assert f"{total} 条（错误 {errors} 条）" in line, printed


@pytest.mark.slow
def test_signatures_says_what_it_read_not_rows_merged(demo_campaign, cli):
    (demo_campaign.root / SIGNED_DIR).mkdir(exist_ok=True)
    printed = cli("signatures", demo_campaign.root).output
    assert "读取签字表" in printed and "核对户数" in printed
    assert "读取数据行" not in printed and "进入名册" not in printed
    data = cli.json("signatures", demo_campaign.root)
    assert data["workbook_problems"] == _sheet_counts(demo_campaign)[0]


@pytest.mark.slow
def test_later_stage_problems_survive_a_re_merge_and_the_report_says_so(demo_campaign, cli):
    signatures = pipeline.on_disk("signatures", demo_campaign, today=dt.date(2027, 3, 1))
    assert signatures.problems                       # units not back after the deadline
    before = workbook_io.read_problems(demo_campaign.workbook)
    kept = int((stages_of(before) == "signatures").sum())
    assert kept == len(signatures.problems)
    data = cli.json("merge", demo_campaign.root)
    after = workbook_io.read_problems(demo_campaign.workbook)
    assert int((stages_of(after) == "signatures").sum()) == kept
    assert any(f"核对签字的 {kept} 条问题" in n for n in data["notes"]), data["notes"]
    codes = after[ProblemCol.CODE].dropna()
    assert len(codes) == len(after) and codes.str.match(r"^[a-z]+\.[a-z_]+$").all()


@pytest.mark.slow
def test_an_operation_on_a_book_in_memory_writes_what_the_file_gets(demo_campaign):
    """The page / WPS add-in path: the posted sheets in a MemoryBook, the writes handed back."""
    sheets = workbook_io.read_sheets(demo_campaign.workbook)
    memory = MemoryBook(demo_campaign, sheets)
    in_memory = pipeline.perform("check", memory)
    on_disk = pipeline.perform("check", FileBook(demo_campaign))
    assert in_memory.outcome == on_disk.outcome
    assert in_memory.workbook_problems == on_disk.workbook_problems
    changed = memory.changes()
    assert list(changed) == [Sheet.ROSTER, Sheet.PROBLEMS, Sheet.PROBLEM_KINDS]
    written = workbook_io.read_sheets(demo_campaign.workbook, list(changed))
    for name, rows in changed.items():
        def norm(grid):
            return pd.DataFrame(grid).replace({"": None}).dropna(how="all").dropna(axis=1, how="all") \
                .astype(object).where(lambda f: f.notna(), None).values.tolist()
        assert norm(rows) == norm(written[name]), name


def test_the_layout_is_named_in_the_clerks_words(tmp_path):
    """The campaign's own restyled layout by its place in the campaign folder; the one that comes
    with Weiwen by that name, never by a path inside the installed program."""
    from weiwen.pipeline.report import layout_said
    own = tmp_path / "活动" / "templates" / "签字确认表.xlsx"
    own.parent.mkdir(parents=True)
    own.write_bytes(b"")
    assert layout_said(own, tmp_path / "活动") == "活动文件夹的 templates/签字确认表.xlsx"
    assert layout_said(tmp_path / "site-packages" / "签字确认表.xlsx", tmp_path / "活动") == \
        "Weiwen 自带的版式"
    assert layout_said(None, tmp_path / "活动") == "Weiwen 自带的版式"
