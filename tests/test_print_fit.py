"""What a printed output must leave room for, measured from the written file and, where a reader
we did not write decides, from LibreOffice's PDF: the unit chart of 汇总表 names every bar."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from weiwen.outputs.charts import SHEET as CHART_SHEET, TOP_UNITS, add_charts
from outputs_helpers import libreoffice_pdf_reader

EMU_PER_CM = 360000


def _unit_names(n: int) -> list[str]:
    return [f"第{i:02d}社区" for i in range(1, n + 1)]


def _chart_book(path: Path, units: int) -> Path:
    """A summary book holding only what the 图表 sheet is drawn from."""
    result = SimpleNamespace(
        rows=[["2027年春节走访慰问金发放汇总表"]],
        by_group=[("低保", 89, 81700.0), ("低保边缘", 1800, 1300600.0), ("其他", 50, 33200.0)],
        by_unit=[(name, 100, 90000.0 + 1370 * i) for i, name in enumerate(_unit_names(units))])
    wb = Workbook()
    wb.active.title = "汇总"
    wb.active["A1"] = result.rows[0][0]
    add_charts(wb, result, "名册校验码 TEST")
    wb.save(path)
    return path


def _chart_heights_cm(path: Path) -> list[float]:
    with zipfile.ZipFile(path) as z:
        drawing = next(n for n in z.namelist() if n.startswith("xl/drawings/drawing"))
        xml = z.read(drawing).decode()
    return [int(cy) / EMU_PER_CM for cy in re.findall(r'<(?:\w+:)?ext\b[^>]*\bcy="(\d+)"', xml)]


@pytest.mark.parametrize("units", [12, 15, TOP_UNITS])
def test_the_unit_chart_gives_every_bar_a_line_for_its_name(tmp_path, units):
    # title, amounts' axis and its title take about 3 cm; each unit's name then needs more than
    # its 9 pt line (about 4.6 mm in a CJK font), or LibreOffice and WPS drop every other name
    path = _chart_book(tmp_path / "汇总表.xlsx", units)
    _group, unit = _chart_heights_cm(path)
    assert unit >= 3.0 + 0.55 * units, f"{units} 个单位，图高 {unit:.1f} cm"
    with zipfile.ZipFile(path) as z:
        chart = z.read("xl/charts/chart2.xml").decode()
    cat_axis = re.search(r"<(?:\w+:)?catAx>.*?</(?:\w+:)?catAx>", chart, re.S)
    assert cat_axis and re.search(r'defRPr[^>]*\bsz="(\d+)"', cat_axis.group(0))
    assert int(re.search(r'defRPr[^>]*\bsz="(\d+)"', cat_axis.group(0)).group(1)) <= 900


def test_the_unit_chart_grows_with_the_units(tmp_path):
    heights = [_chart_heights_cm(_chart_book(tmp_path / f"{n}.xlsx", n))[1] for n in (12, 20, 30)]
    assert heights[0] < heights[1] < heights[2]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_names_every_unit_on_one_page(tmp_path):
    pdfplumber = libreoffice_pdf_reader()
    from weiwen.printcheck.render import render
    path = _chart_book(tmp_path / "汇总表.xlsx", TOP_UNITS)
    (page,) = [r for r in render([path], tmp_path / "render") if r.name == CHART_SHEET]
    with pdfplumber.open(page.pdf) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    missing = [name for name in _unit_names(TOP_UNITS) if name not in text]
    assert not missing, f"图上没有名称的单位：{missing}"


# --- 退回修改: each explanation whole, with room under its last line -----------------------------

_EXPLANATIONS = [
    "银行卡号与西湖社区“西湖社区慰问名单.xlsx”第100行（低保）相同，但身份证号不同（共2户用这张卡），"
    "一张卡不应收两户的慰问金，请核实持卡人。",
    "与新华社区“新华社区慰问名单（初稿）20270105.xlsx”第1234行（低收入困难家庭）是同一个身份证号，"
    "同一人只发放一次，本行不发放。是同一人的，请删去本行；不是同一人的，请核对并改正身份证号。",
    "地址为“Hangzhou Xihu District Baochu Road 88 Building 9 Room 101”，与本行不同，请核实实际居住在哪个单位。",
    "类别“困难户”不是本次慰问的类别，请改为以下类别之一：低保、台胞/少数民族困难家庭、大重病患者、残疾户。",
]


def _feedback_book(path: Path) -> Path:
    from weiwen.outputs.feedback import _write, feedback_frame
    from weiwen.outputs.state import RosterState
    rows = [{"序号": i, "文件": "东湖社区慰问名单.xlsx", "行号": 10 + i, "单元格": f"C{10 + i}",
             "户主姓名": "李桂芳", "身份证号": "330106********5534", "级别": "警告", "问题": "同卡不同人",
             "请这样修改": text} for i, text in enumerate(_EXPLANATIONS, start=1)]
    state = RosterState(rows=4, households=4, total=4000.0, code="5D771B87", made="2027-01-20 10:32")
    _write(path, "东湖社区", feedback_frame(rows), "2027年1月10日", state)
    return path


def test_feedback_rows_leave_half_a_line_under_a_wrapped_explanation(tmp_path):
    from openpyxl import load_workbook
    from weiwen.outputs import layout as L
    ws = load_workbook(_feedback_book(tmp_path / "东湖社区.xlsx")).active
    header = next(r for r in range(1, 10) if ws.cell(r, 9).value == "请这样修改")
    width = ws.column_dimensions["I"].width
    size = ws.cell(header + 1, 9).font.sz
    for r in range(header + 1, header + 1 + len(_EXPLANATIONS)):
        lines = L.lines_needed(ws.cell(r, 9).value, width, size)
        assert lines >= 2
        assert ws.row_dimensions[r].height >= (lines + 0.5) * size * 1.45, f"第 {r} 行"


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_prints_every_explanation_whole_above_the_rows_border(tmp_path):
    # measured on LibreOffice's page, which draws 宋体 text in a taller CJK font: the last line
    # of each explanation keeps half a character of white above the row's border
    pdfplumber = libreoffice_pdf_reader()
    from weiwen.printcheck.pdfpage import read_page
    from weiwen.printcheck.render import render
    (page,) = render([_feedback_book(tmp_path / "东湖社区.xlsx")], tmp_path / "render")
    with pdfplumber.open(page.pdf) as pdf:
        drawn = read_page(pdf.pages[0], 1)
    borders = sorted({round(y, 1) for y, _x0, _x1 in drawn.hlines})
    right = max(x for x, _t, _b in drawn.vlines)
    column = sorted({round(x, 1) for x, _t, _b in drawn.vlines})[-2]       # 请这样修改
    found = 0
    for top, bottom in zip(borders, borders[1:]):
        runs = [u for u in drawn.runs if u.x0 >= column - 1 and u.x1 <= right + 1
                and top - 1 <= u.top < bottom]
        if len(runs) < 2:
            continue
        found += 1
        text = "".join(u.text for u in runs).replace(" ", "")
        assert any(text == t.replace(" ", "") for t in _EXPLANATIONS), text
        room = bottom - max(u.bottom for u in runs)
        assert room >= 0.5 * runs[0].size, f"“{text[:12]}…”最后一行离表格线只有 {room:.1f} pt"
    assert found == len(_EXPLANATIONS)


# --- 签字确认表: room in 联系电话 to write a changed number ---------------------------------------

MM = 25.4 / 72                      # points to millimetres


def _signoff_sheet(demo_source: Path, unit: str = "东湖社区"):
    from openpyxl import load_workbook
    from weiwen.names import OUTPUT_DIR, SIGNOFF_DIR
    return load_workbook(demo_source / OUTPUT_DIR / SIGNOFF_DIR / f"{unit}.xlsx").active


def _printed_mm(ws, letters: str) -> dict[str, float]:
    """Each column's width on the A4 page, in mm, at the scale that fits the sheet's width."""
    from openpyxl.utils import get_column_letter
    from weiwen.outputs import layout as L
    last = ws.max_column
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, last + 1)]
    m = ws.page_margins
    scale = L.fit_scale(widths, L.Page(landscape=ws.page_setup.orientation == "landscape",
                                       left=m.left, right=m.right, top=m.top, bottom=m.bottom))
    return {c: ws.column_dimensions[c].width * L.UNIT_PT_EXCEL * scale * MM for c in letters}


def _column(ws, header: str) -> str:
    from openpyxl.utils import get_column_letter
    for r in range(1, 8):
        for c in range(1, ws.max_column + 1):
            if str(ws.cell(r, c).value or "").replace("\n", "") == header:
                return get_column_letter(c)
    raise AssertionError(header)


def test_signoff_phone_cell_leaves_room_to_write_a_new_number(demo_source):
    ws = _signoff_sheet(demo_source)
    phone, signature = _column(ws, "联系电话"), _column(ws, "领取人签字")
    row = next(r for r in range(4, 12) if isinstance(ws.cell(r, 1).value, int))
    cell = ws[f"{phone}{row}"]
    assert "****" in cell.value
    printed = cell.font.sz * 1.45                          # the masked number's line
    height = ws.row_dimensions[row].height
    # the blank part of the cell: under the number when it sits at the top, else split in two
    blank = height - printed if cell.alignment.vertical == "top" else (height - printed) / 2
    assert blank * MM >= 5.0, f"联系电话格里只剩 {blank * MM:.1f} mm 可写"
    widths = _printed_mm(ws, phone + signature)
    assert widths[phone] >= 30.0, f"联系电话栏 {widths[phone]:.1f} mm，写不下 11 位数字"
    # the signature column gave nothing to it (26.3 mm on this sheet before the phone column grew)
    assert widths[signature] >= 26.5, f"签字栏 {widths[signature]:.1f} mm"


@pytest.mark.slow
def test_a_clerks_own_layout_keeps_its_phone_column(demo_campaign, cli):
    # a copy restyled before the built-in layout changed (number centred, full size, 14 wide)
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font
    from weiwen.names import SIGNOFF_TEMPLATE_FILE, TEMPLATES_DIR
    from weiwen.outputs import signoff_template
    wb = load_workbook(signoff_template.DEFAULT_TEMPLATE)
    ws = wb.active
    phone = _column(ws, "联系电话")
    ws.column_dimensions[phone].width = 14
    ws[f"{phone}5"].font = Font(name="宋体", size=11)
    ws[f"{phone}5"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    own = demo_campaign.root / TEMPLATES_DIR / SIGNOFF_TEMPLATE_FILE
    own.parent.mkdir()
    wb.save(own)
    cli("signoff", demo_campaign.root, "--quiet")
    out = _signoff_sheet(demo_campaign.root, "青山村")
    row = next(r for r in range(4, 12) if isinstance(out.cell(r, 1).value, int))
    assert out.column_dimensions[phone].width == 14
    assert out[f"{phone}{row}"].alignment.vertical == "center"
    assert out[f"{phone}{row}"].font.sz == 11


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_prints_the_number_at_the_top_with_blank_under_it(demo_source, tmp_path):
    pdfplumber = libreoffice_pdf_reader()
    from weiwen.names import OUTPUT_DIR, SIGNOFF_DIR
    from weiwen.printcheck.pdfpage import read_page
    from weiwen.printcheck.render import render
    (page,) = render([demo_source / OUTPUT_DIR / SIGNOFF_DIR / "东湖社区.xlsx"], tmp_path / "r")
    with pdfplumber.open(page.pdf) as pdf:
        drawn = read_page(pdf.pages[1], 2)
    borders = sorted({round(y, 1) for y, _x0, _x1 in drawn.hlines})
    numbers = [r for r in drawn.runs if re.fullmatch(r"1\d\d\*{4}\d{4}", r.text.strip())]
    assert len(numbers) >= 10
    for run in numbers:
        bottom = min(y for y in borders if y > run.bottom)
        top = max(y for y in borders if y < run.top)
        assert bottom - run.bottom >= 5 / MM * 0.9, (       # 5 mm, at the page's scale
            f"“{run.text}”下面只有 {(bottom - run.bottom) * MM:.1f} mm（行高 {(bottom - top) * MM:.1f} mm）")
