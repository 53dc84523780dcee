"""The re-merge after one unit's corrected file arrives: whatever it takes from the campaign's
caches (parsed returns, 名册 as it reads back), the workbook it leaves is, sheet by sheet and
cell by cell, the one a merge from scratch leaves; and a change the caches cannot see through
(the clerk's edit of 名册, the settings, the code) is never answered from them.
"""
from __future__ import annotations

from collections.abc import Iterator

import datetime as dt
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum.cn import ric

from zip_parts import unparsable
from intake_helpers import people, person, person_id, unit_campaign, write_csv, write_openpyxl
from weiwen import pipeline, sheet_splice, workbook_io
from weiwen.books import FileBook, Writes, file_book, read_roster, row_reuse, sheet_memo
from weiwen.checks import ids, reuse
from weiwen.campaign import Campaign
from weiwen.intake import cache as C
from weiwen.intake.cache import CACHE_DIR
from weiwen.names import PROBLEM_COLUMNS, RETURN_COLUMNS, ROSTER_COLUMNS, Sheet, StdCol

HEADER = ["序号", *RETURN_COLUMNS]
NOTE = "已电话核实，户主住院"


def _numbered(rows: list[list[Any]]) -> list[list[Any]]:
    return [HEADER, *([n + 1, *r] for n, r in enumerate(rows))]


def _east(phone: str = "13800000001") -> list[list[Any]]:
    rows = people(1, 12)
    rows[2][1] = "330106195001011230"                  # a wrong check digit
    rows[3][1] = "330106500101123"                     # a legacy 15-digit number
    rows[4][4] = phone                                 # the cell a correction changes
    rows.append([rows[5][0], rows[5][1], "低保", 3, rows[5][4], "6222020000000000001",
                 rows[5][6], ""])                       # one household in two categories
    return [["2027年春节慰问名单（东湖社区）"], *_numbered(rows), ["合计", f"{len(rows)}户"]]


def _west() -> list[list[Any]]:
    rows = people(100, 10, "低保") + [person(7)]      # 东湖社区's household again
    rows[1][1] = ""                                    # no ID: kept by name
    rows[2][0] = ""                                    # no name
    return _numbered(rows)


def _village() -> list[list[Any]]:
    rows = people(200, 8)
    rows[0][1] = "3301061970010112"                    # 16 digits
    rows[1][4] = "12345"                               # not a phone number
    rows.append([person(201)[0], person(201)[1], "残疾户", 2, "13800000201", "",
                 "文一路201号", ""])                    # twice in the same unit
    return _numbered(rows)


@pytest.fixture(autouse=True)
def short_reads(monkeypatch) -> None:
    """The old parts are read in short stretches, and 名册's rows outlast the first (as a
    district's 80 MB do): a write copying rows follows them across reads, through to what comes
    after </sheetData>."""
    monkeypatch.setattr(sheet_splice, "_HEAD", 256)
    monkeypatch.setattr(sheet_splice, "_BIG", 1024)


@pytest.fixture
def messy(tmp_path: Path) -> Campaign:
    """Three units in three formats: duplicates inside a unit, across units and across
    categories; invalid, legacy and missing IDs; a row without a name."""
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", _east())
    write_csv(campaign.inbox / "西湖社区名单.csv", _west())
    write_openpyxl(campaign.inbox / "青山村" / "青山村.xlsx", _village())
    return campaign


def _clerk_notes(campaign: Campaign, notes: dict[int, Any]) -> None:
    """The clerk types into 名册's 备注 (data row n → value) and saves, as in Excel."""
    wb = load_workbook(campaign.workbook, keep_vba=True)
    ws = wb[Sheet.ROSTER]
    column = [c.value for c in ws[1]].index("备注") + 1
    for row, value in notes.items():
        ws.cell(row=row + 1, column=column, value=value)
    wb.save(campaign.workbook)


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cells, once every XML part of the file has gone through a strict XML parser:
    calamine (which reads the cells) forgives a part cut short, Excel calls the file damaged."""
    assert unparsable(path) == []
    return workbook_io.read_sheets(path)


def _scratch_copy(campaign: Campaign, root: Path) -> Campaign:
    """A copy of the campaign as it is now, at `root` (replaced), without any cache."""
    copy = Campaign(root)
    shutil.rmtree(copy.root, ignore_errors=True)
    shutil.copytree(campaign.root, copy.root)
    shutil.rmtree(copy.root / CACHE_DIR, ignore_errors=True)
    return copy


def _from_scratch(campaign: Campaign, tmp_path: Path) -> dict[str, list[list[Any]]]:
    """The same merge on a copy of the campaign as it is now, without any cache."""
    copy = _scratch_copy(campaign, tmp_path / "from-scratch")
    pipeline.on_disk("merge", copy)
    return _sheets(copy.workbook)


def _assert_same_workbook(got: dict[str, list[list[Any]]], want: dict[str, list[list[Any]]]
                          ) -> None:
    assert list(got) == list(want)
    for name in want:
        assert got[name] == want[name], name


@pytest.fixture
def sheet_reads(monkeypatch) -> list[str]:
    """The sheets FileBook reads from the workbook file."""
    seen: list[str] = []
    real_sheets, real_rows = file_book.read_sheets, file_book.sheet_rows

    def sheets(path, names=None):
        names = list(names) if names is not None else None
        seen.extend(names or ["*"])
        return real_sheets(path, names)

    def rows(path, name):
        seen.append(name)
        return real_rows(path, name)

    monkeypatch.setattr(file_book, "read_sheets", sheets)
    monkeypatch.setattr(file_book, "sheet_rows", rows)
    return seen


@pytest.mark.slow
def test_a_re_merge_leaves_the_workbook_a_merge_from_scratch_leaves(messy, tmp_path,
                                                                    sheet_reads):
    pipeline.on_disk("merge", messy)
    roster = workbook_io.read_roster(messy.workbook)
    assert {"重复", "错误"} <= set(roster["状态"])
    _clerk_notes(messy, {1: NOTE, 2: 42, len(roster): "最后一行的备注"})
    pipeline.on_disk("merge", messy)             # reads the clerk's 名册, keeps it as written
    write_openpyxl(messy.inbox / "东湖社区.xlsx", _east(phone="13912345678"))
    sheet_reads.clear()
    pipeline.on_disk("merge", messy)
    assert Sheet.ROSTER not in sheet_reads      # 名册 as it reads back came from the cache
    assert Sheet.PROBLEMS not in sheet_reads    # and 问题, for the later stages' rows
    got = _sheets(messy.workbook)
    _assert_same_workbook(got, _from_scratch(messy, tmp_path))
    again = workbook_io.read_roster(messy.workbook)
    assert "13912345678" in again["联系电话"].tolist()
    assert again["备注"].tolist()[:2] == [NOTE, 42.0]
    assert again["备注"].tolist()[-1] == "最后一行的备注"


@pytest.mark.slow
def test_the_clerks_edit_of_the_roster_is_read_not_taken_from_the_cache(messy, tmp_path,
                                                                      sheet_reads):
    pipeline.on_disk("merge", messy)
    pipeline.on_disk("merge", messy)
    _clerk_notes(messy, {3: NOTE})
    sheet_reads.clear()
    pipeline.on_disk("merge", messy)
    assert Sheet.ROSTER in sheet_reads
    assert workbook_io.read_roster(messy.workbook)["备注"].tolist()[2] == NOTE
    _assert_same_workbook(_sheets(messy.workbook), _from_scratch(messy, tmp_path))


@pytest.mark.slow
def test_another_code_version_reads_the_roster(messy, sheet_reads, monkeypatch):
    pipeline.on_disk("merge", messy)
    monkeypatch.setattr(C, "SCHEMA", C.SCHEMA + 1)
    C.code_version.cache_clear()
    try:
        sheet_reads.clear()
        pipeline.on_disk("merge", messy)
        assert Sheet.ROSTER in sheet_reads
    finally:
        C.code_version.cache_clear()


@pytest.mark.slow
def test_a_settings_change_is_seen_by_the_re_merge(messy, tmp_path):
    pipeline.on_disk("merge", messy)
    before = workbook_io.read_problems(messy.workbook)
    standards = workbook_io.read_sheets(messy.workbook, (Sheet.STANDARDS,))[Sheet.STANDARDS]
    frame = pd.DataFrame(standards[1:], columns=[str(v) for v in standards[0]])
    frame.loc[frame[StdCol.CATEGORY] == "残疾户", StdCol.CONDITION] = "年龄>=70"
    workbook_io.write_frames(messy.workbook, messy.root, {Sheet.STANDARDS: frame})
    pipeline.on_disk("merge", messy)
    after = workbook_io.read_problems(messy.workbook)
    assert "不符合类别条件" in set(after["问题类型"]) - set(before["问题类型"])
    _assert_same_workbook(_sheets(messy.workbook), _from_scratch(messy, tmp_path))


#: values a roster cell may hold, the awkward ones included
ODD_VALUES: list[Any] = [
    "a", " a ", "  ", "", None, float("nan"), 3, 3.0, 2.5, -0.0, 1e20, 1e-7, 123456789012345678,
    True, False, dt.date(2024, 1, 2), dt.datetime(2024, 1, 2), float("inf"), "x\r\ny", "x\ry",
    "a&<b>", "\x01bad", "=1+1", np.int64(5), np.float64(2.0), pd.Timestamp("2024-01-02"),
    "全角１２３", "\u3000", "tab\tx", "\ufeffbom", 0.1 + 0.2, "😀", "a\u2028b", " 1 2  3 ", "１２３４",
    "330106 19500101 1234", "X", 0, -1,
]


@pytest.mark.parametrize("shape", ["mixed", "text", "numbers", "blank rows"])
def test_the_read_back_worked_out_is_what_the_file_reads_as(campaign, shape):
    values = {"mixed": ODD_VALUES, "text": [v for v in ODD_VALUES if isinstance(v, str)],
              "numbers": [v for v in ODD_VALUES if type(v) in (int, float)],
              "blank rows": [None, "", "  ", "a", float("nan")]}[shape]
    roster = pd.DataFrame({"备注": values, "身份证号": values, "地址": [str(v) for v in values],
                           "来源行": range(len(values))})
    if shape == "blank rows":
        roster["地址"] = roster["来源行"] = None
    book = FileBook(campaign)
    book.write(Writes.results(roster=roster))
    on_disk = workbook_io.read_roster(campaign.workbook)
    assert book._known(Sheet.ROSTER) is not None
    pd.testing.assert_frame_equal(read_roster(book), on_disk)         # in this process
    later = FileBook(Campaign.open(campaign.root))
    assert later._known(Sheet.ROSTER) is not None
    pd.testing.assert_frame_equal(read_roster(later), on_disk)        # in the next one
    assert list(on_disk.columns) == list(ROSTER_COLUMNS)


def test_the_read_back_taken_from_the_one_before_is_the_one_worked_out():
    """frame_as_read_back(frame, like=…) takes a column from `like` only when it is that
    column's read-back, whatever `like` holds."""
    def frame(values: list[Any]) -> pd.DataFrame:
        return pd.DataFrame({"备注": values, "身份证号": values, "地址": values,
                             "来源行": [len(str(v)) for v in values]})

    plain = [v for v in ODD_VALUES if not isinstance(v, float) or v == v]
    variants = [plain, plain[::-1], [a for a, _ in RESPELLED], [b for _, b in RESPELLED],
                [str(v) for v in plain], ["1234"] * len(plain), [None] * len(plain),
                [float("nan")] * len(plain), [3] * len(plain), [3.0] * len(plain),
                [1] * len(plain), [True] * len(plain)]
    frames = [frame((v * len(plain))[:len(plain)]) for v in variants]
    backs = [workbook_io.frame_as_read_back(f) for f in frames]
    assert all(b is not None for b in backs)
    taken = 0
    for f, want in zip(frames, backs):
        spelled = row_reuse.spelling(f, want)
        for like in backs:
            got, kept = workbook_io.read_back_and_kept(f, like)
            pd.testing.assert_frame_equal(got, want)
            assert got.map(type).equals(want.map(type))             # True is not 1.0
            # a column taken as it is: `like`'s column, and the spelling it implies is the one
            # worked out cell by cell
            assert all(got.iloc[:, i].tolist() == like.iloc[:, i].tolist()
                       for i, k in enumerate(kept) if k is not None)
            assert row_reuse.spelling(f, got, kept) == spelled
            taken += sum(k is not None for k in kept)
    assert taken > len(frames)              # the shortcut was taken, or this proves nothing


def test_a_date_with_a_time_is_read_from_the_file(campaign, sheet_reads):
    roster = pd.DataFrame({"备注": [dt.datetime(2027, 1, 20, 9, 30), "a"]})
    book = FileBook(campaign)
    book.write(Writes.results(roster=roster))
    assert book._known(Sheet.ROSTER) is None
    assert read_roster(book)["备注"].tolist() == workbook_io.read_roster(
        campaign.workbook)["备注"].tolist()
    assert Sheet.ROSTER in sheet_reads


@pytest.mark.parametrize("harm", ["entry cut short", "column cut short", "column swapped"])
def test_a_damaged_entry_is_ignored(campaign, harm):
    book = FileBook(campaign)
    book.write(Writes.results(roster=pd.DataFrame({"户主姓名": ["张三"], "身份证号": [person_id(1)]})))
    memo = campaign.root / CACHE_DIR / "workbook"
    assert FileBook(Campaign.open(campaign.root))._known(Sheet.ROSTER) is not None
    (entry,) = (memo / "roster").glob("*.pkl")
    pieces = sorted((memo / "roster-columns").glob("*.pkl"))
    if harm == "entry cut short":
        entry.write_bytes(entry.read_bytes()[:-1])
    elif harm == "column cut short":
        pieces[0].write_bytes(pieces[0].read_bytes()[:-1])
    else:                          # a sound piece of this memo, under another column's name
        pieces[0].write_bytes(pieces[1].read_bytes())
    later = FileBook(Campaign.open(campaign.root))
    assert later._known(Sheet.ROSTER) is None
    assert read_roster(later)["户主姓名"].tolist() == ["张三"]


# --- rows of 名册 copied as they are ----------------------------------------------------------

@pytest.fixture
def rows_written(monkeypatch) -> dict[str, int]:
    """Of the last write of 名册 that copied rows from the sheet it replaced: how many rows it
    copied and how many it wrote (`writes`: how many such writes there were)."""
    seen = {"copied": 0, "written": 0, "writes": 0}
    inside: list[bool] = []
    real_kept, real_column = sheet_splice._kept_rows_xml, sheet_splice._column_xml

    def kept(frame, dates, same, old, styles):
        if list(frame.columns) != list(ROSTER_COLUMNS):      # 问题's rows are copied alike
            yield from real_kept(frame, dates, same, old, styles)
            return
        seen.update(copied=0, written=0, writes=seen["writes"] + 1)
        inside.append(True)
        yield from real_kept(frame, dates, same, old, styles)
        inside.pop()
        seen["copied"] = len(frame) - seen["written"]

    def column(letter, values, rows, dates, style=""):
        if inside and letter == "A":
            seen["written"] += len(values)
        return real_column(letter, values, rows, dates, style)

    monkeypatch.setattr(sheet_splice, "_kept_rows_xml", kept)
    monkeypatch.setattr(sheet_splice, "_column_xml", column)
    return seen


def _roster_part(path: Path) -> tuple[bytes, bytes]:
    """The XML of 名册 and 问题 (both copied from when their rows have not changed)."""
    with zipfile.ZipFile(path) as archive:
        paths = sheet_splice.sheet_paths(archive)
        return archive.read(paths[Sheet.ROSTER]), archive.read(paths[Sheet.PROBLEMS])


def _assert_as_from_scratch(campaign: Campaign, tmp_path: Path, name: str) -> None:
    """Every sheet equal cell by cell to a merge of a copy without caches, 名册's and 问题's XML
    equal byte for byte, and the workbook opens in openpyxl with every row."""
    copy = _scratch_copy(campaign, tmp_path / name)
    pipeline.on_disk("merge", copy)
    _assert_same_workbook(_sheets(campaign.workbook), _sheets(copy.workbook))
    assert _roster_part(campaign.workbook) == _roster_part(copy.workbook)
    wb = load_workbook(campaign.workbook, keep_vba=True)
    assert wb[Sheet.ROSTER].max_row == len(workbook_io.read_roster(campaign.workbook)) + 1


@pytest.mark.slow
def test_a_re_merge_copies_the_rows_that_did_not_change(messy, tmp_path, rows_written):
    pipeline.on_disk("merge", messy)
    n = len(workbook_io.read_roster(messy.workbook))
    pipeline.on_disk("merge", messy)                       # nothing new: every row copied
    assert rows_written == {"copied": n, "written": 0, "writes": 1}
    write_openpyxl(messy.inbox / "东湖社区.xlsx", _east(phone="13912345678"))
    pipeline.on_disk("merge", messy)                       # one phone fixed: its row written
    assert rows_written["writes"] == 2 and 1 <= rows_written["written"] <= 3
    assert rows_written["copied"] == n - rows_written["written"]
    assert "13912345678" in workbook_io.read_roster(messy.workbook)["联系电话"].tolist()
    _assert_as_from_scratch(messy, tmp_path, "a")


@pytest.mark.slow
def test_a_re_merge_keeps_only_the_columns_that_changed(messy, monkeypatch):
    """The sheet memo names the pieces it holds of the columns a re-merge left as they were,
    and packs only the others; what it gives the next operation is still what the file reads."""
    packed: list[int] = []
    real = sheet_memo._pack_column

    def pack(values):
        packed.append(len(values))
        return real(values)

    monkeypatch.setattr(sheet_memo, "_pack_column", pack)
    pipeline.on_disk("merge", messy)
    first = len(packed)
    assert first == len(ROSTER_COLUMNS) + len(PROBLEM_COLUMNS)
    pipeline.on_disk("merge", messy)                       # nothing new: nothing packed
    assert len(packed) == first
    write_openpyxl(messy.inbox / "东湖社区.xlsx", _east(phone="13912345678"))
    pipeline.on_disk("merge", messy)                       # one phone fixed
    assert 1 <= len(packed) - first <= 3
    later = FileBook(Campaign.open(messy.root))
    for sheet, columns in ((Sheet.ROSTER, ROSTER_COLUMNS), (Sheet.PROBLEMS, PROBLEM_COLUMNS)):
        assert later._known(sheet) is not None
        pd.testing.assert_frame_equal(later.frame(sheet, columns),
                                      workbook_io.read_frame(messy.workbook, sheet, columns))


@pytest.mark.slow
@pytest.mark.parametrize("change", ["one more", "one fewer"])
def test_rows_that_moved_are_written(messy, tmp_path, rows_written, change):
    pipeline.on_disk("merge", messy)
    pipeline.on_disk("merge", messy)
    before = workbook_io.read_roster(messy.workbook)
    rows = _west()
    if change == "one more":
        rows.insert(3, [0, *person(150, "低保")])
    else:
        del rows[3]
    write_csv(messy.inbox / "西湖社区名单.csv", rows)
    pipeline.on_disk("merge", messy)
    after = workbook_io.read_roster(messy.workbook)
    assert len(after) == len(before) + (1 if change == "one more" else -1)
    moved = next(i for i, (a, b) in enumerate(zip(before["身份证号"], after["身份证号"])) if a != b)
    assert rows_written["writes"] == 2 and rows_written["copied"] >= moved > 0
    assert rows_written["written"] >= len(after) - rows_written["copied"] > 0
    _assert_as_from_scratch(messy, tmp_path, change)


@pytest.mark.slow
def test_after_the_clerks_edit_every_row_is_written(messy, tmp_path, rows_written):
    pipeline.on_disk("merge", messy)
    _clerk_notes(messy, {2: " 手改 ", 3: "=1+1", 4: 12345678901234567890, 5: dt.date(2027, 1, 2)})
    pipeline.on_disk("merge", messy)                        # the edited 名册 is read: no copy
    assert rows_written["writes"] == 0
    _assert_as_from_scratch(messy, tmp_path, "edited")
    write_openpyxl(messy.inbox / "东湖社区.xlsx", _east(phone="13912345678"))
    pipeline.on_disk("merge", messy)                        # its notes now copied with the rows
    assert rows_written["writes"] == 1 and rows_written["copied"] > rows_written["written"] > 0
    _assert_as_from_scratch(messy, tmp_path, "after")


#: a value → another that reads back the same but is written otherwise: never copied for it
RESPELLED: list[tuple[Any, Any]] = [
    (3, 3.0), (True, 1.0), (1.0, True), ("  ", None), (None, "  "), ("１２３４", "1234"),
    ("1234", 1234.0), ("x\r\ny", "x\ny"), ("\x01bad", "bad"), (np.int64(5), 5.0),
]


@pytest.mark.parametrize("chunks", ["as shipped", "small"])
def test_a_copied_row_is_the_row_a_fresh_write_makes(campaign, tmp_path, rows_written,
                                                     monkeypatch, chunks):
    if chunks == "small":         # a row cut across reads, and rows written a few at a time
        monkeypatch.setattr(sheet_splice, "_BIG", 97)
        monkeypatch.setattr(sheet_splice, "_CHUNK", 7)
        monkeypatch.setattr(sheet_splice, "_HEAD", 300)
    plain = [v for v in ODD_VALUES if not isinstance(v, float) or v == v]
    plain += [f"户{i}" for i in range(10)]
    first = [*plain, *(a for a, _ in RESPELLED)]
    second = [*plain, *(b for _, b in RESPELLED)]
    n = len(first)

    def roster(values: list[Any]) -> pd.DataFrame:
        return pd.DataFrame({"备注": values, "身份证号": values, "地址": [str(v) for v in first],
                             "来源行": range(n)})

    FileBook(campaign).write(Writes.results(roster=roster(first)))
    fresh = _scratch_copy(campaign, tmp_path / "fresh")
    later = FileBook(Campaign.open(campaign.root))
    read_roster(later)                                     # 名册 as it reads back, from the memo
    later.write(Writes.results(roster=roster(second)))
    FileBook(fresh).write(Writes.results(roster=roster(second)))
    assert rows_written["writes"] == 1 and rows_written["written"] >= len(RESPELLED)
    assert rows_written["copied"] >= 10
    assert _roster_part(campaign.workbook) == _roster_part(fresh.workbook)
    _assert_same_workbook(_sheets(campaign.workbook), _sheets(fresh.workbook))
    load_workbook(campaign.workbook, keep_vba=True)


def test_rows_are_not_copied_from_a_sheet_changed_since(campaign, rows_written, monkeypatch):
    roster = pd.DataFrame({"户主姓名": ["张三", "李四"], "身份证号": [person_id(1), person_id(2)]})
    FileBook(campaign).write(Writes.results(roster=roster))
    later = FileBook(Campaign.open(campaign.root))
    read_roster(later)
    _clerk_notes(campaign, {1: "改过"})                     # saved after 名册 was read
    later.write(Writes.results(roster=roster))
    assert rows_written["writes"] == 0
    assert workbook_io.read_roster(campaign.workbook)["备注"].tolist() == [None, None]


def test_rows_are_copied_only_as_this_writer_numbers_them():
    """The old part's rows are taken only while each is <row r="N"> with the number expected;
    anything else (a row missing, another writer's attributes) ends the copying there."""
    def part(*rows: bytes) -> list[bytes]:
        data = b"".join(rows)
        return [data[i:i + 5] for i in range(0, len(data), 5)]      # rows cut across reads

    one, two = b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="2"></row>'
    four = b'<row r="4"><c r="A4"><v>4</v></c></row>'
    assert sheet_splice._OldRows(iter(part(one, two, four))).take(2, 3) == [b'<row r="2">']
    assert sheet_splice._OldRows(iter(part(one, b'<row r="2" spans="1:1"></row>'))).take(2, 1) == []
    assert sheet_splice._OldRows(iter(part(one, two))).take(2, 1) == [b'<row r="2">']


@pytest.mark.parametrize("size", [1, 3, 5, 11, 64, 10_000])
def test_stretches_of_rows_are_found_however_the_part_is_cut(size):
    """A stretch of rows copied whole is the part's very bytes, found by the numbers of its
    first row and of the row after it, wherever the reads cut a tag."""
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n * 7) for n in range(1, 30)]
    data = b"".join(rows)

    def part() -> Iterator[bytes]:
        return iter([data[i:i + size] for i in range(0, len(data), size)])

    old = sheet_splice._OldRows(part())
    assert old.span(2, 3) == b"".join(rows[1:4])
    assert old.span(10, 5) == b"".join(rows[9:14])             # rows 5–9 passed over
    assert old.take(15, 2) == [r[:-len(b"</row>")] for r in rows[14:16]]
    assert old.span(17, 13) == b"".join(rows[16:])              # the part's last rows
    assert sheet_splice._OldRows(part()).span(25, 6) is None    # more rows than the part has


def test_a_stretch_is_not_copied_unless_every_row_is_there_as_written():
    one, two, three = (b'<row r="1"></row>', b'<row r="2"><c r="A2"><v>2</v></c></row>',
                       b'<row r="3"></row>')
    cases = [[one, three],                                      # row 2 missing
             [one, b'<row r="2" spans="1:1"></row>', three],     # another writer's row
             [one, two, b'<c r="A9"/>', three],                  # something between rows
             [one, two + b"<row ", three]]                        # a row not closed
    for rows in cases:
        old = sheet_splice._OldRows(iter([b"".join(rows)]))
        assert old.span(2, 1) is None
        assert old.span(3, 1) is None and old.take(3, 1) == []  # and nothing after it


@pytest.mark.slow
def test_a_corrected_file_that_links_units_is_checked_as_a_whole_merge_checks_it(
        messy, tmp_path, monkeypatch):
    """The corrected file brings a household 青山村 lists too, a phone of 东湖社区's and drops
    a row: the re-merge checks again only the rows these reach (checks/reuse.py), and the
    workbook is the one a merge from scratch makes."""
    pipeline.on_disk("merge", messy)
    west = _west()
    west.append([len(west), *person(201)])                       # 青山村's household
    west[3][5] = person(5)[4]                                     # 东湖社区's phone
    del west[6]
    write_csv(messy.inbox / "西湖社区名单.csv", west)
    checked: list[int] = []
    real = reuse.run_checks_slotted
    monkeypatch.setattr(reuse, "run_checks_slotted",
                        lambda r, s, **k: checked.append(len(r)) or real(r, s, **k))
    pipeline.on_disk("merge", messy)
    roster = workbook_io.read_roster(messy.workbook)
    assert len(checked) == 1 and 2 <= checked[0] < len(roster) // 2
    assert "重复" in set(roster.loc[roster["户主姓名"] == person(201)[0], "状态"])
    _assert_same_workbook(_sheets(messy.workbook), _from_scratch(messy, tmp_path))


@pytest.mark.slow
def test_a_re_merge_looks_up_only_the_region_codes_the_last_check_did_not(
        messy, tmp_path, monkeypatch):
    """stdnum's table of region codes (~0.1 s to load in each process) is asked only for a code
    the memo's last check did not look up; the answers are a merge from scratch's."""
    pipeline.on_disk("merge", messy)
    looked: list[str] = []
    real = ids._in_table
    monkeypatch.setattr(ids, "_REGIONS", {})                     # as in a new process
    monkeypatch.setattr(ids, "_in_table", lambda code: looked.append(code) or real(code))
    west = _west()
    west[3][5] = "13912345678"
    write_csv(messy.inbox / "西湖社区名单.csv", west)
    pipeline.on_disk("merge", messy)
    assert looked == []
    body = "990106" + person_id(104)[6:17]                       # a region no table knows
    west[5][2] = body + ric.calc_check_digit(body + "0")
    write_csv(messy.inbox / "西湖社区名单.csv", west)
    pipeline.on_disk("merge", messy)
    assert looked == ["990106"]
    assert "990106" in str(workbook_io.read_problems(messy.workbook).to_numpy().tolist())
    _assert_same_workbook(_sheets(messy.workbook), _from_scratch(messy, tmp_path))
