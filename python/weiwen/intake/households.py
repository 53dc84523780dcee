"""A list with one row per family member → one row per household, the head's.

Rows are grouped by the head's ID (户主身份证号), else by the head's name (户主姓名, consecutive
rows; a merged cell counts for the rows under it), else a household starts at each row whose
与户主关系 is 户主 / 本人. The household is the head's own row (found by its ID, its relation or
its name), so a name is never paired with somebody else's ID; members count toward 家庭人口
when the list has no size. A household whose head has no row of their own is made from the head
columns (户主姓名 / 户主身份证号) and reported. Rows without a name and an ID are left for merge
to reject with their reason. Pure: frames in, frames out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..names import Col, Internal
from . import normalize as N

HEAD_WORDS = ("户主", "本人", "户主本人", "户主（本人）", "本户", "申请人", "申请人本人")
ROW = "_行"
MEMBERS = "_成员行数"       # member rows folded into this household row


@dataclass
class Folded:
    frame: pd.DataFrame                     # one row per household (+ rows left for rejection)
    members: int = 0                        # member rows folded into their household
    #: households whose head has no row of their own: (Excel row used, head name, first, last row)
    headless: list[tuple[int, str, int, int]] = field(default_factory=list)


def _filled(frame: pd.DataFrame, column: str) -> pd.Series:
    """A head column with merged cells filled down (a merged cell holds only its first value)."""
    values = frame[column].where(~N.blank(frame[column]))
    return values.ffill()


def _keys(frame: pd.DataFrame, ids: pd.Series, names: pd.Series) -> pd.Series:
    if Internal.HEAD_ID in frame:
        head = N.ids(_filled(frame, Internal.HEAD_ID).fillna(""))[0]
        return head.where(head != "", "id:" + ids)
    if Internal.HEAD_NAME in frame:
        head = N.names(_filled(frame, Internal.HEAD_NAME).fillna(""))
        head = head.where(head != "", names)
        return head + "#" + (head != head.shift()).cumsum().astype(str)
    relation = N.texts(frame[Internal.RELATION])
    starts = relation.isin(HEAD_WORDS)
    starts.iloc[0] = True
    return "block#" + starts.cumsum().astype(str)


def fold_members(frame: pd.DataFrame) -> Folded:
    """One row per household from a per-person list (see the module docstring)."""
    if not len(frame):
        return Folded(frame)
    ids = N.ids(frame[Col.ID] if Col.ID in frame else pd.Series("", index=frame.index))[0]
    names = N.names(frame[Col.NAME] if Col.NAME in frame else pd.Series("", index=frame.index))
    person = (ids != "") | (names != "")
    rows, left = frame[person], frame[~person]
    if not len(rows):
        return Folded(frame)
    keys = _keys(rows, ids[person], names[person])
    head_ids = (N.ids(_filled(rows, Internal.HEAD_ID).fillna(""))[0]
                if Internal.HEAD_ID in rows else None)
    head_names = (N.names(_filled(rows, Internal.HEAD_NAME).fillna(""))
                  if Internal.HEAD_NAME in rows else None)
    relation = N.texts(rows[Internal.RELATION]) if Internal.RELATION in rows else None
    is_head = pd.Series(False, index=rows.index)
    if head_ids is not None:
        is_head |= (ids[person] == head_ids) & (head_ids != "")
    if relation is not None:
        is_head |= relation.isin(HEAD_WORDS)
    if head_names is not None and head_ids is None:
        is_head |= (names[person] == head_names) & (head_names != "")
    out, headless = [], []
    size_given = Col.SIZE in rows
    for _, group in rows.groupby(keys, sort=False):
        heads = group[is_head[group.index]]
        if len(heads):
            household = heads.iloc[[0]].copy()
        else:
            household = group.iloc[[0]].copy()
            first = group.iloc[0]
            household[Col.NAME] = first.get(Internal.HEAD_NAME) if Internal.HEAD_NAME in group else None
            household[Col.ID] = first.get(Internal.HEAD_ID) if Internal.HEAD_ID in group else None
            head_name = N.name_value(household[Col.NAME].iloc[0]) if Col.NAME in household else ""
            headless.append((int(first[ROW]), head_name, int(group[ROW].min()),
                             int(group[ROW].max())))
        if not size_given or N.blank(household[Col.SIZE]).iloc[0]:
            household[Col.SIZE] = len(group)
        household[MEMBERS] = len(group) - 1
        out.append(household)
    households = pd.concat([*out, left]).sort_values(ROW, kind="stable")
    return Folded(households, len(rows) - len(out), headless)
