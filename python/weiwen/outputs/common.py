"""What every printed output shares: which households are paid, masking, safe cells, unit order.

Pure helpers plus `put`, the one way output modules write a cell: a string is always stored as
text (never a formula, whatever it starts with), so nothing read from a returned file can become
a formula in a file we write.
"""
from __future__ import annotations

import math
import re
from typing import Any
from collections.abc import Iterable, Sequence

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray

from ..names import OWN_UNIT, ROSTER_COLUMNS, Col, Payment, Status
from ..settings import Settings
from ..values import to_number, to_text
from ..cells import cell_value
from ..openpyxl_access import copy_style, place, write_text
from ..openpyxl_access import style_array as style_array  # re-exported: outputs stamp styles

def ceil_ratio(ratio: float, count: int) -> int:
    """ceil(ratio × count) without float noise: 0.1 × 170 is 17, not 18."""
    return min(count, int(math.ceil(round(float(ratio) * count, 9))))


def paid_households(roster: pd.DataFrame) -> pd.DataFrame:
    """The rows that are paid: status 有效 and an amount above zero, with clean number columns."""
    if not len(roster):
        return roster.iloc[0:0].copy()
    frame = roster.reindex(columns=list(dict.fromkeys([*ROSTER_COLUMNS, *roster.columns])))
    frame[Col.AMOUNT] = pd.to_numeric(frame[Col.AMOUNT], errors="coerce").fillna(0.0)
    frame[Col.SIZE] = [(_int(v)) for v in frame[Col.SIZE]]
    keep = (frame[Col.STATUS] == Status.VALID) & (frame[Col.AMOUNT] > 0)
    frame = frame[keep]
    frame[Col.PAYMENT] = [to_text(v) or Payment.CASH.value for v in frame[Col.PAYMENT]]
    return frame.reset_index(drop=True)


def _int(value: Any) -> int | None:
    number = to_number(value)
    return int(number) if number is not None else None


def unit_order(frame: pd.DataFrame, settings: Settings | None) -> list[str]:
    """Units in the 单位 sheet's order, then any other unit in the roster by name."""
    present = [to_text(u) for u in frame[Col.UNIT].dropna().unique()] if len(frame) else []
    listed = [u.name for u in settings.units] if settings else []
    ordered = [u for u in listed if u in present]
    return ordered + sorted(u for u in present if u and u not in ordered)


def by_unit(frame: pd.DataFrame, settings: Settings | None) -> list[tuple[str, pd.DataFrame]]:
    """(unit, its rows) in `unit_order`, grouped in one pass (not one filter per unit)."""
    if not len(frame):
        return []
    keys = frame[Col.UNIT].map(to_text)
    groups = {u: frame.iloc[idx] for u, idx in keys.groupby(keys, sort=False).indices.items()}
    return [(u, groups[u]) for u in unit_order(frame, settings)]


def departments_of(frame: pd.DataFrame, settings: Settings | None) -> pd.Series:
    """Each household's 责任部门 (标准), or OWN_UNIT when its unit pays it."""
    if settings is None or not len(frame):
        return pd.Series(OWN_UNIT, index=frame.index, dtype=object)
    categories = frame[Col.CATEGORY].map(to_text)
    # one look-up in 标准 per category, not per household
    department = {c: settings.department_of(c) for c in categories.unique()}
    return categories.map(department).astype(object)


def owners(frame: pd.DataFrame, settings: Settings | None) -> pd.Series:
    """Whose signature sheet lists each household: its 责任部门, else its unit."""
    departments = departments_of(frame, settings)
    return departments.where(departments != OWN_UNIT, frame[Col.UNIT].map(to_text))


def department_order(settings: Settings | None, present: Iterable[str]) -> list[str]:
    """The departments of 标准 in its order, then any other present one by name."""
    listed = list(dict.fromkeys(s.department for s in settings.standards
                                if s.by_department)) if settings else []
    present = [d for d in dict.fromkeys(present) if d and d != OWN_UNIT]
    return [d for d in listed if d in present] + sorted(d for d in present if d not in listed)


def by_owner(frame: pd.DataFrame, settings: Settings | None
             ) -> list[tuple[str, pd.DataFrame, bool]]:
    """(who signs, their households, is a department): each unit with the households it pays
    (所在单位), then each 责任部门 with the households of its categories from every unit."""
    departments = departments_of(frame, settings)
    own = frame[departments == OWN_UNIT]
    out = [(unit, rows, False) for unit, rows in by_unit(own, settings)]
    for department in department_order(settings, departments):
        out.append((department, frame[departments == department], True))
    return out


def payment_order(frame: pd.DataFrame) -> list[str]:
    """现金 first (paid through the unit, signed on the spot), then 银行打卡, then anything else."""
    return order_payments(to_text(v) for v in frame[Col.PAYMENT].unique())


def order_payments(present: Iterable[str]) -> list[str]:
    """The payment ways given, in `payment_order`'s order."""
    present = list(dict.fromkeys(present))
    known = [p.value for p in (Payment.CASH, Payment.CARD) if p.value in present]
    return known + sorted(p for p in present if p not in known)


def by_roster_order(frame: pd.DataFrame) -> pd.DataFrame:
    seq = pd.to_numeric(frame[Col.SEQ], errors="coerce")
    return frame.assign(_seq=seq).sort_values("_seq", kind="stable").drop(columns="_seq")


def safe_sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique among `taken`."""
    title = re.sub(r"[\[\]:*?/\\]", "_", to_text(name)) or "Sheet"
    title = title[:31]
    taken = set(taken)
    n = 2
    base = title
    while title in taken:
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
        n += 1
    return title


def put(ws, row: int, column: int, value: Any, *, style_from: Cell | None = None,
        number_format: str | None = None) -> Cell:
    """Write one cell; strings are stored as text (data_type "s"), never as formulas."""
    value = cell_value(value)
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        write_text(cell, value)
    else:
        cell.value = value
    if style_from is not None and style_from.has_style:
        copy_style(style_from, cell)
    if number_format:
        cell.number_format = number_format
    return cell


def put_row(ws, row: int, values: Iterable[Any], *, start: int = 1,
            styles: Sequence[StyleArray | None] | None = None) -> None:
    """`put` for a whole row without the per-cell lookups of ws.cell: values by column from
    `start`, blanks skipped unless a style is given; `styles[i]` is copied to the i-th cell."""
    for i, value in enumerate(values):
        style = styles[i] if styles is not None else None
        value = cell_value(value)
        if value is None and style is None:
            continue
        place(ws, row, start + i, value, style=style)
