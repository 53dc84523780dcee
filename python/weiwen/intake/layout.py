"""Build templates/回收模板.xlsx, the layout every unit's blank return is made from.

The layout is an ordinary workbook people may restyle in Excel (fonts, widths, colours, the
instruction text); `weiwen templates` only fills its {placeholders}, the hidden `_weiwen` sheet and
the 类别 drop-down. Regenerate it with `python -m weiwen.intake.layout` (same content every time).

Contract with templates_out.py and the reader:
- sheet 名单: any cell may hold {活动名称} {单位名称} {单位编码} {回收截止日期} {联系人} {电话};
  one header row naming the returned columns (names.RETURN_COLUMNS); the rows below it that are
  unlocked form the data area;
- a data validation on the 类别 column whose list points at `_weiwen` column D (filled from 标准);
- a very hidden sheet `_weiwen`: column A keys, column B values (单位编码, 单位名称, 活动名称,
  生成时间, 模板版本), column D the category list.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..names import RETURN_COLUMNS, TEXT_COLUMNS, Col
from .readers import META_CAMPAIGN, META_CODE, META_NAME, META_SHEET, META_TIME, META_VERSION

LAYOUT_NAME = "回收模板.xlsx"
DATA_SHEET = "名单"
DATA_ROWS = 300                     # pre-formatted rows; units may insert more
VERSION = "1"
CATEGORY_LIST_COLUMN = "D"
REPO_LAYOUT = Path(__file__).resolve().parents[3] / "templates" / LAYOUT_NAME


INSTRUCTIONS = (
    "填表说明：",
    "1. 每户一行，从表头下面第一行开始连续填写，不要留空行；不要修改表头，不要增删列。",
    "2. 身份证号填18位（末位X用大写或小写均可），本列已设为文本格式，请直接输入，不要用公式。",
    "3. 类别请从下拉列表中选择；一户符合多个类别的，每个类别各填一行，按最高档次只发一次。",
    "4. 家庭人口填数字；联系电话填户主或家庭成员手机；按银行打卡发放的类别（如低保）须填银行卡号（同样为文本格式）。",
    "5. 文件名可以修改，但请不要删除本文件中的任何工作表；改正后重新发送整个文件即可。",
)

_WIDTHS = {Col.NAME: 12, Col.ID: 22, Col.CATEGORY: 22, Col.SIZE: 10, Col.PHONE: 15,
           Col.CARD: 23, Col.ADDRESS: 34, Col.NOTE: 18}
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FIXED_TIME = dt.datetime(2027, 1, 1)          # layout file's own timestamps: reproducible


def build_layout(path: Path = REPO_LAYOUT) -> Path:
    """Write the layout workbook to `path` and return it."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    n = len(RETURN_COLUMNS)
    last = get_column_letter(n)

    ws["A1"] = "{活动名称}名单（{单位名称}）"
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    ws["A2"] = "填报单位：{单位名称}（编码 {单位编码}）    联系人：{联系人} {电话}    请于 {回收截止日期} 前交回"
    ws.merge_cells(f"A2:{last}2")
    for i, line in enumerate(INSTRUCTIONS, start=3):
        cell = ws.cell(row=i, column=1, value=line)
        cell.font = Font(size=10, color="C00000" if i == 3 else "404040", bold=i == 3)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=n)
    header_row = 3 + len(INSTRUCTIONS) + 1
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(RETURN_COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=c, value=str(name))
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(name, 14)
    ws.row_dimensions[header_row].height = 22
    first, end = header_row + 1, header_row + DATA_ROWS
    unlocked = Protection(locked=False)
    for c, name in enumerate(RETURN_COLUMNS, start=1):
        text = name in TEXT_COLUMNS
        for r in range(first, end + 1):
            cell = ws.cell(row=r, column=c)
            cell.protection = unlocked
            cell.border = _BORDER
            if text:
                cell.number_format = "@"
    category_col = get_column_letter(RETURN_COLUMNS.index(Col.CATEGORY) + 1)
    categories = DataValidation(
        type="list", formula1=f"'{META_SHEET}'!${CATEGORY_LIST_COLUMN}$2:${CATEGORY_LIST_COLUMN}$2",
        allow_blank=True, showErrorMessage=True, errorStyle="warning",
        errorTitle="类别", error="请从下拉列表中选择类别（与“标准”表一致）。",
        promptTitle="类别", prompt="请从下拉列表中选择", showInputMessage=True)
    categories.add(f"{category_col}{first}:{category_col}{end}")
    ws.add_data_validation(categories)
    size_col = get_column_letter(RETURN_COLUMNS.index(Col.SIZE) + 1)
    sizes = DataValidation(type="whole", operator="between", formula1="1", formula2="30",
                           allow_blank=True, showErrorMessage=True, errorStyle="warning",
                           errorTitle="家庭人口", error="家庭人口请填 1 到 30 之间的整数。")
    sizes.add(f"{size_col}{first}:{size_col}{end}")
    ws.add_data_validation(sizes)
    ws.freeze_panes = f"A{first}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True                 # header and title locked; no password on purpose
    for allowed in ("formatColumns", "formatRows", "formatCells", "insertRows", "deleteRows",
                    "sort", "autoFilter"):
        setattr(ws.protection, allowed, False)

    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    for r, (key, value) in enumerate(((META_CODE, "{单位编码}"), (META_NAME, "{单位名称}"),
                                      (META_CAMPAIGN, "{活动名称}"), (META_TIME, ""),
                                      (META_VERSION, VERSION)), start=1):
        meta.cell(row=r, column=1, value=key)
        meta.cell(row=r, column=2, value=value)
    meta[f"{CATEGORY_LIST_COLUMN}1"] = "类别"
    wb.properties.creator = "weiwen"
    wb.properties.created = _FIXED_TIME
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


if __name__ == "__main__":      # python -m weiwen.intake.layout [PATH]
    print(build_layout(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_LAYOUT))
