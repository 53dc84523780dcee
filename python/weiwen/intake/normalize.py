"""Clean returned values, one whole column at a time: no I/O, idempotent, never guessing digits.

Full-width digits and letters, spaces and hyphens inside numbers, lowercase x in IDs, numbers that
arrived as floats (an ID or card that went through a float has lost digits: it is flagged, never
"repaired"), dates in text columns. Words a unit writes (户主姓名, 地址, 备注, 开户银行, 填报类别)
are kept as typed: a name is a person's and the bank's 户名 — 王乾 is not 王干, and a Traditional
name stays Traditional — so only the ends are trimmed (and a name's stray spaces dropped).
Traditional → Simplified and NFKC serve matching only (类别, headers, unit names). Every function
takes a pandas Series of raw cell values and maps its *unique* values once, so 100k rows cost
little more than their distinct values.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from collections.abc import Callable

import numpy as np
import pandas as pd
from opencc import OpenCC

from ..values import as_typed, is_blank, to_number, to_text

_cc = OpenCC("t2s")
_SPACES = re.compile(r"[\s\u3000]+")
_ID_JUNK = re.compile(r"[\s\-_'‘’`\"“”.,，。·]")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_EXCEL_EPOCH = dt.date(1899, 12, 31)      # serial 1 = 1900-01-01 (before Excel's 1900 leap bug)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Bool:
    """A boolean cell kept apart from 1 and 0 (True == 1 for hashing)."""
    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash(("bool", self.value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Bool) and other.value == self.value


def map_unique(series: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """`series.map(fn)` computed once per distinct value (cells are mostly repeats)."""
    if not len(series):
        return series.astype(object)
    values = series.to_numpy(dtype=object)
    if any(type(v) is bool for v in values):
        keys = np.empty(len(values), dtype=object)
        keys[:] = [_Bool(v) if type(v) is bool else v for v in values]
    else:
        keys = values
    codes, uniques = pd.factorize(keys, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(v.value if isinstance(v, _Bool) else v) for v in uniques]
    return pd.Series(mapped[codes], index=series.index, dtype=object)


@lru_cache(maxsize=65536)
def _simplified_char(ch: str) -> bool:
    return _cc.convert(ch) != ch


@lru_cache(maxsize=262144)
def simplify(text: str) -> str:
    """Traditional → Simplified, but only pay OpenCC for strings that hold a Traditional char."""
    if text.isascii() or not any(_simplified_char(ch) for ch in text):
        return text
    return _cc.convert(text)


def text_value(value: Any) -> str:
    """Any cell as clean text: NFKC, single spaces, Simplified; dates as 2027-01-20."""
    return simplify(to_text(value))


def _without_spaces(text: str) -> str:
    # NFC again: removing a space can leave a letter next to a combining mark that NFKC turned
    # out of a spacing one ("A¯" → "A ̄" → "Ā"); without this a second pass would change it.
    return unicodedata.normalize("NFC", _SPACES.sub("", text))


def name_value(value: Any) -> str:
    """户主姓名 as typed, without the spaces a name never has (“ 欧阳 娜 ” → 欧阳娜)."""
    return _without_spaces(unicodedata.normalize("NFC", as_typed(value)))


def id_value(value: Any) -> tuple[str, bool]:
    """(ID text, whether it arrived as a number — 3.30106E+17 typed or stored — and may have lost
    digits). Spaces, hyphens, quotes are removed and x upper-cased; lost digits stay lost."""
    if is_blank(value):
        return "", False
    if isinstance(value, bool):
        return to_text(value), False
    if _is_number(value):                   # -1 or inf: cleaned like text, so a second pass agrees
        return _clean_id(_number_digits(value)), True
    raw = to_text(value).replace(" ", "")
    if _SCIENTIFIC.match(raw):              # a CSV saved by Excel: "3.30106E+17" as text
        return _number_digits(raw), True
    return _clean_id(raw), False


def _clean_id(text: str) -> str:
    # NFC after removing junk: a removed quote between two combining marks reorders them
    return unicodedata.normalize("NFC", _ID_JUNK.sub("", text).upper())


def _number_digits(value: Any) -> str:
    """The digits Excel shows for a number: at most 15 significant ones, the rest zeros
    (3.30106199001011E+17 → 330106199001011000), never the float's binary noise."""
    try:
        number = Decimal(value) if isinstance(value, str) else Decimal(f"{float(value):.15g}")
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    except (InvalidOperation, ValueError, OverflowError):
        return to_text(value)


def digits_value(value: Any) -> tuple[str, bool]:
    """(digits only, whether it arrived as a number with ≥ 16 digits — a float keeps only 15)."""
    if is_blank(value):
        return "", False
    if _is_number(value):
        return re.sub(r"\D", "", _number_digits(value)), abs(float(value)) >= 1e15
    text = to_text(value)
    if _SCIENTIFIC.match(text.replace(" ", "")):
        return _number_digits(text.replace(" ", "")), True
    return re.sub(r"\D", "", text), False


def phone_value(value: Any) -> str:
    """13812345678, "138 1234 5678", "+86-138…", "0571-87654321" → digits, area-code hyphen kept.
    Of several numbers ("138… / 139…") the first is kept."""
    if is_blank(value):
        return ""
    if _is_number(value):
        return digits_value(value)[0]
    first = re.split(r"[/、;；,，]|或", to_text(value))[0]
    first = re.sub(r"[^\d\-+]", "", first)
    first = re.sub(r"-{2,}", "-", first).strip("-")
    if first.startswith("+86"):
        first = first[3:].lstrip("-")
    elif first.startswith("86") and len(first.replace("-", "")) == 13:
        first = first[2:].lstrip("-")
    digits = first.replace("-", "").replace("+", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits                      # a mobile: hyphens and spaces are only grouping
    return first.replace("+", "").strip("-")      # "0-+": the hyphen was before a plus


def category_value(value: Any) -> str:
    return _without_spaces(text_value(value))


def size_value(value: Any) -> Any:
    """家庭人口: 3, "3", "３人", a cell that Excel showed as a date (1900-01-03 = 3) → 3."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date) and value < dt.date(1900, 3, 1):
        return (value - _EXCEL_EPOCH).days
    number = to_number(value)
    if number is not None and float(number).is_integer():
        return int(number)
    return text_value(value)


# --- whole columns -------------------------------------------------------------------------------

def texts(series: pd.Series) -> pd.Series:
    """Cleaned for matching: NFKC, single spaces, Simplified."""
    return map_unique(series, text_value)


def typed(series: pd.Series) -> pd.Series:
    """As typed (values.as_typed: the ends trimmed, nothing else): for what is kept and printed."""
    return map_unique(series, as_typed)


def names(series: pd.Series) -> pd.Series:
    return map_unique(series, name_value)


def categories(series: pd.Series) -> pd.Series:
    return map_unique(series, category_value)


def sizes(series: pd.Series) -> pd.Series:
    return map_unique(series, size_value)


def phones(series: pd.Series) -> pd.Series:
    return map_unique(series, phone_value)


def ids(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    pairs = map_unique(series, id_value)
    return (pd.Series([p[0] for p in pairs], index=series.index, dtype=object),
            pd.Series([p[1] for p in pairs], index=series.index, dtype=bool))


def cards(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    pairs = map_unique(series, digits_value)
    return (pd.Series([p[0] for p in pairs], index=series.index, dtype=object),
            pd.Series([p[1] for p in pairs], index=series.index, dtype=bool))


def blank(series: pd.Series) -> pd.Series:
    """True where a raw cell is empty (None, NaN, '' or only spaces)."""
    return map_unique(series, is_blank).astype(bool)
