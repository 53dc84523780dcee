"""Amounts paid by unit and 类别组 as an SVG bar chart drawn on the server (no chart library,
no script: it prints, scales and needs nothing from the network)."""
from __future__ import annotations

from html import escape

import pandas as pd

from ..names import Col, Status
from ..settings import Settings
from .state import text_column

#: fixed colours per group position (colour-blind-safe Okabe–Ito palette)
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
OTHER_GROUP = "未归类"


def amounts_by_unit(roster: pd.DataFrame, settings: Settings) -> tuple[list[str], list[str],
                                                                      dict[tuple[str, str], float]]:
    """(units, groups, (unit, group) → amount) over the households that are paid."""
    if not len(roster):
        return [], [], {}
    amounts = pd.to_numeric(roster[Col.AMOUNT], errors="coerce").fillna(0)
    paid = roster[(text_column(roster[Col.STATUS]) == Status.VALID.value) & (amounts > 0)]
    if not len(paid):
        return [], [], {}
    group_of = {s.category: (s.group or OTHER_GROUP) for s in settings.standards}
    groups_order = list(dict.fromkeys(group_of.values()))
    frame = pd.DataFrame({"unit": text_column(paid[Col.UNIT]),
                          "group": text_column(paid[Col.CATEGORY]).map(group_of).fillna(OTHER_GROUP),
                          "amount": amounts[paid.index]})
    sums = frame.groupby(["unit", "group"])["amount"].sum()
    unit_names = [u.name for u in settings.units]
    units = [u for u in unit_names if u in set(frame["unit"])]
    units += sorted(set(frame["unit"]) - set(units))
    groups = [g for g in groups_order if g in set(frame["group"])]
    groups += sorted(set(frame["group"]) - set(groups))
    pairs = zip(sums.index.get_level_values("unit"), sums.index.get_level_values("group"))
    return units, groups, {(str(u), str(g)): float(v) for (u, g), v in zip(pairs, sums)}


def svg(units: list[str], groups: list[str], values: dict[tuple[str, str], float]) -> str:
    """Horizontal stacked bars, one per unit, with a legend and each bar's total."""
    if not units:
        return '<p class="muted">还没有计算金额，计算金额后这里显示各单位各类别组的金额。</p>'
    bar, gap, left, right, top = 22, 8, 110, 120, 34
    width = 820
    inner = width - left - right
    totals = {u: sum(values.get((u, g), 0.0) for g in groups) for u in units}
    top_total = max(totals.values()) or 1.0
    height = top + len(units) * (bar + gap) + 10
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="各单位各类别组金额">']   # inline in HTML: no namespace needed
    key_x = left
    for i, group in enumerate(groups):       # legend
        colour = COLOURS[i % len(COLOURS)]
        out.append(f'<rect x="{key_x}" y="6" width="14" height="14" fill="{colour}"/>'
                   f'<text x="{key_x + 18}" y="18" font-size="13">{escape(group)}</text>')
        key_x += 30 + 14 * len(group)
    for row, unit in enumerate(units):
        y = top + row * (bar + gap)
        out.append(f'<text x="{left - 6}" y="{y + 16}" font-size="13" text-anchor="end">'
                   f'{escape(unit)}</text>')
        x = float(left)
        for i, group in enumerate(groups):
            value = values.get((unit, group), 0.0)
            if value <= 0:
                continue
            w = inner * value / top_total
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" '
                       f'fill="{COLOURS[i % len(COLOURS)]}"><title>{escape(unit)} · {escape(group)}：'
                       f'{value:,.0f} 元</title></rect>')
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + 16}" font-size="12">{totals[unit]:,.0f} 元</text>')
    out.append("</svg>")
    return "".join(out)
