"""Masking personal numbers on paper and in emailed files (one rule everywhere).

Signature sheets circulate among neighbours, feedback files are emailed back to units, visit
lists go out with the leaders: an ID shows its region and last four (330106********2888), a phone
its first three and last four (137****7189). The full numbers stay in the workbook's 名册.
"""
from __future__ import annotations

import re
from typing import Any

from .values import to_text

_DIGITS = re.compile(r"\d")
#: an ID number standing inside a sentence (a problem message)
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{5,8}(\d{3}[\dXx])(?![\dA-Za-z])")


def mask_id(value: Any) -> str:
    """330106195409222888 → 330106********2888: the region and the last four stay readable."""
    text = to_text(value).replace(" ", "")
    if not text:
        return ""
    if len(text) >= 15:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return "*" * len(text)


def mask_phone(value: Any) -> str:
    """13724207189 → 137****7189; 0571-88001234 → 057****1234. Enough for the owner to recognise."""
    text = to_text(value).replace(" ", "")
    digits = "".join(_DIGITS.findall(text))
    if len(digits) < 7:
        return "*" * len(text)
    return digits[:3] + "****" + digits[-4:]


def mask_ids_in_text(text: str) -> str:
    """Every ID number inside a sentence masked the same way ("…与330106********1234重复…")."""
    return _ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 10) + m.group(2),
                           text or "")
