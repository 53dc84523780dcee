"""抽查名单: ceil(ratio × paid) per unit, reproducible from the seed, and the filled list read back."""
from __future__ import annotations

import hashlib

import pytest
from openpyxl import load_workbook

from weiwen import workbook_io
from weiwen.names import AUDIT_FILE, AUDIT_FOLLOWUP_FILE, OUTPUT_DIR, AuditCol, Col
from weiwen.outputs.audit import draw_sample
from weiwen.outputs.common import ceil_ratio, paid_households


def _data(path, sheet="抽查名单"):
    ws = load_workbook(path)[sheet]
    header = [c.value for c in ws[3]]
    return ws, header, [dict(zip(header, r)) for r in ws.iter_rows(min_row=4, values_only=True)]


def test_ceil_ratio_has_no_float_noise():
    assert [ceil_ratio(0.1, n) for n in (0, 1, 9, 10, 11, 170, 161)] == [0, 1, 1, 1, 2, 17, 17]
    assert ceil_ratio(0.07, 100) == 7 and ceil_ratio(1.0, 5) == 5


@pytest.mark.slow
def test_sample_size_per_unit_seed_printed_dropdown(demo_source):
    paid = paid_households(workbook_io.read_roster(demo_source / "Weiwen.xlsm"))
    ws, header, rows = _data(demo_source / OUTPUT_DIR / AUDIT_FILE)
    assert "随机种子：20270101" in ws["A2"].value and "10%" in ws["A2"].value
    for unit, part in paid.groupby(Col.UNIT):
        assert sum(r[AuditCol.UNIT] == unit for r in rows) == ceil_ratio(0.1, len(part))
    assert header[-5:] == ["回访方式", "回访结果", "回访人", "回访日期", "备注"]
    assert all(r[AuditCol.PHONE] and r[AuditCol.ADDRESS] and r[AuditCol.AMOUNT] for r in rows)
    assert all("*" in r[AuditCol.ID] for r in rows)
    result_col = "K"
    dv = next(d for d in ws.data_validations.dataValidation if result_col in str(d.sqref))
    assert dv.formula1 == '"已收到,未收到,金额不符,联系不上"'
    assert ws.print_title_rows.replace("$", "") == "1:3"


@pytest.mark.slow
def test_same_seed_same_sample_whatever_the_row_order(demo_source):
    roster = workbook_io.read_roster(demo_source / "Weiwen.xlsm")
    settings = workbook_io.read_settings(demo_source / "Weiwen.xlsm")
    first, _ = draw_sample(roster, settings)
    again, _ = draw_sample(roster.sample(frac=1, random_state=7), settings)
    assert first.equals(again)
    settings.params.seed += 1
    other, _ = draw_sample(roster, settings)
    assert len(other) == len(first) and not other[AuditCol.NAME].equals(first[AuditCol.NAME])


@pytest.mark.slow
def test_filled_list_is_kept_and_not_confirmed_households_listed(demo_campaign, cli):
    path = demo_campaign.output / AUDIT_FILE
    wb = load_workbook(path)
    ws = wb["抽查名单"]
    header = [c.value for c in ws[3]]
    col = {name: header.index(name) + 1 for name in header}
    results = ["已收到", "未收到", "金额不符", "联系不上", None, "+1+1"]
    for i, r in enumerate(range(4, ws.max_row + 1)):
        value = results[i % len(results)] if i < 12 else "已收到"
        ws.cell(r, col["回访结果"], value)
        ws.cell(r, col["回访人"], "李明")
    wb.save(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    data = cli.json("audit", demo_campaign.root)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before      # the clerk's entries stay
    assert data["audit_followup"] and sum(data["audit_followup"].values()) == 10
    ws2, header2, rows = _data(demo_campaign.output / AUDIT_FOLLOWUP_FILE, "未确认")
    assert sorted(r[AuditCol.RESULT] for r in rows) == sorted(
        ["未收到", "金额不符", "联系不上", "（未回访）", "+1+1"] * 2)
    cell = next(c for row in ws2.iter_rows() for c in row if c.value == "+1+1")
    assert cell.data_type == "s"                                          # never a formula
    units = [r[AuditCol.UNIT] for r in rows]
    assert units == sorted(units, key=units.index)                        # grouped per unit
    data = cli.json("audit", demo_campaign.root, "--redraw")
    assert data["audit_seed"] == 20270101
    assert list((demo_campaign.root / ".backup").glob("抽查名单-*.xlsx"))
