"""Checks on the merged roster: each check is a function roster, settings → problems.

Checks never touch files. `run_checks` applies them in order, sets 状态 and 问题 per row and
returns the roster with every problem explained. (First cut; issue 4 extends the list.)
"""
from __future__ import annotations

from typing import Callable

import pandas as pd
from stdnum.cn import ric

from . import problems as P
from .names import Col, Internal, Severity, Status
from .settings import Settings

Check = Callable[[pd.DataFrame, Settings], list[P.Problem]]

P.register("checks.id_invalid", "身份证号无效", Severity.ERROR, "checks",
           "身份证号“{id}”无效（{reason}），请核对后重填。")
P.register("checks.id_lost_digits", "身份证号丢失末位", Severity.ERROR, "checks",
           "身份证号被Excel转成数字后丢失末位，请在模板中以文本格式重填")
P.register("checks.unknown_category", "类别无效", Severity.ERROR, "checks",
           "类别“{value}”不在“标准”表中，可选：{choices}。")
P.register("checks.duplicate_id", "重复人员", Severity.WARNING, "checks",
           "与{kept}重复（同一身份证号），按最高档次只发放一次，本行不发放。")
P.register("checks.missing_field", "必填项缺失", Severity.ERROR, "checks",
           "缺少“{column}”，请补填。")


def _problem(code: str, row: pd.Series, **kw) -> P.Problem:
    return P.make(code, unit=row[Col.UNIT], file=row[Col.SRC_FILE], row=int(row[Col.SRC_ROW]),
                  name=row[Col.NAME], id=row[Col.ID], **kw)


def where(row: pd.Series) -> str:
    """How the clerk finds a row: 单位 文件 第N行 类别."""
    return f"{row[Col.UNIT]}“{row[Col.SRC_FILE]}”第{int(row[Col.SRC_ROW])}行（{row[Col.CATEGORY]}）"


def check_required(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    out = []
    for column in (Col.NAME, Col.ID, Col.CATEGORY):
        for _, row in roster[roster[column].astype(str) == ""].iterrows():
            out.append(_problem("checks.missing_field", row, column=column))
    return out


def check_ids(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    out = []
    ids = roster[Col.ID].astype(str)
    lost = roster[Internal.ID_FROM_NUMBER].fillna(False).astype(bool) & ids.str.len().eq(18) \
        & ids.str.endswith("0")
    for _, row in roster[lost].iterrows():
        out.append(_problem("checks.id_lost_digits", row))
    for idx in roster.index[(ids != "") & ~lost]:
        reason = id_problem(ids[idx])
        if reason:
            out.append(_problem("checks.id_invalid", roster.loc[idx], reason=reason))
    return out


def id_problem(value: str) -> str | None:
    """Why an ID cannot be a real person's: only length, format, checksum or birth date count.

    stdnum's region table is strict about dates and incomplete, so an unknown region code is
    never a reason to reject (checks.id_region reports it as a 警告 at most)."""
    if len(value) != 18:
        return f"位数不对，应为18位，现为{len(value)}位"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "含有数字和末位X以外的字符"
    if ric.calc_check_digit(value) != value[17]:
        return "校验位不对，可能有数字填错"
    try:
        ric.get_birth_date(value)
    except Exception:
        return "出生日期不存在"
    return None


def check_categories(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    valid = set(settings.categories)
    bad = roster[(roster[Col.CATEGORY].astype(str) != "") & ~roster[Col.CATEGORY].isin(valid)]
    choices = "、".join(settings.categories)
    return [_problem("checks.unknown_category", row, value=row[Col.CATEGORY], choices=choices)
            for _, row in bad.iterrows()]


ERROR_CHECKS: list[Check] = [check_required, check_ids, check_categories]


def _amount_rank(roster: pd.DataFrame, settings: Settings) -> pd.Series:
    def one(category, size):
        std = settings.standard(category)
        if std is None:
            return (-1.0, 999)
        amount = std.amount_for(size if isinstance(size, int) else None) or 0
        return (amount, std.priority)
    return pd.Series([one(c, s) for c, s in zip(roster[Col.CATEGORY], roster[Col.SIZE])],
                     index=roster.index)


def mark_duplicates(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """Same 身份证号 more than once: keep the highest-paid row (按最高档次), mark the rest 重复."""
    ok = roster[(roster[Col.STATUS] == Status.VALID) & (roster[Col.ID].astype(str) != "")]
    ranks = _amount_rank(ok, settings)
    order = ok.assign(_amount=[-r[0] for r in ranks], _prio=[r[1] for r in ranks]) \
        .sort_values([Col.ID, "_amount", "_prio", Col.SEQ], kind="stable")
    dup = order.duplicated(Col.ID, keep="first")
    kept_rows = order[~dup].set_index(Col.ID)
    out = []
    for idx in order.index[dup.values]:
        row = roster.loc[idx]
        kept = kept_rows.loc[row[Col.ID]]
        kept_text = where(kept.rename({}) if isinstance(kept, pd.Series) else kept)
        roster.loc[idx, Col.STATUS] = Status.DUPLICATE.value
        out.append(_problem("checks.duplicate_id", row, kept=kept_text))
    return out


def run_checks(roster: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, list[P.Problem]]:
    roster = roster.copy()
    problems: list[P.Problem] = []
    for check in ERROR_CHECKS:
        problems.extend(check(roster, settings))
    _apply(roster, problems)
    dup = mark_duplicates(roster, settings)
    _apply(roster, dup)
    problems.extend(dup)
    return roster, problems


def _apply(roster: pd.DataFrame, problems: list[P.Problem]) -> None:
    """Write each problem into its row's 问题 text; 错误 problems make the row 错误."""
    if not len(roster):
        return
    index = {(f, r): i for i, f, r in zip(roster.index, roster[Col.SRC_FILE], roster[Col.SRC_ROW])}
    for p in problems:
        i = index.get((p.file, p.row))
        if i is None:
            continue
        current = roster.at[i, Col.ISSUES]
        roster.at[i, Col.ISSUES] = f"{current}；{p.message}" if current else p.message
        if p.severity == Severity.ERROR:
            roster.at[i, Col.STATUS] = Status.ERROR.value
