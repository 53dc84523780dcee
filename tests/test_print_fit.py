"""What a printed output must leave room for, measured from the written file and, where a reader
we did not write decides, from LibreOffice's PDF: the unit chart of 汇总表 names every bar."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from weiwen.outputs.charts import SHEET as CHART_SHEET, TOP_UNITS, add_charts

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
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    pdfplumber = pytest.importorskip("pdfplumber")
    from weiwen.printcheck.render import render
    path = _chart_book(tmp_path / "汇总表.xlsx", TOP_UNITS)
    (page,) = [r for r in render([path], tmp_path / "render") if r.name == CHART_SHEET]
    with pdfplumber.open(page.pdf) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    missing = [name for name in _unit_names(TOP_UNITS) if name not in text]
    assert not missing, f"图上没有名称的单位：{missing}"
