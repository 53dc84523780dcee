"""The 对照名单 settings sheet: which lists the roster is checked against, and how.

One list per row: 名单 (a file in the campaign folder, or a sheet of Weiwen.xlsm), 规则 (必须在:
the households of 适用类别 must be on it — e.g. the 低保 roll exported from the civil-affairs
system; 不能在: a household on it is 待核 — e.g. a death list), 适用类别 (categories or 类别组,
blank = every household) and 说明 (what a hit means, shown in 问题). Pure: rows in, rules out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping, Sequence

from . import problems as P
from .names import WORKBOOK_FILE, RefCol, RefRule, Sheet
from .values import as_typed, to_text

_SPLIT = re.compile(r"[、，,；;/\s]+")


@dataclass(frozen=True)
class ReferenceRule:
    """One row of 对照名单."""
    source: str                        # the file (relative to the campaign folder) or sheet
    rule: RefRule
    categories: tuple[str, ...] = ()   # 类别组 already expanded to categories; () = all
    note: str = ""
    row: int = 0
    origin: str = ""                   # where the clerk set it, for messages

    @property
    def where(self) -> str:
        return self.origin or f"“{Sheet.REFERENCES}”表第{self.row}行"

    def applies_to(self, category: str) -> bool:
        return not self.categories or category in self.categories


def category_groups(standards: Sequence[Any]) -> dict[str, list[str]]:
    """类别组 → its categories, and every category → itself: what 适用类别 may name
    (`standards`: the loaded 标准 rows, with .category and .group)."""
    groups: dict[str, list[str]] = {s.category: [s.category] for s in standards}
    for std in standards:
        if std.group != std.category:
            groups.setdefault(std.group, []).append(std.category)
    return groups


def legacy_rule(source: str, categories: Sequence[str], key: str) -> ReferenceRule:
    """参数 低保名单 (the first form of this check): a 必须在 list for the 低保 categories."""
    return ReferenceRule(source, RefRule.MUST, tuple(categories), "", 0, f"参数“{key}”")


def _problem(code: str, row: int | None, column: str, **values: Any) -> P.Problem:
    return P.make(code, file=f"{WORKBOOK_FILE}〔{Sheet.REFERENCES}〕", row=row, column=column,
                  sheet=Sheet.REFERENCES, **values)


def load_references(rows: Sequence[Sequence[Any]], groups: Mapping[str, Sequence[str]],
                    problems: list[P.Problem]) -> list[ReferenceRule]:
    """The rules of 对照名单's rows. `groups`: every category and 类别组 name → its categories.
    A bad row is reported (sheet, row, column) and left out; an absent sheet is no rule."""
    if not rows:
        return []
    header = [to_text(v) for v in rows[0]]
    index = {c: header.index(c) for c in RefCol if c in header}
    for column in (RefCol.LIST, RefCol.RULE):
        if column not in index:
            problems.append(_problem(P.SETTINGS_MISSING_COLUMN, None, column))   # the header row
    if RefCol.LIST not in index or RefCol.RULE not in index:
        return []
    rules = [r.value for r in RefRule]
    out: list[ReferenceRule] = []
    for excel_row, row in enumerate(rows[1:], start=2):
        text = {c: to_text(row[i]) if i < len(row) else "" for c, i in index.items()}
        typed = {c: as_typed(row[i]) if i < len(row) else "" for c, i in index.items()}
        if not any(text.values()):
            continue
        if not text[RefCol.LIST]:
            problems.append(_problem(P.SETTINGS_MISSING_VALUE, excel_row, RefCol.LIST))
            continue
        if text[RefCol.RULE] not in rules:
            problems.append(_problem(P.SETTINGS_BAD_CHOICE, excel_row, RefCol.RULE,
                                     value=text[RefCol.RULE] or "（空）", choices="、".join(rules)))
            continue
        words = [w for w in _SPLIT.split(text.get(RefCol.CATEGORIES, "")) if w]
        unknown = [w for w in words if w not in groups]
        for word in unknown:
            problems.append(_problem(P.SETTINGS_BAD_CHOICE, excel_row, RefCol.CATEGORIES,
                                     value=word, choices="“标准”表里的类别或类别组，空白表示全部类别"))
        if unknown:
            continue
        categories = tuple(dict.fromkeys(c for w in words for c in groups[w]))
        out.append(ReferenceRule(typed[RefCol.LIST], RefRule(text[RefCol.RULE]), categories,
                                 typed.get(RefCol.NOTE, ""), excel_row))
    return out
