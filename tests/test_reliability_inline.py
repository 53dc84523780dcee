"""Small returns read in this process (intake/inline.py) instead of a reader process: the hostile
corpus proves that what may panic, abort, eat memory or hang a reader never is, that what is read
here reads exactly as in a reader, and that a whole run over the small hostile files still
accounts for every file."""
from __future__ import annotations

import pickle
import re
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from weiwen.intake import inline, pool

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402
from corpus import People, write_raw_xlsx  # noqa: E402
from test_reliability_hostile import check_case, run_corpus  # noqa: E402

pytestmark = pytest.mark.reliability

#: files that abort, panic, blow up or need the sparse reader in a reader process: never read here
NEVER_HERE = {"far_xlsb", "xlsb_panic", "ods_dos", "far_H1048576", "far_XFD1048576", "far_xls",
              "entity_expansion", "xls_xor", "xls_rc4", "et_biff8", "biff2", "biff3", "biff4",
              "xlsb_chart", "ods_real", "ods", "docx_named_xlsx", "csv_line_2mb",
              *(f"trunc_{k}_{p}" for k in ("xlsx", "xls") for p in (10, 50, 90)),
              *(f"flip_{k}_{s}" for k in ("xlsx", "xls") for s in (1, 2, 3))}
#: plain returns in every form a unit sends: read here
HERE = {"xltx", "et_ooxml", "xlsx_named_xls", "tsv_named_xls", "utf16_txt", "gb18030_csv",
        "declared_dimension", "xlsm_xlm", "html_xls", "xml2003_xls"}
QUICK = hostile.available(slow=False)


def _same(a: pool.Outcome, b: pool.Outcome) -> bool:
    return a.reason == b.reason and pickle.dumps(a.data) == pickle.dumps(b.data)


@pytest.mark.slow
@pytest.mark.parametrize("case", QUICK, ids=[c.key for c in QUICK])
def test_each_hostile_file_alone(tmp_path, case):
    """Alone (a batch small enough to be read here), each file of NEVER_HERE goes to a reader,
    each of HERE is read here, and every file reads exactly as a reader reads it."""
    hostile.write(tmp_path, [case])
    path = tmp_path / case.filename
    here, there = inline.split([path])
    if case.key in NEVER_HERE:
        assert here == [] and there == [path], case.key
    if case.key in HERE:
        assert here == [path], case.key
    assert _same(pool.read_files([path])[path], pool.read_files([path], pool.Limits(inline=0))[path])


def test_a_dozen_small_returns_are_read_here_and_read_the_same(tmp_path):
    paths = []
    for i in range(12):
        path = tmp_path / f"村{i}名单.xlsx"
        write_raw_xlsx(path, [["名单"], hostile.HEADER, *People(i).rows(f"村{i}", 150)])
        paths.append(path)
    (tmp_path / "石桥村名单.csv").write_bytes(
        "\n".join(",".join(map(str, r)) for r in [hostile.HEADER, *People(99).rows("石桥村", 50)])
        .encode("gb18030"))
    paths.append(tmp_path / "石桥村名单.csv")
    here, there = inline.split(paths)
    assert here == paths and there == []
    read_here = pool.read_files(paths)
    in_readers = pool.read_files(paths, pool.Limits(inline=0))
    assert all(_same(read_here[p], in_readers[p]) for p in paths)
    assert [len(read_here[p].data.sheets[0].rows) for p in paths] == [152] * 12 + [51]


def test_a_batch_over_the_limit_goes_to_the_readers(tmp_path):
    """A district's inbox keeps both cores busy in the readers; so does a single larger file."""
    small = tmp_path / "小村名单.xlsx"
    write_raw_xlsx(small, [hostile.HEADER, *People(1).rows("小村", 20)])
    assert inline.split([small]) == ([small], [])
    assert inline.split([small], batch=small.stat().st_size - 1) == ([], [small])
    big = tmp_path / "大村名单.xlsx"
    write_raw_xlsx(big, [hostile.HEADER, *People(2).rows("大村", 8000)])
    assert big.stat().st_size > inline.SMALL_FILE
    assert inline.split([small, big], batch=10 * inline.SMALL_BATCH) == ([small], [big])
    assert pool.read_files([small], pool.Limits(inline=0))[small].data is not None  # readers alone


def _shared_strings_return(path: Path) -> None:
    """A return as Excel saves it: text in xl/sharedStrings.xml (XlsxWriter writes it so)."""
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet("名单")
    for r, row in enumerate([hostile.HEADER, *People(3).rows("共享村", 10)]):
        sheet.write_row(r, 0, row)
    wb.close()


def _rewrite(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _declare_size(path: Path, member: str, change) -> None:
    """Change the uncompressed size the zip's central directory declares for `member`."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        at = z.start_dir
    while data[at:at + 4] == b"PK\x01\x02":
        n, m, k = (int.from_bytes(data[at + i:at + i + 2], "little") for i in (28, 30, 32))
        if data[at + 46:at + 46 + n].decode() == member:
            size = int.from_bytes(data[at + 24:at + 28], "little")
            data[at + 24:at + 28] = change(size).to_bytes(4, "little")
            path.write_bytes(bytes(data))
            return
        at += 46 + n + m + k
    raise AssertionError(f"{member} not in {path}")


def test_forged_shared_strings_and_a_lying_zip_are_left_to_the_readers(tmp_path):
    honest = tmp_path / "共享村名单.xlsx"
    _shared_strings_return(honest)
    assert inline.safe_here(honest)
    forged = tmp_path / "伪造村名单.xlsx"
    _shared_strings_return(forged)
    _rewrite(forged, "xl/sharedStrings.xml",
             lambda xml: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', xml))
    assert not inline.safe_here(forged)
    # a member that unzips to more than the directory declares (calamine would read on)
    lying = tmp_path / "谎报村名单.xlsx"
    _shared_strings_return(lying)
    _declare_size(lying, "xl/worksheets/sheet1.xml", lambda size: size // 2)
    assert not inline.safe_here(lying)
    doubled = tmp_path / "双份村名单.xlsx"
    _shared_strings_return(doubled)
    with zipfile.ZipFile(doubled, "a") as z, pytest.warns(UserWarning, match="Duplicate"):
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    assert not inline.safe_here(doubled)


def _sheets_with_far_cells(path: Path, sheets: int) -> None:
    """Sheets of two cells each, A1 and P30000: a grid of 480,000 cells per sheet for calamine."""
    wb = xlsxwriter.Workbook(str(path))
    for i in range(sheets):
        sheet = wb.add_worksheet(f"表{i + 1}")
        sheet.write(0, 0, "户主姓名")
        sheet.write(29_999, 15, "备注")
    wb.close()


def test_the_grids_of_all_sheets_together_are_bounded(tmp_path):
    """A small file whose sheets each look harmless but whose grids add up to millions of cells
    would fill this process's memory: it is left to a reader."""
    one, many = tmp_path / "一表村名单.xlsx", tmp_path / "多表村名单.xlsx"
    _sheets_with_far_cells(one, 1)
    _sheets_with_far_cells(many, 8)
    assert many.stat().st_size < inline.SMALL_FILE
    assert inline.safe_here(one) and not inline.safe_here(many)


@pytest.mark.slow
def test_the_run_over_the_small_hostile_files_reads_some_here(tmp_path, monkeypatch):
    """`weiwen run` over the quick corpus without its one large file: the safe files are read
    here, the others in readers, and every file is merged or named as in the readers."""
    splits, real = [], inline.split

    def spy(paths, batch=inline.SMALL_BATCH):
        splits.append(real(paths, batch))
        return splits[-1]
    monkeypatch.setattr(pool.inline, "split", spy)
    cases = [c for c in QUICK if c.key != "csv_line_2mb"]      # together under SMALL_BATCH
    run = run_corpus(tmp_path / "活动", cases)
    here = splits[0][0]
    assert {p.name for p in here} >= {c.filename for c in cases if c.key in HERE}
    assert not {p.name for p in here} & {c.filename for c in cases if c.key in NEVER_HERE}
    assert "Traceback" not in run.result.output and "panicked" not in run.result.output
    for case in cases:
        check_case(run, case)
