"""Row-level checks of the other fields: required values, 类别, 家庭人口, 联系电话, 银行卡号, and the
category rules of 标准.条件 (e.g. 年龄>=70). One function per rule, vectorised masks only."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers

from .. import problems as P
from ..names import CONDITION_AGE, REQUIRED_COLUMNS, Col, Internal, Method, Payment, Severity, Status
from ..settings import Settings
from ..values import text_column as text
from ._base import emit, phone_digits, register

MISSING = register("checks.missing_field", "必填项缺失", Severity.ERROR, "缺少“{column}”，请补填。")
CATEGORY = register("checks.unknown_category", "类别无效", Severity.ERROR,
                    "类别“{value}”不在“标准”表中，可选：{choices}。")
CATEGORY_UNUSABLE = register(
    "checks.category_standard_broken", "类别的标准有误", Severity.ERROR,
    "“标准”表第{standard_row}行“{category}”填错了（见本表中“标准”表的问题），类别为“{value}”的这一户"
    "暂时不能计算金额；改正那一行后点“检查”。")
SIZE = register("checks.size_invalid", "家庭人口无效", Severity.ERROR,
                "家庭人口“{value}”{reason}，应为1到20之间的整数。")
PHONE_MISSING = register("checks.phone_missing", "未留电话", Severity.WARNING,
                         "没有联系电话，签字表和节后回访需要，请补填。")
PHONE_INVALID = register("checks.phone_invalid", "电话号码无效", Severity.WARNING,
                         "联系电话“{value}”不是有效的手机号或带区号的固定电话，请核对。")
CARD_INVALID = register("checks.card_invalid", "银行卡号无效", Severity.WARNING,
                        "银行卡号“{value}”{reason}。")
#: a card paid by the bank as the number cell kept it goes to someone else's account, or none:
#: 错误 for a card-paid category (a 警告 otherwise: the card is not used). Was intake's
#: "intake.card_from_number", a 错误 in 问题 on a row left 有效 and sent to the bank
CARD_LOST = register("checks.card_lost_digits", "银行卡号被存成数字", Severity.ERROR,
                     "银行卡号“{value}”被表格软件（Excel、WPS 或 LibreOffice）存成了数字，只保留了前15位，"
                     "后面的数字已变成0，无法还原{paid}。请把该列设为文本格式后重新输入完整的卡号。")
CARD_MISSING = register("checks.card_missing", "缺少银行卡号", Severity.WARNING,
                        "“{category}”按银行打卡发放，但没有填银行卡号，请补填。")
CONDITION = register("checks.condition_failed", "不符合类别条件", Severity.WARNING,
                     "类别“{category}”要求{condition}，{actual}，请核实。", status=Status.REVIEW)

MAX_SIZE = 20
_CN = phonenumbers.PhoneMetadata.metadata_for_region("CN")
assert _CN is not None and _CN.mobile is not None and _CN.fixed_line is not None
_MOBILE: str = _CN.mobile.national_number_pattern or ""
_FIXED: str = _CN.fixed_line.national_number_pattern or ""
_MOBILE_RE, _FIXED_RE = re.compile(_MOBILE), re.compile(_FIXED)


def _standard_is(roster: pd.DataFrame, settings: Settings, attr: str, value: object
                 ) -> pd.Series:
    """Rows whose 类别's 标准 has `attr` == `value` (a 类别 listed twice: its last row, as a
    dict of 标准 by category keeps it). A roster has a few categories: the matching ones are
    found among them, not row by row."""
    values = {s.category: getattr(s, attr) for s in settings.standards}
    return text(roster, Col.CATEGORY).isin([c for c, v in values.items() if v == value])


def size_numbers(roster: pd.DataFrame) -> pd.Series:
    """家庭人口 as a float (NaN when blank or not a number)."""
    return pd.to_numeric(roster[Col.SIZE], errors="coerce") if Col.SIZE in roster else \
        pd.Series(np.nan, index=roster.index)


def check_required(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    out = []
    for column in REQUIRED_COLUMNS:
        out += emit(roster, text(roster, column) == "", MISSING, column=column)
    return out


def check_category(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    category = text(roster, Col.CATEGORY)
    bad = (category != "") & ~category.isin(settings.categories)
    # a category whose 标准 row the clerk mistyped (an amount typed as 七百) is not the unit's
    # mistake: said as the settings' own, and kept out of 退回修改
    broken = bad & category.isin(settings.unusable)
    found = category[broken].map(settings.unusable)
    return emit(roster, bad & ~broken, CATEGORY, column=Col.CATEGORY, value=category,
                choices="、".join(settings.categories)) + \
        emit(roster, broken, CATEGORY_UNUSABLE, column=Col.CATEGORY, value=category,
             category=found.map(lambda c: c[0]), standard_row=found.map(lambda c: c[1]))


def check_size(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """An integer 1–20; 错误 when the amount depends on it (按户人数分档), else 警告."""
    raw = text(roster, Col.SIZE)
    size = size_numbers(roster)
    by_size = _standard_is(roster, settings, "method", Method.BY_SIZE)
    blank = raw == ""
    not_int = ~blank & (size.isna() | (size % 1 != 0))
    out_of_range = ~blank & ~not_int & ((size < 1) | (size > MAX_SIZE))
    reason = pd.Series(np.select([blank, not_int], ["未填写", "不是整数"], "超出范围"),
                       index=roster.index)
    # a whole number as a whole number: 名册 read back gives 25.0 for the 25 the merge quoted,
    # and a 检查 right after the merge must say the same
    whole = size[out_of_range].map(lambda v: f"{v:.15g}")
    value = raw.where(raw != "", "（空）").where(~out_of_range, whole.reindex(roster.index))
    out = []
    for severity, rows in ((Severity.ERROR, by_size), (Severity.WARNING, ~by_size)):
        bad = rows & (not_int | out_of_range | (blank & by_size))
        out += emit(roster, bad, SIZE, column=Col.SIZE, severity=severity, value=value,
                    reason=reason)
    return out


def phone_valid(phones: pd.Series) -> pd.Series:
    """CN mobile or landline with area code, by phonenumbers' own CN patterns (vectorised)."""
    return _digits_valid(phones.str.replace(r"\D", "", regex=True))


def _digits_valid(digits: pd.Series) -> pd.Series:
    """phone_valid of phones already reduced to their digits: +86 dropped from a 13-digit
    number, then a mobile number, or 0 + a landline with its area code. One pass in Python:
    on 100,000 rows about twice as fast as the same steps as pandas string methods."""
    mobile, fixed = _MOBILE_RE.fullmatch, _FIXED_RE.fullmatch

    def valid(d: str) -> bool:
        if len(d) == 13 and d.startswith("86"):
            d = d[2:]
        if d.startswith("0"):
            return mobile(d[1:]) is not None or fixed(d[1:]) is not None
        return mobile(d) is not None

    # most phones are mobile numbers: one starting with 1 has neither 86 nor 0 in front, and
    # is asked of the mobile pattern without a call of `valid`
    return pd.Series([mobile(d) is not None if d.startswith("1") else valid(d)
                      for d in digits.tolist()], index=digits.index, dtype=bool)


def check_phone(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    phone = text(roster, Col.PHONE)
    missing = phone == ""
    out = emit(roster, missing, PHONE_MISSING, column=Col.PHONE)
    return out + emit(roster, ~missing & ~_digits_valid(phone_digits(roster)), PHONE_INVALID,
                      column=Col.PHONE, value=phone)


def luhn_valid(cards: pd.Series) -> pd.Series:
    """Luhn check of digit strings (vectorised per length); False for non-digits (0-9 only:
    a digit of another script is no card number, and the sum is worked out on bytes)."""
    out = pd.Series(False, index=cards.index)
    digits_only = cards.str.fullmatch(r"[0-9]+").fillna(False)
    for length, group in cards[digits_only].groupby(cards[digits_only].str.len()):
        d = (np.frombuffer("".join(group).encode("ascii"), dtype=np.uint8) - 48) \
            .reshape(-1, length)[:, ::-1].astype(int)
        doubled = d[:, 1::2] * 2
        total = d[:, 0::2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
        out[group.index] = total % 10 == 0
    return out


def card_numbers(roster: pd.DataFrame) -> pd.Series:
    """银行卡号 without spaces and hyphens (cleaned where one is filled in: most rows of a
    district have none)."""
    card = text(roster, Col.CARD)
    filled = card != ""
    if filled.any():
        card = card.copy()
        card[filled] = card[filled].str.replace(r"[\s\-]", "", regex=True)
    return card


def number_image(cards: pd.Series) -> pd.Series:
    """Cards a number cell gives back: 16–19 digits, every one after the 15th a 0."""
    return cards.str.fullmatch(r"[0-9]{15}0{1,4}").fillna(False).astype(bool)


def check_card(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """Length 16–19 digits and Luhn. Some Chinese cards (old 信用社 passbooks) do not use Luhn,
    so a failing checksum is a 警告; a wrong length on a card-paid category is 错误, and so is
    a card that went through a number cell (Internal.CARD_FROM_NUMBER: the merge saw it, or
    a check found the merge's 问题 row)."""
    card = card_numbers(roster)
    by_card = _standard_is(roster, settings, "payment", Payment.CARD)
    present = card != ""
    # a number cell's image is looked for among the cards filled in (most rows have none)
    lost = present & number_image(card[present]).reindex(card.index, fill_value=False) & (
        roster[Internal.CARD_FROM_NUMBER].fillna(False).astype(bool)
        if Internal.CARD_FROM_NUMBER in roster else False)
    out = emit(roster, lost & by_card, CARD_LOST, column=Col.CARD, value=card,
               paid="，按这个卡号打卡会打不进或打错账户，改正前不发放")
    out += emit(roster, lost & ~by_card, CARD_LOST, column=Col.CARD, severity=Severity.WARNING,
                value=card, paid="")
    checked = present & ~lost
    length_ok = card[checked].str.fullmatch(r"[0-9]{16,19}").reindex(card.index, fill_value=False) \
        .astype(bool)
    # digits of another script (pasted from elsewhere) are no card number the bank takes
    other_digits = card.str.fullmatch(r"\d{16,19}").fillna(False).astype(bool) & ~length_ok
    for severity, rows in ((Severity.ERROR, by_card), (Severity.WARNING, ~by_card)):
        out += emit(roster, rows & checked & ~length_ok & ~other_digits, CARD_INVALID,
                    column=Col.CARD, severity=severity, value=card,
                    reason="位数不对（银行卡号一般为16到19位数字）")
        out += emit(roster, rows & checked & other_digits, CARD_INVALID, column=Col.CARD,
                    severity=severity, value=card,
                    reason="含有0到9以外的数字，银行无法识别，请用半角数字0到9重新输入")
    luhn_ok = luhn_valid(card[checked]).reindex(card.index, fill_value=False)
    out += emit(roster, checked & length_ok & ~luhn_ok, CARD_INVALID, column=Col.CARD,
                value=card, reason="校验不通过，可能有数字填错（个别老卡、存折不适用此校验），请核对")
    out += emit(roster, by_card & ~present, CARD_MISSING, column=Col.CARD,
                category=text(roster, Col.CATEGORY))
    return out


def check_conditions(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """标准.条件 such as 年龄>=70: a row that does not meet it is 待核 with the reason."""
    category = text(roster, Col.CATEGORY)
    values = {CONDITION_AGE: pd.to_numeric(roster[Internal.AGE], errors="coerce")
              if Internal.AGE in roster else pd.Series(np.nan, index=roster.index),
              Col.SIZE: size_numbers(roster)}
    units = {CONDITION_AGE: "岁", Col.SIZE: "人"}
    sources = {CONDITION_AGE: "按身份证号计算年龄为", Col.SIZE: f"{Col.SIZE}为"}
    out = []
    for std in settings.standards:
        if not std.conditions:
            continue
        rows = category == std.category
        if not rows.any():
            continue
        for cond in std.conditions:
            x = values[cond.field]
            fails = rows & x.notna() & ~cond.holds(x).fillna(False).astype(bool)
            # the reason is spelled out for the failing rows only
            actual = sources[cond.field] + x.astype("Int64")[fails].astype(str) + units[cond.field]
            out += emit(roster, fails, CONDITION, column=Col.CATEGORY, category=std.category,
                        condition=cond.text, actual=actual)
    return out


FIELD_CHECKS = (check_required, check_category, check_size, check_phone, check_card,
                check_conditions)
