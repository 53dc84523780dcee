"""Build `workbook/Weiwen.xlsm` from the sources in the repo: `python -m weiwen.workbook`.

The sheets, headers, widths, drop-downs and the 说明 text come from here and from defaults.py;
the Excel parts (ribbon XML, VBA project) are added by `excel_parts.add_parts` when present.
The output is byte-for-byte repeatable: zip entries get a fixed timestamp and the document
properties a fixed date, so a test can rebuild it and compare with the committed file.
"""
from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .defaults import DEFAULT_STANDARDS, PARAM_SPECS, ParamSpec
from .excel_parts import add_conf_sheet, add_parts, set_code_names
from .fileio import atomic_write_bytes
from .names import (COMPARE_COLUMNS, DEFAULT_UNIT_TYPES, PARAM_COLUMNS, PAY_COLUMNS,
                    PLAN_COLUMNS, PROBLEM_COLUMNS, PROBLEM_KINDS_COLUMNS, REF_COLUMNS,
                    ROSTER_COLUMNS, STANDARD_COLUMNS, TARGET_COLUMNS, UNIT_COLUMNS, WORKBOOK_FILE,
                    Col, CompareCol, Method, ParamCol, PayCol, PayResult, Payment, PlanCol,
                    ProblemCol, RefCol, RefRule, Severity, Sheet, Status, StdCol, TargetCol,
                    UnitCol, VisitSheet)
from .openpyxl_access import first_sheet
from .repeatable import normalise_zip

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "workbook" / WORKBOOK_FILE

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SETTINGS_FILL = PatternFill("solid", fgColor="FFF2CC")

#: column widths (characters) by header; anything not named gets 12
WIDTHS: dict[str, float] = {
    Col.SEQ: 6, Col.UNIT: 14, Col.NAME: 10, Col.ID: 21, Col.CATEGORY: 20,
    Col.REPORTED_CATEGORY: 14, Col.SIZE: 9, Col.PHONE: 14, Col.CARD: 22, Col.BANK: 16, Col.ADDRESS: 30,
    Col.AMOUNT: 9, Col.PAYMENT: 10,
    Col.BASIS: 40, Col.STATUS: 8, Col.ISSUES: 40, Col.SRC_FILE: 24, Col.SRC_ROW: 8, Col.NOTE: 24,
    ProblemCol.SEVERITY: 6, ProblemCol.KIND: 18, ProblemCol.MESSAGE: 70,
    ParamCol.KEY: 16, ParamCol.VALUE: 22, ParamCol.HELP: 50,
    UnitCol.CODE: 14, UnitCol.NAME: 16, UnitCol.TYPE: 8, UnitCol.CONTACT: 10,
    UnitCol.PHONE: 14, UnitCol.EMAIL: 24,
    StdCol.GROUP: 10, StdCol.METHOD: 14, StdCol.PRIORITY: 8, StdCol.CONDITION: 14,
    StdCol.ALIASES: 40, StdCol.DEPARTMENT: 14,
    RefCol.LIST: 30, RefCol.RULE: 10, RefCol.CATEGORIES: 24, RefCol.NOTE: 40,
    CompareCol.CHANGE: 10, CompareCol.LAST_UNIT: 14, CompareCol.LAST_CATEGORY: 18,
    CompareCol.CATEGORY: 18, CompareCol.LAST_AMOUNT: 10, CompareCol.AMOUNT: 10,
    PayCol.DUE: 10, PayCol.PAID: 10, PayCol.RESULT: 8, PayCol.REASON: 24, PayCol.FILE: 24,
    PayCol.ROW: 8,
}

GUIDE_LINES: tuple[str, ...] = (
    "走访慰问工作簿 使用说明",
    "",
    "先在“参数”“单位”“标准”三张表里填好本次活动的设置（黄色表头的表可以修改），然后按顺序点“慰问”选项卡上的按钮：",
    "1. 生成下发模板：为“单位”表里的每个单位（社区、村，或机关的科室、企事业单位）生成一份名单模板（outbox 文件夹），发给各单位填写。",
    "2. 合并回收表：把各单位交回的表格放进 inbox 文件夹，点此按钮合并到“名册”，有问题的行列在“问题”表。",
    "3. 检查：重新检查身份证号、重复人员、类别条件、电话和银行卡号。",
    "4. 计算金额：按“标准”表填写每户的金额和发放方式（一户多类按最高档次发放一次）。",
    "5. 生成签字表：每个单位一份签字确认表（output/签字确认表），打印后由户主或家庭成员签字。",
    "6. 核对签字：签字表交回后，查出未签字、未留电话、代签、金额不符的情况。",
    "7. 生成汇总表：给财政所的汇总表和银行代发名单（output 文件夹）。",
    "8. 抽取抽查名单：节后按抽查比例每个单位随机抽取回访对象（output/抽查名单.xlsx）。",
    "9. 走访安排：在“走访安排”表填写各组带队领导、联系点和日期，点此按钮自动安排或检查走访对象（“走访对象”表），生成各组走访名单（output/走访安排）；走访后把照片放进活动文件夹的“照片”文件夹再点一次。",
    "",
    "没有 Excel 的电脑（WPS、Linux）可以在命令行对同一个活动文件夹运行 weiwen merge / amounts / signoff / summary / audit，或 weiwen run 一次做完。",
    "“标准”表的“别名”列写各单位对该类别的其他叫法（如 低保户、城乡低保、最低生活保障），合并时按别名读成该类别，单位的原写法留在“名册”的“填报类别”列。",
    "“标准”表的“责任部门”列写每类对象由谁发放（如 低保由社会事务科、妇联慰问对象由妇联）；“所在单位”表示由报送的社区/村发放。汇总表按责任部门合计，签字表按责任部门分开。",
    "“对照名单”表（可选）：每行一份名单（活动文件夹里的文件或本工作簿的工作表），规则“必须在”（如低保名单）或“不能在”（如死亡名单）；检查时列出不符合的户（待核）和名单上没有报送的户（漏报）。",
    "“参数”表“上次活动”（可选）填上次活动的 Weiwen.xlsm，检查时在“对比”表列出上次慰问过、本次没有报的户，以及新增户和类别、金额有变化的户。",
    "同一银行卡号用于不同身份证号、同一电话超过“同一电话最多户数”、同一身份证号姓名不同、两个单位报送同一户而地址不同：这些户标为“待核”，核实后在备注填“已核实”。",
    "银行代发后，把银行返回的结果文件放进活动文件夹的“代发结果”文件夹，点“导入代发结果”：“发放结果”表列出实发、失败、未匹配，失败的户列在 output/重新发放名单.xlsx。",
    "“名册”表的“备注”列是您自己的，重新合并时会保留。“名册”“问题”“汇总”表由程序生成，请不要在其中手工改数据（备注除外）。",
    "每次写入工作簿之前，程序会在活动文件夹的 .backup 里留一份备份（保留最近 10 份）。",
)


def _header(ws: Worksheet, headers: Sequence[str], fill: PatternFill = HEADER_FILL) -> None:
    ws.append(list(headers))
    for i, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = HEADER_FONT
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(name, 12)
    ws.freeze_panes = "A2"


def _list_validation(ws: Worksheet, headers: Sequence[str], column: str, choices: Iterable[str], *,
                     rows: int = 2000,
                     formula: str | None = None, strict: bool = True) -> None:
    """A drop-down; not `strict`: other values are allowed after a warning (a list the office
    may extend, such as 单位.类型 with 参数 单位类型)."""
    letter = get_column_letter(list(headers).index(column) + 1)
    dv = DataValidation(type="list", formula1=formula or '"' + ",".join(choices) + '"',
                        allow_blank=True, showErrorMessage=True,
                        errorStyle=None if strict else "warning",
                        errorTitle="无效的值", error=f"请从下拉列表中选择“{column}”。" if strict else
                        f"不在下拉列表中。新的{column}请先加进“参数”表，否则“检查”会提示。")
    dv.add(f"{letter}2:{letter}{rows}")
    ws.add_data_validation(dv)


def _text_format(ws: Worksheet, headers: Sequence[str], columns: Iterable[str],
                 rows: int = 2000) -> None:
    """身份证号/电话/银行卡号 columns as text so typing into them cannot lose digits."""
    for column in columns:
        letter = get_column_letter(list(headers).index(column) + 1)
        ws.column_dimensions[letter].number_format = "@"


#: fills of flagged rows (conditional formatting: one rule per value, never a format per cell)
STATUS_FILLS: dict[str, str] = {Status.ERROR: "FFC7CE", Status.DUPLICATE: "D9D9D9",
                                Status.REVIEW: "FFEB9C", Severity.WARNING: "FFEB9C",
                                PayResult.FAILED: "FFC7CE", PayResult.UNMATCHED: "FFEB9C"}


def _row_colours(ws: Worksheet, headers: Sequence[str], column: str, values: Iterable[str],
                 rows: int = 200000) -> None:
    """Colour whole data rows by the value in `column` (状态 in 名册, 级别 in 问题)."""
    letter = get_column_letter(list(headers).index(column) + 1)
    area = f"A2:{get_column_letter(len(headers))}{rows}"
    for value in values:
        fill = PatternFill("solid", fgColor=STATUS_FILLS[value], bgColor=STATUS_FILLS[value])
        # types-openpyxl declares FormulaRule without any annotation
        rule = FormulaRule(formula=[f'${letter}2="{value}"'], fill=fill,  # type: ignore[no-untyped-call]
                           stopIfTrue=True)
        ws.conditional_formatting.add(area, rule)


def _param_cell_format(spec: ParamSpec) -> str | None:
    return {"date": "yyyy-mm-dd", "ratio": "0%", "number": "#,##0"}.get(spec.kind)


def _printable(ws: Worksheet, pages_wide: int = 1, *,
               orientation: Literal["portrait", "landscape"] = "landscape",
               header: str = "1:1") -> None:
    """A result sheet a clerk may print with Ctrl+P: A4, its `header` rows on every page, its
    columns on `pages_wide` pages side by side, printed across before down (not every page of
    序号…填报类别 first and the other columns 200 pages later). The printed outputs in output/ are
    the lists to hand out; this keeps a quick print of the working sheets readable."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.pageOrder = "overThenDown"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = pages_wide, 0
    ws.print_title_rows = header


def build_workbook() -> Workbook:
    """The campaign workbook with its sheets and default settings (no Excel parts yet)."""
    wb = Workbook()
    guide = first_sheet(wb)
    guide.title = Sheet.GUIDE
    for line in GUIDE_LINES:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120

    params = wb.create_sheet(Sheet.PARAMS)
    _header(params, PARAM_COLUMNS, SETTINGS_FILL)
    for spec in PARAM_SPECS:
        params.append([spec.key, spec.default, spec.help])
        fmt = _param_cell_format(spec)
        if fmt:
            params.cell(row=params.max_row, column=2).number_format = fmt

    units = wb.create_sheet(Sheet.UNITS)
    _header(units, UNIT_COLUMNS, SETTINGS_FILL)
    _list_validation(units, UNIT_COLUMNS, UnitCol.TYPE, DEFAULT_UNIT_TYPES, rows=1000,
                     strict=False)
    _text_format(units, UNIT_COLUMNS, (UnitCol.CODE, UnitCol.PHONE))

    standards = wb.create_sheet(Sheet.STANDARDS)
    _header(standards, STANDARD_COLUMNS, SETTINGS_FILL)
    for row in DEFAULT_STANDARDS:
        standards.append([row[c].value if hasattr(row[c], "value") else row[c]
                          for c in STANDARD_COLUMNS])
    _list_validation(standards, STANDARD_COLUMNS, StdCol.METHOD, [m.value for m in Method], rows=200)
    _list_validation(standards, STANDARD_COLUMNS, StdCol.PAYMENT, [p.value for p in Payment],
                     rows=200)

    # 对照名单 (optional): lists the roster is checked against; empty in a new campaign
    references = wb.create_sheet(Sheet.REFERENCES)
    _header(references, REF_COLUMNS, SETTINGS_FILL)
    _list_validation(references, REF_COLUMNS, RefCol.RULE, [r.value for r in RefRule], rows=200)

    roster = wb.create_sheet(Sheet.ROSTER)
    _header(roster, ROSTER_COLUMNS)
    _text_format(roster, ROSTER_COLUMNS, (Col.ID, Col.PHONE, Col.CARD))
    _list_validation(roster, ROSTER_COLUMNS, Col.STATUS, [s.value for s in Status], rows=200000)
    _list_validation(roster, ROSTER_COLUMNS, Col.CATEGORY, (), rows=200000,
                     formula=f"'{Sheet.STANDARDS}'!$A$2:$A$200")
    _row_colours(roster, ROSTER_COLUMNS, Col.STATUS, (Status.ERROR, Status.DUPLICATE, Status.REVIEW))
    _printable(roster, pages_wide=2)    # 19 columns: one page wide would print at a third of size

    problems = wb.create_sheet(Sheet.PROBLEMS)
    _header(problems, PROBLEM_COLUMNS)
    _list_validation(problems, PROBLEM_COLUMNS, ProblemCol.SEVERITY, [s.value for s in Severity],
                     rows=200000)
    _row_colours(problems, PROBLEM_COLUMNS, ProblemCol.SEVERITY, (Severity.ERROR, Severity.WARNING))
    _printable(problems)

    # present from the start, so the first write splices rows instead of re-saving with openpyxl
    _header(wb.create_sheet(Sheet.PROBLEM_KINDS), PROBLEM_KINDS_COLUMNS)

    summary = wb.create_sheet(Sheet.SUMMARY)
    summary.append(["运行“生成汇总表”后，这里显示各单位、各类别的户数、人数和金额。"])
    # the summary's seven columns (单位 类别组 类别 发放方式 户数 人数 金额), wide enough for
    # "70岁以上特困独居老人" and a district's total; printed one page wide, the header repeated
    for letter, width in zip("ABCDEFG", (24, 16, 26, 10, 8, 8, 14)):
        summary.column_dimensions[letter].width = width
    _printable(summary, orientation="portrait", header="3:3")   # rows 1-2: title and date

    # results of 不漏户、不错发: the previous campaign compared (参数 上次活动), the bank's results
    comparison = wb.create_sheet(Sheet.COMPARISON)
    _header(comparison, COMPARE_COLUMNS)
    _text_format(comparison, COMPARE_COLUMNS, (CompareCol.ID,))
    _printable(comparison)
    payments = wb.create_sheet(Sheet.PAYMENT_RESULTS)
    _header(payments, PAY_COLUMNS)
    _text_format(payments, PAY_COLUMNS, (PayCol.ID, PayCol.CARD))
    _row_colours(payments, PAY_COLUMNS, PayCol.RESULT, (PayResult.FAILED, PayResult.UNMATCHED))
    _printable(payments)

    # leader visits: 走访安排 (groups) and 走访对象 (households), both edited by the clerk
    plan = wb.create_sheet(VisitSheet.PLAN)
    _header(plan, PLAN_COLUMNS, SETTINGS_FILL)
    targets = wb.create_sheet(VisitSheet.TARGETS)
    _header(targets, TARGET_COLUMNS, SETTINGS_FILL)
    _text_format(targets, TARGET_COLUMNS, (TargetCol.ID,))
    _list_validation(targets, TARGET_COLUMNS, TargetCol.REPORTED, ("是", "否"), rows=5000)
    for ws, widths in ((plan, (10, 22, 30, 36, 14)), (targets, (10, 14, 10, 21, 8, 12, 40))):
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
    for ws, headers, column in ((plan, PLAN_COLUMNS, PlanCol.DATE),
                                (targets, TARGET_COLUMNS, TargetCol.VISIT_DATE)):
        letter = get_column_letter(headers.index(column) + 1)
        ws.column_dimensions[letter].number_format = "yyyy-mm-dd"

    add_conf_sheet(wb)  # hidden xlwings.conf sheet + the VBA module's messages
    set_code_names(wb)  # last: one per sheet, named as Excel names them
    return wb


def build_bytes() -> bytes:
    wb = build_workbook()
    wb.properties.creator = "weiwen"
    wb.properties.lastModifiedBy = "weiwen"
    buf = io.BytesIO()
    wb.save(buf)
    # the ribbon part and the VBA project go into the saved bytes: openpyxl cannot write them
    return normalise_zip(add_parts(buf.getvalue()))


def build(path: Path = DEFAULT_OUTPUT) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, build_bytes())
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = build(Path(argv[0]) if argv else DEFAULT_OUTPUT)
    print(f"已生成 {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
