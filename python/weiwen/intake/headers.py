"""Map the headers communities actually write to the canonical columns.

Traditional Chinese, synonyms (身份证号码/公民身份号码/证件号码, 户主/姓名, 手机/联系方式…), spaces,
line breaks and bracketed notes are all accepted. `find_header` finds the header row wherever the
unit put it (below title rows).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

from ..names import Col
from ..values import to_text
from .normalize import simplify

#: variant → canonical column; compared after simplification and removing spaces/brackets
SYNONYMS: dict[str, str] = {}
for canonical, variants in {
    Col.NAME: ("户主姓名", "户主", "姓名", "户主名", "户名", "慰问对象", "慰问对象姓名", "对象姓名", "申请人", "户主姓名"),
    Col.ID: ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "身份证件号码", "证件号", "户主身份证号", "户主身份证号码"),
    Col.CATEGORY: ("类别", "慰问类别", "人员类别", "对象类别", "类型", "困难类别", "救助类别"),
    Col.SIZE: ("家庭人口", "家庭人口数", "人口", "人口数", "户人口", "家庭人数", "保障人口", "人数"),
    Col.PHONE: ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "联系电话号码",
                "户主电话", "户主联系电话", "联系手机"),
    Col.CARD: ("银行卡号", "银行账号", "卡号", "账号", "银行卡", "社保卡号", "一卡通账号", "存折账号",
               "银行帐号", "帐号", "开户账号", "开户帐号", "银行卡账号", "收款账号", "卡号/账号"),
    Col.BANK: ("开户银行", "开户行", "银行名称", "开户银行名称", "开户行名称", "收方开户行名称",
               "开户网点"),
    Col.ADDRESS: ("地址", "家庭住址", "住址", "家庭地址", "居住地址", "现住址", "户籍地址", "详细地址"),
    Col.NOTE: ("备注", "说明"),
    Col.UNIT: ("单位", "社区", "村", "所属社区", "社区/村", "村/社区", "单位名称", "所在社区", "所在村",
               "所在村社区", "村社区", "村(社区)", "填报单位"),
    Col.SEQ: ("序号", "编号", "No", "NO", "no"),
}.items():
    for v in variants:
        SYNONYMS[v] = canonical

_STRIP = re.compile(r"[\s\u3000:：*＊]+|[（(][^）)]*[）)]")


@lru_cache(maxsize=4096)
def canonical_header(value: str) -> str | None:
    """"身份證號碼 (18位)" → 身份证号; None when the text is not a known header."""
    text = to_text(value)
    if len(text) > 40:                       # a note or an address, never a header
        return None
    return SYNONYMS.get(_STRIP.sub("", simplify(text)))


def map_headers(row: Sequence[Any]) -> dict[int, str]:
    """Column index → canonical column for one header row. When two columns map to the same
    canonical one, the column already spelled canonically wins (户主姓名 over 姓名), else the
    first from the left."""
    chosen: dict[str, tuple[int, bool]] = {}
    for i, value in enumerate(row):
        text = to_text(value)
        name = canonical_header(text) if text else None
        if not name:
            continue
        exact = _STRIP.sub("", simplify(text)) == name
        if name not in chosen or (exact and not chosen[name][1]):
            chosen[name] = (i, exact)
    return {i: name for name, (i, _) in sorted(chosen.items(), key=lambda kv: kv[1][0])}


def find_header(rows: Sequence[Sequence[Any]], *, look: int = 30) -> tuple[int, dict[int, str]] | None:
    """(index of the header row, its mapping) — the first of the top rows naming ≥ 3 columns
    including 户主姓名 or 身份证号; None when there is none."""
    best = None
    for i, row in enumerate(rows[:look]):
        mapping = map_headers(row)
        names = set(mapping.values())
        if len(names) >= 3 and (Col.NAME in names or Col.ID in names):
            if best is None or len(names) > len(best[1]):
                best = (i, mapping)
            if len(names) >= 5:
                return i, mapping
    return best
