"""Build the signature-sheet layout `templates/签字确认表.xlsx`: `python -m weiwen.outputs.signoff_template`.

The office may restyle the file in Excel (fonts, widths, heights, borders, wording, margins, the
footer); `signoff.py` keeps all of that. What the generator relies on:
- the header row is the row holding 户主姓名; data go into columns by their header text
  (序号, 户主姓名, 身份证号, 类别, 家庭人口, 金额, 联系电话; other columns stay blank for handwriting);
- the rows below it are prototypes, each starting with a marker in column A:
  〔分组行〕 the heading of a payment section, 〔数据行〕 one household, 〔小计行〕 a section's total,
  〔合计行〕 the unit's total, 〔签名行〕 the 经办人/审核人/负责人 line, 〔说明行〕 a closing note;
- placeholders anywhere: {活动名称} {单位} {发放方式} {户数} {人数} {金额} {大写} {签字表上交日期} {打印日期}
  {名册} (the roster's check code, to tell a current sheet from an old one), {单位称谓} (社区/村,
  单位, or 责任部门 on a department's sheet) and {经办部门} (参数 经办部门, 民政办 by default).
The output is byte-for-byte repeatable (fixed zip times, like the workbook build).
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..fileio import atomic_write_bytes
from ..names import SIGNOFF_COLUMNS, SIGNOFF_TEMPLATE_FILE, TEMPLATES_DIR, SignCol
from ..repeatable import normalise_zip

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TEMPLATE = REPO_ROOT / TEMPLATES_DIR / SIGNOFF_TEMPLATE_FILE

MARK_GROUP = "〔分组行〕"
MARK_DATA = "〔数据行〕"
MARK_SUBTOTAL = "〔小计行〕"
MARK_TOTAL = "〔合计行〕"
MARK_SIGN = "〔签名行〕"
MARK_NOTE = "〔说明行〕"
MARKS = (MARK_GROUP, MARK_DATA, MARK_SUBTOTAL, MARK_TOTAL, MARK_SIGN, MARK_NOTE)

FONT = "宋体"   # Excel on Windows has it; LibreOffice falls back to Noto Serif CJK
WIDTHS = {
    SignCol.SEQ: 5.5, SignCol.NAME: 10, SignCol.ID: 21, SignCol.CATEGORY: 16, SignCol.SIZE: 6,
    SignCol.AMOUNT: 12, SignCol.SIGNATURE: 16, SignCol.RELATION: 9, SignCol.PHONE: 20,
    SignCol.DATE: 11, SignCol.NOTE: 11,
}
HEADER_LABELS = {SignCol.SIZE: "家庭\n人口", SignCol.RELATION: "与户主\n关系"}
DATA_ROW_HEIGHT = 32     # points: about 11 mm, room for a handwritten signature
MONEY = "#,##0.00"


def _thin() -> Border:
    side = Side(style="thin", color="000000")
    return Border(left=side, right=side, top=side, bottom=side)


def build_template() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "签字确认表"
    n = len(SIGNOFF_COLUMNS)
    last = get_column_letter(n)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    ws["A1"] = "{活动名称}慰问金发放签字确认表"
    ws["A1"].font = Font(name=FONT, size=18, bold=True)
    ws["A1"].alignment = center
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 34

    ws["A2"] = "单位：{单位}"
    ws["A2"].font = Font(name=FONT, size=12, bold=True)
    ws["A2"].alignment = left
    ws.merge_cells("A2:E2")
    # Two lines by intent: left to wrap, the date broke across them ("2027年2月10" / "日 前交回").
    ws["F2"] = "须知：由户主或家庭成员本人签字并留电话，不得代签，不得拆分。\n签字表于 {签字表上交日期} 前交回。"
    ws["F2"].font = Font(name=FONT, size=10)
    ws["F2"].alignment = Alignment(horizontal="right", vertical="center", wrap_text=True)
    ws.merge_cells(f"F2:{last}2")
    ws.row_dimensions[2].height = 30

    for i, column in enumerate(SIGNOFF_COLUMNS, start=1):
        cell = ws.cell(row=3, column=i, value=HEADER_LABELS.get(column, column))
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.alignment = center
        cell.border = _thin()
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[column]
    ws.row_dimensions[3].height = 30

    def proto(row: int, height: float, cells: dict[str, str], merges=(), *, bold=False,
              border=True, size=11, align=center) -> None:
        for i in range(1, n + 1):
            cell = ws.cell(row=row, column=i)
            cell.font = Font(name=FONT, size=size, bold=bold)
            cell.alignment = align
            if border:
                cell.border = _thin()
        for ref, value in cells.items():
            ws[ref] = value
        for ref in merges:
            ws.merge_cells(ref)
        ws.row_dimensions[row].height = height

    proto(4, 24, {"A4": MARK_GROUP + "{发放方式}（共 {户数} 户）"}, [f"A4:{last}4"],
          bold=True, align=left)
    proto(5, DATA_ROW_HEIGHT, {"A5": MARK_DATA})
    # The masked phone sits small on the cell's first line, the rest of the cell left blank: a
    # household whose number changed writes the new one under it (centred at full size, the
    # printed number filled the cell and left nowhere to write). The column is wide enough for
    # eleven handwritten digits.
    phone = ws.cell(row=5, column=SIGNOFF_COLUMNS.index(SignCol.PHONE) + 1)
    phone.font = Font(name=FONT, size=9)
    phone.alignment = Alignment(horizontal="center", vertical="top")
    money_col = get_column_letter(SIGNOFF_COLUMNS.index(SignCol.AMOUNT) + 1)
    ws[f"{money_col}5"].number_format = MONEY
    proto(6, 26, {"A6": MARK_SUBTOTAL + "{发放方式}小计", "C6": "{户数} 户", "D6": "{人数} 人",
                  f"{money_col}6": "{金额}", "G6": "大写：{大写}"},
          ["A6:B6", "D6:E6", f"G6:{last}6"], bold=True)
    proto(7, 26, {"A7": MARK_TOTAL + "合计", "C7": "{户数} 户", "D7": "{人数} 人",
                  f"{money_col}7": "{金额}", "G7": "大写：{大写}"},
          ["A7:B7", "D7:E7", f"G7:{last}7"], bold=True)
    for ref in (f"{money_col}6", f"{money_col}7"):
        ws[ref].number_format = MONEY
    ws["G6"].alignment = ws["G7"].alignment = left
    proto(8, 40, {"A8": MARK_SIGN + "经办人：", "D8": "审核人：", "G8": "负责人：",
                  "J8": "日期："}, ["A8:C8", "D8:F8", "G8:I8", f"J8:{last}8"],
          border=False, size=12, align=Alignment(horizontal="left", vertical="bottom"))
    proto(9, 20, {"A9": MARK_NOTE + "打印日期：{打印日期}。{名册}。本表一式两份，{单位称谓}、{经办部门}各留一份。"},
          [f"A9:{last}9"], border=False, size=9, align=left)

    ws.print_title_rows = "1:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.5
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 10
    ws.freeze_panes = "A4"
    return wb


def build_bytes() -> bytes:
    wb = build_template()
    wb.properties.creator = "weiwen"
    wb.properties.lastModifiedBy = "weiwen"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def build(path: Path = DEFAULT_TEMPLATE) -> Path:
    return atomic_write_bytes(Path(path), build_bytes())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    print(f"已生成 {build(Path(argv[0]) if argv else DEFAULT_TEMPLATE)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
