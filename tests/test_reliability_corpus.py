"""Every bad file a clerk may drop into inbox/ (tests/corpus.py), through the real `weiwen run`.

One campaign holds the whole corpus, one unit per file, and `weiwen run` goes over it once (the
way a clerk would drop everything in at once); each case then checks what happened to its file:
rows merged, exactly one clear problem (which file, why, what to do), or skipped silently.
The run must complete with exit 0 and never show a traceback.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from weiwen import problems as P
from weiwen import workbook_io
from weiwen.campaign import Campaign, init
from weiwen.cli import app
from weiwen.names import UNIT_COLUMNS, Col, ProblemCol, Sheet, UnitCol, UnitType

sys.path.insert(0, str(Path(__file__).parent))
from corpus import CASES, Case, available, write_corpus  # noqa: E402

pytestmark = pytest.mark.reliability

#: words a Chinese message may still contain (file types, folder names)
PLAIN_WORDS = {"xlsx", "xlsm", "xls", "csv", "pdf", "inbox", "weiwen", "Excel", "WPS"}


def add_units(campaign: Campaign, names: list[str]) -> None:
    units = pd.DataFrame([{UnitCol.CODE: f"3301069{i:02d}", UnitCol.NAME: name,
                           UnitCol.TYPE: UnitType.VILLAGE.value, UnitCol.CONTACT: "联系人"}
                          for i, name in enumerate(names, start=1)], columns=list(UNIT_COLUMNS))
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.UNITS: units})


class CorpusRun:
    def __init__(self, campaign: Campaign, cases: list[Case], result, data: dict) -> None:
        self.campaign, self.cases, self.result, self.data = campaign, cases, result, data
        self.roster = workbook_io.read_roster(campaign.workbook)
        self.problems = workbook_io.read_problems(campaign.workbook)

    def rows_of(self, case: Case) -> pd.DataFrame:
        """Rows from the case's file (来源文件 is "file" or "file〔sheet〕" for several sheets)."""
        return self.roster[self.roster[Col.SRC_FILE].astype(str).str.startswith(case.filename)]

    def problems_of(self, case: Case) -> pd.DataFrame:
        p = self.problems
        mentioned = p[ProblemCol.MESSAGE].astype(str).str.contains(case.filename, regex=False)
        return p[p[ProblemCol.FILE].astype(str).str.startswith(case.filename) | mentioned]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> CorpusRun:
    campaign = init(tmp_path_factory.mktemp("corpus") / "活动")
    cases = [c for c in available() if c.key != "big"]
    add_units(campaign, [c.unit for c in cases if c.unit])
    write_corpus(campaign.inbox, cases)
    result = CliRunner().invoke(app, ["run", str(campaign.root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return CorpusRun(campaign, cases, result, data)


@pytest.mark.slow
def test_run_over_the_whole_corpus_completes(corpus_run):
    data = corpus_run.data
    assert "Traceback" not in corpus_run.result.output
    tables = [c for c in corpus_run.cases if not c.skipped and c.problem != "intake.unsupported"]
    assert data["files_read"] == len(tables)
    assert data["rows_read"] == data["roster_rows"] + data["rejected_rows"]
    assert len(corpus_run.roster) == data["roster_rows"]


SMALL = [c for c in CASES if c.key != "big"]


@pytest.mark.parametrize("case", SMALL, ids=[c.key for c in SMALL])
@pytest.mark.slow
def test_case(corpus_run, case):
    if case not in corpus_run.cases:
        pytest.skip(f"{case.key}: LibreOffice is not installed, no .xls can be made")
    rows, problems = corpus_run.rows_of(case), corpus_run.problems_of(case)
    if case.skipped:
        assert rows.empty and problems.empty, problems.to_dict("records")
        return
    if case.problem:
        info = P.code_info(case.problem)
        assert rows.empty
        assert len(problems) == 1, problems.to_dict("records")
        problem = problems.iloc[0]
        assert problem[ProblemCol.KIND] == info.kind
        message = problem[ProblemCol.MESSAGE]
        assert case.filename in message and case.reason in message, message     # which file, why
        assert "请" in message, message                                          # what to do
        english = set(re.findall(r"[A-Za-z]{3,}", message.replace(case.filename, "")))
        assert english <= PLAIN_WORDS, f"the clerk reads Chinese, not an exception: {message}"
        return
    intake_kinds = {c.kind for c in P.all_codes().values() if c.stage == "intake"}
    intake_problems = problems[problems[ProblemCol.KIND].isin(intake_kinds)]
    if case.key == "hidden":            # the hidden sheet is left out, and the clerk is told
        assert intake_problems[ProblemCol.KIND].tolist() == ["隐藏的工作表未合并"]
        return
    assert intake_problems.empty, intake_problems.to_dict("records")
    if case.key != "formulas":          # its #REF! and #N/A cells are meant to be reported
        assert problems.empty, problems.to_dict("records")
    assert len(rows) == case.rows
    assert (rows[Col.UNIT] == case.unit).all()
    assert rows[Col.NAME].astype(str).str.len().gt(0).all()


@pytest.mark.slow
def test_sixty_thousand_rows(tmp_path):
    """A 60,000-row return through `weiwen merge`: every row reaches 名册, in its file's order.
    (Alone, not in the corpus run: the output steps of `weiwen run` would render 60,000 rows of
    signature sheets, which is the outputs' own performance question, not intake's.)"""
    case = next(c for c in CASES if c.key == "big")
    campaign = init(tmp_path / "活动")
    add_units(campaign, [case.unit])
    write_corpus(campaign.inbox, [case])
    result = CliRunner().invoke(app, ["merge", str(campaign.root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert (data["files_read"], data["rows_read"], data["roster_rows"]) == (1, case.rows, case.rows)
    roster = workbook_io.read_roster(campaign.workbook)
    assert len(roster) == case.rows
    assert roster[Col.SRC_ROW].tolist() == list(range(3, case.rows + 3))


def test_formulas_errors_and_date_numbers(corpus_run):
    case = next(c for c in CASES if c.key == "formulas")
    rows = corpus_run.rows_of(case).set_index(Col.SRC_ROW)
    assert rows.loc[3, Col.SIZE] == 3                       # =1+2, its cached value
    assert pd.isna(rows.loc[3, Col.PHONE]) or rows.loc[3, Col.PHONE] in ("", None)  # =NA()
    assert str(rows.loc[3, Col.NOTE]).startswith("2028-01-20")   # a date cell → the date, not 46772
    assert pd.isna(rows.loc[4, Col.ID]) or rows.loc[4, Col.ID] == ""   # #REF! never becomes text
    asked = corpus_run.problems_of(case)
    assert ((asked[ProblemCol.ROW] == 4) & asked[ProblemCol.MESSAGE].str.contains("身份证号")).any()
    assert 9 not in rows.index                               # the computed 合计 row is not a household


def test_hidden_sheet_is_left_out_and_hidden_rows_are_kept(corpus_run):
    case = next(c for c in CASES if c.key == "hidden")
    rows = corpus_run.rows_of(case)
    assert sorted(rows[Col.SRC_ROW]) == list(range(3, 3 + case.rows))   # rows 4-6 were hidden
    assert not corpus_run.roster[Col.SRC_FILE].astype(str).str.contains("去年名单").any()
    warned = corpus_run.problems_of(case)
    assert len(warned) == 1 and "去年名单" in warned.iloc[0][ProblemCol.MESSAGE]
    assert warned.iloc[0][ProblemCol.SEVERITY] == "警告" and "取消隐藏" in warned.iloc[0][ProblemCol.MESSAGE]


def test_two_sheets_are_both_merged(corpus_run):
    case = next(c for c in CASES if c.key == "two_sheets")
    rows = corpus_run.rows_of(case)
    assert len(rows) == case.rows
    assert rows[Col.ID].nunique() == case.rows


def test_csv_encodings_read_chinese_correctly(corpus_run):
    for key in ("csv_gbk", "csv_utf8_bom"):
        case = next(c for c in CASES if c.key == key)
        rows = corpus_run.rows_of(case)
        assert rows[Col.CATEGORY].isin(["低保", "台胞/少数民族困难家庭", "大重病患者", "残疾户",
                                        "困难学生家庭"]).all(), key
        assert rows[Col.ID].str.fullmatch(r"\d{17}[\dX]").all(), key


@pytest.mark.slow
def test_the_printed_report_of_a_bad_inbox_is_plain(corpus_run, tmp_path):
    """The same inbox without the big file, through `weiwen merge` as a person runs it."""
    campaign = init(tmp_path / "活动")
    cases = [c for c in available() if c.key not in ("big", "xls")]
    add_units(campaign, [c.unit for c in cases if c.unit])
    write_corpus(campaign.inbox, cases)
    result = CliRunner().invoke(app, ["merge", str(campaign.root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "读取文件" in result.output
