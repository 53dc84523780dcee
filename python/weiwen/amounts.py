"""Fill 金额 / 发放方式 / 计发依据 from the 标准 sheet. Pure: roster, settings → roster, problems."""
from __future__ import annotations

import pandas as pd

from . import problems as P
from .names import Col, Severity, Status
from .settings import Settings

P.register("amounts.over_budget", "超出预算", Severity.WARNING, "amounts",
           "慰问金合计 {total:,.0f} 元，超出预算 {budget:,.0f} 元（超出 {over:,.0f} 元）。请核对名单或调整预算。")
P.register("amounts.no_amount", "无法计算金额", Severity.ERROR, "amounts",
           "无法按“{category}”的标准计算金额：{reason}。")


def compute_amounts(roster: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, list[P.Problem]]:
    roster = roster.copy()
    problems: list[P.Problem] = []
    amounts, payments, bases = [], [], []
    for _, row in roster.iterrows():
        std = settings.standard(row[Col.CATEGORY])
        status = row[Col.STATUS]
        size = row[Col.SIZE] if isinstance(row[Col.SIZE], int) else None
        if std is None or status in (Status.ERROR, Status.DUPLICATE):
            amounts.append(0)
            payments.append(std.payment.value if std else "")
            bases.append("不发放：" + (row[Col.ISSUES] or status))
            continue
        amount = std.amount_for(size)
        if amount is None:
            amounts.append(0)
            payments.append(std.payment.value)
            bases.append("不发放：缺少家庭人口")
            continue
        amounts.append(amount)
        payments.append(std.payment.value)
        bases.append(f"{std.category} {std.method.value} {amount:g}元")
    roster[Col.AMOUNT] = amounts
    roster[Col.PAYMENT] = payments
    roster[Col.BASIS] = bases
    total = float(pd.Series(amounts, dtype=float).sum())
    budget = settings.params.budget
    if budget and total > budget:
        problems.append(P.make("amounts.over_budget", total=total, budget=budget, over=total - budget))
    return roster, problems
