"""Bank results (导入代发结果): the bank's result files matched to 银行代发, the 发放结果 sheet, the
re-issue list and 应发 / 实发 / 失败. `results` reads a result sheet's rows, `match` applies the
files oldest first, `reissue` writes output/重新发放名单.xlsx."""
from __future__ import annotations

from .match import Outcome, bank_households, due_counts, match
from .results import ResultRow, result_rows

__all__ = ["Outcome", "ResultRow", "bank_households", "due_counts", "match", "result_rows"]
