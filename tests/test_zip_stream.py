"""The workbook's big parts deflated and inflated on a second thread (zip_stream.py): the file is
byte for byte what one thread writes, an error on either thread reaches the caller (the workbook
left as it was, no temp file kept), and no thread outlives the write."""
from __future__ import annotations

import contextlib
import functools
import io
import random
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from weiwen import sheet_splice as S
from weiwen import zip_stream as Z
from weiwen.errors import CampaignError
from weiwen.names import PROBLEM_KINDS_SHEET
from weiwen.workbook_io import write_frames
from zip_parts import local_headers, zip64


def _ours() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in (Z.WRITER, Z.READER)]


@pytest.fixture
def small_pieces(monkeypatch):
    """Many pieces on each side of the threads (a 20,000-row sheet is a few MB): parts over
    16 kB are streamed, read 16 kB at a time and handed over 64 kB at a time."""
    monkeypatch.setattr(S, "_BIG", 1 << 14)
    monkeypatch.setattr(Z, "GROUP", 1 << 16)


def _one_thread(monkeypatch) -> None:
    """The splice as it was on one thread: each chunk written as it is made, the old part read
    as it is used."""
    def write_all(out, chunks):
        for chunk in chunks:
            out.write(chunk)

    @contextlib.contextmanager
    def read_ahead(part, size):
        yield iter(functools.partial(part.read, size), b"")

    monkeypatch.setattr(S, "write_all", write_all)
    monkeypatch.setattr(S, "read_ahead", read_ahead)


def _workbook(path: Path) -> Path:
    wb = Workbook()
    wb.active.title = "名册"
    wb.create_sheet("问题")
    big = wb.create_sheet("说明")             # a clerk's own large sheet, copied as it is
    rng = random.Random(7)
    for r in range(1, 3001):
        big.append([f"第{r}行", rng.randrange(10 ** 9), "备注" * (r % 5)])
    wb.save(path)
    return path


def _roster(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = random.Random(seed)
    return pd.DataFrame({
        "单位": [f"第{i % 40}社区" for i in range(rows)],
        "户主姓名": [rng.choice("张王李赵刘陈") + rng.choice("伟芳娜敏静") for _ in range(rows)],
        "身份证号": [f"{rng.randrange(10 ** 17, 10 ** 18)}" for _ in range(rows)],
        "家庭人口": [rng.randrange(1, 6) for _ in range(rows)],
        "金额": [rng.choice([550.0, 900.0, 700.0]) for _ in range(rows)],
        "地址": [f"幸福路{rng.randrange(1000)}号 & {i}" for i in range(rows)],
    }, dtype=object)


def _writes(book: Path, tmp_path: Path, tag: str) -> list[bytes]:
    """The files of three writes in a row: 名册 and 问题 fresh (问题分类 added), then 名册 again
    with most rows copied from the part it replaces, then only 问题 (名册 streamed across)."""
    first, second, third = (tmp_path / f"{tag}{n}.xlsx" for n in (1, 2, 3))
    roster = _roster(20_000)
    S.splice_frames(book, first, {"名册": roster, "问题": _roster(500, seed=2),
                                  PROBLEM_KINDS_SHEET: [["问题类型"], ["重复"]]})
    changed = roster.copy()
    changed.loc[[5, 9_000, 19_999], "金额"] = 1100.0
    same = np.ones(len(changed), dtype=bool)
    same[[5, 9_000, 19_999]] = False
    S.splice_frames(first, second, {"名册": changed},
                    copy={"名册": S.CopyRows(same, lambda archive: True)})
    S.splice_frames(second, third, {"问题": _roster(300, seed=3)})
    return [p.read_bytes() for p in (first, second, third)]


def test_the_workbook_is_byte_for_byte_what_one_thread_writes(tmp_path, monkeypatch,
                                                              small_pieces):
    book = _workbook(tmp_path / "Weiwen.xlsx")
    threaded = _writes(book, tmp_path, "threaded")
    _one_thread(monkeypatch)
    alone = _writes(book, tmp_path, "alone")
    assert [len(f) for f in threaded] == [len(f) for f in alone]
    assert threaded == alone
    with zipfile.ZipFile(io.BytesIO(threaded[1])) as archive:
        part = archive.read(S.sheet_paths(archive)["名册"])
        archive.testzip()                                        # every CRC as stored
    assert part.count(b"<row ") == 20_001 and b"<v>1100.0</v>" in part
    assert _ours() == []


class _Boom:
    """A value whose text cannot be made: the rows' producer fails half-way through the sheet."""

    def __str__(self) -> str:
        raise RuntimeError("boom")


def test_a_failure_making_the_rows_reaches_the_caller_and_leaves_the_workbook(tmp_path,
                                                                            small_pieces):
    book = _workbook(tmp_path / "Weiwen.xlsx")
    before = book.read_bytes()
    roster = _roster(20_000)
    roster.loc[12_000, "地址"] = _Boom()
    with pytest.raises(RuntimeError, match="boom"):
        write_frames(book, tmp_path, {"名册": roster})
    assert book.read_bytes() == before
    assert not list(tmp_path.glob(".~tmp-*"))
    assert _ours() == []


def test_a_failure_while_the_old_rows_are_read_ahead_stops_the_reader(tmp_path, small_pieces):
    book = _workbook(tmp_path / "Weiwen.xlsx")
    first = tmp_path / "first.xlsx"
    roster = _roster(20_000)
    S.splice_frames(book, first, {"名册": roster})
    changed = roster.copy()
    changed.loc[4_100, "地址"] = _Boom()
    same = np.ones(len(changed), dtype=bool)
    same[4_100] = False
    with pytest.raises(RuntimeError, match="boom"):        # the old part not read to its end
        S.splice_frames(first, tmp_path / "second.xlsx", {"名册": changed},
                        copy={"名册": S.CopyRows(same, lambda archive: True)})
    assert _ours() == []


def test_a_failed_write_on_the_writer_thread_reaches_the_caller(tmp_path):
    resource = pytest.importorskip("resource")
    book = _workbook(tmp_path / "Weiwen.xlsx")
    before = book.read_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # a file may not grow past 1 MB (Python ignores SIGXFSZ: the write fails with EFBIG); the
    # workbook (~60 kB) and its backup fit, 名册's random IDs deflate to far more
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, hard))
    try:
        with pytest.raises(CampaignError) as raised:
            write_frames(book, tmp_path, {"名册": _roster(60_000)})
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    # the writer thread's error, then the entry's close (zipfile flushes the compressor) fails alike
    chain = list(_chain(raised.value.__cause__))
    assert all(isinstance(e, OSError) for e in chain)
    assert any("drain" in _functions(e) for e in chain)
    assert book.read_bytes() == before
    assert not list(tmp_path.glob(".~tmp-*"))
    assert _ours() == []


def _chain(error):
    """An exception and those it was raised while handling."""
    while error is not None:
        yield error
        error = error.__context__


def _functions(error) -> list[str]:
    tb, names = error.__traceback__, []
    while tb is not None:
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return names


def test_write_all_raises_what_either_side_raised_and_ends_its_thread():
    class Full(io.BytesIO):
        def write(self, data):
            if self.tell() + len(data) > 100:
                raise OSError(28, "No space left on device")
            return super().write(data)

    def chunks(n):
        for i in range(n):
            yield bytes([i % 256]) * 30

    out = io.BytesIO()
    Z.write_all(out, chunks(1000))
    assert out.getvalue() == b"".join(chunks(1000))
    with pytest.raises(OSError, match="No space"):
        Z.write_all(Full(), chunks(1000))
    assert _ours() == []

    def failing():
        yield from chunks(10)
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        Z.write_all(io.BytesIO(), failing())
    assert _ours() == []


def test_read_ahead_gives_the_part_in_order_and_its_thread_ends_when_left_early():
    data = bytes(range(256)) * 1000
    with Z.read_ahead(io.BytesIO(data), 1000) as chunks:
        assert b"".join(chunks) == data
    with Z.read_ahead(io.BytesIO(data), 100) as chunks:
        assert next(chunks) == data[:100]                  # the reader now waits on a full queue
    assert _ours() == []

    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= 500:
                raise zipfile.BadZipFile("Bad CRC-32")
            return super().read(size)

    with pytest.raises(zipfile.BadZipFile), Z.read_ahead(Broken(data), 100) as chunks:
        for _ in chunks:
            pass
    assert _ours() == []


def test_the_workbook_is_zipped_without_zip64(campaign, small_pieces):
    """Sheets streamed in (size unknown beforehand), streamed across and added carry no ZIP64
    sizes in their local headers: the zip is laid out as openpyxl and XlsxWriter lay theirs."""
    roster = pd.DataFrame({"户主姓名": [f"户{i}" for i in range(3000)],
                           "地址": [f"幸福路{i}号" * 3 for i in range(3000)]})
    write_frames(campaign.workbook, campaign.root, {"名册": roster, "问题": roster.head(10)})
    write_frames(campaign.workbook, campaign.root, {"问题": roster.head(5)})   # 名册 streamed across
    headers = local_headers(campaign.workbook)
    assert any(h.name.endswith("sheet6.xml") for h in headers)
    assert [h for h in headers if zip64(h)] == []
