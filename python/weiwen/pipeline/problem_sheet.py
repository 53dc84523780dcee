"""The 问题 sheet across stages: each stage replaces only its own rows, known by their 代码."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .. import problems as P
from ..names import ProblemCol
from ..values import to_text

#: stages whose problems come from other inputs than the returns (signature sheets, visit sheets,
#: the call-back list): a re-merge keeps their rows, and says so
LATER_STAGES: frozenset[str] = frozenset({"signatures", "visits", "audit", "payments"})
STAGE_NAMES = {"signatures": "核对签字", "visits": "走访安排", "audit": "抽查回访",
               "payments": "导入代发结果"}


def stages_of(frame: pd.DataFrame) -> pd.Series:
    """Each 问题 row's stage: from its 代码; rows without one (a workbook from before the column)
    by their 问题类型 among the registered codes."""
    if not len(frame):
        return pd.Series([], dtype=object, index=frame.index)
    codes = frame[ProblemCol.CODE].map(to_text) if ProblemCol.CODE in frame else \
        pd.Series("", index=frame.index)
    by_code = codes.map(P.stage_of)
    by_kind = frame[ProblemCol.KIND].map(to_text).map(
        {c.kind: c.stage for c in P.all_codes().values()})
    return by_code.where(by_code != "", by_kind).fillna("")


def problem_frame(problems: Iterable[P.Problem], existing: pd.DataFrame | None = None,
                  stages: Iterable[str] | None = None) -> pd.DataFrame:
    """The 问题 sheet after a command: `problems`, plus the rows of `existing` that belong to
    other stages than `stages` (None: `problems` replace the whole sheet)."""
    frame = P.to_frame(problems)
    if existing is not None and stages is not None and len(existing):
        kept = existing[~stages_of(existing).isin(set(stages))]
        if len(kept):
            frame = pd.concat([kept, frame], ignore_index=True)
            frame = frame.sort_values([ProblemCol.UNIT, ProblemCol.FILE, ProblemCol.ROW],
                                      kind="stable", na_position="first").reset_index(drop=True)
    return frame


def kept_later_stages(existing: pd.DataFrame) -> dict[str, int]:
    """Rows of the later stages in `existing`: stage → count (what a re-merge keeps)."""
    if not len(existing):
        return {}
    counts = stages_of(existing).value_counts()
    return {s: int(counts[s]) for s in sorted(LATER_STAGES) if s in counts}
