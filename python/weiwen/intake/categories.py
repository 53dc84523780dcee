"""Returned category wordings → the categories of 标准, never silently.

A value is read as a category of 标准 when it is the category's name or one of its 别名
(低保户, 城乡低保, 最低生活保障 → 低保; 残疾人家庭 → 残疾户), also after dropping a trailing
户 / 家庭 / 对象 / 人员. A column whose header names one category (参战类别, 优抚对象类别,
低保类型) reads its other values as that category (参战类别 “12 中越边境自卫反击作战” →
参战涉核人员). When the value differs from the category, the unit's own wording is kept in
名册.填报类别. A form with several category-like columns (低保类型 and 救助类型) uses the one
whose values are categories. A form without any category column whose title, sheet name or
file name names exactly one category (低保对象花名册) gets that category, with a 警告 saying so.
Pure: values and settings in, values out.
"""
from __future__ import annotations

import re

import pandas as pd

from ..names import Col, Group
from ..settings import Settings
from ..values import text_column
from . import normalize as N

#: other category-like columns of a table, kept to choose the one whose values are categories
CATEGORY_OPTION = "_类别候选{}"
_SUFFIXES = ("户家庭", "家庭", "对象", "人员", "户")
_NOISE = re.compile(r"[\s\u3000（）()【】\[\]《》“”\"'、，,。.\-_:：]+")
#: words that contain a category's name but name something else (低保边缘 is not 低保)
_NOT_A_CATEGORY = ("低保边缘", "边缘户", "非低保", "低保外", "低边")


def _key(text: str) -> str:
    return _NOISE.sub("", N.category_value(text))


class CategoryIndex:
    """Look-ups of 标准's categories by name or alias."""

    def __init__(self, settings: Settings) -> None:
        self.words: dict[str, str] = {}
        for standard in settings.standards:
            self.words[_key(standard.category)] = standard.category
        for standard in settings.standards:
            for alias in standard.aliases:
                self.words.setdefault(_key(alias), standard.category)
        blockers = {_key(w) for w in (*_NOT_A_CATEGORY, *(g.value for g in Group))}
        blockers -= set(self.words)
        self._needles = sorted([*((w, c) for w, c in self.words.items() if len(w) >= 2),
                                *((b, "") for b in blockers)], key=lambda wc: -len(wc[0]))

    def of(self, value: str) -> str | None:
        """The category a returned value names, or None."""
        key = _key(value)
        if not key:
            return None
        if key in self.words:
            return self.words[key]
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] in self.words:
                return self.words[key[: -len(suffix)]]
        return None

    def named_in(self, text: str) -> tuple[str, str] | None:
        """(category, the words found) when `text` names exactly one category; longer words
        first, so 低保边缘 does not count as 低保."""
        rest = _key(text)
        found: dict[str, str] = {}
        for needle, category in self._needles:
            if needle in rest:
                rest = rest.replace(needle, "|")
                if category:
                    found.setdefault(category, needle)
        if len(found) != 1:
            return None
        return next(iter(found.items()))


def read_categories(raw: pd.Series, index: CategoryIndex,
                    header: str = "") -> tuple[pd.Series, pd.Series]:
    """(类别, 填报类别) of a column of returned values: the category of 标准 the value names
    (else the one its header names; else the cleaned value) and the unit's wording where the
    category differs from it."""
    cleaned = N.categories(raw)
    found = N.map_unique(cleaned, index.of)
    implied = index.named_in(header) if header else None
    if implied is not None:
        found = found.where(found.notna() | (cleaned == ""), implied[0])
    category = found.where(found.notna(), cleaned)
    # the unit's wording as it typed it (a Traditional 低保戶 is not the standard's 低保户)
    typed = N.typed(raw)
    reported = typed.where(found.notna() & (found != typed), "")
    return category.astype(object), reported.astype(object)


def best_column(options: list[pd.Series], index: CategoryIndex) -> int:
    """Of several category-like columns, the one with the most values naming a category
    (the first on a tie)."""
    counts = [int(N.map_unique(N.categories(o), index.of).notna().sum()) for o in options]
    return max(range(len(options)), key=lambda k: (counts[k], -k))


#: where the words naming a table's category were found, as the clerk reads it
WHERE = ("标题", "工作表名", "文件名")


def piece_categories(frame: pd.DataFrame, headers: dict[str, str], texts: tuple[str, str, str],
                     index: CategoryIndex) -> tuple[pd.Series, pd.Series, tuple[str, str] | None]:
    """(类别, 填报类别, where) of a table's rows: from its category-like column whose values name
    categories (tables.py keeps the other candidates as CATEGORY_OPTION); without one, the one
    category that `texts` (title, sheet name, file name) names, with (where, the words) for the
    警告 the caller reports."""
    names = [c for c in frame.columns
             if c == Col.CATEGORY or str(c).startswith(CATEGORY_OPTION.format(""))]
    if names:
        best = names[best_column([frame[c] for c in names], index)]
        category, reported = read_categories(frame[best], index, headers.get(best, ""))
        return category, reported, None
    empty = pd.Series("", index=frame.index, dtype=object)
    for where, text in zip(WHERE, texts):
        named = index.named_in(text)
        if named is not None:
            return pd.Series(named[0], index=frame.index, dtype=object), empty, (where, named[1])
    return empty, empty, None


def read_again(roster: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, int]:
    """名册's 类别 read again through 标准's names and aliases, for a check of 名册 as it is,
    and how many rows changed. Why: a wording the merge left as written (类别无效, not in 标准
    then) is to be paid once the clerk adds it to the category's 别名 and presses 检查, as the
    merge of the same files would; a category the clerk types in 名册 by an alias (低保户) the
    same way. The wording goes to 填报类别 unless the unit's own is there already."""
    if not len(roster) or Col.CATEGORY not in roster:
        return roster, 0
    index = CategoryIndex(settings)
    known = {standard.category for standard in settings.standards}
    typed = text_column(roster, Col.CATEGORY).str.strip()
    found = N.map_unique(typed, lambda v: None if v in known else index.of(v))
    change = found.notna() & (found != typed)
    if not change.any():
        return roster, 0
    roster = roster.copy()
    unworded = change & (text_column(roster, Col.REPORTED_CATEGORY) == "")
    roster[Col.REPORTED_CATEGORY] = roster[Col.REPORTED_CATEGORY].astype(object) \
        if Col.REPORTED_CATEGORY in roster else None
    roster[Col.CATEGORY] = roster[Col.CATEGORY].astype(object)
    roster.loc[unworded, Col.REPORTED_CATEGORY] = typed[unworded]
    roster.loc[change, Col.CATEGORY] = found[change]
    return roster, int(change.sum())
