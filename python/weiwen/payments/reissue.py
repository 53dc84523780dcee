"""output/重新发放名单.xlsx: the households whose bank payment failed, to pay again — in cash
through their unit, or to a corrected card in the next batch. One row per household with the
bank's reason; 处理方式 (a drop-down), 新银行卡号 and 备注 are left for the clerk.

Privacy as everywhere on paper: ID and old card masked, the phone in full (someone has to call).
Laid out like every printed list (outputs.sheetkit): one font, widths from the content, the
header on every page, 合计 with its 大写.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ..fileio import atomic_write
from ..masking import mask_id
from ..money import to_daxie
from ..names import REISSUE_FILE, Col, PayCol
from ..openpyxl_access import first_sheet
from ..outputs import layout as L
from ..outputs.sheetkit import Column, TableSheet
from ..values import to_text

WAYS = ("现金", "更正卡号后重新代发")
COLUMNS = (Column("序号", "int"), Column(Col.UNIT, maximum=26), Column(Col.NAME, maximum=22),
           Column(Col.ID, "id"), Column(Col.PHONE, "id"), Column("原银行卡号", "id"),
           Column(Col.AMOUNT, "money", minimum=11), Column("失败原因", "wrap", width=20),
           Column("处理方式", "hand", width=18), Column("新银行卡号", "hand", width=24),
           Column(Col.NOTE, "hand", width=12))


def mask_card(value: str) -> str:
    """6222021234567890123 → 622202*********0123: the bank and the last four stay readable."""
    digits = "".join(ch for ch in to_text(value) if ch.isdigit())
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:] if len(digits) > 10 else digits


def _rows(failed: pd.DataFrame, results: pd.DataFrame) -> list[list[Any]]:
    reasons = {(to_text(r[PayCol.CARD]), to_text(r[PayCol.NAME])): to_text(r[PayCol.REASON])
               for r in results.to_dict("records")}
    out = []
    for n, row in enumerate(failed.to_dict("records"), start=1):
        card = to_text(row[Col.CARD])
        out.append([n, to_text(row[Col.UNIT]), to_text(row[Col.NAME]), mask_id(row[Col.ID]),
                    to_text(row[Col.PHONE]), mask_card(card), float(row[Col.AMOUNT]),
                    reasons.get((card, to_text(row[Col.NAME])), "") or "（银行未写原因）",
                    None, None, None])
    return out


def write_reissue(output_dir: Path, failed: pd.DataFrame, results: pd.DataFrame,
                  title: str, footer: str = "") -> Path | None:
    """The re-issue list; None (and an old list removed) when no payment failed."""
    path = Path(output_dir) / REISSUE_FILE
    if not len(failed):
        path.unlink(missing_ok=True)
        return None
    rows = _rows(failed, results)
    total = float(sum(r[6] for r in rows))

    def save(tmp: Path) -> None:
        wb = Workbook()
        ws = first_sheet(wb)
        ws.title = "重新发放"
        info = ["以下各户银行代发未成功。请在“处理方式”选“现金”（由单位发放并签字）或“更正卡号后重新代发”"
                "（填新银行卡号）；重新代发后把银行新的结果文件放进“代发结果”文件夹，再点“导入代发结果”。"]
        table = TableSheet(ws, COLUMNS, f"{title}银行代发失败 重新发放名单".strip(), info,
                           page=L.Page(landscape=True), row_height=24, footer_left=footer)
        for values in rows:
            table.row(values)
        table.row(["合计", None, f"{len(rows)} 户", None, None, None, total], kind="total")
        table.daxie("合计金额（大写）", to_daxie(total))
        table.finish()
        first = 4                                   # title, info, header, then the rows
        ways = DataValidation(type="list", formula1='"' + ",".join(WAYS) + '"', allow_blank=True)
        ways.add(f"I{first}:I{first + len(rows) - 1}")
        ws.add_data_validation(ways)
        wb.save(tmp)

    return atomic_write(path, save)
