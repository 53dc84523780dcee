"""output/银行代发.xlsx: the card-paid households for the bank's batch payment, printable.

代发明细: title, the count and total, the roster state, then 序号 / 户名 / 银行卡号 / 金额 / 摘要
(columns from names.BANK_COLUMNS, so a column added there appears here), a 合计 row and its 大写.
缺少卡号: households that should be paid by card but have no card number in 名册 (kept out of
the upload, listed so the clerk can fill the number and run it again).
Written with XlsxWriter from the laid-out sheets (sheetkit.TableSheet.sheet, outputs/xlsx.py): a
district's card list is thousands of rows, which openpyxl builds and serialises cell object by
cell object.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..money import to_daxie
from ..names import BANK_COLUMNS, BankCol, Col
from ..values import to_text
from . import layout as L
from . import xlsx as X
from .sheetkit import Column, TableSheet

MISSING_SHEET = "缺少卡号"
_KINDS = {BankCol.SEQ: "int", BankCol.CARD: "id", BankCol.AMOUNT: "money"}


def _value(column: str, row: dict[str, Any], seq: int, memo: str) -> Any:
    if column == BankCol.SEQ:
        return seq
    if column == BankCol.HOLDER:
        return to_text(row.get(Col.NAME))
    if column == BankCol.CARD:
        return to_text(row.get(Col.CARD)).replace(" ", "")
    if column == BankCol.AMOUNT:
        return float(row[Col.AMOUNT])
    if column == BankCol.MEMO:
        return memo
    return to_text(row.get(column))          # e.g. 开户银行, straight from 名册


def write_bank_book(path: Path, card: pd.DataFrame, *, memo: str, title: str, state_line: str,
                    footer: str) -> None:
    with_card = card[card[Col.CARD].map(to_text) != ""]
    missing = card[card[Col.CARD].map(to_text) == ""]
    total = float(with_card[Col.AMOUNT].sum())
    book = X.Book()
    columns = [Column(c, _KINDS.get(c, "text"), minimum=8 if c == BankCol.CARD else 4)
               for c in BANK_COLUMNS]
    table = TableSheet(None, columns, title, [f"共 {len(with_card)} 户，合计 {total:,.2f} 元。{state_line}"],
                       page=L.Page(landscape=False), footer_left=footer)
    for seq, row in enumerate(with_card.to_dict("records"), start=1):
        table.row([_value(c, row, seq, memo) for c in BANK_COLUMNS])
    totals = {BankCol.SEQ: "合计", BankCol.HOLDER: f"{len(with_card)}户", BankCol.AMOUNT: total}
    table.row([totals.get(c, "") for c in BANK_COLUMNS], kind="total")
    table.daxie("合计金额（大写）", to_daxie(total))
    sheets = [table.sheet(book, "代发明细")]
    if len(missing):
        cols = [Column("单位"), Column(BankCol.HOLDER), Column(BankCol.AMOUNT, "money"),
                Column("说明", "wrap", width=34)]
        extra = TableSheet(None, cols, title.replace("代发明细", "应打卡但缺少银行卡号的户"),
                           [f"共 {len(missing)} 户：不在代发明细里。请在名册补上卡号后重新生成汇总表。"],
                           page=L.Page(landscape=False), footer_left=footer)
        for row in missing.to_dict("records"):
            extra.row([to_text(row[Col.UNIT]), to_text(row[Col.NAME]), float(row[Col.AMOUNT]),
                       "按标准应打卡发放，但名册里没有银行卡号"])
        sheets.append(extra.sheet(book, MISSING_SHEET))
    X.write(path, book, sheets)
