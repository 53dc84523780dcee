"""标准.条件: clauses such as 年龄>=70 or 家庭人口<=1 a household of a category must meet.

Pure: `parse_conditions` reads the clerk's text (several clauses joined by ；, 且 or commas; ≥ ≤
and = accepted), `Condition.holds` tests a number or a pandas Series element-wise.
"""
from __future__ import annotations

import operator
import re
from typing import Any
from dataclasses import dataclass

from .names import CONDITION_AGE, Col
from .values import to_text

_COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
            "==": operator.eq}
_OPS = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", ">": ">", "<": "<", "=": "==", "==": "=="}
_COND_RE = re.compile(rf"^\s*({CONDITION_AGE}|{Col.SIZE})\s*(>=|<=|==|≥|≤|>|<|=)\s*(\d+)\s*$")


@dataclass(frozen=True)
class Condition:
    """One clause of 标准.条件, e.g. 年龄>=70. Several clauses are joined by ； or 且."""
    field: str   # names.CONDITION_AGE | Col.SIZE
    op: str      # >= <= > < ==
    value: int
    text: str

    def holds(self, x: Any) -> Any:
        """Whether x meets the clause; x may be a number or a pandas Series (element-wise)."""
        return _COMPARE[self.op](x, self.value)



def parse_conditions(text: str) -> tuple[Condition, ...] | None:
    """"年龄>=70" or "年龄>=70；家庭人口<=1" → conditions; None when any clause is not understood."""
    text = to_text(text)
    if not text:
        return ()
    out = []
    for clause in re.split(r"[；;,，]|且", text):
        if not clause.strip():
            continue
        m = _COND_RE.match(clause)
        if not m:
            return None
        out.append(Condition(m.group(1), _OPS[m.group(2)], int(m.group(3)),
                             f"{m.group(1)}{_OPS[m.group(2)].replace('==', '=')}{m.group(3)}"))
    return tuple(out)
