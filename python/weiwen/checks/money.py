"""Money-safety signals (不错发): rows that may pay the wrong person. Each makes its rows 待核 —
never removed by the tool — with a reason that names the other rows, so the clerk can ring the
units and decide (备注 “已核实” keeps a row 有效 afterwards).

- the same bank card on different ID numbers (one card would receive two households' money);
- the same phone on more households than 参数 同一电话最多户数;
- one ID under two different names;
- a household (same ID) listed by two units with different addresses.

Vectorised: every check groups by a key the rows whose key is repeated (a key met once flags
nothing), and names only the few rows it flags.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from .. import problems as P
from ..names import DEFAULT_PHONE_LIMIT, PARAM_PHONE_LIMIT, Col, Severity, Status
from ..settings import Settings
from ..values import to_number
from ..values import text_column as text
from ._base import emit, phone_digits, register, repeated
from .duplicates import ADDRESS_SCORE, normal_address, where_series
from .fields import card_numbers

SHARED_CARD = register("checks.shared_card", "同卡不同人", Severity.WARNING,
                       "银行卡号与{others}相同，但身份证号不同（共{n}户用这张卡），"
                       "一张卡不应收两户的慰问金，请核实持卡人。", status=Status.REVIEW)
SHARED_PHONE = register("checks.shared_phone", "同一电话多户", Severity.WARNING,
                        "联系电话{phone}共用于{n}户，超过“参数”表“{key}”（{limit}户），"
                        "还有{others}，请核实是否本人电话。", status=Status.REVIEW)
TWO_NAMES = register("checks.id_two_names", "同一身份证号姓名不同", Severity.WARNING,
                     "同一身份证号在{others}写作“{other_name}”，与本行姓名不同，请核实是谁。",
                     status=Status.REVIEW)
TWO_ADDRESSES = register("checks.two_units_addresses", "两单位报送地址不同", Severity.WARNING,
                         "同一户（身份证号相同）也由{others}报送，地址为“{other_address}”，"
                         "与本行不同，请核实实际居住在哪个单位。", status=Status.REVIEW)

#: other rows named in a reason (more are counted: “……等5行”)
NAMED = 3
_PAYABLE = (Status.VALID.value, Status.REVIEW.value, "")


def _named_others(roster: pd.DataFrame, key: pd.Series, who: pd.Series,
                  flagged: pd.Series) -> tuple[pd.Series, pd.Series]:
    """For each flagged row: the rows of the same `key` whose `who` differs (where they are, up
    to NAMED of them, with “等N行”), and the first of them (its index). `key` is NaN off the
    pool. Bounded work: at most NAMED + 1 representatives per key and `who` are compared."""
    pool = key.notna()
    frame = pd.DataFrame({"k": key[pool], "w": who[pool]})
    frame["i"] = frame.index
    reps = frame.drop_duplicates(["k", "w"]).groupby("k", sort=False).head(NAMED + 1)
    reps = reps.assign(where=where_series(roster.loc[reps["i"]]).to_numpy())
    rows = frame[flagged.reindex(frame.index, fill_value=False)]
    pairs = rows.merge(reps, on="k", suffixes=("", "_o"))
    pairs = pairs[pairs["w"] != pairs["w_o"]].sort_values(["i", "i_o"], kind="stable")
    pairs = pairs.groupby("i", sort=False).head(NAMED)
    distinct = frame.groupby("k")["w"].nunique()
    named = pairs.groupby("i", sort=False)["where"].agg("、".join)
    shown = pairs.groupby("i", sort=False).size()
    total = rows["k"].map(distinct) - 1
    more = (total.loc[named.index] - shown).clip(lower=0)
    text_: pd.Series = named + np.where(more > 0, "等" + total.loc[named.index].astype(str) + "处", "")
    first = pairs.drop_duplicates("i").set_index("i")["i_o"]
    return text_.reindex(roster.index), first.reindex(roster.index)


def _shared(key: pd.Series, pool: pd.Series) -> pd.Series:
    """`key` on the rows of `pool` (NaN elsewhere) kept only where another row of the pool has
    the same: a value met once is one household, never flagged, so the grouping below only
    sees the repeated ones."""
    return key.where(repeated(key, pool))


def _payable(roster: pd.DataFrame) -> pd.Series:
    return text(roster, Col.STATUS).isin(_PAYABLE)


def check_shared_card(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """One bank card under different ID numbers: every payable row of that card is 待核."""
    card = card_numbers(roster)
    ids = text(roster, Col.ID)
    pool = (card.str.len() >= 12) & (ids != "") & (text(roster, Col.STATUS) != Status.ERROR)
    key = _shared(card, pool)
    pool = key.notna()
    households = ids[pool].groupby(key[pool]).nunique()
    # counted for the rows of a shared card only (NaN elsewhere, as the other rows have no key)
    n = key[pool].map(households).reindex(key.index)
    flagged = pool & _payable(roster) & (n > 1)
    if not flagged.any():
        return []
    others, _ = _named_others(roster, key, ids, flagged)
    return emit(roster, flagged, SHARED_CARD, column=Col.CARD, others=others,
                n=n.fillna(0).astype(int).astype(str))


def phone_limit(settings: Settings) -> int:
    number = to_number(settings.params.get(PARAM_PHONE_LIMIT))
    return int(number) if number is not None and number >= 1 else DEFAULT_PHONE_LIMIT


def check_shared_phone(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """One phone on more households (distinct IDs) than 参数 同一电话最多户数: 待核."""
    limit = phone_limit(settings)
    phone = phone_digits(roster)
    ids = text(roster, Col.ID)
    pool = (phone.str.len() >= 7) & (ids != "") & (text(roster, Col.STATUS) != Status.ERROR)
    key = _shared(phone, pool)
    pool = key.notna()
    households = ids[pool].groupby(key[pool]).nunique()
    # counted for the rows of a shared phone only (NaN elsewhere, as the other rows have no key)
    n = key[pool].map(households).reindex(key.index)
    flagged = pool & _payable(roster) & (n > limit)
    if not flagged.any():
        return []
    others, _ = _named_others(roster, key, ids, flagged)
    return emit(roster, flagged, SHARED_PHONE, column=Col.PHONE, others=others,
                phone=text(roster, Col.PHONE), n=n.fillna(0).astype(int).astype(str),
                limit=str(limit), key=PARAM_PHONE_LIMIT)


def check_id_two_names(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """One ID written with two different names (by two units, or twice in one): 待核."""
    ids = text(roster, Col.ID)
    listed = (ids != "") & (text(roster, Col.STATUS) != Status.ERROR)
    listed &= repeated(ids, listed)
    # names compared (without spaces and dots) only on the rows of an ID listed more than once
    name = text(roster, Col.NAME)[listed].str.replace(r"[\s\u3000·•.]", "", regex=True)
    pool = listed & (name != "").reindex(roster.index, fill_value=False)
    key = _shared(ids, pool)
    pool = key.notna()
    names = name[pool].groupby(key[pool]).nunique()
    flagged = pool & _payable(roster) & \
        (key[pool].map(names) > 1).reindex(roster.index, fill_value=False)
    if not flagged.any():
        return []
    others, first = _named_others(roster, key, name, flagged)
    shown = text(roster, Col.NAME)
    other_name = pd.Series(shown.reindex(first.dropna().astype(int)).to_numpy(),
                           index=first.dropna().index).reindex(roster.index).fillna("")
    return emit(roster, flagged, TWO_NAMES, column=Col.NAME, others=others,
                other_name=other_name)


def check_two_units_addresses(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """The same ID listed by two units whose addresses differ (not near-identical): 待核 on the
    payable rows, naming the other unit's row and address."""
    ids = text(roster, Col.ID)
    unit = text(roster, Col.UNIT)
    pool = (ids != "") & (text(roster, Col.STATUS) != Status.ERROR)
    # an ID listed once is in one unit: addresses are normalised for the repeated IDs alone
    pool &= repeated(ids, pool)
    address = normal_address(text(roster, Col.ADDRESS)[pool])
    pool &= (address != "").reindex(roster.index, fill_value=False)
    units = unit[pool].groupby(ids[pool]).nunique()
    pool &= (ids[pool].map(units) > 1).reindex(roster.index, fill_value=False)
    if not pool.any():
        return []
    at = pool.index[pool.to_numpy()]
    rows = pd.DataFrame({"id": ids[pool], "u": unit[pool], "a": address.loc[at]})
    pairs = rows.reset_index().merge(rows.reset_index(), on="id", suffixes=("", "_o"))
    pairs = pairs[(pairs["u"] != pairs["u_o"]) & (pairs["a"] != pairs["a_o"])]
    if pairs.empty:
        return []
    score = [fuzz.ratio(a, b) for a, b in zip(pairs["a"], pairs["a_o"])]
    pairs = pairs[np.asarray(score) < ADDRESS_SCORE]
    flagged = pd.Series(False, index=roster.index)
    flagged[pairs["index"].unique()] = True
    flagged &= _payable(roster)
    if not flagged.any():
        return []
    firsts = pairs.sort_values(["index", "index_o"]).drop_duplicates("index").set_index("index")
    other = pd.Series(where_series(roster.loc[firsts["index_o"]]).to_numpy(), index=firsts.index)
    other_address = pd.Series(text(roster, Col.ADDRESS).loc[firsts["index_o"]].to_numpy(),
                              index=firsts.index)
    return emit(roster, flagged, TWO_ADDRESSES, column=Col.ADDRESS,
                others=other.reindex(roster.index), other_address=other_address.reindex(roster.index))


MONEY_CHECKS = (check_shared_card, check_shared_phone, check_id_two_names,
                check_two_units_addresses)
