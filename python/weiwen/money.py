"""Amounts as finance writes them: 大写 (cn2an) and plain figures."""
from __future__ import annotations


def to_daxie(amount: float) -> str:
    """1100 → 人民币壹仟壹佰元整 (the form printed on totals rows)."""
    # cn2an takes 0.2–0.3 s to import and only the printed outputs need it: every Excel button
    # starts a new Python, so importing it here keeps it off the buttons that print nothing
    import cn2an
    return cn2an.an2cn(f"{round(float(amount), 2):.2f}", "rmb")
