"""Fill 金额 / 发放方式 / 计发依据 from the 标准 sheet. Pure: roster, settings → roster, problems.

Follows 状态 as the checks left it: 重复 and 错误 rows get 0, 有效 and 待核 rows the standard's
amount (按户 / 按人 / 按户人数分档); 计发依据 says in words how every amount came about, e.g.
"低保 3人户 1100元；同时列为残疾户，按最高档次发放". Vectorised: no loop over rows.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import problems as P
from .names import Col, Method, Severity, Status
from .settings import Settings
from .values import text_column

OVER_BUDGET = P.register("amounts.over_budget", "超出预算", Severity.WARNING, "amounts",
           "慰问金合计 {total:,.0f} 元，超出预算 {budget:,.0f} 元（超出 {over:,.0f} 元）。请核对名单或调整预算。")
NO_AMOUNT = P.register("amounts.no_amount", "无法计算金额", Severity.ERROR, "amounts",
           "无法按“{category}”的标准计算金额：{reason}。")


def _sizes(roster: pd.DataFrame) -> pd.Series:
    size = pd.to_numeric(roster[Col.SIZE], errors="coerce")
    return size.where((size >= 1) & (size % 1 == 0))


def tier_amounts(roster: pd.DataFrame, settings: Settings) -> pd.Series:
    """What one row of its category is paid by 标准 (NaN: unknown category, or 按户人数分档
    without a usable 家庭人口). Vectorised `Standard.amount_for`."""
    # one look-up per row, not one masked pass per category of 标准: the checks and 计算金额 ask
    # for it on every press, and a dozen categories cost a dozen passes (a category listed
    # twice in 标准: its last row counts)
    standard = {std.category: std for std in settings.standards}
    amounts: list[float | None] = []
    for category, size in zip(text_column(roster, Col.CATEGORY).tolist(),
                              _sizes(roster).clip(upper=3).tolist()):
        std = standard.get(category)
        if std is None:
            amounts.append(None)
        elif std.method == Method.BY_SIZE:
            amounts.append(None if size != size else std.by_size[int(size) - 1])
        else:
            amounts.append(std.amount)
    return pd.Series(amounts, index=roster.index, dtype=float)


def _money(values: pd.Series) -> pd.Series[str]:
    return values.map(lambda a: f"{a:g}元" if pd.notna(a) else "").astype(str)


def _basis(roster: pd.DataFrame, settings: Settings, amount: pd.Series) -> pd.Series:
    """"低保 3人户 1100元", "残疾户 按户 700元", "重点优抚对象 按人 800元"."""
    category = text_column(roster, Col.CATEGORY)
    method = category.map({s.category: s.method for s in settings.standards})
    # "3", or "<NA>" where there is none; int() in Python, not Int64: a 家庭人口 typed as
    # 1E+20 (a slip, flagged by the checks) is beyond int64 and must not stop 计算金额
    size = _sizes(roster).map(lambda v: "<NA>" if v != v else str(int(v))).astype(str)
    tier = np.where(_sizes(roster) > 3, size + "人户（3人及以上户）", size + "人户")
    how: pd.Series = pd.Series(np.where(method == Method.BY_SIZE, tier, method.fillna("")),
                               index=roster.index)
    basis: pd.Series = category + " " + how + " " + _money(amount)
    return basis


def compute_amounts(roster: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, list[P.Problem]]:
    roster = roster.copy()
    problems: list[P.Problem] = []
    status = text_column(roster, Col.STATUS).replace("", Status.VALID.value)
    category = text_column(roster, Col.CATEGORY)
    ids = text_column(roster, Col.ID)
    tier = tier_amounts(roster, settings)
    payable = status.isin([Status.VALID, Status.REVIEW])
    basis = _basis(roster, settings, tier)

    # the household's other rows (same 身份证号): named on the paid row, the paid row on them
    grouped = ids.ne("") & ids.duplicated(keep=False)
    paid_rows = payable & grouped
    others = (~payable & grouped & (status == Status.DUPLICATE))
    also = pd.Series("", index=roster.index, dtype=object)
    if paid_rows.any() and others.any():
        other_cats = pd.DataFrame({"id": ids[others], "c": category[others]})
        other_cats = other_cats[other_cats["c"] != ""]
        listed = other_cats.groupby("id")["c"].agg(lambda c: "、".join(dict.fromkeys(c)))
        same = ids[paid_rows].map(listed).fillna("")
        own = category[paid_rows]
        cats = pd.Series([("、".join(x for x in s.split("、") if x and x != o))
                          for s, o in zip(same, own)], index=same.index)
        also[paid_rows] = np.where(cats != "", "；同时列为" + cats + "，按最高档次发放",
                                   "；同一户重复上报，只发放一次")
    paid_of: pd.Series = pd.Series(np.nan, index=roster.index, dtype=object)
    if paid_rows.any():
        first_paid = pd.DataFrame({"id": ids[paid_rows], "c": category[paid_rows],
                                   "u": text_column(roster, Col.UNIT)[paid_rows],
                                   "a": _money(tier[paid_rows])}).drop_duplicates("id")
        first_paid = first_paid.set_index("id")
        paid_of = ids.map(first_paid["u"] + "按“" + first_paid["c"] + "”" + first_paid["a"])

    no_tier = payable & tier.isna()
    amount = tier.where(payable & ~no_tier, 0.0)
    roster[Col.AMOUNT] = amount
    roster[Col.PAYMENT] = category.map({s.category: s.payment.value for s in settings.standards}) \
        .fillna("")
    reason: pd.Series = text_column(roster, Col.ISSUES).str.split("；").str[0]
    dup_text = ("不发放（重复）：同一户已在" + paid_of.fillna("") + "发放").where(paid_of.notna(),
                                                                      "不发放（重复）：" + reason)
    roster[Col.BASIS] = np.select(
        [status == Status.ERROR, status == Status.DUPLICATE, no_tier, status == Status.REVIEW],
        ["不发放（有错误）：" + reason, dup_text, "不发放：无法按“标准”计算金额（检查家庭人口和类别）",
         "待核，核实后发放：" + basis + also],
        default=basis + also)
    problems += [P.make(NO_AMOUNT, unit=u, file=f, row=_int(r), name=n, id=i,
                        category=c, reason="缺少有效的家庭人口或该类别的金额")
                 for u, f, r, n, i, c in zip(*(roster.loc[no_tier, k] for k in (
                     Col.UNIT, Col.SRC_FILE, Col.SRC_ROW, Col.NAME, Col.ID, Col.CATEGORY)))]

    total = float(amount[payable].sum())
    budget = settings.params.budget
    if budget and total > budget:
        problems.append(P.make(OVER_BUDGET, total=total, budget=budget,
                               over=total - budget))
    return roster, problems


def _int(value: Any) -> int | None:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(number) else int(number)
