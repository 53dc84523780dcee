"""Duplicates: the same 身份证号 twice (paid once, at the highest tier — 按最高档次), and likely
duplicates without a matching ID (待核 for the clerk, never removed automatically).

Comparisons are blocked — exact groups by ID, by name + phone, fuzzy address comparison only
inside a block of the same name — so 100k rows never means all pairs.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .. import problems as P
from ..amounts import tier_amounts
from ..names import MEMBER_IDS, Col, Severity, Status
from ..settings import Settings
from ..values import text_column as text
from ._base import emit, phone_digits, register, repeated
from .ids import ID_OK

DUP_ID = register("checks.duplicate_id", "重复人员", Severity.WARNING,
                  "与{kept}重复（同一身份证号），只保留该行，本行不发放。", status=Status.DUPLICATE)
DUP_CATEGORY = register("checks.duplicate_category", "一户多类", Severity.WARNING,
                        "同一户（身份证号相同）已在{kept}报送，按最高档次按“{paid}”发放"
                        "{amount}元，本行不发放。", status=Status.DUPLICATE)
LIKELY = register("checks.likely_duplicate", "疑似重复", Severity.WARNING,
                  "与{other}{reason}，可能是同一户，请核实；确认不是同一户的，在备注填“已核实”。",
                  status=Status.REVIEW)

#: two addresses of the same name are "near-identical" at this rapidfuzz ratio (and same numbers)
ADDRESS_SCORE = 85
_PUNCT = re.compile(r"[\s,，.。、;；:：()（）\-—#]+")
_NUMBER = re.compile(r"\d+")


def where_series(rows: pd.DataFrame) -> pd.Series:
    """Vectorised `where`: 单位“文件”第N行（类别）; a row typed into 名册 by the clerk (no source
    file or row) is named by its household head instead: 单位在名册中直接填写的“姓名”（类别）."""
    src = pd.to_numeric(rows[Col.SRC_ROW], errors="coerce")
    line = ["" if r != r else f"第{int(r)}行" for r in src.tolist()]
    unit, file, name = text(rows, Col.UNIT), text(rows, Col.SRC_FILE), text(rows, Col.NAME)
    place = [f"“{f}”{n}" if f else n if n else f"在名册中直接填写的“{h}”"
             for f, n, h in zip(file.tolist(), line, name.tolist())]
    return unit + pd.Series(place, index=rows.index, dtype=object) + "（" \
        + text(rows, Col.CATEGORY) + "）"


def _order(rows: pd.DataFrame) -> pd.Series:
    seq = pd.to_numeric(rows[Col.SEQ], errors="coerce") if Col.SEQ in rows else None
    return seq.fillna(len(rows) + pd.Series(range(len(rows)), index=rows.index)) \
        if seq is not None else pd.Series(range(len(rows)), index=rows.index, dtype=float)


def _order_among(roster: pd.DataFrame, pool: pd.Series | pd.Index) -> pd.Series:
    """`_order` of the rows of `pool` (a mask or an index), reading 序号 alone rather than copying every
    column. The checks then keep only the rows that can be flagged; their order values stay the
    ones they have among the whole pool (a row without 序号 comes after the numbered ones, in
    its place in the pool), so the row kept or named first is the same."""
    return _order(roster.loc[pool, [Col.SEQ] if Col.SEQ in roster else []])


def check_duplicate_ids(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """Same 身份证号 more than once (two units, twice in a unit, several categories): keep the row
    paid most (then 标准.优先级, lower first; a row that meets its conditions before a 待核 one;
    then the first listed), mark the others 重复 naming where the kept row is."""
    ids = text(roster, Col.ID)
    status = text(roster, Col.STATUS)
    pool = (ids != "") & roster[ID_OK].astype(bool) & ~status.isin([Status.ERROR, Status.DUPLICATE])
    if not pool.any():
        return []
    # an ID met once is kept as it is: the amounts and the ordering are for the repeated ones
    twice = repeated(ids, pool)
    if not twice.any():
        return []
    sub = roster[twice]
    priority = text(sub, Col.CATEGORY).map({s.category: s.priority for s in settings.standards})
    amount = tier_amounts(sub, settings)
    ordered = pd.DataFrame({
        "id": ids[twice], "review": status[twice] == Status.REVIEW, "amount": -amount.fillna(0),
        "priority": priority.fillna(999), "seq": _order_among(roster, pool)[twice[pool]]
    }).sort_values(["id", "review", "amount", "priority", "seq"], kind="stable")
    first = ~ordered["id"].duplicated()
    kept_of = pd.Series(ordered.index[first], index=ordered["id"][first])
    dups = ordered.index[~first]
    kept = pd.Series(kept_of.loc[ordered.loc[dups, "id"]].to_numpy(), index=dups)
    category = text(roster, Col.CATEGORY)
    kept_where = pd.Series(where_series(roster.loc[kept.to_numpy()]).to_numpy(), index=dups)
    paid = pd.Series(category.loc[kept.to_numpy()].to_numpy(), index=dups)
    paid_amount = pd.Series(amount.loc[kept.to_numpy()].to_numpy(), index=dups)
    same = category.loc[dups] == paid
    mask_same = pd.Series(False, index=roster.index)
    mask_same[dups[same.to_numpy()]] = True
    mask_other = pd.Series(False, index=roster.index)
    mask_other[dups[~same.to_numpy()]] = True
    amount_text = paid_amount.map(lambda a: f"{a:g}" if pd.notna(a) else "")
    return (emit(roster, mask_same, DUP_ID, column=Col.ID, kept=kept_where)
            + emit(roster, mask_other, DUP_CATEGORY, column=Col.CATEGORY, kept=kept_where,
                   paid=paid, amount=amount_text))


def _pool(roster: pd.DataFrame) -> pd.Series:
    return text(roster, Col.STATUS).isin(["", Status.VALID, Status.REVIEW])


def _flag_later(roster: pd.DataFrame, groups: pd.Series, reason: str, *,
                among: pd.Series) -> list[P.Problem]:
    """In each group (label per row, NaN = none) flag every row after the first one. `among`:
    the rows the order is taken among (a row without 序号 comes after them); the groups are
    labelled on some of them only."""
    several = repeated(groups)
    if not several.any():
        return []
    # order among every row of `among`, sorting only the rows of a label given more than once
    order = _order_among(roster, among)[several[among]]
    frame = pd.DataFrame({"g": groups[several], "seq": order}).sort_values(["g", "seq"],
                                                                         kind="stable")
    later = frame["g"].duplicated()
    first_of = pd.Series(frame.index[~later], index=frame["g"][~later])
    flagged = frame.index[later]
    other = pd.Series(where_series(roster.loc[first_of.loc[frame.loc[flagged, "g"]].to_numpy()])
                      .to_numpy(), index=flagged)
    mask = pd.Series(False, index=roster.index)
    mask[flagged] = True
    return emit(roster, mask, LIKELY, column=Col.NAME, other=other, reason=reason)


def check_same_name_phone(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """Same 户主姓名 and same 联系电话, IDs not the same: 待核."""
    name = text(roster, Col.NAME)
    phone = phone_digits(roster)
    keyed = _pool(roster) & (name != "") & (phone.str.len() >= 7)
    # the same name and the same phone: labels are made for the rows sharing both only
    paired = keyed & repeated(name, keyed) & repeated(phone, keyed)
    key = (name[paired] + "|" + phone[paired]).reindex(roster.index)
    return _flag_later(roster, key, "姓名相同、电话相同", among=keyed)


def normal_address(address: pd.Series) -> pd.Series:
    """地址 without spaces and punctuation, in key form (NFKC: 幸福路１２号 is 幸福路12号; 名册
    keeps what the unit typed), for comparing (one Python pass: twice as fast as pandas'
    str.replace)."""
    strip, normalize, normalized = _PUNCT.sub, unicodedata.normalize, unicodedata.is_normalized
    # most addresses are letters and digits only (no space or punctuation is alphanumeric)
    # and already in NFKC form: they are their own key, without the regex
    return pd.Series([a if a.isalnum() and normalized("NFKC", a) else strip("", normalize("NFKC", a))
                      for a in address.tolist()], index=address.index, dtype=address.dtype)


def near_address_pairs(roster: pd.DataFrame, *, score: int = ADDRESS_SCORE) -> list[tuple[Any, Any]]:
    """(earlier index, later index) of rows with the same name and a near-identical address:
    rapidfuzz ratio ≥ score and the same house numbers, compared only within a block of the same
    name and numbers."""
    name = text(roster, Col.NAME)
    raw = text(roster, Col.ADDRESS)
    ok = _pool(roster) & (name != "") & (raw != "")
    address = normal_address(raw[ok])
    address = address[address != ""]
    # a block holds one name: a name met once in the pool starts no comparison
    names = name.loc[address.index]
    address = address[names.duplicated(keep=False)]
    numbers = pd.Series(["-".join(_NUMBER.findall(a)) for a in address.tolist()],
                        index=address.index, dtype=address.dtype)
    block = names.loc[address.index] + "|" + numbers  # the same house numbers are required anyway
    block = block[block.duplicated(keep=False)]
    if block.empty:
        return []
    order = _order_among(roster, block.index)
    frame = pd.DataFrame({"b": block, "s": order}).sort_values(["b", "s"])
    rows = frame.index.tolist()
    keys = frame["b"].to_numpy()
    texts = address.loc[rows].tolist()
    nums = numbers.loc[rows].tolist()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]).tolist()
    pairs = []
    for start, end in zip(starts, [*starts[1:], len(rows)]):
        if end - start == 2:           # most blocks: one pair, no score matrix
            if fuzz.ratio(texts[start], texts[start + 1], score_cutoff=score) \
                    and nums[start] == nums[start + 1]:
                pairs.append((rows[start], rows[start + 1]))
            continue
        block_texts = texts[start:end]
        scores = process.cdist(block_texts, block_texts, scorer=fuzz.ratio, score_cutoff=score)
        for i, j in zip(*np.nonzero(np.triu(scores, k=1))):
            if nums[start + i] == nums[start + j]:
                pairs.append((rows[start + i], rows[start + j]))
    return pairs


def check_same_name_address(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """Same 户主姓名 and a near-identical 地址 (rapidfuzz), IDs not the same: 待核."""
    ids = text(roster, Col.ID)
    phone = phone_digits(roster)
    pairs = [(a, b) for a, b in near_address_pairs(roster)
             if ids[a] != ids[b] and not (phone[a] and phone[a] == phone[b])]
    seen: dict[int, int] = {}
    for a, b in pairs:
        seen.setdefault(b, a)
    if not seen:
        return []
    later = pd.Index(list(seen))
    mask = pd.Series(False, index=roster.index)
    mask[later] = True
    other = pd.Series(where_series(roster.loc[[seen[b] for b in later]]).to_numpy(), index=later)
    return emit(roster, mask, LIKELY, column=Col.ADDRESS, other=other,
                reason="姓名相同、地址几乎相同")


def check_head_is_member(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """A household head listed as a member of another household (when the return has a
    家庭成员身份证号 column): 待核."""
    if MEMBER_IDS not in roster:
        return []
    members = text(roster, MEMBER_IDS).str.upper().str.split(r"[、,，;；\s]+").explode()
    members = members[members.str.len() >= 15]
    if members.empty:
        return []
    owner = pd.Series(members.index, index=members.to_numpy())
    owner = owner[~owner.index.duplicated()]
    ids = text(roster, Col.ID)
    hit = _pool(roster) & ids.isin(owner.index)
    hit &= ids.map(owner).fillna(-1).astype(int) != pd.Series(roster.index, index=roster.index)
    other = where_series(roster.loc[ids[hit].map(owner).astype(int).to_numpy()])
    other.index = ids[hit].index
    return emit(roster, hit, LIKELY, column=Col.ID, other=other.reindex(roster.index),
                reason="（本户户主是该户的家庭成员）")


DUPLICATE_CHECKS = (check_duplicate_ids,)
LIKELY_CHECKS = (check_same_name_phone, check_same_name_address, check_head_is_member)
