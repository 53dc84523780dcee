"""This campaign against the previous one (参数 上次活动): who was paid last time and is not
listed now (a 警告 per household, in its unit's 退回修改 too), who is new, whose category or
amount changed — all in the 对比 sheet.

Pure: the pipeline reads the previous campaign's Weiwen.xlsm (its 名册) or a roster file in a
reader process and hands the sheet's rows to `previous_frame`; `compare` does the rest by ID.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import problems as P
from ..amounts import tier_amounts
from ..intake.headers import find_header
from ..names import (COMPARE_COLUMNS, PARAM_LAST_CAMPAIGN, WORKBOOK_FILE, Change, Col, CompareCol,
                     Severity, Status)
from ..settings import Settings
from ..values import to_number, to_text
from ..values import text_column as text
from ._base import register
from .ids import to_id18

MISSING = register("checks.missing_since_last", "上次有本次未报", Severity.WARNING,
                   "上次慰问有、本次未报，请核实是否漏报：{name}上次由{last_unit}报送，"
                   "按“{category}”发放{amount}（“{last}”第{last_row}行）。")
UNREADABLE = register("checks.last_campaign_unreadable", "上次活动无法读取", Severity.WARNING,
                      "参数“{key}”指定的“{path}”{reason}，本次未与上次活动对比。")

#: working columns of a previous-campaign frame
LAST_FILE, LAST_ROW, PAID = "_file", "_row", "_paid"
_CHANGE_ORDER = {c.value: i for i, c in enumerate(Change)}


def _exact_roster(header: list[str]) -> bool:
    return all(c in header for c in (Col.ID, Col.STATUS, Col.AMOUNT))


def previous_frame(rows: Sequence[Sequence[Any]], name: str) -> pd.DataFrame | None:
    """单位 / 户主姓名 / 身份证号 / 类别 / 金额 / paid of a previous 名册 (a Weiwen.xlsm's 名册
    sheet: paid = 状态 有效 and 金额 > 0) or of any roster file (every listed household counts as
    paid); None when no header with 身份证号 is found."""
    header = [to_text(v) for v in rows[0]] if rows else []
    if _exact_roster(header):
        mapping = {i: c for i, c in enumerate(header)
                   if c in (Col.UNIT, Col.NAME, Col.ID, Col.CATEGORY, Col.AMOUNT, Col.STATUS)}
        start = 1
    else:
        found = find_header(rows)
        if found is None or Col.ID not in found.columns:
            return None
        mapping = {i: c for i, c in found.mapping.items()
                   if c in (Col.UNIT, Col.NAME, Col.ID, Col.CATEGORY)}
        start = found.data_start
    records = []
    for excel_row, row in enumerate(rows[start:], start=start + 1):
        cells = {c: row[i] if i < len(row) else None for i, c in mapping.items()}
        if not to_text(cells.get(Col.ID)):
            continue
        amount = to_number(cells.get(Col.AMOUNT))
        status = to_text(cells.get(Col.STATUS))
        paid = (status == Status.VALID and (amount or 0) > 0) if Col.STATUS in cells else True
        records.append({Col.UNIT: to_text(cells.get(Col.UNIT)), Col.NAME: to_text(cells.get(Col.NAME)),
                        Col.ID: to_text(cells.get(Col.ID)),
                        Col.CATEGORY: to_text(cells.get(Col.CATEGORY)),
                        Col.AMOUNT: amount, PAID: paid, LAST_FILE: name, LAST_ROW: excel_row})
    frame = pd.DataFrame(records, columns=[Col.UNIT, Col.NAME, Col.ID, Col.CATEGORY, Col.AMOUNT,
                                           PAID, LAST_FILE, LAST_ROW])
    frame[Col.ID] = to_id18(frame[Col.ID].astype(str))
    return frame


def unreadable_last(path: str, reason: str) -> P.Problem:
    return P.make(UNREADABLE, file=f"{WORKBOOK_FILE}〔参数〕", key=PARAM_LAST_CAMPAIGN, path=path,
                  reason=reason)


def _money(value: Any) -> str:
    number = to_number(value)
    return f"{number:g}元" if number is not None else "（金额不详）"


def compare(roster: pd.DataFrame, previous: pd.DataFrame,
            settings: Settings) -> tuple[pd.DataFrame, list[P.Problem]]:
    """(对比 sheet, problems): the households paid last time and not listed now (one 警告 each,
    under the unit that listed them last time), the new ones, and changed category or amount."""
    last = previous[previous[PAID] & (previous[Col.ID] != "")].drop_duplicates(Col.ID)
    ids = text(roster, Col.ID)
    status = text(roster, Col.STATUS)
    now = roster.assign(_amount=tier_amounts(roster, settings))
    now = now[status.isin([Status.VALID, Status.REVIEW, ""]) & (ids != "")]
    now = now.assign(**{Col.ID: text(now, Col.ID)}).drop_duplicates(Col.ID)

    missing = last[~last[Col.ID].isin(set(ids))]
    problems = [P.make(MISSING, unit=r[Col.UNIT], file=r[LAST_FILE], row=int(r[LAST_ROW]),
                       column=Col.ID, name=r[Col.NAME], id=r[Col.ID], last_unit=r[Col.UNIT] or "",
                       category=r[Col.CATEGORY], amount=_money(r[Col.AMOUNT]), last=r[LAST_FILE],
                       last_row=int(r[LAST_ROW]), to_unit="（上次慰问名单）")
                for r in missing.to_dict("records")]
    rows: list[dict[str, Any]] = [
        {CompareCol.CHANGE: Change.MISSING.value, CompareCol.UNIT: "", CompareCol.NAME: r[Col.NAME],
         CompareCol.ID: r[Col.ID], CompareCol.LAST_UNIT: r[Col.UNIT],
         CompareCol.LAST_CATEGORY: r[Col.CATEGORY], CompareCol.LAST_AMOUNT: r[Col.AMOUNT],
         CompareCol.NOTE: "上次慰问有、本次未报，请核实是否漏报"}
        for r in missing.to_dict("records")]

    both = now.merge(last, on=Col.ID, how="left", suffixes=("", "_上次"), indicator=True)
    new = both[both["_merge"] == "left_only"]
    rows += [{CompareCol.CHANGE: Change.NEW.value, CompareCol.UNIT: r[Col.UNIT],
              CompareCol.NAME: r[Col.NAME], CompareCol.ID: r[Col.ID],
              CompareCol.CATEGORY: r[Col.CATEGORY], CompareCol.AMOUNT: r["_amount"],
              CompareCol.NOTE: "上次没有慰问（或上次未发放）"}
             for r in new.to_dict("records")]
    kept = both[both["_merge"] == "both"]
    last_amount = pd.to_numeric(kept[f"{Col.AMOUNT}_上次"], errors="coerce")
    category_changed = text(kept, Col.CATEGORY) != text(kept, f"{Col.CATEGORY}_上次")
    amount_changed = ~np.isclose(kept["_amount"].astype(float).fillna(-1),
                                 last_amount.fillna(-1)) & last_amount.notna()
    changed = kept[category_changed | amount_changed]
    for r, by_category in zip(changed.to_dict("records"), category_changed[changed.index]):
        note = (f"类别由“{r[f'{Col.CATEGORY}_上次']}”改为“{r[Col.CATEGORY]}”" if by_category
                else f"金额由{_money(r[f'{Col.AMOUNT}_上次'])}改为{_money(r['_amount'])}")
        if r[Col.UNIT] != r[f"{Col.UNIT}_上次"] and r[f"{Col.UNIT}_上次"]:
            note += f"；上次由{r[f'{Col.UNIT}_上次']}报送"
        rows.append({CompareCol.CHANGE: (Change.CATEGORY if by_category else Change.AMOUNT).value,
                     CompareCol.UNIT: r[Col.UNIT], CompareCol.NAME: r[Col.NAME],
                     CompareCol.ID: r[Col.ID], CompareCol.LAST_UNIT: r[f"{Col.UNIT}_上次"],
                     CompareCol.LAST_CATEGORY: r[f"{Col.CATEGORY}_上次"],
                     CompareCol.CATEGORY: r[Col.CATEGORY],
                     CompareCol.LAST_AMOUNT: r[f"{Col.AMOUNT}_上次"],
                     CompareCol.AMOUNT: r["_amount"], CompareCol.NOTE: note})
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    if len(frame):
        unit_order = {u.name: i for i, u in enumerate(settings.units)}
        where = frame[CompareCol.UNIT].where(frame[CompareCol.UNIT] != "", frame[CompareCol.LAST_UNIT])
        frame = frame.assign(_c=frame[CompareCol.CHANGE].map(_CHANGE_ORDER),
                             _u=where.map(unit_order).fillna(len(unit_order))) \
            .sort_values(["_c", "_u"], kind="stable").drop(columns=["_c", "_u"])
    frame = frame.astype(object).where(frame.notna(), None).reset_index(drop=True)
    return frame, problems


def change_counts(frame: pd.DataFrame) -> dict[str, int]:
    """变化 → number of households, in the order of `Change` (what the summary shows)."""
    column = text(frame, CompareCol.CHANGE) if len(frame) else pd.Series([], dtype=object)
    return {c.value: int((column == c.value).sum()) for c in Change}
