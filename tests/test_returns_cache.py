"""The parsed-returns cache (intake/cache.py): a merge from the cache equals a merge from scratch,
and any change to a file, the settings or the code is seen; a damaged or foreign entry is ignored.

Each test compares what the clerk gets — 名册 and 问题 as written to the workbook, the merge
report — between a merge that used the cache and one made without it (the cache folder removed).
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from intake_helpers import people, person, unit_campaign, write_csv, write_openpyxl
from weiwen import pipeline, workbook_io
from weiwen.campaign import Campaign
from weiwen.intake import cache as C
from weiwen.intake import pool
from weiwen.intake.cache import CACHE_DIR, ReturnsCache, settings_digest
from weiwen.intake.merge import merge_files
from weiwen.intake.readers import read_inbox
from weiwen.names import RETURN_COLUMNS, SETTINGS_SHEETS, Sheet, StdCol

HEADER = ["序号", *RETURN_COLUMNS]


def _rows(start: int, count: int, category: str = "残疾户") -> list[list]:
    return [HEADER, *([n + 1, *r] for n, r in enumerate(people(start, count, category)))]


@pytest.fixture
def returns(tmp_path: Path) -> Campaign:
    """Three units' returns in three formats, with a title row, a hidden old list, a 合计 row and
    a duplicate across two units."""
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx",
                   [["2027年春节慰问名单（东湖社区）"], *_rows(1, 30), ["合计", "30户"]])
    write_csv(campaign.inbox / "西湖社区名单.csv", _rows(100, 20, "低保") + [[21, *person(5)]])
    write_openpyxl(campaign.inbox / "青山村" / "青山村.xlsx", _rows(200, 10))
    return campaign


def _sheets(campaign: Campaign) -> tuple[pd.DataFrame, pd.DataFrame]:
    return workbook_io.read_roster(campaign.workbook), workbook_io.read_problems(campaign.workbook)


def _merge(campaign: Campaign) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    report = pipeline.on_disk("merge", campaign)
    roster, problems = _sheets(campaign)
    keep = ("files_read", "rows_read", "roster_rows", "rejected_rows", "members_folded", "outcome")
    return roster, problems, {k: getattr(report, k) for k in keep}


def _uncached(campaign: Campaign, tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The same merge on a copy of the campaign without its cache."""
    copy = Campaign(tmp_path / "uncached")
    shutil.rmtree(copy.root, ignore_errors=True)
    shutil.copytree(campaign.root, copy.root)
    shutil.rmtree(copy.root / CACHE_DIR, ignore_errors=True)
    return _merge(copy)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a[0].drop(columns=["来源文件"]), b[0].drop(columns=["来源文件"]))
    assert a[0]["来源文件"].tolist() == b[0]["来源文件"].tolist()
    pd.testing.assert_frame_equal(a[1], b[1])
    assert a[2] == b[2]


@pytest.fixture
def pool_reads(monkeypatch) -> list[Path]:
    """The paths handed to the reader processes."""
    seen: list[Path] = []
    real = pool.read_files

    def spy(paths, *args, **kwargs):
        paths = list(paths)
        seen.extend(paths)
        return real(paths, *args, **kwargs)
    monkeypatch.setattr(pool, "read_files", spy)
    return seen


def _memo(campaign: Campaign) -> ReturnsCache:
    book_sheets = workbook_io.read_sheets(campaign.workbook, SETTINGS_SHEETS)
    return ReturnsCache(campaign.root, campaign.inbox, settings_digest(book_sheets))


@pytest.mark.slow
def test_second_merge_reads_no_file_and_writes_the_same(returns, pool_reads, tmp_path):
    first = _merge(returns)
    assert len(pool_reads) == 3
    assert (returns.root / CACHE_DIR / "returns").is_dir()
    assert not list(returns.output.rglob("*.pkl"))          # never under output/
    pool_reads.clear()
    second = _merge(returns)
    assert pool_reads == []                                  # every file from the cache
    _same(first, second)
    _same(second, _uncached(returns, tmp_path))


@pytest.mark.slow
def test_merge_files_from_the_cache_equals_fresh(returns):
    settings = workbook_io.read_settings(returns.workbook)
    files, problems = read_inbox(returns.inbox)
    fresh = merge_files(files, settings)
    for _ in range(2):                                     # filling the cache, then from it
        memo = _memo(returns)
        files, cached_problems = read_inbox(returns.inbox, known=memo.known)
        cached = merge_files(files, settings, memo=memo)
        memo.finish()
        pd.testing.assert_frame_equal(fresh[0], cached[0])
        assert fresh[1] == cached[1] and problems == cached_problems
        assert vars(fresh[2]) == vars(cached[2])
    assert memo.hits == 3


@pytest.mark.slow
def test_a_corrected_file_is_read_again_and_only_it(returns, pool_reads, tmp_path):
    _merge(returns)
    pool_reads.clear()
    path = returns.inbox / "西湖社区名单.csv"
    rows = _rows(100, 20, "低保")
    rows[3][5] = "13912345678"                               # one phone corrected
    write_csv(path, rows)
    again = _merge(returns)
    assert pool_reads == [path]
    assert "13912345678" in again[0]["联系电话"].tolist()
    _same(again, _uncached(returns, tmp_path))


@pytest.mark.slow
def test_a_renamed_file_is_not_taken_from_the_cache(returns, tmp_path):
    _merge(returns)
    (returns.inbox / "东湖社区.xlsx").rename(returns.inbox / "东湖社区（修改）.xlsx")
    again = _merge(returns)
    assert "东湖社区（修改）.xlsx" in again[0]["来源文件"].tolist()
    _same(again, _uncached(returns, tmp_path))


@pytest.mark.slow
def test_a_settings_change_is_seen(returns, tmp_path):
    first = _merge(returns)
    standards = workbook_io.read_sheets(returns.workbook, (Sheet.STANDARDS,))[Sheet.STANDARDS]
    header = [str(v) for v in standards[0]]
    frame = pd.DataFrame(standards[1:], columns=header)
    frame.loc[frame[StdCol.CATEGORY] == "残疾户", StdCol.CATEGORY] = "残疾人家庭户"
    workbook_io.write_frames(returns.workbook, returns.root, {Sheet.STANDARDS: frame})
    again = _merge(returns)
    assert again[0]["类别"].tolist() != first[0]["类别"].tolist()    # 类别 read anew
    _same(again, _uncached(returns, tmp_path))


def _standards_renamed(campaign: Campaign, old: str, new: str) -> None:
    standards = workbook_io.read_sheets(campaign.workbook, (Sheet.STANDARDS,))[Sheet.STANDARDS]
    frame = pd.DataFrame(standards[1:], columns=[str(v) for v in standards[0]])
    frame.loc[frame[StdCol.CATEGORY] == old, StdCol.CATEGORY] = new
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.STANDARDS: frame})


@pytest.fixture
def cells_loaded(monkeypatch) -> list[int]:
    """Each time a kept table's cells are unpickled (the table's number in its file)."""
    seen: list[int] = []
    real = C._KeptCells.frame

    def spy(self, i):
        seen.append(i)
        return real(self, i)
    monkeypatch.setattr(C._KeptCells, "frame", spy)
    return seen


@pytest.mark.slow
def test_a_district_list_split_by_unit_is_cleaned_again_from_its_kept_cells(
        returns, cells_loaded, tmp_path):
    """A list with a 单位 column (rows of two units and one unknown) is split by its outline; a
    re-merge with every piece kept never unpickles a table's cells; a settings change cleans
    the pieces again from the kept cells, as a merge from scratch does."""
    header = ["单位", *HEADER]
    rows = [header, *(["东湖社区", n + 1, *person(300 + n)] for n in range(4)),
            ["西湖社区", 5, *person(310)], ["南山社区", 6, *person(311)],
            *(["西湖社区", 7 + n, *person(320 + n)] for n in range(3))]
    (returns.inbox / "东湖社区.xlsx").unlink()              # the list is these units' return
    (returns.inbox / "西湖社区名单.csv").unlink()
    write_openpyxl(returns.inbox / "街道汇总.xlsx", rows)
    first = _merge(returns)
    assert {"东湖社区", "西湖社区"} <= set(first[0].loc[first[0]["来源文件"] == "街道汇总.xlsx", "单位"])
    assert "南山社区" in first[1].to_string()                # the unknown unit's row, in 问题
    again = _merge(returns)
    assert cells_loaded == []                                # every piece from the cache
    _same(first, again)
    _standards_renamed(returns, "残疾户", "残疾人家庭户")
    renamed = _merge(returns)
    assert cells_loaded                                      # cleaned again, from the cells
    assert "残疾人家庭户" not in first[0]["类别"].tolist()
    assert renamed[0]["类别"].tolist() != first[0]["类别"].tolist()
    _same(renamed, _uncached(returns, tmp_path))


@pytest.mark.slow
def test_a_damaged_or_foreign_entry_is_ignored(returns, pool_reads, tmp_path, monkeypatch):
    first = _merge(returns)
    entries = sorted((returns.root / CACHE_DIR).rglob("*.pkl"))
    assert entries
    for i, entry in enumerate(entries):
        data = entry.read_bytes()
        if i % 3 == 0:
            entry.write_bytes(data[: len(data) // 2])               # truncated
        elif i % 3 == 1:
            entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))    # one bit flipped
        else:
            entry.write_bytes(b"not a cache entry")
    pool_reads.clear()
    _same(first, _merge(returns))
    assert sorted(pool_reads) == sorted(p for p in returns.inbox.rglob("*") if p.is_file())
    # a campaign folder copied from another computer: another user's key
    pool_reads.clear()
    monkeypatch.setenv("WEIWEN_CACHE_KEY", str(tmp_path / "another.key"))
    _same(first, _merge(returns))
    assert len(pool_reads) == 3


@pytest.mark.slow
def test_another_code_version_does_not_use_the_entries(returns, pool_reads, monkeypatch):
    first = _merge(returns)
    pool_reads.clear()
    monkeypatch.setattr(C, "SCHEMA", C.SCHEMA + 1)
    C.code_version.cache_clear()
    try:
        _same(first, _merge(returns))
        assert len(pool_reads) == 3
    finally:
        C.code_version.cache_clear()


def test_code_version_follows_the_sources(tmp_path, monkeypatch):
    package = tmp_path / "weiwen"
    (package / "intake").mkdir(parents=True)
    (package / "intake" / "tables.py").write_text("A = 1\n")
    monkeypatch.setattr(C, "_PACKAGE", package)
    C.code_version.cache_clear()
    try:
        before = C.code_version()
        C.code_version.cache_clear()
        (package / "intake" / "tables.py").write_text("A = 2\n")
        assert C.code_version() != before
    finally:
        C.code_version.cache_clear()


@pytest.mark.slow
def test_entries_of_removed_files_are_dropped(returns):
    _merge(returns)
    count = len(list((returns.root / CACHE_DIR).rglob("*.pkl")))
    shutil.rmtree(returns.inbox / "青山村")
    _merge(returns)
    assert len(list((returns.root / CACHE_DIR).rglob("*.pkl"))) < count


@pytest.mark.slow
def test_the_cache_holds_no_cells_of_unknown_files_and_no_key(returns):
    _merge(returns)
    key = C.key_file()
    assert key.is_file() and not str(key).startswith(str(returns.root))
    assert not list(returns.root.rglob("*.key"))
    kinds = {p.parent.name for p in (returns.root / CACHE_DIR / "returns").rglob("*.pkl")}
    assert kinds == {"file", "piece"}


def _cells(path: Path) -> list[list]:
    """A file's values, without its check-code line: a kept file prints the code of the merge
    that made it, a merge from scratch that of its own (输出清单.json notes each)."""
    from openpyxl import load_workbook
    return [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)
            if not any(isinstance(v, str) and v.startswith("据名册生成：") for v in r)]


@pytest.mark.slow
def test_a_re_merge_rewrites_only_the_feedback_that_changed(returns, tmp_path):
    from weiwen.outputs.feedback import FEEDBACK_DIR
    from weiwen.outputs.state import read_manifest
    bad = _rows(1, 30)
    bad[4][2] = "330106195001011230"                         # a wrong check digit in 东湖社区
    write_openpyxl(returns.inbox / "东湖社区.xlsx", [["东湖社区"], *bad])
    _merge(returns)
    folder = returns.output / FEEDBACK_DIR
    first = read_manifest(returns.output)["feedback"]["code"]
    # a file rewritten is a new file (atomic replace): its inode tells kept from rewritten
    before = {p.name: p.stat().st_ino for p in folder.glob("*.xlsx")}
    assert set(before) == {"东湖社区.xlsx", "西湖社区.xlsx"}
    rows = _rows(100, 20, "低保") + [[21, *person(5)]]
    rows[2][2] = "330106195001011230"                        # 西湖社区 gets one more row to fix
    write_csv(returns.inbox / "西湖社区名单.csv", rows)
    started = time.time_ns()
    _merge(returns)
    after = {p.name: p.stat().st_ino for p in folder.glob("*.xlsx")}
    assert after["东湖社区.xlsx"] == before["东湖社区.xlsx"]      # kept as it was
    assert after["西湖社区.xlsx"] != before["西湖社区.xlsx"]
    # ... with the code it printed, which 输出清单.json notes for it
    feedback = read_manifest(returns.output)["feedback"]
    assert feedback["code"] != first
    assert feedback["made_from"] == {"退回修改/东湖社区.xlsx": first,
                                     "退回修改/西湖社区.xlsx": feedback["code"]}
    # ... but dated by this merge, which confirmed it current (the page judges freshness by it)
    assert (folder / "东湖社区.xlsx").stat().st_mtime_ns >= started - 5 * 10**6
    # a kept file is what a merge from scratch writes
    fresh = Campaign(tmp_path / "fresh")
    shutil.copytree(returns.root, fresh.root)
    shutil.rmtree(fresh.root / CACHE_DIR)
    shutil.rmtree(fresh.output / FEEDBACK_DIR)
    _merge(fresh)
    for name in after:
        assert _cells(folder / name) == _cells(fresh.output / FEEDBACK_DIR / name)
    # a file the clerk opened and saved (or replaced) is written again
    path = folder / "东湖社区.xlsx"
    path.write_bytes(path.read_bytes())
    touched = path.stat().st_ino
    _merge(returns)
    assert path.stat().st_ino != touched
    assert _cells(path) == _cells(fresh.output / FEEDBACK_DIR / "东湖社区.xlsx")
    assert read_manifest(returns.output)["feedback"]["made_from"]["退回修改/东湖社区.xlsx"] \
        == feedback["code"]
