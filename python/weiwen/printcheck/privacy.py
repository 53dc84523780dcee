"""The privacy part of the print check: what a printed page must not show, read off the page.

Every printed or emailed list masks ID numbers (330106********2888); only 银行代发, which goes to
the bank and must carry the full card numbers, is left alone. A 公示名单 goes on a notice board,
so it shows no ID number, phone or bank card at all (not even masked), and no category that
names an illness or a disability. Findings never repeat the number they found in full (the
check's output may end up in a log or a ticket).
"""
from __future__ import annotations

import re

from ..masking import mask_id
from ..names import BANK_FILE, NOTICE_DIR
from ..outputs.notice import HEALTH_WORDS
from .checks import SHORT, Finding
from .pdfpage import Page

#: a full ID number standing on its own (not part of a longer digit string)
_ID = re.compile(r"(?<![\dA-Za-z*])\d{17}[\dXx](?![\dA-Za-z])")
#: on a notice board: any phone, ID or card number, full or masked
_PHONE = re.compile(r"(?<![\d*])1[3-9]\d(?:\d{8}|\*{4}\d{4})(?![\d*])")
_MASKED = re.compile(r"\d{3,6}\*{4,}\d{3}[\dXx]")
_LONG_DIGITS = re.compile(r"\d{12,}")


def _an_id(text: str) -> bool:
    """An 18-character ID number: GB 11643 check character and a birth month (the region code
    is not looked up: the list changes, and a number of a merged district is still an ID)."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(text[:17]))
    return "10X98765432"[total % 11] == text[17].upper() and 1 <= int(text[10:12]) <= 12


def _public(file: str) -> bool:
    return file.startswith(NOTICE_DIR + "/")


def check_privacy(file: str, sheet: str, pages: list[Page]) -> list[Finding]:
    """Unmasked ID numbers on any page but the bank's; on a 公示名单 also any phone, card or
    masked number and any illness or disability category."""
    if file == BANK_FILE:
        return []
    out: list[Finding] = []
    public = _public(file)
    for page in pages:
        ids, numbers, health = [], 0, []
        for run in page.runs:
            text = run.text.replace(" ", "")
            ids += [m for m in _ID.findall(text) if _an_id(m)]
            if public:
                numbers += len(_PHONE.findall(text)) + len(_MASKED.findall(text)) + len(
                    _LONG_DIGITS.findall(text))
                if len(text) <= SHORT and any(w in text for w in HEALTH_WORDS):
                    health.append(text)
        if ids:
            out.append(Finding(file, sheet, page.number, "privacy",
                               f"有 {len(ids)} 个身份证号没有遮盖（如 {mask_id(ids[0])}）"))
        if numbers:
            out.append(Finding(file, sheet, page.number, "privacy",
                               f"公示名单上有 {numbers} 个身份证号、电话或银行卡号（公示名单不应有）"))
        if health:
            out.append(Finding(file, sheet, page.number, "privacy",
                               "公示名单写出了疾病或残疾类别：" + "、".join(sorted(set(health))[:3])))
    return out
