"""The print check's page allowance against what our own pagination does: a department's sheet of
many short sections (one per unit, one to three households each) moves a whole section at most
page breaks, and the allowance must hold for it — while a sheet broken after every section still
fails. Read from the .xlsx alone; no LibreOffice needed."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break

from weiwen.outputs.layout import Line, Page, page_breaks
from weiwen.printcheck.sheet import page_bound, read_sheet

WIDTHS = [5.43, 10.0, 26.29, 16.0, 6.0, 16.86, 15.0, 9.0, 14.0, 11.0, 13.0, 13.0]
HEIGHTS = {"heading": 24.0, "data": 32.25, "total": 26.25}
MARGINS = (0.4, 0.4, 0.5, 0.7)


def department_sheet(sections: int):
    """A sheet laid out like a department's 签字确认表: three title rows repeated on every page,
    then per unit a heading, its households and a 小计; the breaks from our pagination."""
    wb = Workbook()
    ws = wb.active
    ws.title = "社会事务科"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    ws.append(["2027年春节走访慰问金发放签字确认表"])
    ws.append(["单位：社会事务科"])
    ws.append(["序号", "户主姓名", "身份证号", "类别", "家庭人口", "金额", "领取人签字", "与户主关系",
               "联系电话", "领取日期", "备注", ""])
    for r, h in ((1, 33.75), (2, 32.25), (3, 35.25)):
        ws.row_dimensions[r].height = h
    kinds: list[str] = []
    number = 0
    for unit in range(sections):
        households = 1 + (unit * 7) % 3
        ws.append([f"第{unit + 1}社区（共 {households} 户）"])
        kinds.append("heading")
        for _ in range(households):
            number += 1
            ws.append([number, f"住户{number}", "330102********2147", "低保", 2, 900.0])
            kinds.append("data")
        ws.append([f"第{unit + 1}社区小计", None, f"{households} 户", None, None, 900.0 * households])
        kinds.append("total")
    for r, kind in enumerate(kinds, start=4):
        ws.row_dimensions[r].height = HEIGHTS[kind]
    ws.print_title_rows = "1:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom = MARGINS
    lines = [Line(HEIGHTS[k], k) for k in kinds]
    titles = 33.75 + 32.25 + 35.25
    page = Page(landscape=True, left=MARGINS[0], right=MARGINS[1], top=MARGINS[2], bottom=MARGINS[3])
    breaks = page_breaks(lines, titles=titles, widths=WIDTHS, page=page, first=4)
    return wb, ws, breaks, kinds


def _with_breaks(ws, rows):
    for row in rows:
        ws.row_breaks.append(Break(id=row))


def test_a_sheet_of_many_short_sections_keeps_within_the_allowance():
    wb, ws, breaks, _ = department_sheet(150)
    _with_breaks(ws, breaks)
    model = read_sheet(ws, 0)
    pages = len(model.breaks) + 1
    assert pages == len(breaks) + 1 > 20
    assert pages <= page_bound(model.expected_pages, model.kept_share)
    # the allowance without the kept sections is what such a sheet used to fail
    assert pages > page_bound(model.expected_pages)


def test_a_sheet_broken_after_every_section_still_fails():
    wb, ws, _, kinds = department_sheet(150)
    ends = [r for r, kind in enumerate(kinds, start=4) if kind == "total"]
    _with_breaks(ws, ends[:-1])
    model = read_sheet(ws, 0)
    assert len(model.breaks) + 1 > page_bound(model.expected_pages, model.kept_share)


def test_a_sheet_of_long_sections_keeps_the_old_allowance():
    wb = Workbook()
    ws = wb.active
    ws.append(["标题"])
    for block in range(4):
        ws.append([f"第{block + 1}类（共 40 户）"])
        for i in range(40):
            ws.append([i + 1, "住户", "330102********2147", 900.0])
        ws.append(["小计", None, "40 户", 36000.0])
    model = read_sheet(ws, 0)
    assert page_bound(model.expected_pages, model.kept_share) == page_bound(model.expected_pages)
