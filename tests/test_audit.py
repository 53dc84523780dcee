"""抽查名单: ceil(ratio × paid) per unit, reproducible from the seed, and the filled list read back."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from weiwen import workbook_io
from weiwen.names import AUDIT_FILE, AUDIT_FOLLOWUP_FILE, OUTPUT_DIR, AuditCol, Col
from weiwen.outputs.audit import draw_sample
from weiwen.outputs.common import ceil_ratio, paid_households
from weiwen.outputs.state import MANIFEST

#: a yyyy-mm-dd date in the widest digits an output may be printed with (DejaVu Sans, which
#: LibreOffice falls back to: ~61 pt at 10.5 pt, plus the cell's padding) in Excel's units of
#: ~5.25 pt; SimSun's digits need ~11
DATE_FITS = 13


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


def _fill(path, *, dated: bool = False) -> None:
    """Fill 抽查名单 as the clerk does: 12 households in every state, the rest 已收到; with
    `dated`, 回访日期 too, alternately typed as text and entered as an Excel date."""
    wb = load_workbook(path)
    ws = wb["抽查名单"]
    header = [c.value for c in ws[3]]
    col = {name: header.index(name) + 1 for name in header}
    results = ["已收到", "未收到", "金额不符", "联系不上", None, "+1+1"]
    for i, r in enumerate(range(4, ws.max_row + 1)):
        value = results[i % len(results)] if i < 12 else "已收到"
        ws.cell(r, col["回访结果"], value)
        ws.cell(r, col["回访人"], "李明")
        if dated:         # as Excel keeps it: the cell's own format (openpyxl would add h:mm:ss)
            cell = ws.cell(r, col["回访日期"])
            shown = cell.number_format
            cell.value = dt.datetime(2027, 2, 8) if i % 2 else "2027-02-08"
            cell.number_format = shown
    wb.save(path)


def _date_column(path, sheet: str) -> tuple[float, str]:
    """回访日期's width, and the number format of its first household's cell."""
    ws = load_workbook(path)[sheet]
    header = [c.value for c in ws[3]]
    column = header.index(AuditCol.DATE) + 1
    return (ws.column_dimensions[get_column_letter(column)].width,
            ws.cell(4, column).number_format)


@pytest.mark.slow
def test_filled_list_is_kept_and_not_confirmed_households_listed(demo_campaign, cli):
    path = demo_campaign.output / AUDIT_FILE
    _fill(path)
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


@pytest.mark.slow
def test_follow_up_list_carries_the_samples_check_code_and_a_total(demo_campaign, cli):
    output = demo_campaign.output
    # a date the clerk types into the list shows as one, whole: yyyy-mm-dd in a column wide enough
    width, shown = _date_column(output / AUDIT_FILE, "抽查名单")
    assert width >= DATE_FITS and shown == "yyyy-mm-dd"
    _fill(output / AUDIT_FILE, dated=True)
    cli("audit", demo_campaign.root)
    manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    code = manifest["audit"]["code"]
    # made from the sample: the code of the 名册 it was drawn from, noted in 输出清单.json
    assert manifest["audit_followup"]["files"] == [AUDIT_FOLLOWUP_FILE]
    assert manifest["audit_followup"]["code"] == code
    book = load_workbook(output / AUDIT_FOLLOWUP_FILE)
    for ws in book:
        assert f"名册校验码 {code}" in ws.oddFooter.left.text, ws.title
    info = book["未确认"]["A2"].value
    assert f"名册校验码 {code}" in info
    assert "（含未回访的）" in info and "（含（" not in info
    rows = list(book["各单位未确认数"].iter_rows(values_only=True))
    *units, total = rows[[r[0] for r in rows].index("单位") + 1:]
    assert total[0] == "合计" and units and "合计" not in [r[0] for r in units]
    assert list(total[1:]) == [sum(r[i] for r in units) for i in range(1, len(total))]
    assert total[-1] == 10                                  # every household listed
    # ... and so does the follow-up list, which writes them as dates, typed as text or not
    assert _date_column(output / AUDIT_FOLLOWUP_FILE, "未确认")[0] >= DATE_FITS
    ws, header, rows = _data(output / AUDIT_FOLLOWUP_FILE, "未确认")
    assert {r[AuditCol.DATE] for r in rows} == {dt.datetime(2027, 2, 8)}
    # “（未回访）”, five wide characters (~10 units at 10.5 pt), stays inside 回访结果
    result = get_column_letter(header.index(AuditCol.RESULT) + 1)
    assert "（未回访）" in [r[AuditCol.RESULT] for r in rows]
    assert ws.column_dimensions[result].width >= 11
