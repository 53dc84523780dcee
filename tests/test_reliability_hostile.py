"""The hostile corpus (tests/hostile.py) through the real `weiwen run --json`: files that used to
abort the process, eat gigabytes or stop the whole merge. Done when, over the corpus: exit 0, no
traceback, every file merged or named in 问题, every reason in Chinese, each bad file under 1 GB
and a bounded time.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weiwen import workbook_io
from weiwen.campaign import init
from weiwen.cli import app
from weiwen.intake import formats, ooxml, pool
from weiwen.names import Col, ProblemCol

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402
from corpus import CASES as PLAIN_CASES, People, write_corpus, write_raw_xlsx  # noqa: E402
from test_reliability_corpus import PLAIN_WORDS, add_units  # noqa: E402

pytestmark = pytest.mark.reliability
QUICK = hostile.available(slow=False)
FORMATS = {"XML", "Word", "ods", "xlsb"}      # names of file formats the clerk may meet
INTAKE_ERRORS = {"文件无法读取", "找不到表头", "工作表无法读取", "文件内容无法处理"}


def english_words(message: str, filename: str) -> set[str]:
    """Latin words outside quotes (file and sheet names are the unit's own) and file formats."""
    plain = re.sub(r"“[^”]*”", "", message)
    return set(re.findall(r"[A-Za-z]{3,}", plain)) - PLAIN_WORDS - FORMATS


class Run:
    def __init__(self, root: Path, result, cases) -> None:
        self.result, self.cases = result, cases
        self.data = json.loads(result.stdout.strip().splitlines()[-1])
        workbook = root / "Weiwen.xlsm"
        self.roster = workbook_io.read_roster(workbook)
        self.problems = workbook_io.read_problems(workbook)

    def rows_of(self, case):
        return self.roster[self.roster[Col.SRC_FILE].astype(str).str.startswith(case.filename)]

    def problems_of(self, case):
        p = self.problems
        return p[p[ProblemCol.FILE].astype(str).str.startswith(case.filename)
                 | p[ProblemCol.MESSAGE].astype(str).str.contains(case.filename, regex=False)]


def run_corpus(root: Path, cases) -> Run:
    campaign = init(root)
    add_units(campaign, sorted({c.unit for c in cases}))
    hostile.write(campaign.inbox, cases)
    result = CliRunner().invoke(app, ["run", str(campaign.root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Run(campaign.root, result, cases)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> Run:
    return run_corpus(tmp_path_factory.mktemp("hostile") / "活动", QUICK)


@pytest.mark.slow
def test_the_run_completes_and_shows_no_traceback(quick_run):
    assert "Traceback" not in quick_run.result.output
    assert "panicked" not in quick_run.result.output
    data = quick_run.data
    assert data["rows_read"] == data["roster_rows"] + data["rejected_rows"]


def check_case(run: Run, case) -> None:
    rows, problems = run.rows_of(case), run.problems_of(case)
    assert len(rows) or len(problems), f"{case.key}: neither merged nor named in 问题"
    for message in problems[ProblemCol.MESSAGE]:
        assert not english_words(message, case.filename), f"{case.key}: {message}"
    if case.fuzzed:
        return
    kinds = problems[ProblemCol.KIND].tolist()
    if case.problem:
        from weiwen import problems as P
        kind = P.code_info(case.problem).kind
        assert rows.empty, case.key
        named = problems[problems[ProblemCol.KIND] == kind]
        assert len(named) == 1, (case.key, problems.to_dict("records"))
        message = named.iloc[0][ProblemCol.MESSAGE]
        assert case.filename in message and case.reason in message and "请" in message, message
        return
    assert len(rows) == case.rows, (case.key, problems.to_dict("records"))
    assert not INTAKE_ERRORS & set(kinds), (case.key, problems.to_dict("records"))
    first = int(rows[Col.SRC_ROW].min())
    assert sorted(rows[Col.SRC_ROW]) == list(range(first, first + case.rows)), case.key
    assert first in (2, 3), case.key          # under the header (and the title, when there is one)
    assert (rows[Col.UNIT] == case.unit).all()


@pytest.mark.parametrize("case", QUICK, ids=[c.key for c in QUICK])
def test_case(quick_run, case):
    check_case(quick_run, case)


def test_chart_and_macro_sheets_are_skipped_with_a_note(quick_run):
    for key, sheet in (("xlsm_xlm", "Macro1"), ("xlsb_chart", "Chart")):
        case = next(c for c in QUICK if c.key == key)
        notes = quick_run.problems_of(case)
        skipped = notes[notes[ProblemCol.KIND] == "工作表未读取"]
        assert len(skipped) == 1 and sheet in skipped.iloc[0][ProblemCol.MESSAGE], key
        assert skipped.iloc[0][ProblemCol.SEVERITY] == "警告"


def test_a_far_cell_keeps_the_cells_where_the_unit_sees_them(tmp_path):
    """The sparse reader compacts XFD1048576 away but keeps Excel's row and column numbers."""
    case = next(c for c in hostile.CASES if c.key == "far_XFD1048576")
    path = tmp_path / case.filename
    case.make(path, case, People(3))
    data = formats.read_any(path)
    sheet = data.sheets[0]
    assert sheet.row_numbers[-1] == 1048576 and sheet.col_numbers[-1] == 16384
    assert sheet.row_number(1) == 2 and sheet.col_number(2) == 3
    assert sum(len(r) for r in sheet.rows) < 200


def _trim(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] in ("", None):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("key", ["formulas", "merged_header", "wide", "two_sheets"])
def test_the_sparse_reader_reads_what_calamine_reads(tmp_path, key):
    """The fallback for absurd sheets gives the same values as calamine on normal files
    (strings, numbers, dates, errors as blanks)."""
    from python_calamine import CalamineWorkbook
    case = next(c for c in PLAIN_CASES if c.key == key)
    write_corpus(tmp_path, [case])
    path = tmp_path / case.filename
    book = CalamineWorkbook.from_path(str(path))
    with zipfile.ZipFile(path) as z:
        budget = ooxml.Budget()
        parts, date1904 = ooxml.sheet_parts(z, budget)
        for part in parts:
            expected = book.get_sheet_by_name(part.name).to_python(skip_empty_area=False)
            sparse = ooxml.read_sparse(z, part, date1904, budget)
            dense = [[""] * (sparse.col_numbers[-1] if sparse.col_numbers else 0)
                     for _ in range(sparse.row_numbers[-1] if sparse.row_numbers else 0)]
            for i, row in enumerate(sparse.rows):
                for j, value in enumerate(row):
                    dense[sparse.row_number(i) - 1][sparse.col_number(j) - 1] = value
            assert _trim(dense) == _trim(expected), part.name


def _big_return(path: Path, rows: int) -> None:
    people = People(5)
    write_raw_xlsx(path, [["名单"], hostile.HEADER, *people.rows("慢村", rows)])


@pytest.mark.parametrize("limit, env, reason", [
    ("seconds", {"WEIWEN_READ_SECONDS": "0.05"}, "秒仍未完成"),
    ("memory", {"WEIWEN_READ_MEMORY_MB": "40"}, "内存超过 40 MB"),
])
@pytest.mark.slow
def test_the_pool_stops_one_file_and_reads_the_others(tmp_path, monkeypatch, limit, env, reason):
    """A file over the time or memory limit is stopped and named; the next files still merge."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    campaign = init(tmp_path / "活动")
    add_units(campaign, ["慢村", "好村"])
    _big_return(campaign.inbox / "慢村名单.xlsx", 40_000)
    write_raw_xlsx(campaign.inbox / "好村名单.xlsx",
                   [["名单"], hostile.HEADER, *People(7).rows("好村", 5)])
    result = CliRunner().invoke(app, ["merge", str(campaign.root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    problems = workbook_io.read_problems(campaign.workbook)
    slow = problems[problems[ProblemCol.FILE] == "慢村名单.xlsx"]
    assert slow[ProblemCol.KIND].tolist() == ["文件无法读取"]
    assert reason in slow.iloc[0][ProblemCol.MESSAGE]
    roster = workbook_io.read_roster(campaign.workbook)
    assert roster[Col.UNIT].tolist() == ["好村"] * 5


@pytest.mark.slow
def test_a_reader_that_aborts_is_replaced(tmp_path):
    """calamine aborting the process on one file (far_xlsb) ends that reader only."""
    cases = [next(c for c in hostile.CASES if c.key == k) for k in ("far_xlsb", "far_H1048576", "et_biff8")]
    paths = [tmp_path / c.filename for c in cases]
    hostile.write(tmp_path, cases)
    outcomes = pool.read_files(paths * 2, pool.Limits(workers=1))
    assert outcomes[paths[0]].data is None and "内存" in outcomes[paths[0]].reason
    assert [len(outcomes[p].data.sheets) for p in paths[1:]] == [1, 1]


# --- one case at a time, in a fresh process: time and peak memory ------------------------------------

TIME_BOUND = 120.0   # s: the 60 s per-file limit + starting Python and writing the workbook


def measure(case, root: Path) -> dict:
    """`weiwen run --json` over a campaign holding this one file, in a fresh process; peak memory
    is the largest resident set of that process and its reader processes (RUSAGE_CHILDREN)."""
    campaign = init(root)
    add_units(campaign, [case.unit])
    hostile.write(campaign.inbox, [case])
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(r.returncode, round(time.perf_counter() - t, 2), "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); "
             "print(r.stdout[-4000:]); print(r.stderr[-2000:], file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "weiwen", "run",
                           str(root), "--json"], capture_output=True, text=True,
                          timeout=TIME_BOUND * 2, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    head, _, rest = done.stdout.partition("\n")
    code, seconds, peak_mb = head.split()
    if not rest.strip():
        raise AssertionError(f"{case.key}: exit {code}, no JSON; stderr: {done.stderr[-1500:]}")
    run = Run(root, type("R", (), {"stdout": rest})(), [case])
    outcome = "merged" if len(run.rows_of(case)) else "; ".join(
        f"{k}" for k in run.problems_of(case)[ProblemCol.KIND])
    return {"case": case.key, "exit": int(code), "seconds": float(seconds), "peak_mb": int(peak_mb),
            "outcome": outcome, "traceback": "Traceback" in done.stdout + done.stderr,
            "run": run}


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in hostile.available() if c.slow],
                         ids=[c.key for c in hostile.available() if c.slow])
def test_slow_case_alone(tmp_path, case):
    """The heavy files (a zip bomb, a 100 MB line, 10,000 sheets), each alone in a fresh process:
    exit 0, the expected outcome, under 1 GB and the time bound."""
    figures = measure(case, tmp_path / "活动")
    assert figures["exit"] == 0 and not figures["traceback"], figures
    check_case(figures["run"], case)
    assert figures["peak_mb"] <= 1024, figures
    assert figures["seconds"] <= TIME_BOUND, figures


def measure_all() -> None:  # pragma: no cover - run by hand: python tests/hostile.py --measure
    import tempfile
    print(f"{'case':22} {'exit':>4} {'s':>7} {'MB':>6}  outcome")
    figures = []
    for case in hostile.available():
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            f = measure(case, Path(tmp) / "活动")
            f["english"] = [m for m in f["run"].problems_of(case)[ProblemCol.MESSAGE]
                            if english_words(m, case.filename)]
            figures.append(f)
            print(f"{case.key:22} {f['exit']:>4} {f['seconds']:>7.2f} {f['peak_mb']:>6}  {f['outcome']}"
                  f"{'  TRACEBACK' if f['traceback'] else ''}"
                  f"{'  ENGLISH: ' + f['english'][0] if f['english'] else ''}"
                  f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    slowest = max(figures, key=lambda f: f["seconds"])
    biggest = max(figures, key=lambda f: f["peak_mb"])
    print(f"{len(figures)} cases: {sum(f['exit'] != 0 for f in figures)} exits other than 0, "
          f"{sum(f['traceback'] for f in figures)} tracebacks, "
          f"{sum(not f['outcome'] for f in figures)} files neither merged nor named in 问题, "
          f"{sum(bool(f['english']) for f in figures)} with English reasons; "
          f"max peak {biggest['peak_mb']} MB ({biggest['case']}), "
          f"slowest run {slowest['seconds']:.1f} s ({slowest['case']}), bound {TIME_BOUND:.0f} s")


@pytest.mark.slow
def test_files_from_outside_are_read_in_isolation(tmp_path):
    """read_isolated: the same protection for outside files (signature sheets, 低保名单)."""
    from weiwen.intake.readers import read_isolated
    bad = next(c for c in hostile.CASES if c.key == "far_xlsb")
    good = next(c for c in hostile.CASES if c.key == "far_XFD1048576")
    hostile.write(tmp_path, [bad, good])
    got = read_isolated([tmp_path / bad.filename, tmp_path / good.filename], tmp_path)
    reason = got[tmp_path / bad.filename]
    assert isinstance(reason, str) and reason.startswith("读取时占用内存超过")
    raw = got[tmp_path / good.filename]
    assert raw.relname == good.filename and len(raw.sheets[0].rows) == 9
