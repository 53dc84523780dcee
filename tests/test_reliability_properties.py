"""Property tests (hypothesis) on the intake normalisers and the header mapper: any cell value
in, no exception, and normalising twice changes nothing."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from weiwen.intake import headers as H
from weiwen.intake import normalize as N
from weiwen.names import Col

pytestmark = pytest.mark.reliability

SETTINGS = settings(max_examples=150, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

#: text the way returns hold it: CJK (simplified and traditional), full-width forms, digits,
#: spaces of every kind, punctuation, and anything else unicode has
_ALPHABET = st.sampled_from(list("0123456789xX０１２３４５６７８９ｘ +-−—_'‘’\"“”.,，。·/、;；或()（）"
                                 "户主姓名身份證号码類别电話銀行卡地址备註社区村\u3000\t\n\r\u00a0"))
TEXT = st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=30))
CELL = st.one_of(
    st.none(), TEXT, st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(), st.datetimes(),
    st.sampled_from(["3.30106E+17", "330106199001011234", "33010619900101123x", "+86 138-1234-5678",
                     "0571-87654321", "138 1234 5678 / 139 0000 0000", "３人", "1900-01-03", "#N/A",
                     "=HYPERLINK(\"http://x\",\"y\")", "低保", "  低 保 ", "戶主姓名", ""]),
)

TEXT_FUNCTIONS = {
    "text_value": N.text_value, "name_value": N.name_value, "category_value": N.category_value,
    "phone_value": N.phone_value,
}


@pytest.mark.parametrize("fn", TEXT_FUNCTIONS.values(), ids=TEXT_FUNCTIONS.keys())
@SETTINGS
@given(value=CELL)
@example(value="戶主\u3000姓名")
@example(value=float("nan"))
@pytest.mark.slow
def test_text_normalisers_are_total_and_idempotent(fn, value):
    once = fn(value)
    assert isinstance(once, str)
    assert fn(once) == once


@SETTINGS
@given(value=CELL)
@example(value=3.30106199001011e17)
@example(value="3.30106E+17")
def test_id_value_is_total_and_idempotent(value):
    text, from_number = N.id_value(value)
    assert isinstance(text, str) and isinstance(from_number, bool)
    assert N.id_value(text)[0] == text


@SETTINGS
@given(value=CELL)
@example(value=6.22202123456789e18)
def test_digits_value_is_total_and_idempotent(value):
    text, lossy = N.digits_value(value)
    assert isinstance(text, str) and isinstance(lossy, bool)
    assert N.digits_value(text)[0] == text


@SETTINGS
@given(value=CELL)
@example(value=dt.date(1900, 1, 3))
@example(value="３人")
def test_size_value_is_total_and_idempotent(value):
    once = N.size_value(value)
    assert once is None or isinstance(once, (int, str))
    if once is not None:
        assert N.size_value(once) == once


@SETTINGS
@given(values=st.lists(CELL, max_size=20))
@example(values=["0-+"])
@pytest.mark.slow
def test_column_functions_are_total_and_idempotent(values):
    series = pd.Series(values, dtype=object)
    for fn in (N.texts, N.names, N.categories, N.phones):
        once = fn(series)
        assert len(once) == len(series)
        assert fn(once).tolist() == once.tolist()
    for fn in (N.ids, N.cards):
        once, flags = fn(series)
        assert len(once) == len(flags) == len(series)
        assert fn(once)[0].tolist() == once.tolist()
    assert N.sizes(N.sizes(series)).tolist() == N.sizes(series).tolist()
    assert N.blank(series).dtype == bool


@SETTINGS
@given(value=CELL)
@example(value="身份證號碼 (18位)")
@example(value="户主\n姓名")
def test_canonical_header_is_total_and_a_fixed_point(value):
    name = H.canonical_header(value)
    assert name is None or name in set(Col)
    if name is not None:
        assert H.canonical_header(name) == name


@SETTINGS
@given(row=st.lists(CELL, max_size=30))
@pytest.mark.slow
def test_map_headers_is_total_and_idempotent(row):
    mapping = H.map_headers(row)
    assert all(0 <= i < len(row) for i in mapping)
    assert len(set(mapping.values())) == len(mapping)
    canonical_row = [mapping.get(i) for i in range(len(row))]
    assert H.map_headers(canonical_row) == mapping


@SETTINGS
@given(rows=st.lists(st.lists(CELL, max_size=12), max_size=40))
@pytest.mark.slow
def test_find_header_is_total(rows):
    found = H.find_header(rows)
    if found is not None:
        assert 0 <= found.index < found.data_start <= len(rows)
        if found.span == 1:
            assert H.map_headers(rows[found.index]) == {
                i: c for i, c in found.mapping.items() if c in set(Col)}


@SETTINGS
@given(prefix=st.lists(st.lists(CELL, max_size=6), max_size=5),
       header=st.permutations(["户主姓名", "身份证号", "类别", "家庭人口", "联系电话", "地址"]))
@pytest.mark.slow
def test_find_header_finds_a_real_header_below_titles(prefix, header):
    prefix = [row for row in prefix if H.find_header([row]) is None]
    found = H.find_header([*prefix, header, ["张三", "330106199001011234", "低保", 2, "", ""]])
    assert found is not None and found.index == len(prefix)
    assert found.data_start == len(prefix) + 1
