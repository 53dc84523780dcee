"""output/银行代发.xlsx: the card-paid households for the bank's batch payment, printable.

代发明细: title, the count and total, the roster state, then 序号 / 户名 / 银行卡号 / 金额 / 摘要
(columns from names.BANK_COLUMNS, so a column added there appears here), a 合计 row and its 大写.
The file goes to the bank as it is, so it holds the payment list and nothing else.
output/银行代发缺卡号.xlsx: households that should be paid by card but have no card number in 名册
(kept out of the upload, listed for the clerk to fill the number and run it again).
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


def without_card(card: pd.DataFrame) -> pd.Series:
    """Which card-paid rows have no card number (kept out of the bank's list)."""
    return card[Col.CARD].map(to_text) == ""


def write_bank_book(path: Path, card: pd.DataFrame, *, memo: str, title: str, state_line: str,
                    footer: str) -> None:
    with_card = card[~without_card(card)]
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
    X.write(path, book, [table.sheet(book, "代发明细")])


def write_no_card_book(path: Path, missing: pd.DataFrame, *, title: str, state_line: str,
                       footer: str) -> None:
    """The card-paid households 名册 has no card number for: what the clerk fills in before the
    list goes to the bank (this file stays in the office)."""
    total = float(missing[Col.AMOUNT].sum())
    book = X.Book()
    cols = [Column("序号", "int"), Column("单位"), Column(BankCol.HOLDER),
            Column(BankCol.AMOUNT, "money"), Column("说明", "wrap", width=34)]
    table = TableSheet(None, cols, title,
                       [f"共 {len(missing)} 户，合计 {total:,.2f} 元，没有列入银行代发.xlsx。请在“名册”"
                        f"补上银行卡号，再生成一次汇总表。此表留在民政办，不要发给银行。{state_line}"],
                       page=L.Page(landscape=False), footer_left=footer)
    for seq, row in enumerate(missing.to_dict("records"), start=1):
        table.row([seq, to_text(row[Col.UNIT]), to_text(row[Col.NAME]), float(row[Col.AMOUNT]),
                   "按标准应银行打卡发放，但名册里没有银行卡号"])
    table.row(["合计", f"{len(missing)}户", "", total, ""], kind="total")
    table.daxie("合计金额（大写）", to_daxie(total))
    X.write(path, book, [table.sheet(book, "缺少卡号")])
