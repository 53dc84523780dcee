"""The order the 输出文件 page lists a folder's files in: the clerk's, not the computer's.

Sorted by code point, 第七组 comes before 第三组 and 妇联 sits among the communities. A clerk
reads a folder as the campaign is laid out: what covers everything first (签字确认表（全部单位）,
走访安排总表), then the units in the order of the 单位 sheet, then the departments that pay a
category (标准's 责任部门), and numbered files (第一组, 第二组 … 第十组) by their number.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..settings import Settings

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_NUMBER = re.compile(r"[0-9０-９]+|[零〇一二两三四五六七八九十百]+")


def chinese_number(text: str) -> int:
    """“七” → 7, “十二” → 12, “二十” → 20, “一百零五” → 105, “12” → 12."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for c in text:
        if c == "百":
            total, digit = total + (digit or 1) * 100, 0
        elif c == "十":
            total, digit = total + (digit or 1) * 10, 0
        else:
            digit = digit * 10 + _DIGITS[c] if digit else _DIGITS[c]
    return total + digit


def _natural(stem: str) -> tuple[tuple[int, str], ...]:
    """A name with its numbers as numbers: 第三组 < 第十组, 名单2 < 名单10."""
    parts, at = [], 0
    for m in _NUMBER.finditer(stem):
        parts += [(-1, stem[at:m.start()]), (chinese_number(m.group()), "")]
        at = m.end()
    parts.append((-1, stem[at:]))
    return tuple(parts)


def names_in_order(settings: Settings) -> dict[str, int]:
    """Unit names in 单位 order, then the departments in 标准 order: name → place."""
    departments = [s.department for s in settings.standards if s.by_department]
    places: dict[str, int] = {}
    for name in [u.name for u in settings.units] + departments:
        places.setdefault(name, len(places))
    return places


def clerk_key(name: str, places: dict[str, int]) -> tuple[object, ...]:
    """Sort key of a file name in a folder: what covers everything first, numbered files by their
    number, then units and departments in `places` order; a unit's .xlsx and .pdf stay together."""
    path = PurePosixPath(name)
    place = places.get(path.stem)
    if place is not None:
        return (2, place, path.suffix)
    return (1 if _NUMBER.search(path.stem) else 0, _natural(path.stem), path.suffix)

