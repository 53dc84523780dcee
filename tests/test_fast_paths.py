"""The faster paths write exactly what the plain ones do (timings are never asserted here).

- sheet_splice: a DataFrame is written column by column; its XML equals the cell-by-cell path's
  for every kind of value a roster can hold.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from weiwen import sheet_splice as S

_DATES = {S.DATE_FORMAT: "7", S.DATETIME_FORMAT: "8"}
_OLD = b'<worksheet><dimension ref="A1"/><sheetData/></worksheet>'


def _mixed(rows: int) -> pd.DataFrame:
    values = ["张三", "", None, "a&b<c>", "=1+1", "+86", "-", "@x", "x\x01y", "\x02", " 前后空格 ",
              1, 0, -3, 2.5, 700.0, float("nan"), math.inf, -math.inf, True, False,
              np.int64(7), np.float64(1.25), np.nan, pd.NA, pd.NaT, dt.date(2027, 1, 20),
              dt.datetime(2027, 1, 20, 8, 30), pd.Timestamp("2027-02-01"), "330106195001011234",
              "𠮷字", "\ufffe", 10 ** 20]
    data = {f"列{j}": [values[(i * 7 + j * 3) % len(values)] for i in range(rows)]
            for j in range(9)}
    frame = pd.DataFrame(data, dtype=object)
    frame["文本"] = pd.array([None if i % 5 == 0 else f"行{i}" for i in range(rows)], dtype="string")
    frame["数字"] = np.arange(rows, dtype="int64")
    frame["小数"] = np.linspace(0, 1, rows)
    return frame


def _xml(table) -> bytes:
    return b"".join(S._new_sheet_xml(_OLD, table, _DATES))


def test_frames_are_written_as_cell_by_cell(monkeypatch):
    monkeypatch.setattr(S, "_CHUNK", 7)                  # several chunks, one ragged
    frame = _mixed(40)
    header = [str(c) for c in frame.columns]
    fast = _xml(S.as_table(frame))
    plain = _xml((header, frame.itertuples(index=False, name=None), len(frame), len(header)))
    assert fast == plain
    assert b"=1+1" in fast and b"<f>" not in fast            # text, never a formula
    assert b"a&amp;b&lt;c&gt;" in fast and b"\x01" not in fast


# --- workbook_io.frame_from_rows: the plain definition, cell by cell ----------------------------

def _reference_frame(rows, columns):
    from weiwen.names import TEXT_COLUMNS
    from weiwen.values import is_blank, to_text
    header = [to_text(v) for v in rows[0]] if rows else []
    body = [r for r in rows[1:] if any(not is_blank(v) for v in r)]
    data = {}
    for column in columns:
        i = header.index(column) if column in header else None
        values = [r[i] if i is not None and i < len(r) else None for r in body]
        text = column in TEXT_COLUMNS
        data[column] = [None if is_blank(v) else (to_text(v) if text else v) for v in values]
    return pd.DataFrame(data, columns=list(columns), dtype=object)


def test_frame_from_rows_equals_the_cell_by_cell_definition():
    from weiwen.names import ROSTER_COLUMNS
    from weiwen.workbook_io import frame_from_rows
    header = ["户主姓名", "身份证号", "联系电话", "家庭人口", "备注", "", "额外"]
    cells = ["", " ", "\t", None, float("nan"), "张三", " 李 四 ", "ＡＢＣ１２３", "330106 1950",
             12345678901.0, 3, 2.0, True, dt.date(2027, 1, 1), "  a   b ", "１３８ ０００"]
    rows = [header] + [[cells[(i * 5 + j * 3) % len(cells)] for j in range(i % 8)]
                       for i in range(300)]
    rows += [[], [None] * 7, ["", "", "", "", "", "", "x"]]
    for sample in (rows, rows[:1], [], [["身份证号"], [1.0], ["  "]]):
        pd.testing.assert_frame_equal(frame_from_rows(sample, ROSTER_COLUMNS),
                                      _reference_frame(sample, ROSTER_COLUMNS))


# --- checks.duplicates.near_address_pairs: blocks of two without a score matrix --------------

def test_near_address_pairs_equal_the_all_pairs_definition():
    import random

    from rapidfuzz import fuzz

    from weiwen.checks.duplicates import near_address_pairs
    from weiwen.names import Col
    rng = random.Random(7)
    names = ["王芳", "李伟", "张敏", "刘洋"]
    streets = ["文一路", "文二路", "文一西路", "学院路"]
    rows = []
    for i in range(400):
        rows.append({Col.NAME: rng.choice(names), Col.SEQ: i + 1, Col.STATUS: "有效",
                     Col.ADDRESS: f"{rng.choice(streets)}{rng.randint(1, 3)}号{rng.choice(['', '一单元', '1单元'])}"})
    roster = pd.DataFrame(rows)
    got = sorted(near_address_pairs(roster))
    from weiwen.checks.duplicates import normal_address
    address = normal_address(roster[Col.ADDRESS])
    numbers = address.str.findall(r"\d+").str.join("-")
    want = sorted((a, b) for a in roster.index for b in roster.index if a < b
                  and roster[Col.NAME][a] == roster[Col.NAME][b] and numbers[a] == numbers[b]
                  and fuzz.ratio(address[a], address[b]) >= 85)
    assert got == want and len(got) > 10
