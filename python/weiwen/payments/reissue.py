"""output/重新发放名单.xlsx: the households whose bank payment failed, to pay again — in cash
through their unit, or to a corrected card in the next batch. One row per household with the
bank's reason; 处理方式 (a drop-down), 新银行卡号 and 备注 are left for the clerk.

Privacy as everywhere on paper: ID and old card masked, the phone in full (someone has to call).
Every cell written as text or number, never a formula.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..fileio import atomic_write
from ..masking import mask_id
from ..money import to_daxie
from ..names import REISSUE_FILE, Col, PayCol
from ..outputs.common import put
from ..printing import print_setup
from ..values import to_text

WAYS = ("现金", "更正卡号后重新代发")
COLUMNS = ("序号", Col.UNIT, Col.NAME, Col.ID, Col.PHONE, "原银行卡号", Col.AMOUNT, "失败原因",
           "处理方式", "新银行卡号", Col.NOTE)
WIDTHS = (6, 12, 10, 21, 14, 22, 10, 24, 18, 22, 16)
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def mask_card(value: str) -> str:
    """6222021234567890123 → 622202*********0123: the bank and the last four stay readable."""
    digits = "".join(ch for ch in to_text(value) if ch.isdigit())
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:] if len(digits) > 10 else digits


def _rows(failed: pd.DataFrame, results: pd.DataFrame) -> list[list]:
    reasons = {(to_text(r[PayCol.CARD]), to_text(r[PayCol.NAME])): to_text(r[PayCol.REASON])
               for r in results.to_dict("records")}
    out = []
    for n, row in enumerate(failed.to_dict("records"), start=1):
        card = to_text(row[Col.CARD])
        out.append([n, to_text(row[Col.UNIT]), to_text(row[Col.NAME]), mask_id(row[Col.ID]),
                    to_text(row[Col.PHONE]), mask_card(card), float(row[Col.AMOUNT]),
                    reasons.get((card, to_text(row[Col.NAME])), ""), None, None, None])
    return out


def write_reissue(output_dir: Path, failed: pd.DataFrame, results: pd.DataFrame,
                  title: str) -> Path | None:
    """The re-issue list; None (and an old list removed) when no payment failed."""
    path = Path(output_dir) / REISSUE_FILE
    if not len(failed):
        path.unlink(missing_ok=True)
        return None
    rows = _rows(failed, results)

    def save(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "重新发放"
        put(ws, 1, 1, f"{title}银行代发失败 重新发放名单").font = Font(size=14, bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
        put(ws, 2, 1, "以下各户银行代发未成功。请在“处理方式”选择“现金”（由单位发放并签字）或"
                      "“更正卡号后重新代发”（填新银行卡号），处理后把银行新的结果文件放进“代发结果”文件夹，"
                      "再点“导入代发结果”。").alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
        ws.row_dimensions[2].height = 36
        for c, (name, width) in enumerate(zip(COLUMNS, WIDTHS), start=1):
            cell = put(ws, 4, c, name)
            cell.font, cell.border = Font(bold=True), _BORDER
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(c)].width = width
        for r, values in enumerate(rows, start=5):
            for c, value in enumerate(values, start=1):
                cell = put(ws, r, c, value, number_format="#,##0.00" if c == 7 else None)
                cell.border = _BORDER
                if c == 8:
                    cell.alignment = Alignment(wrap_text=True)
        last = 4 + len(rows)
        total = float(sum(v[6] for v in rows))
        put(ws, last + 1, 1, "合计").font = Font(bold=True)
        put(ws, last + 1, 3, f"{len(rows)}户")
        put(ws, last + 1, 7, total, number_format="#,##0.00").font = Font(bold=True)
        put(ws, last + 1, 8, to_daxie(total))
        ways = DataValidation(type="list", formula1='"' + ",".join(WAYS) + '"', allow_blank=True)
        ways.add(f"I5:I{last}")
        ws.add_data_validation(ways)
        ws.column_dimensions["J"].number_format = "@"
        ws.freeze_panes = "A5"
        print_setup(ws, title_rows="4:4")
        wb.save(tmp)

    return atomic_write(path, save)
