"""Amounts as finance writes them: 大写 (cn2an) and plain figures."""
from __future__ import annotations

import cn2an


def to_daxie(amount: float) -> str:
    """1100 → 人民币壹仟壹佰元整 (the form printed on totals rows)."""
    return cn2an.an2cn(f"{round(float(amount), 2):.2f}", "rmb")
