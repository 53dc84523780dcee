"""签字确认表: print settings, masking, cash/card sections, totals and 大写, the restylable template, PDF."""
from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from weiwen import workbook_io
from weiwen.money import to_daxie
from weiwen.names import (OUTPUT_DIR, SIGNOFF_BATCH_FILE, SIGNOFF_DIR, SIGNOFF_TEMPLATE_FILE,
                          TEMPLATES_DIR, Col, Payment, Status)
from weiwen.outputs import signoff_template
from weiwen.masking import mask_id, mask_phone
from weiwen.outputs.common import owners, paid_households
from weiwen.outputs.signoff import write_signoff


def _paid(root: Path) -> pd.DataFrame:
    """The paid households, with whose sheet lists them (their unit, or their 责任部门)."""
    paid = paid_households(workbook_io.read_roster(root / "Weiwen.xlsm"))
    settings = workbook_io.read_settings(root / "Weiwen.xlsm")
    return paid.assign(_sheet=owners(paid, settings))


def sheet_sections(ws) -> tuple[dict[str, list[list]], list[list]]:
    """Data rows by section heading, and the rows after the header that are not data."""
    header = next(r for r in range(1, 20) if ws.cell(r, 2).value == "户主姓名")
    sections: dict[str, list[list]] = {}
    other: list[list] = []
    current = None
    for row in ws.iter_rows(min_row=header + 1, values_only=True):
        if isinstance(row[0], int):
            sections[current].append(list(row))
        elif row[0]:
            text = str(row[0])
            if "（共" in text:
                current = text.split("（")[0]
                sections[current] = []
            else:
                other.append(list(row))
    return sections, other


def all_text(path: Path) -> str:
    """Every XML part of an .xlsx as text: what any reader of the file could see."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_masks():
    assert mask_id("330106195409222888") == "330106********2888"
    assert mask_id("33010619540922288X") == "330106********288X"
    assert mask_phone("13724207189") == "137****7189"
    assert mask_id("") == mask_phone(None) == ""


@pytest.mark.slow
def test_one_file_per_unit_and_a_batch_book(demo_source):
    folder = demo_source / OUTPUT_DIR / SIGNOFF_DIR
    paid = _paid(demo_source)
    units = list(dict.fromkeys(paid["_sheet"]))
    assert {"社会事务科", "妇联", "退役军人服务站"} <= set(units)         # 标准.责任部门
    assert sorted(p.stem for p in folder.glob("*.xlsx") if p.name != SIGNOFF_BATCH_FILE) == sorted(units)
    batch = load_workbook(folder / SIGNOFF_BATCH_FILE)
    assert sorted(batch.sheetnames) == sorted(units)


@pytest.mark.slow
def test_print_settings(demo_source):
    ws = load_workbook(demo_source / OUTPUT_DIR / SIGNOFF_DIR / "东湖社区.xlsx").active
    assert ws.print_title_rows.replace("$", "") == "1:3"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9                      # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth left out means 1 (the OOXML default; Excel and XlsxWriter leave it out)
    assert (int(ws.page_setup.fitToWidth or 1), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.oddFooter.center.text.startswith("第")
    assert ws["A1"].value == "2027年春节走访慰问金发放签字确认表"
    assert "东湖社区" in ws["A2"].value
    data_row = next(r for r in range(4, 10) if isinstance(ws.cell(r, 1).value, int))
    assert ws.row_dimensions[data_row].height >= 28                 # room for a signature
    assert all(ws.cell(data_row, c).border.left.style == "thin" for c in range(1, 12))
    assert [ws.cell(3, c).value.replace("\n", "") for c in range(1, 12)] == [
        "序号", "户主姓名", "身份证号", "类别", "家庭人口", "金额", "领取人签字", "与户主关系",
        "联系电话", "领取日期", "备注"]


@pytest.mark.slow
def test_only_paid_rows_cash_and_card_apart_totals_and_daxie(demo_source):
    paid = _paid(demo_source)
    wb = load_workbook(demo_source / OUTPUT_DIR / SIGNOFF_DIR / SIGNOFF_BATCH_FILE)
    for unit in wb.sheetnames:
        sections, other = sheet_sections(wb[unit])
        mine = paid[paid["_sheet"] == unit]
        department = unit in ("社会事务科", "妇联", "退役军人服务站")
        # a unit's sheet: one section per 发放方式; a department's: one per unit inside it
        by = Col.UNIT if department else Col.PAYMENT
        assert set(sections) <= (set(mine[Col.UNIT]) if department
                                 else {Payment.CASH.value, Payment.CARD.value})
        assert not department or len(sections) > 1
        for key, rows in sections.items():
            expected = mine[mine[by] == key]
            assert sorted(r[1] for r in rows) == sorted(expected[Col.NAME])
            assert sum(r[5] for r in rows) == expected[Col.AMOUNT].sum()
        numbers = [r[0] for rows in sections.values() for r in rows]
        assert numbers == list(range(1, len(mine) + 1))        # 序号 runs on through the sections
        total = next(r for r in other if r[0] == "合计")
        assert total[5] == mine[Col.AMOUNT].sum()
        assert total[6] == "大写：" + to_daxie(mine[Col.AMOUNT].sum())
        assert total[2] == f"{len(mine)} 户"
        assert any(str(r[0]).startswith("经办人") for r in other)
        if len(sections) > 1:    # each section has a 小计
            assert sum(1 for r in other if "小计" in str(r[0])) == len(sections)


@pytest.mark.slow
def test_no_full_id_in_any_output_file_and_phones_masked(demo_source):
    roster = workbook_io.read_roster(demo_source / "Weiwen.xlsm")
    ids = {i for i in roster[Col.ID].dropna() if len(i) == 18}
    phones = {p for p in roster[Col.PHONE].dropna() if len(p) == 11}
    files = list((demo_source / OUTPUT_DIR).rglob("*.xlsx"))
    assert len(files) >= 15
    for path in files:
        text = all_text(path)
        leaked = [i for i in ids if i in text]
        assert not leaked, f"{path.name} shows full ID numbers {leaked[:3]}"
        if SIGNOFF_DIR in str(path):
            assert not [p for p in phones if p in text], path.name


def test_strings_from_returns_are_never_formulas(campaign):
    settings = workbook_io.read_settings(campaign.workbook)
    roster = pd.DataFrame([{Col.SEQ: 1, Col.UNIT: "东湖社区", Col.NAME: "=HYPERLINK(\"x\")",
                            Col.ID: "330106195409222888", Col.CATEGORY: "@残疾户", Col.SIZE: 1,
                            Col.PHONE: "+8613724207189", Col.AMOUNT: 700, Col.PAYMENT: "现金",
                            Col.STATUS: Status.VALID}])
    result = write_signoff(roster, settings, campaign.output, today=dt.date(2027, 1, 2))
    ws = load_workbook(result.files[0]).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value.startswith("=HYPERLINK") for c in cells)
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.slow
def test_the_office_can_restyle_the_template(demo_campaign, cli):
    wb = load_workbook(signoff_template.DEFAULT_TEMPLATE)
    ws = wb.active
    ws["A1"] = "{活动名称}慰问金领取表（改版）"
    ws.column_dimensions["G"].width = 30
    ws.row_dimensions[5].height = 45               # the 〔数据行〕 prototype
    own = demo_campaign.root / TEMPLATES_DIR / SIGNOFF_TEMPLATE_FILE
    own.parent.mkdir()
    wb.save(own)
    data = cli.json("signoff", demo_campaign.root)
    assert str(own) in data["outcome"]          # the one-line outcome names the layout used
    out = load_workbook(demo_campaign.output / SIGNOFF_DIR / "青山村.xlsx").active
    assert out["A1"].value == "2027年春节走访慰问金领取表（改版）"
    assert out.column_dimensions["G"].width == 30
    data_row = next(r for r in range(4, 10) if isinstance(out.cell(r, 1).value, int))
    assert out.row_dimensions[data_row].height == 45


def test_template_build_is_repeatable_and_committed():
    assert signoff_template.build_bytes() == signoff_template.DEFAULT_TEMPLATE.read_bytes()


@pytest.mark.libreoffice
@pytest.mark.slow
def test_pdf_has_title_first_household_and_repeats_header(demo_campaign, cli):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    pdfplumber = pytest.importorskip("pdfplumber")
    from weiwen.outputs.pdf import to_pdf
    xlsx = demo_campaign.output / SIGNOFF_DIR / "东湖社区.xlsx"
    (pdf,) = to_pdf([xlsx])
    first = load_workbook(xlsx).active
    name = next(first.cell(r, 2).value for r in range(4, 10) if isinstance(first.cell(r, 1).value, int))
    with pdfplumber.open(pdf) as doc:
        pages = [p.extract_text() or "" for p in doc.pages]
    assert len(pages) > 1
    assert "2027年春节走访慰问金发放签字确认表" in pages[0] and name in pages[0]
    assert "2027年春节走访慰问金发放签字确认表" in pages[1] and "领取人签字" in pages[1]
    assert f"第 2 页 共 {len(pages)} 页" in pages[1]


@pytest.mark.slow
def test_signoff_without_libreoffice_still_writes_xlsx(demo_campaign, cli, monkeypatch):
    monkeypatch.setattr("weiwen.outputs.pdf.find_soffice", lambda: None)
    data = cli.json("signoff", demo_campaign.root, "--pdf")
    assert any("没有安装 LibreOffice" in n for n in data["notes"])
    assert not list((demo_campaign.output / SIGNOFF_DIR).glob("*.pdf"))
    assert all(Path(p).suffix == ".xlsx" for p in data["outputs"])
