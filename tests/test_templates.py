"""weiwen templates: one blank return per unit, from the restylable layout in templates/."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from intake_helpers import UNITS, unit_campaign
from weiwen import workbook_io
from weiwen.intake.layout import REPO_LAYOUT, build_layout
from weiwen.names import DEFAULT_CATEGORIES, RETURN_COLUMNS, TEXT_COLUMNS


def _header_row(ws) -> int:
    return next(r for r in range(1, 40) if ws.cell(row=r, column=1).value == RETURN_COLUMNS[0])


def test_one_file_per_unit_named_after_it(cli, tmp_path):
    camp = unit_campaign(tmp_path / "活动")
    report = cli.json("templates", camp.root)
    assert sorted(p.name for p in camp.outbox.glob("*.xlsx")) == sorted(f"{n}.xlsx" for _, n in UNITS)
    assert len(report["outputs"]) == len(UNITS)


def test_template_layout_title_header_text_columns_dropdown_protection(cli, tmp_path):
    camp = unit_campaign(tmp_path / "活动")
    cli("templates", camp.root)
    wb = load_workbook(camp.outbox / "青山村.xlsx")
    ws = wb["名单"]
    header = _header_row(ws)
    title = ws["A1"].value
    assert "青山村" in title and "慰问" in title and "{" not in title
    assert [ws.cell(row=header, column=c + 1).value for c in range(len(RETURN_COLUMNS))] == \
        [str(c) for c in RETURN_COLUMNS]
    notes = " ".join(str(ws.cell(row=r, column=1).value or "") for r in range(2, header))
    assert "填表说明" in notes and "身份证号" in notes and "{" not in notes
    for c, name in enumerate(RETURN_COLUMNS, start=1):
        cell = ws.cell(row=header + 1, column=c)
        assert (cell.number_format == "@") == (name in TEXT_COLUMNS), name
        assert cell.protection.locked is False
        assert ws.cell(row=header, column=c).protection.locked is not False
    assert ws.protection.sheet is True
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and "C" in str(lists[0].sqref)
    meta = wb["_weiwen"]
    assert meta.sheet_state == "veryHidden"
    values = {meta.cell(row=r, column=1).value: meta.cell(row=r, column=2).value
              for r in range(1, meta.max_row + 1)}
    assert values["单位编码"] == "330106101" and values["单位名称"] == "青山村"
    categories = [meta.cell(row=r, column=4).value for r in range(2, meta.max_row + 1)]
    categories = [c for c in categories if c]
    assert categories == list(DEFAULT_CATEGORIES)
    assert lists[0].formula1.endswith(f"$D${len(categories) + 1}")


@pytest.mark.slow
def test_calamine_sees_the_code_and_no_data_rows(cli, tmp_path):
    camp = unit_campaign(tmp_path / "活动")
    cli("templates", camp.root)
    sheets = workbook_io.read_sheets(camp.outbox / "东湖社区.xlsx")
    assert ["单位编码", "330106001"] == [str(v) for v in sheets["_weiwen"][0][:2]]


@pytest.mark.slow
def test_restyled_layout_in_the_campaign_is_used(cli, tmp_path):
    camp = unit_campaign(tmp_path / "活动")
    restyled = build_layout(camp.root / "templates" / "回收模板.xlsx")
    wb = load_workbook(restyled)
    wb["名单"]["A1"] = "【{单位名称}】{活动名称} 名单"
    wb.save(restyled)
    cli("templates", camp.root)
    ws = load_workbook(camp.outbox / "西湖社区.xlsx")["名单"]
    assert ws["A1"].value.startswith("【西湖社区】")


def test_shipped_layout_is_the_builders_output(tmp_path):
    """templates/回收模板.xlsx is committed; the builder regenerates the same cells."""
    fresh = load_workbook(build_layout(tmp_path / "x.xlsx"))
    shipped = load_workbook(REPO_LAYOUT)
    for name in ("名单", "_weiwen"):
        a = [[c.value for c in row] for row in fresh[name].iter_rows()]
        b = [[c.value for c in row] for row in shipped[name].iter_rows()]
        assert a == b, name
