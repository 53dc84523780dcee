"""签字确认表: print settings, masking, cash/card sections, totals and 大写, the restylable template, PDF."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from typer.testing import CliRunner

from outputs_helpers import CATEGORIES, small_campaign, libreoffice_pdf_reader
from weiwen import workbook_io
from weiwen.cli import app
from weiwen.money import to_daxie
from weiwen.names import (BANK_FILE, BANK_NO_CARD_FILE, OUTPUT_DIR, SIGNOFF_BATCH_FILE,
                          SIGNOFF_DIR, SIGNOFF_TEMPLATE_FILE, TEMPLATES_DIR, Col, Payment, Status)
from weiwen.outputs import signoff_template
from weiwen.masking import mask_id, mask_phone
from weiwen.outputs.common import owners, paid_households
from weiwen.outputs.signoff import write_signoff


def _paid(root: Path) -> pd.DataFrame:
    """The paid households, with whose sheet lists them (their unit, or their 责任部门)."""
    paid = paid_households(workbook_io.read_roster(root / "Weiwen.xlsm"))
    settings = workbook_io.read_settings(root / "Weiwen.xlsm")
    return paid.assign(_sheet=owners(paid, settings))


PAYMENTS = (Payment.CASH.value, Payment.CARD.value)


def sheet_blocks(ws) -> tuple[list[tuple[str, int, list[list]]], list[list]]:
    """Each heading in order — its text up to （共, the count it states, the data rows right
    under it — and the rows after the header that are neither headings nor data."""
    header = next(r for r in range(1, 20) if ws.cell(r, 2).value == "户主姓名")
    blocks: list[tuple[str, int, list[list]]] = []
    other: list[list] = []
    for row in ws.iter_rows(min_row=header + 1, values_only=True):
        if isinstance(row[0], int):
            blocks[-1][2].append(list(row))
        elif row[0]:
            text = str(row[0])
            if "（共" in text:
                blocks.append((text.split("（")[0], int(text.split("共")[1].split("户")[0]), []))
            else:
                other.append(list(row))
    return blocks, other


def department_parts(blocks) -> dict[str, dict[str, list[list]]]:
    """A department's sheet as 发放方式 → unit → rows: each part's heading (现金 / 银行打卡, no
    rows of its own) is followed by its units' headings ("现金·东风社区" when the sheet has both
    parts, else the unit alone) and rows. The headings and their counts are checked on the way."""
    payments = [heading for heading, _count, _rows in blocks if heading in PAYMENTS]
    parts: dict[str, dict[str, list[list]]] = {}
    stated: dict[str, int] = {}
    for heading, count, rows in blocks:
        if heading in PAYMENTS:
            assert not rows, heading
            parts[heading], stated[heading] = {}, count
            continue
        assert parts, f"{heading} is under no 现金 / 银行打卡 heading"
        payment = list(parts)[-1]
        unit = heading.split("·")[-1]
        assert heading == (f"{payment}·{unit}" if len(payments) > 1 else unit)
        assert count == len(rows) > 0, heading
        parts[payment][unit] = rows
    for payment, units in parts.items():
        assert stated[payment] == sum(len(rows) for rows in units.values()) > 0, payment
    return parts


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
        blocks, other = sheet_blocks(wb[unit])
        mine = paid[paid["_sheet"] == unit]
        if unit in ("社会事务科", "妇联", "退役军人服务站"):
            # a department's sheet: a part per 发放方式, one section per unit inside each
            parts = department_parts(blocks)
            sections = {(p, u): rows for p, units in parts.items() for u, rows in units.items()}
            key = lambda row: (row[Col.PAYMENT], row[Col.UNIT])  # noqa: E731
            subtotals = [label for p, units in parts.items()
                         for label in ([f"{u}小计" for u in units] if len(units) > 1 else [])
                         + ([f"{p}小计"] if len(parts) > 1 else [])]
        else:
            # a unit's sheet: one section per 发放方式
            sections = {heading: rows for heading, _count, rows in blocks}
            assert set(sections) <= set(PAYMENTS)
            key = lambda row: row[Col.PAYMENT]  # noqa: E731
            subtotals = [f"{p}小计" for p in sections] if len(sections) > 1 else []
        # each section has a 小计 when it has a sibling; a lone one would repeat the 合计
        assert [r[0] for r in other if "小计" in str(r[0])] == subtotals
        expected = mine.assign(_key=[key(r) for r in mine.to_dict("records")])
        assert set(sections) == set(expected["_key"])
        for k, rows in sections.items():
            part = expected[expected["_key"] == k]
            assert sorted(r[1] for r in rows) == sorted(part[Col.NAME])
            assert sum(r[5] for r in rows) == part[Col.AMOUNT].sum()
        numbers = [r[0] for _h, _c, rows in blocks for r in rows]
        assert numbers == list(range(1, len(mine) + 1))        # 序号 runs on through the sections
        total = next(r for r in other if r[0] == "合计")
        assert total[5] == mine[Col.AMOUNT].sum()
        assert total[6] == "大写：" + to_daxie(mine[Col.AMOUNT].sum())
        assert total[2] == f"{len(mine)} 户"
        assert any(str(r[0]).startswith("经办人") for r in other)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """`weiwen run` on the small campaign with 精简老职工 too: 社会事务科 pays them in cash and
    低保 by card, in every unit (one 红旗村 低保 household has no card number)."""
    campaign = small_campaign(tmp_path_factory.mktemp("mixed") / "活动",
                              categories=[*CATEGORIES, "精简老职工"])
    CliRunner().invoke(app, ["run", str(campaign.root), "--quiet"], catch_exceptions=False)
    return campaign


def _households_in(path: Path) -> list[dict]:
    """The household rows (a 序号) of a bank list's first sheet, by their header."""
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    header = next(r for r in rows if "户名" in r and "金额" in r)
    return [dict(zip(header, r)) for r in rows if isinstance(r[0], int)]


@pytest.mark.slow
def test_a_department_paying_cash_and_card_shows_them_apart(mixed):
    mine = _paid(mixed.root).query("_sheet == '社会事务科'")
    folder = mixed.output / SIGNOFF_DIR
    ws = load_workbook(folder / "社会事务科.xlsx").active
    blocks, other = sheet_blocks(ws)
    parts = department_parts(blocks)
    assert list(parts) == [Payment.CASH.value, Payment.CARD.value]
    expected_totals = []
    for payment, units in parts.items():
        assert list(units) == ["东风社区", "红旗村", "幸福里社区"]
        for unit, rows in units.items():
            want = mine[(mine[Col.PAYMENT] == payment) & (mine[Col.UNIT] == unit)]
            assert [r[1] for r in rows] == list(want[Col.NAME])
            assert {r[3] for r in rows} == {"精简老职工" if payment == "现金" else "低保"}
            expected_totals.append((f"{unit}小计", f"{len(rows)} 户", sum(r[5] for r in rows)))
        rows = [r for unit_rows in units.values() for r in unit_rows]
        expected_totals.append((f"{payment}小计", f"{len(rows)} 户", sum(r[5] for r in rows)))
    expected_totals.append(("合计", f"{len(mine)} 户", mine[Col.AMOUNT].sum()))
    totals = [r for r in other if str(r[0]).endswith("小计") or r[0] == "合计"]
    assert [(r[0], r[2], r[5]) for r in totals] == expected_totals
    assert all(r[6] == "大写：" + to_daxie(r[5]) for r in totals)
    numbers = [r[0] for _heading, _count, rows in blocks for r in rows]
    assert numbers == list(range(1, len(mine) + 1))                  # 序号 runs on
    # the card part's 小计 is what finance checks against the bank list: the households paid
    # through 银行代发.xlsx and those held back for a missing card number (all card ones are 低保)
    listed = _households_in(mixed.output / BANK_FILE)
    held = _households_in(mixed.output / BANK_NO_CARD_FILE)
    assert listed and len(held) == 1
    card = [r for rows in parts[Payment.CARD.value].values() for r in rows]
    assert sorted(r[1] for r in card) == sorted(h["户名"] for h in listed + held)
    assert totals[-2][0] == "银行打卡小计"
    assert totals[-2][5] == sum(h["金额"] for h in listed + held)
    # the batch book holds the same sheet
    batch = load_workbook(folder / SIGNOFF_BATCH_FILE)["社会事务科"]
    values = lambda sheet: [list(r) for r in sheet.iter_rows(values_only=True)]  # noqa: E731
    assert values(batch) == values(ws)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_a_department_paying_cash_and_card_passes_the_print_check(mixed):
    libreoffice_pdf_reader()
    from weiwen.printcheck import check_campaign
    report = check_campaign(mixed.root, only=[SIGNOFF_DIR + "/"])
    assert report.ok, "\n".join(map(str, report.findings))
    assert f"{SIGNOFF_DIR}/社会事务科.xlsx" in report.pages


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


def test_a_long_unit_name_keeps_its_subtotal_on_one_line(campaign):
    """A department's 小计 is named after the unit ("市政设施管理处小计"): the label columns widen
    so that it does not wrap and get cut off by the row's height."""
    from openpyxl.utils import get_column_letter
    from weiwen.outputs.layout import lines_needed
    settings = workbook_io.read_settings(campaign.workbook)
    roster = pd.DataFrame([{Col.SEQ: i, Col.UNIT: unit, Col.NAME: f"户主{i}",
                            Col.ID: "330106195409222888", Col.CATEGORY: "低保", Col.SIZE: 2,
                            Col.PHONE: "13724207189", Col.AMOUNT: 900, Col.PAYMENT: "银行打卡",
                            Col.CARD: "6222020000000000034", Col.STATUS: Status.VALID}
                           for i, unit in enumerate(["东湖社区", "城建集团市政设施管理处"], 1)])
    result = write_signoff(roster, settings, campaign.output, today=dt.date(2027, 1, 2), batch=False)
    ws = load_workbook(next(p for p in result.files if p.stem == "社会事务科")).active
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "城建集团市政设施管理处小计")
    span = next(m for m in ws.merged_cells.ranges if m.min_row == row and m.min_col == 1)
    width = sum(ws.column_dimensions[get_column_letter(c)].width
                for c in range(span.min_col, span.max_col + 1))
    assert lines_needed(ws.cell(row, 1).value, width, ws.cell(row, 1).font.sz) == 1


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
    assert "（版式：活动文件夹的 templates/签字确认表.xlsx）" in data["outcome"]   # the layout used
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
    pdfplumber = libreoffice_pdf_reader()
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
