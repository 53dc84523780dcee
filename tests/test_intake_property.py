"""Property: whatever header variants, blank and title rows, row order and split files the units
use, every data row is accounted for, and merging in two rounds gives the roster merging
everything at once gives (clerk's 备注 included)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from intake_helpers import HEADER, UNITS, person, unit_campaign, write_csv, write_openpyxl
from weiwen import workbook_io
from weiwen.intake.merge import merge_files
from weiwen.intake.readers import read_inbox
from weiwen.names import ROSTER_COLUMNS, Col

VARIANTS = {
    "户主姓名": ["户主姓名", "户主", "姓名", "戶主姓名", "户主\n姓名", " 姓 名 "],
    "身份证号": ["身份证号", "身份证号码", "公民身份号码", "证件号码", "身份證號碼", "身份证号（18位）"],
    "类别": ["类别", "慰问类别", "人员类别", "類別"],
    "家庭人口": ["家庭人口", "家庭人口数", "人口", "家庭人口（人）"],
    "联系电话": ["联系电话", "手机", "联系方式", "聯繫電話"],
    "银行卡号": ["银行卡号", "银行账号", "卡号"],
    "地址": ["地址", "家庭住址", "住址"],
    "备注": ["备注", "備註"],
}


@pytest.fixture(scope="module")
def unit_settings(tmp_path_factory):
    campaign = unit_campaign(tmp_path_factory.mktemp("prop") / "活动")
    return workbook_io.read_settings(campaign.workbook)


@st.composite
def unit_return(draw, unit_index: int):
    """One unit's return: its rows and how it writes them."""
    count = draw(st.integers(0, 8))
    base = unit_index * 100
    rows = [person(base + i, draw(st.sampled_from(["残疾户", "大重病患者", "低收入困难家庭"])))
            for i in range(count)]
    for row in rows:
        row[7] = draw(st.sampled_from(["", "", "新增", "=备注"]))
    order = draw(st.permutations(range(count)))
    header = [draw(st.sampled_from(VARIANTS[h])) for h in HEADER]
    return {
        "unit": UNITS[unit_index][1],
        "rows": [rows[i] for i in order],
        "header": header,
        "titles": draw(st.integers(0, 3)),
        "blanks": draw(st.lists(st.integers(0, max(count, 1)), max_size=3)),
        "parts": draw(st.integers(1, 3)),
        "csv": draw(st.booleans()),
        "late": draw(st.booleans()),          # arrives in the second round
    }


def _write(inbox: Path, ret: dict) -> int:
    """Write one unit's return (maybe split into 分批 parts); returns the data rows written."""
    rows = ret["rows"]
    n = ret["parts"] if len(rows) >= ret["parts"] else 1
    chunks = [rows[i::n] for i in range(n)]
    for k, chunk in enumerate(chunks, start=1):
        body = [list(r) for r in chunk]
        for at in sorted(ret["blanks"], reverse=True):
            body.insert(min(at, len(body)), [None] * len(HEADER))
        titles = [[f"{ret['unit']}慰问对象名单"]] + [["填报日期：2027年1月8日"]] * (ret["titles"] - 1)
        table = [*(titles[: ret["titles"]]), ret["header"], *body]
        folder = inbox / f"分批-{ret['unit']}" if n > 1 else inbox
        name = f"{ret['unit']}第{k}部分" if n > 1 else f"{ret['unit']}名单"
        if ret["csv"]:
            write_csv(folder / f"{name}.csv", table)
        else:
            write_openpyxl(folder / f"{name}.xlsx", table)
    return len(rows)


def _merge(inbox: Path, unit_settings, previous=None):
    files, problems = read_inbox(inbox)
    assert not problems
    return merge_files(files, unit_settings, previous=previous)


def _as_sheet(roster: pd.DataFrame) -> pd.DataFrame:
    """名册 as the next merge reads it back from the workbook (text, blanks as None)."""
    frame = roster.reindex(columns=list(ROSTER_COLUMNS))
    rows = [list(ROSTER_COLUMNS)] + [[workbook_io.cell_value(v) for v in r]
                                     for r in frame.itertuples(index=False)]
    return workbook_io.frame_from_rows(rows, ROSTER_COLUMNS)


@pytest.mark.slow
@hsettings(max_examples=30, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(returns=st.tuples(unit_return(0), unit_return(1), unit_return(2)))
def test_rows_conserved_and_remerge_equals_merge_all(unit_settings, returns):
    with tempfile.TemporaryDirectory() as tmp:
        first, everything = Path(tmp) / "first", Path(tmp) / "all"
        first.mkdir()
        everything.mkdir()
        written = 0
        for ret in returns:
            written += _write(everything, ret)
            if not ret["late"]:
                _write(first, ret)

        roster_all, _, report = _merge(everything, unit_settings)
        # conservation: every written row is in the roster (all rows here are usable)
        assert report.rows_read == written == report.roster_rows + report.rejected_rows
        assert report.rejected_rows == 0 and not report.superseded
        expected = sorted(r[0] for ret in returns for r in ret["rows"])
        assert sorted(roster_all[Col.NAME]) == expected

        roster_first, _, _ = _merge(first, unit_settings)
        roster_again, _, _ = _merge(everything, unit_settings, previous=_as_sheet(roster_first))
        columns = list(ROSTER_COLUMNS)
        pd.testing.assert_frame_equal(roster_again[columns].reset_index(drop=True),
                                      roster_all[columns].reset_index(drop=True))
