"""核对签字: returned signature sheets (回收签字/) and the clerk's ticks in 名册 → problems in 问题."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
import pandas as pd
from openpyxl import load_workbook

from weiwen import pipeline, workbook_io
from weiwen.books import MemoryBook
from weiwen.names import SIGNED_DIR, SIGNOFF_DIR, Col, ProblemCol
from weiwen.outputs.signatures import check_signatures


def _fill_returned(campaign, unit: str):
    """The unit's sheet filled in properly, then five households got wrong; returns them by row."""
    src = campaign.output / SIGNOFF_DIR / f"{unit}.xlsx"
    folder = campaign.root / SIGNED_DIR
    folder.mkdir(exist_ok=True)
    target = folder / f"{unit}（已签字）.xlsx"
    shutil.copy(src, target)
    wb = load_workbook(target)
    ws = wb.active
    header = {ws.cell(3, c).value.replace("\n", ""): c for c in range(1, 12)}
    rows = [r for r in range(4, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
    for r in rows:
        ws.cell(r, header["领取人签字"], ws.cell(r, header["户主姓名"]).value)
        ws.cell(r, header["与户主关系"], "本人")
        ws.cell(r, header["领取日期"], dt.date(2027, 1, 25))
    bad = {}
    r = rows[0]; ws.cell(r, header["领取人签字"]).value = None; bad[r] = "signatures.no_signature"
    r = rows[1]; ws.cell(r, header["领取人签字"], "隔壁老王"); ws.cell(r, header["与户主关系"], "邻居")
    bad[r] = "signatures.proxy"
    r = rows[2]; ws.cell(r, header["金额"], 350); bad[r] = "signatures.split"
    r = rows[3]; ws.cell(r, header["联系电话"]).value = None; bad[r] = "signatures.no_phone"
    r = rows[4]; ws.cell(r, header["领取日期"]).value = None; bad[r] = "signatures.no_date"
    r = rows[5]; ws.cell(r, header["领取人签字"], "+HYPERLINK(1)"); ws.cell(r, header["与户主关系"], "儿子")
    removed = ws.cell(rows[6], header["户主姓名"]).value
    ws.delete_rows(rows[6])            # one household missing from the returned sheet
    wb.save(target)
    return target, bad, removed


@pytest.mark.slow
def test_returned_sheet_flags_each_kind_and_writes_problems(demo_campaign):
    target, bad, removed = _fill_returned(demo_campaign, "东湖社区")
    report = pipeline.on_disk("signatures", demo_campaign, today=dt.date(2027, 2, 1))
    mine = [(p.row, p.code) for p in report.problems if p.unit == "东湖社区" and p.row]
    assert sorted(mine) == sorted(bad.items())
    missing = [p for p in report.problems if p.code == "signatures.missing_row"]
    assert [p.name for p in missing] == [removed]
    assert not [p for p in report.problems if p.code == "signatures.not_returned"]  # before deadline
    assert any("尚未交回" in n for n in report.notes)
    sheet = workbook_io.read_problems(demo_campaign.workbook)
    kinds = sheet[ProblemCol.KIND].tolist()
    assert {"未签字", "代签", "金额不符", "签收未留电话", "未填领取日期", "签字表缺户"} <= set(kinds)
    assert any(k == "重复人员" for k in kinds)                       # other stages' rows kept
    again = pipeline.on_disk("signatures", demo_campaign, today=dt.date(2027, 2, 1))
    assert len(workbook_io.read_problems(demo_campaign.workbook)) == len(sheet)   # no pile-up
    assert len(again.problems) == len(report.problems)


@pytest.mark.slow
def test_units_not_back_after_the_deadline(demo_campaign):
    _fill_returned(demo_campaign, "东湖社区")
    book = MemoryBook(demo_campaign, workbook_io.read_sheets(demo_campaign.workbook))
    report = pipeline.perform("signatures", book, pipeline.Options(today=dt.date(2027, 3, 1)))
    late = [p.unit for p in report.problems if p.code == "signatures.not_returned"]
    assert len(late) == 14 and "东湖社区" not in late           # 11 units and 3 责任部门
    assert {"社会事务科", "妇联", "退役军人服务站"} <= set(late)


def test_ticks_in_roster_count_for_paper_sheets(campaign):
    settings = workbook_io.read_settings(campaign.workbook)
    base = {Col.UNIT: "甲村", Col.CATEGORY: "残疾户", Col.SIZE: 1, Col.AMOUNT: 700,
            Col.PAYMENT: "现金", Col.STATUS: "有效"}
    roster = pd.DataFrame([dict(base, **{Col.SEQ: 1, Col.NAME: "张三", Col.NOTE: "已签"}),
                           dict(base, **{Col.SEQ: 2, Col.NAME: "李四", Col.NOTE: "√"}),
                           dict(base, **{Col.SEQ: 3, Col.NAME: "王五", Col.NOTE: None})])
    folder = campaign.root / SIGNED_DIR
    folder.mkdir()
    result = check_signatures(roster, settings, [], today=dt.date(2027, 3, 1))
    assert result.ticked == {"甲村": 2}
    assert [(p.name, p.code) for p in result.problems] == [("王五", "signatures.no_signature")]


def test_allowed_relations_come_from_params(campaign):
    from weiwen.names import PARAM_ALLOWED_RELATIONS
    from weiwen.outputs.signatures import allowed_relations
    settings = workbook_io.read_settings(campaign.workbook)
    assert {"本人", "配偶", "儿子"} <= allowed_relations(settings)
    settings.params.values[PARAM_ALLOWED_RELATIONS] = "本人、配偶"
    assert allowed_relations(settings) == {"本人", "配偶"}


def test_problem_kinds_are_not_shared_with_other_stages():
    import weiwen.pipeline  # noqa: F401 - registers every stage's codes
    from weiwen.outputs.signatures import _kinds_are_unique
    _kinds_are_unique()
