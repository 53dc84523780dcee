"""The faster paths write exactly what the plain ones do (timings are never asserted here).

- sheet_splice: a DataFrame is written column by column; its XML equals the cell-by-cell path's
  for every kind of value a roster can hold.
- xlsx.Parallel: the writer process writes the same files; each file's sheets are let go once it
  is written, and what the process never wrote is written here.
"""
from __future__ import annotations

import datetime as dt
import math

import pytest
import numpy as np
import pandas as pd

from weiwen.values import own_copy
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


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_the_old_sheet_read_a_chunk_at_a_time_keeps_all_around_its_rows(chunk):
    def pieces(data):                                   # the part as read: tags cut across chunks
        return (data[i:i + chunk] for i in range(0, len(data), chunk))
    old = (b'<x:worksheet xmlns:x="m"><x:cols><x:col min="1" max="2" width="12"/></x:cols>'
           b'<x:dimension ref="A1:B3"/><x:sheetData><x:row r="1"><x:c r="A1" s="3" t="s"><x:v>0'
           b'</x:v></x:c></x:row>' + b'<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c></x:row>' * 50
           + b'</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A2:B2"/></x:mergeCells>'
           b'<x:dataValidations count="0"/></x:worksheet>')
    table = S.as_table(pd.DataFrame({"甲": ["a"], "乙": [2]}))
    expected = (b'<x:worksheet xmlns:x="m"><x:cols><x:col min="1" max="2" width="12"/></x:cols>'
                b'<dimension ref="A1:B2"/><sheetData>'
                + '<row r="1"><c r="A1" s="3" t="inlineStr"><is><t xml:space="preserve">甲</t></is>'
                  '</c><c r="B1" s="3" t="inlineStr"><is><t xml:space="preserve">乙</t></is></c>'
                  '</row>'.encode()
                + b'<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">a</t></is></c>'
                  b'<c r="B2"><v>2</v></c></row></sheetData>'
                  b'<x:dataValidations count="0"/></x:worksheet>')
    assert b"".join(S._new_sheet_xml(old, table, _DATES)) == expected
    assert b"".join(S._new_sheet_xml(pieces(old), table, _DATES)) == expected
    empty = b'<worksheet><sheetData/><dataValidations/></worksheet>'
    assert b"".join(S._new_sheet_xml(pieces(empty), table, _DATES)).endswith(
        b"</row></sheetData><dataValidations/></worksheet>")


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


def test_a_sheet_read_a_chunk_of_rows_at_a_time_makes_the_same_frame(tmp_path, monkeypatch):
    import xlsxwriter
    from weiwen import workbook_io
    from weiwen.names import ROSTER_COLUMNS
    monkeypatch.setattr(workbook_io, "_CHUNK", 20)     # several chunks, one ragged
    header = ["序号", "单位", "户主姓名", "身份证号", "类别", "家庭人口", "金额"]
    units = ["东湖社区", "西湖村", " 南山社区 "]
    rows = [header] + [[i, units[i % 3], f"张{i}", f"33010619500101{i:04d}", "低保", 1 + i % 3,
                        700.0] if i % 11 else [] for i in range(1, 60)]
    for first in ((0, 0), (2, 1)):                     # from A1, and a sheet that starts lower
        path = tmp_path / f"{first}.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("名册")
        for r, row in enumerate(rows):
            sheet.write_row(first[0] + r, first[1], row)
        book.close()
        frame = workbook_io.read_roster(path)
        expected = workbook_io.frame_from_rows(workbook_io.read_sheets(path, ["名册"])["名册"],
                                               ROSTER_COLUMNS)
        pd.testing.assert_frame_equal(frame, expected)
        if first == (0, 0):
            pd.testing.assert_frame_equal(frame, _reference_frame(rows, ROSTER_COLUMNS))
            assert len(frame) == 54
            # a column of few distinct texts holds one string object for each
            assert len({id(v) for v in frame["单位"]}) == 3
    assert workbook_io.sheet_rows(path, "没有这张表") is None


# --- checks.duplicates.near_address_pairs: blocks of two without a score matrix --------------

@pytest.mark.slow
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



# --- the checks' fast paths: each gives what its plain definition gives on messy cells ---------

#: cells as a roster carries them: read back (None, float), merged (int, str), typed by hand
_MESSY = [None, float("nan"), np.nan, pd.NA, pd.NaT, "", " ", "\u3000", "\t张三 ", "张三", "李 四",
          3.0, 2.5, -0.0, 1e16, 7, np.int64(4), np.float64(6.0), np.float64("nan"), True,
          dt.date(2027, 1, 20), "１３８０００００００１", "138-0000-0001", "+86 138 0000 0001",
          "0571-8888 6666", " 330106195001011234 ", "33010619500101123x", "330106-19500101-1234",
          "３３０１０６１９５００１０１１２３４", "３３０１０６１９５００１０１１２３ｘ", "330106\u300019500101123X",
          "330106500101123", "٣٣٠١٠٦١٩٥٠٠١٠١١٢٣٤", "-", "--", "x", "ａｂｃ"]


def _messy_column(rows: int, shift: int) -> list:
    return [_MESSY[(i * 7 + shift) % len(_MESSY)] for i in range(rows)]


def test_text_column_equals_the_cell_by_cell_definition():
    from weiwen.values import text_column

    def plain(value):
        if type(value) is str:
            return value.strip()
        return "" if pd.isna(value) else str(value).strip()

    frame = pd.DataFrame({"混合": _messy_column(200, 0),
                          "数字": [float(i % 5) if i % 3 else None for i in range(200)]},
                         dtype=object)
    for column in frame:
        got = text_column(frame, column)
        assert got.tolist() == [plain(v) for v in frame[column].tolist()]


def test_texts_of_some_rows_equal_text_column_at_those_rows():
    """A re-merge compares the previous 名册 with the new one without making every cell text:
    texts_differ, text_at and text_of_few give what text_column gives, on cells that differ
    only in their blank (None, NaN, '') or in spaces, on columns of numbers, dates and of the
    str dtype, on a roster carrying the checks' texts, and on a column one side lacks."""
    from weiwen.values import TEXT_OF, text_at, text_column, text_of_few, texts_differ

    rows = 240
    messy = _messy_column(rows, 0)
    text = [v if isinstance(v, str) else None if i % 2 else float("nan")
            for i, v in enumerate(_messy_column(rows, 5))]
    a = pd.DataFrame({"混合": messy, "文本": text, "只有空": [None] * rows,
                      "数字": [float(i % 4) if i % 3 else None for i in range(rows)]}, dtype=object)
    a["str"] = pd.array(text, dtype="str")
    a["小数"] = np.linspace(0, 3, rows)
    a["日期"] = pd.date_range("2027-01-01", periods=rows, freq="D")
    b = a.copy()
    b["混合"] = _messy_column(rows, 1)           # another messy column beside it
    b["文本"] = [(f" {v}" if i % 3 else v) if isinstance(v, str) else "" if v is None else None
                 for i, v in enumerate(text)]
    b["只有空"] = ["" if i % 2 else float("nan") for i in range(rows)]
    b["str"] = b["文本"].astype("str")
    b[TEXT_OF + "数字"] = text_column(b, "数字")       # a roster as the checks carry it
    b = b.drop(columns=["小数"])
    rng = np.random.default_rng(1)
    at_a, at_b = rng.permutation(rows)[:150], rng.permutation(rows)[:150]
    for column in ["混合", "文本", "只有空", "数字", "str", "小数", "日期", "无此列"]:
        want_a = text_column(a, column).to_numpy(object)
        want_b = text_column(b, column).to_numpy(object)
        assert list(text_at(a, column, at_a)) == list(want_a[at_a])
        assert list(text_of_few(b, column)) == list(want_b)
        for x, y in ((a, b), (b, a), (a, a)):
            got = texts_differ(x, at_a, y, at_b, column)
            want = text_column(x, column).to_numpy(object)[at_a] \
                != text_column(y, column).to_numpy(object)[at_b]
            assert got.dtype == bool and list(got) == list(want), column
    # the blank and padded cells above differ as cells but not as text
    same = ~texts_differ(a, np.arange(rows), b, np.arange(rows), "文本")
    assert same.all() and not (a["文本"].to_numpy(object) == b["文本"].to_numpy(object)).all()


def test_repeated_among_a_pool_equals_repeated_of_the_pool():
    from weiwen.checks._base import repeated
    # text keys with gaps (None and NaN), as a check's key is text or NaN off its pool
    key = pd.Series([v if isinstance(v, str) else None if i % 2 else np.nan
                     for i, v in enumerate(_messy_column(120, 3))], index=range(1000, 1120),
                    dtype=object)
    for among in (pd.Series(True, index=key.index), pd.Series(False, index=key.index),
                  pd.Series([i % 3 != 0 for i in range(120)], index=key.index)):
        pooled = key.where(among)
        want = pooled.notna() & pooled.duplicated(keep=False)
        pd.testing.assert_series_equal(repeated(key, among), want)
        pd.testing.assert_series_equal(repeated(pooled), want)
    assert repeated(key).any() and not repeated(key.iloc[:0]).any()


def test_phone_digits_and_raw_ids_equal_their_regex_definitions():
    import re
    import unicodedata

    from weiwen.checks import ids as I
    from weiwen.checks._base import phone_digits
    from weiwen.names import Col
    from weiwen.values import text_column

    frame = pd.DataFrame({Col.PHONE: _messy_column(150, 1), Col.ID: _messy_column(150, 5)},
                         dtype=object)
    phones = text_column(frame, Col.PHONE)
    assert phone_digits(frame).tolist() == [re.sub(r"\D", "", v) for v in phones.tolist()]
    written = text_column(frame, Col.ID)
    raw = I.raw_ids(written)
    assert raw.tolist() == [re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", v)).upper()
                            for v in written.tolist()]
    for ids in (raw, raw[raw.str.isascii()], raw.iloc[:0]):
        want = ids.str.fullmatch(r"[0-9]{17}[0-9X]").astype(bool)
        pd.testing.assert_series_equal(I.well_formed_ids(ids), want, check_names=False)
    assert I.well_formed_ids(raw).sum() >= 3


def test_rows_of_a_standard_equal_mapping_each_category():
    from checks_helpers import office_settings

    from weiwen.checks.fields import _standard_is
    from weiwen.names import Col, Method, Payment
    settings = office_settings()
    categories = [s.category for s in settings.standards]
    frame = pd.DataFrame({Col.CATEGORY: [*categories, None, "", " 低保 ", "不存在", 3.0] * 5},
                         dtype=object)
    from weiwen.values import text_column
    for attr, value in (("payment", Payment.CARD), ("method", Method.BY_SIZE),
                        ("payment", Payment.CASH)):
        mapped = text_column(frame, Col.CATEGORY).map(
            {s.category: getattr(s, attr) for s in settings.standards}) == value
        got = _standard_is(frame, settings, attr, value)
        assert got.tolist() == mapped.tolist() and got.any()



def test_near_address_pairs_on_messy_addresses_equal_the_all_pairs_definition():
    """House numbers in other scripts, cut by them, long addresses, none at all: the pairs are
    those of comparing every two rows of a name."""
    import random
    import re

    from rapidfuzz import fuzz

    from weiwen.checks.duplicates import near_address_pairs, normal_address
    from weiwen.names import Col
    rng = random.Random(11)
    numbers = ["12", "１２", "١٢", "1٢", "12-3", "12 3", "123", "3-12", "", "0", "٣"]
    streets = ["文一路", "文一路 ", "学院路（东）", "长" * 90, "文一西路#", "长"]
    rows = []
    for i in range(500):
        address = f"{rng.choice(streets)}{rng.choice(numbers)}号{rng.choice(['', '1单元', '١单元'])}"
        name = "赵长" if address.startswith("长") else rng.choice(["王芳", "李伟", "张敏"])
        rows.append({Col.NAME: name, Col.SEQ: rng.choice([i, None]),
                     Col.STATUS: "有效", Col.ADDRESS: rng.choice([address] * 9 + [None, ""])})
    roster = pd.DataFrame(rows)
    address = normal_address(roster[Col.ADDRESS].fillna("").astype(str).str.strip())
    digits = [re.findall(r"\d+", a) for a in address]
    label = pd.Series([f"{n}|{'-'.join(d)}" for n, d in zip(roster[Col.NAME], digits)])
    got = sorted(tuple(sorted(pair)) for pair in near_address_pairs(roster))   # (序号 order)
    want = sorted((a, b) for a in roster.index for b in roster.index if a < b and address[a]
                  and label[a] == label[b] and fuzz.ratio(address[a], address[b]) >= 85)
    assert got == want and len(got) > 10


def test_normal_address_equals_its_definition():
    """An address of letters and digits in NFKC form is its own key: no character _PUNCT takes
    out is alphanumeric, and NFKC leaves it as it is (⑴ is alphanumeric but becomes (1))."""
    import re
    import sys
    import unicodedata

    from weiwen.checks.duplicates import _PUNCT, normal_address
    alphanumeric = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isalnum())
    assert _PUNCT.search(alphanumeric) is None
    addresses = ["幸福路12号", "幸福路１２号", "幸福路⑴号", "幸福路 12 号", "幸福路12号（东）", "",
                 "文一路12-3号", "Ａ栋", "e\u0301栋", "\uf900路", "٣号", "路\u3000号", "ｶﾞ", "#"]
    got = normal_address(pd.Series(addresses * 3, dtype="str"))
    assert got.tolist() == [re.sub(r"[\s,，.。、;；:：()（）\-—#]+", "",
                                   unicodedata.normalize("NFKC", a)) for a in addresses * 3]


# --- 签字确认表 written with XlsxWriter: the restyled template, the batch book, two processes ---

def _signoff_campaign(tmp_path):
    from outputs_helpers import small_campaign
    from weiwen import pipeline
    campaign = small_campaign(tmp_path / "活动")
    pipeline.on_disk("merge", campaign)
    pipeline.on_disk("amounts", campaign)
    return campaign


def _restyled_template(path):
    """The shipped layout restyled the way a clerk might in Excel: fonts, theme and indexed
    colours with tints, fills, borders, alignment, a number format, widths, heights, margins,
    a footer of their own."""
    from openpyxl.styles import Alignment, Border, Color, Font, PatternFill, Side

    from weiwen.outputs import signoff_template as T
    wb = T.build_template()
    ws = wb.active
    for cell in ws[3]:
        cell.font = Font(name="黑体", size=12, bold=True, italic=True, color=Color(theme=4, tint=0.4))
        cell.fill = PatternFill("solid", fgColor=Color(theme=9, tint=-0.25))
    for cell in ws[5]:
        side = Side(style="mediumDashed", color="FF1F4E79")
        cell.border = Border(left=side, right=side, top=Side(style="hair"), bottom=Side(style="double"))
        cell.alignment = Alignment(horizontal="right", vertical="top", wrap_text=True)
        cell.font = Font(name="仿宋", size=13, underline="single", color=Color(indexed=10))
    ws["F5"].number_format = '0.00"元"'
    ws["A1"].font = Font(name="微软雅黑", size=20, strike=True, color="FFC00000")
    ws.row_dimensions[1].height = 41.3
    ws.row_dimensions[5].height = 27.7
    ws.column_dimensions["C"].width = 25.3
    ws.column_dimensions["K"].width = 17.55
    ws.page_margins.left = ws.page_margins.right = 0.55
    ws.page_margins.top = 0.8
    ws.oddFooter.left.text = "民政办 制"
    ws.oddFooter.right.text = "&D"
    ws.oddHeader.center.text = "内部资料"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _look(cell):
    """What a person sees of a cell: value, number format, font, fill, borders, alignment."""
    f, b, a = cell.font, cell.border, cell.alignment
    return (cell.value, cell.number_format, f.name, f.sz and float(f.sz), bool(f.b), bool(f.i),
            f.u or None, bool(f.strike), _rgb(f.color), cell.fill.fill_type or None,
            _rgb(cell.fill.fgColor) if cell.fill.fill_type else None,
            tuple((getattr(b, s).style, _rgb(getattr(b, s).color)) for s in
                  ("left", "right", "top", "bottom")),
            a.horizontal or None, a.vertical or None, bool(a.wrap_text))


def _rgb(color):
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return None if color is None or color.type in ("auto",) else (color.type, color.value)
    return color.rgb[-6:].upper()


@pytest.mark.slow
def test_a_restyled_template_is_followed_as_a_person_sees_it(tmp_path):
    from openpyxl import load_workbook
    from weiwen.outputs.xlsx import Styles
    from weiwen import workbook_io
    from weiwen.outputs.signoff import write_signoff
    campaign = _signoff_campaign(tmp_path)
    template = _restyled_template(tmp_path / "签字确认表.xlsx")
    styles = Styles(template)
    source = load_workbook(template).active
    result = write_signoff(workbook_io.read_roster(campaign.workbook),
                           workbook_io.read_settings(campaign.workbook), tmp_path / "out",
                           template=template, today=dt.date(2027, 1, 15))
    ws = load_workbook(result.files[0]).active
    # theme and indexed colours are written as the colours they stand for in this template
    header = _look(ws["B3"])
    assert header[2:8] == ("黑体", 12.0, True, True, None, False)
    assert header[8] == styles.colour(source["B3"].font.color).lstrip("#")
    assert header[10] == styles.colour(source["B3"].fill.fgColor).lstrip("#")
    assert styles.colour(source["B3"].fill.fgColor) != styles.theme[9]      # the tint applied
    first = next(r for r in range(4, 30) if isinstance(ws.cell(r, 1).value, int))
    for column in range(1, 12):                     # every data cell has the 〔数据行〕 look
        want, got = _look(source.cell(5, column)), _look(ws.cell(first, column))
        assert got[1:8] == want[1:8] and got[9:] == want[9:], (column, got, want)
        assert got[8] == "FF0000"                   # indexed colour 10 is red
    assert ws.cell(first, 6).number_format == '0.00"元"'
    assert ws["A1"].font.name == "微软雅黑" and ws["A1"].font.strike
    assert round(ws.row_dimensions[1].height * 4 / 3) == round(41.3 * 4 / 3)
    assert round(ws.row_dimensions[first].height * 4 / 3) == round(27.7 * 4 / 3)
    assert ws.page_margins.left == 0.55 and ws.page_margins.top == 0.8
    assert ws.oddFooter.left.text.startswith("民政办 制") and ws.oddFooter.right.text == "&D"
    assert ws.oddHeader.center.text == "内部资料"
    assert ws.merged_cells.ranges and {str(m) for m in source.merged_cells.ranges
                                       if m.max_row <= 3} <= {str(m) for m in ws.merged_cells.ranges}


@pytest.mark.slow
def test_the_batch_book_holds_each_unit_file_cell_by_cell(tmp_path):
    from openpyxl import load_workbook
    from weiwen import workbook_io
    from weiwen.outputs.signoff import write_signoff
    campaign = _signoff_campaign(tmp_path)
    result = write_signoff(workbook_io.read_roster(campaign.workbook),
                           workbook_io.read_settings(campaign.workbook), tmp_path / "out",
                           today=dt.date(2027, 1, 15))
    batch = load_workbook(result.batch)
    assert len(batch.sheetnames) == len(result.files) >= 3
    for path, name in zip(result.files, batch.sheetnames):
        unit = load_workbook(path).active
        assert unit.title == name
        cells = lambda ws: {c.coordinate: _look(c) for row in ws.iter_rows() for c in row}
        assert cells(unit) == cells(batch[name])
        assert unit.row_breaks.brk == batch[name].row_breaks.brk or \
            [b.id for b in unit.row_breaks.brk] == [b.id for b in batch[name].row_breaks.brk]


@pytest.mark.slow
def test_the_writer_process_writes_the_same_files(tmp_path, monkeypatch):
    from golden import compare
    from weiwen import workbook_io
    from weiwen.outputs import xlsx
    from weiwen.outputs.signoff import write_signoff
    campaign = _signoff_campaign(tmp_path)
    roster = workbook_io.read_roster(campaign.workbook)
    settings = workbook_io.read_settings(campaign.workbook)
    here = write_signoff(roster, settings, tmp_path / "here", today=dt.date(2027, 1, 15))
    started = []
    real = xlsx.subprocess.Popen

    def popen(*args, **kwargs):
        started.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(xlsx.subprocess, "Popen", popen)
    monkeypatch.setattr(xlsx, "PARALLEL_ROWS", 1)
    there = write_signoff(roster, settings, tmp_path / "there", today=dt.date(2027, 1, 15))
    assert started and "weiwen.outputs.xlsx_worker" in started[0]
    assert [p.name for p in here.files] == [p.name for p in there.files]
    for a, b in zip([*here.files, here.batch], [*there.files, there.batch]):
        assert compare(a, b) == []


def _sheet(text: str):
    from weiwen.outputs import xlsx
    sheet = xlsx.Sheet("表")
    sheet.put(1, 1, text, None)
    return sheet


def _written(path) -> str:
    from openpyxl import load_workbook
    return load_workbook(path).active["A1"].value


def test_the_writer_process_lets_go_of_each_file_once_written(tmp_path):
    import time
    from weiwen.outputs import xlsx
    book = xlsx.Book()
    with xlsx.Parallel(rows=1, minimum=1) as writer:
        assert writer.proc is not None
        writer.submit(tmp_path / "1.xlsx", book, [_sheet("一")])
        deadline = time.monotonic() + 60
        while writer.answers.empty() and time.monotonic() < deadline:
            time.sleep(0.05)
        writer.submit(tmp_path / "2.xlsx", book, [_sheet("二")])
        assert list(writer.pending) == [str(tmp_path / "2.xlsx")]   # 1.xlsx's sheets let go
    assert not writer.pending
    assert [_written(tmp_path / f"{n}.xlsx") for n in (1, 2)] == ["一", "二"]


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGSTOP"), reason="POSIX signals")
def test_files_the_writer_process_never_wrote_are_written_here(tmp_path):
    import os
    import signal
    from weiwen.outputs import xlsx
    book = xlsx.Book()
    writer = xlsx.Parallel(rows=1, minimum=1)
    assert writer.proc is not None
    os.kill(writer.proc.pid, signal.SIGSTOP)        # takes the job, never writes it
    writer.submit(tmp_path / "1.xlsx", book, [_sheet("一")])
    writer.proc.kill()
    writer.proc.wait()
    writer.submit(tmp_path / "2.xlsx", book, [_sheet("二")])   # the process is gone: here
    writer.wait()
    assert [_written(tmp_path / f"{n}.xlsx") for n in (1, 2)] == ["一", "二"]


def test_merge_order_equals_sort_values():
    """merge_files puts the rows in order from numbers (each unit's place in the 单位 sheet,
    each file's among the sorted names): the order sort_values gives, for file names of mixed
    case, digits, full-width and combining characters, a unit missing from the sheet or blank."""
    import random

    from weiwen.intake.merge import _in_order
    from weiwen.names import Col

    rng = random.Random(3)
    names = ["东湖社区", "青山村", "a社区", "B村", "东湖", "Ａ社区"]
    files = ["a.xlsx", "B.xlsx", "b.xlsx", "10.xlsx", "9.xlsx", "东湖/分批1.xlsx", "东湖/分批10.xlsx",
             "东湖/分批2.xlsx", "ａ.xlsx", "", " a.xlsx", "é.csv", "e\u0301.csv", "😀.xlsx"]
    for case in range(120):
        rows = rng.randint(0, 50)
        order = {u: i for i, u in enumerate(rng.sample(names, len(names)))}
        if case % 5 == 0:
            order.pop(rng.choice(names))
        units = [rng.choice(names) for _ in range(rows)]
        if case % 7 == 0 and rows:
            units[0] = None
        roster = pd.DataFrame({
            Col.UNIT: pd.array(units, dtype="str") if case % 2 else pd.Series(units, dtype=object),
            Col.SRC_FILE: pd.array([rng.choice(files) for _ in range(rows)], dtype="str"),
            Col.SRC_ROW: np.array([rng.randint(1, 9) for _ in range(rows)], dtype=np.int64),
            "行": range(rows)})
        kept = np.array([rng.random() > 0.2 for _ in range(rows)], dtype=bool)
        want = roster[kept].sort_values(
            [Col.UNIT, Col.SRC_FILE, Col.SRC_ROW], kind="stable",
            key=lambda s, order=order: s.map(order) if s.name == Col.UNIT else s
        ).reset_index(drop=True)
        pd.testing.assert_frame_equal(_in_order(roster, kept, order), want)


@pytest.mark.parametrize("cells", [
    ["张三", None, "", "a\tb", "x" * 300, None],                  # text, blanks, empty text
    [None, None, None],                                            # a column left blank
    [1.0, None, 2.5, -0.0, 1e300],                                 # numbers and blanks
    [1.0, float("nan"), None],                                     # NaN is not a blank: kept as values
    ["3", 3, 3.0, True, dt.date(2027, 1, 20), None],               # anything else, as it is
    [],
])
def test_the_sheet_memo_gives_back_each_column_as_it_was_kept(cells):
    """名册 as it reads back is kept column by column (books/sheet_memo.py) and unpacked in one
    numpy pass per column: every cell comes back the same value of the same type."""
    from weiwen.books.sheet_memo import _pack_column, _unpack
    frame = _unpack((["列"], [_pack_column(list(cells))]))
    assert [(type(v), repr(v)) for v in frame["列"].tolist()] == \
        [(type(v), repr(v)) for v in cells]
    assert frame["列"].dtype == object


def test_a_frame_copied_for_a_step_leaves_the_callers_as_it_was():
    """own_copy is shallow only where pandas copies on write: a step that sets a column, a
    cell or a new column of its copy never changes the frame it was given."""
    frame = pd.DataFrame({"户主姓名": ["张三", "李四"], "家庭人口": [1.0, 2.0]}, dtype=object)
    mine = own_copy(frame)
    mine["户主姓名"] = ["王五", "赵六"]
    mine.loc[0, "家庭人口"] = 9.0
    mine.iloc[1, 1] = 7.0
    mine["状态"] = "有效"
    assert frame.to_dict("list") == {"户主姓名": ["张三", "李四"], "家庭人口": [1.0, 2.0]}
    assert mine.to_dict("list") == {"户主姓名": ["王五", "赵六"], "家庭人口": [9.0, 7.0],
                                    "状态": ["有效", "有效"]}
