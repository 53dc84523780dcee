"""Clean one returned cell value per canonical column: total functions, idempotent, no I/O.

Full-width digits and letters, spaces and hyphens inside numbers, lowercase x in IDs, numbers that
arrive as floats. A value that cannot be made clean is returned as the unit wrote it and the
checks report it; nothing here guesses lost digits.
"""
from __future__ import annotations

import re
from typing import Any

from opencc import OpenCC

from ..values import is_blank, to_number, to_text

_cc = OpenCC("t2s")
_SPACES = re.compile(r"[\s\u3000]+")


def name(value: Any) -> str:
    return _SPACES.sub("", _cc.convert(to_text(value)))


def id_number(value: Any) -> tuple[str, bool]:
    """(cleaned ID text, whether the cell held a number — digits may have been lost)."""
    from_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    text = to_text(value)
    text = re.sub(r"[\s\-_'‘’`]", "", text).upper()
    if from_number and "E" in text:
        number = to_number(text)
        text = str(int(number)) if number is not None else text
    return text, from_number


def digits(value: Any, *, keep_hyphen: bool = False) -> str:
    text = to_text(value)
    if keep_hyphen:
        text = re.sub(r"[\s]+", "", text)
        text = re.sub(r"[^\d\-+]", "", text).strip("-")
        return re.sub(r"-{2,}", "-", text)
    return re.sub(r"\D", "", text)


def phone(value: Any) -> str:
    text = digits(value, keep_hyphen=True)
    return text.removeprefix("+86").removeprefix("86-") if text.startswith(("+86", "86-")) else text


def category(value: Any) -> str:
    return _SPACES.sub("", _cc.convert(to_text(value)))


def size(value: Any) -> Any:
    number = to_number(value)
    if number is not None and float(number).is_integer():
        return int(number)
    return None if is_blank(value) else to_text(value)


def text(value: Any) -> str:
    return _cc.convert(to_text(value))
