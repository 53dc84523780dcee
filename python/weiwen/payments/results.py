"""A bank's payment-result file → one record per payment: 户名, 卡号, 金额, 状态, 失败原因.

Banks return the batch they were sent with a result per row, under their own headers (户名 /
收款人名称 / 账户名称, 卡号 / 账号 / 收款账号, 交易金额 / 金额（元）, 交易状态 / 处理结果, 失败原因 /
错误信息 / 备注), a title and a 合计 row. The name, ID and card columns are found by intake's
header reader (the same words and normalisation as the returns); the columns only a result file
has — amount, status, reason — by the words below. Pure: a sheet's rows in, records out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Sequence

from ..intake.headers import map_headers
from ..intake.vocabulary import header_key
from ..names import Col
from ..values import to_number, to_text

AMOUNT, STATUS, REASON = "金额", "状态", "失败原因"
SUCCESS, FAILURE = "成功", "失败"

_WORDS: dict[str, tuple[str, ...]] = {
    AMOUNT: ("金额", "交易金额", "代发金额", "实发金额", "发生额", "入账金额", "付款金额", "转账金额",
             "发放金额", "应发金额", "支付金额"),
    STATUS: ("状态", "交易状态", "处理状态", "处理结果", "交易结果", "结果", "代发结果", "入账状态",
             "入账结果", "状态描述", "成功标志", "支付状态", "发放状态", "执行结果"),
    REASON: ("失败原因", "原因", "错误信息", "错误原因", "返回信息", "备注", "失败描述", "处理信息",
             "附言", "说明", "交易失败原因", "错误描述", "返回码说明", "处理说明", "结果说明"),
}
_BY_KEY = {header_key(w): column for column, words in _WORDS.items() for w in words}
_FAILED = re.compile(r"失败|退回|退票|退汇|异常|错误|不符|不存在|销户|冻结|挂失|止付|无效|拒绝")
_SUCCEEDED = re.compile(r"成功|已入账|入账|已支付|已发放|正常|完成")
_CODES = {"S": SUCCESS, "Y": SUCCESS, "00": SUCCESS, "0000": SUCCESS, "F": FAILURE, "N": FAILURE,
          "E": FAILURE}
_TOTAL = re.compile(r"^(合计|总计|小计|共计)")


@dataclass(frozen=True)
class ResultRow:
    """One payment of a result file (row: the Excel row number in that file)."""
    file: str
    row: int
    name: str
    card: str                 # digits only
    id: str
    amount: float | None
    status: str               # SUCCESS / FAILURE / "" (not understood)
    status_text: str          # as the bank wrote it
    reason: str


def status_of(text: str) -> str:
    """成功 / 失败 from the bank's words (交易成功, 处理失败, 退票, S, F …); '' when unclear."""
    text = to_text(text)
    if not text:
        return ""
    if text.upper() in _CODES:
        return _CODES[text.upper()]
    if "失败" in text or (_FAILED.search(text) and "成功" not in text):
        return FAILURE
    return SUCCESS if _SUCCEEDED.search(text) else ""


def _header(rows: Sequence[Sequence[Any]], look: int = 30) -> tuple[int, dict[str, int]] | None:
    """(row index, column → position) of the first row naming a card (or a name) and a status."""
    for i, row in enumerate(rows[:look]):
        found: dict[str, int] = {}
        for j, column in map_headers(row).items():
            if column in (Col.NAME, Col.CARD, Col.ID):
                found.setdefault(column, j)
        for j, value in enumerate(row):
            named = _BY_KEY.get(header_key(value))
            if named and j not in found.values():
                found.setdefault(named, j)
        if STATUS in found and (Col.CARD in found or Col.NAME in found):
            return i, found
    return None


def result_rows(rows: Sequence[Sequence[Any]], file: str,
                row_number: Callable[[int], int] = lambda i: i + 1) -> list[ResultRow] | None:
    """The payments of one sheet; None when it has no result header (户名 or 卡号, and 状态)."""
    found = _header(rows)
    if found is None:
        return None
    start, columns = found

    def cell(row: Sequence[Any], column: str) -> Any:
        j = columns.get(column)
        return row[j] if j is not None and j < len(row) else None

    out = []
    for i in range(start + 1, len(rows)):
        row = rows[i]
        name = to_text(cell(row, Col.NAME))
        card = re.sub(r"\D", "", to_text(cell(row, Col.CARD)))
        if _TOTAL.match(name) or _TOTAL.match(to_text(row[0]) if row else ""):
            continue
        if not card and not name:
            continue
        text = to_text(cell(row, STATUS))
        out.append(ResultRow(file=file, row=row_number(i), name=name, card=card,
                             id=to_text(cell(row, Col.ID)).upper(),
                             amount=to_number(cell(row, AMOUNT)), status=status_of(text),
                             status_text=text, reason=to_text(cell(row, REASON))))
    return out
