"""The 图表 sheet of 汇总表.xlsx: native Excel bar charts, amount by category group and by unit.

Native charts (not pictures) so they open, resize and print in Excel, WPS and LibreOffice alike.
Their numbers live in a hidden sheet 图表数据 (a hidden sheet's cells are still plotted); with
more than `TOP_UNITS` units the unit chart shows the largest ones and says so in its title.
"""
from __future__ import annotations

import math

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font
from openpyxl.workbook import Workbook

from ..printing import print_setup
from . import layout as L
from .common import put_row, style_array

SHEET, DATA_SHEET = "图表", "图表数据"
TOP_UNITS = 30
MONEY = "#,##0"
#: The unit chart gets this much height per bar, so that every unit's name has its own line.
#: LibreOffice (and WPS) leave out every other category name once the names would touch,
#: whatever the file asks (tickLblSkip is Excel's alone), and then half the bars have no unit;
#: a 9 pt name needs about 4.6 mm in Noto Sans CJK, 宋体 less.
BAR_PITCH_CM = 0.6
#: what the unit chart needs besides its bars: title, amounts' axis and its title, padding
UNIT_FRAME_CM = 3.2
LABEL_PT = 9
ROW_CM = 15 / 72 * 2.54           # the sheet's default row (15 pt), to size the print area


def _chart(title: str, rows: int, data_ws, first: int, *, horizontal: bool, height: float):
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.style = 10
    chart.legend = None
    chart.width, chart.height = 17.0, height
    chart.y_axis.title = "金额（元）"
    chart.y_axis.numFmt = MONEY
    chart.y_axis.majorGridlines = None
    chart.y_axis.scaling.min = 0                        # bars from zero: no exaggerated gaps
    chart.x_axis.delete = False
    chart.x_axis.tickLblSkip = 1
    # the names' size is set, not left to the reader's default, as the bars' spacing counts on it
    chart.x_axis.txPr = RichText(p=[Paragraph(
        pPr=ParagraphProperties(defRPr=CharacterProperties(sz=LABEL_PT * 100)),
        endParaRPr=CharacterProperties())])
    chart.y_axis.delete = False
    values = Reference(data_ws, min_col=2, min_row=first, max_row=first + rows - 1)
    labels = Reference(data_ws, min_col=1, min_row=first, max_row=first + rows - 1)
    chart.add_data(values, titles_from_data=False)
    chart.set_categories(labels)
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False,
                                     showLegendKey=False, showPercent=False)
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"     # first unit at the top, as in the table
        chart.y_axis.crosses = "max"                    # and the amounts' axis at the bottom
    return chart


def add_charts(wb: Workbook, result, footer: str = "") -> None:
    """Add 图表 (visible, printable on one page) and 图表数据 (hidden) to the summary book."""
    groups = [(name, amount) for name, _n, amount in result.by_group]
    units = [(name, amount) for name, _n, amount in result.by_unit]
    if not groups and not units:
        return
    shown = units if len(units) <= TOP_UNITS else sorted(units, key=lambda u: -u[1])[:TOP_UNITS]
    data = wb.create_sheet(DATA_SHEET)
    style = style_array(data, font=Font(name=L.FONT, size=L.SIZE))
    money = style_array(data, font=Font(name=L.FONT, size=L.SIZE), number_format=MONEY)
    put_row(data, 1, ["类别组", "金额"], styles=[style, style])
    for i, (name, amount) in enumerate(groups, start=2):
        put_row(data, i, [name, amount], styles=[style, money])
    unit_first = len(groups) + 3
    put_row(data, unit_first - 1, ["单位", "金额"], styles=[style, style])
    for i, (name, amount) in enumerate(shown, start=unit_first):
        put_row(data, i, [name, amount], styles=[style, money])
    data.sheet_state = "hidden"

    ws = wb.create_sheet(SHEET, index=1)
    title = result.rows[0][0].replace("汇总表", "图表")
    put_row(ws, 1, [title], styles=[style_array(ws, font=Font(name=L.FONT, size=16, bold=True),
                                               alignment=Alignment(horizontal="center"))])
    ws.merge_cells("A1:J1")
    ws.row_dimensions[1].height = 30
    for col in "ABCDEFGHIJ":
        ws.column_dimensions[col].width = 9.5
    group_chart = _chart("金额（按类别组）", len(groups), data, 2, horizontal=False, height=8.0)
    ws.add_chart(group_chart, "A3")
    unit_title = ("金额（按单位）" if len(units) <= TOP_UNITS
                  else f"金额（按单位，前 {TOP_UNITS} 个，共 {len(units)} 个单位）")
    ws.add_chart(_chart(unit_title, len(shown), data, unit_first, horizontal=True,
                        height=unit_chart_height(len(shown))), "A21")
    last_row = 21 + math.ceil(unit_chart_height(len(shown)) / ROW_CM) + 1
    ws.print_area = f"A1:J{last_row}"
    # one page whatever the number of units: with many units the page is printed smaller
    # (30 units at about 80 %), the names staying apart as the chart's own spacing sets them
    print_setup(ws, title_rows=None, landscape=False, footer_left=footer)
    ws.page_setup.fitToHeight = 1


def unit_chart_height(bars: int) -> float:
    """Height (cm) of the unit chart for `bars` units: grows with them, never shorter than the
    category chart above it."""
    return max(7.0, UNIT_FRAME_CM + BAR_PITCH_CM * bars)
