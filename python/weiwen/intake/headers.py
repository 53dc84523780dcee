"""The one header-row finder: where a returned sheet's header is and what each column means.

A header row is read whole. Every cell is scored against every canonical column
(vocabulary.py), then the row gets the best assignment: the household's name and ID first, as a
pair (户主姓名 goes with 户主身份证号, 收款人全称 with 收款人身份证号; 身份证号码 beats 证件号码),
then every other column by score, each used once. Somebody else's name or ID (成员, 监护人,
照料人, 帮扶人 …) is never the household's. A list with one row per family member (姓名 with
与户主关系, or with 户主姓名 / 户主身份证号 beside it) is recognised as such: its person and
head columns are kept apart for tables.py to group the members into households.

The smallest header is a name and an ID; otherwise a name or an ID and two more known columns.
Two-row headers (a label merged over 联系电话 / 银行卡号, 户主 over 姓名 / 身份证号) and a row
of column numbers under the header (甲 乙 1 2 3) are part of the header.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Sequence

from ..names import Col, Internal
from ..values import to_text
from .vocabulary import OTHER, Candidate, classify_key, header_key

Cells = Sequence[Any]

#: the columns whose best alternatives are kept, to be chosen by the values under them
ALTERNATIVES = (Col.ID, Col.CATEGORY)
_HOUSEHOLD = (Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.BANK, Col.ADDRESS, Col.UNIT,
              Col.NOTE, Col.SEQ)
_PAIRED = (Col.NAME, Col.ID, Internal.HEAD_NAME, Internal.HEAD_ID)
_PUBLIC = frozenset(Col)
_DATA_LIKE = re.compile(r"\d{6,}")
#: a label over several columns that says whose they are (户主 over 姓名 / 身份证号)
_QUALIFIER = re.compile(r"^(户主|申请人|收款人|受助人|救助对象|慰问对象|本人|家庭成员|成员|配偶|监护人"
                        r"|照料人|帮扶人|联系人|代领人|子女)")
_COLUMN_NUMBER = re.compile(r"^([甲乙丙丁戊己庚辛壬癸]|[(（]?\d{1,3}[)）]?|[a-zA-Z])$")


@dataclass(frozen=True)
class Header:
    """Where a sheet's header is and what its columns are."""
    index: int                          # the first header row (0-based)
    depth: int                          # rows the header takes (header words + column numbers)
    mapping: dict[int, str]             # column → Col, or Internal.HEAD_NAME / HEAD_ID / RELATION
    score: int = 0
    person_level: bool = False          # one row per family member
    alternatives: dict[str, tuple[int, ...]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)   # column → its header words
    span: int = 1                       # rows of header words (2: a two-row header)

    @property
    def data_start(self) -> int:
        return self.index + self.depth

    @property
    def columns(self) -> set[str]:
        return set(self.mapping.values())


def _best(found: list[tuple[int, Candidate]], **kw: Any) -> tuple[int, Candidate] | None:
    chosen = [(i, c) for i, c in found if all(getattr(c, k) == v for k, v in kw.items())]
    return min(chosen, key=lambda ic: (-ic[1].score, ic[0])) if chosen else None


def assign(candidates: Sequence[tuple[Candidate, ...]]) -> Header:
    """The best assignment of one header row's candidates (see the module docstring)."""
    by_column: dict[str, list[tuple[int, Candidate]]] = {}
    for i, found in enumerate(candidates):
        for c in found:
            by_column.setdefault(c.column, []).append((i, c))
    names = [(i, c) for i, c in by_column.get(Col.NAME, [])]
    ids = [(i, c) for i, c in by_column.get(Col.ID, [])]
    person_names = [(i, c) for i, c in names if not c.head and c.score >= 45]
    person_ids = [(i, c) for i, c in ids if not c.head]
    relation = _best(by_column.get(Internal.RELATION, []))
    head_name = _best(by_column.get(Internal.HEAD_NAME, []))
    head_id = _best(by_column.get(Internal.HEAD_ID, []))
    # 家庭成员姓名 beside 户主姓名 / 户主身份证号: each row is a member of the head's household
    members = [(i, Candidate(Col.NAME, c.score)) for i, c in by_column.get(OTHER, [])
               if c.subject == "成员"]
    if not person_names and (head_name or head_id):
        person_names = members
    person_level = bool(person_names and person_ids and (relation or head_name or head_id))

    chosen: dict[str, tuple[int, Candidate]] = {}
    if person_level:
        chosen[Col.ID] = min(person_ids, key=lambda ic: (-ic[1].score, ic[0]))
        subject = chosen[Col.ID][1].subject
        chosen[Col.NAME] = (_best(person_names, subject=subject) if subject else None) or min(
            person_names, key=lambda ic: (-ic[1].score, ic[0]))
        for column, best in ((Internal.HEAD_NAME, head_name), (Internal.HEAD_ID, head_id),
                             (Internal.RELATION, relation)):
            if best is not None:
                chosen[column] = best
    else:
        if ids:
            chosen[Col.ID] = min(ids, key=lambda ic: (-ic[1].score, not ic[1].head, ic[0]))
        the_id = chosen.get(Col.ID, (None, Candidate(Col.ID, 0)))[1]
        name = None
        if the_id.head:
            name = _best(names, head=True)
        elif the_id.subject:
            name = _best(names, subject=the_id.subject)
        name = name or (min(names, key=lambda ic: (-ic[1].score, not ic[1].head, ic[0]))
                        if names else None)
        if name is not None:
            chosen[Col.NAME] = name
    used = {i for i, _ in chosen.values()}
    rest = sorted(((i, c) for column, found in by_column.items() for i, c in found
                   if column not in (*_PAIRED, Internal.RELATION, OTHER)),
                  key=lambda ic: (-ic[1].score, ic[0]))
    for i, c in rest:
        if c.column not in chosen and i not in used:
            chosen[c.column] = (i, c)
            used.add(i)
    alternatives = {}
    for column in ALTERNATIVES:
        if column in chosen:
            others = [i for i, c in sorted(by_column.get(column, []),
                                           key=lambda ic: (-ic[1].score, ic[0]))
                      if i not in used and c.score >= 50 and not (column == Col.ID and c.head
                                                                  and person_level)]
            if others:
                alternatives[column] = tuple(dict.fromkeys(others))
    mapping = {i: column for column, (i, _) in sorted(chosen.items(), key=lambda kv: kv[1][0])}
    score = sum(c.score * (2 if column in (Col.NAME, Col.ID) else 1)
                for column, (_, c) in chosen.items())
    return Header(0, 1, mapping, score, person_level, alternatives)


def qualifies(header: Header) -> bool:
    """A name and an ID; or a name or an ID and two more household columns."""
    columns = header.columns
    if Col.NAME in columns and Col.ID in columns:
        return True
    return bool(columns & {Col.NAME, Col.ID}) and len(columns & set(_HOUSEHOLD)) >= 2


def _row_texts(row: Cells) -> list[str]:
    return [header_key(v) for v in row]


def _spans(top: list[str], sub: list[str]) -> list[tuple[int, int]]:
    """(first, last) columns of each top label: it spans the columns to its right whose top
    cell is empty and whose sub cell is not."""
    spans, c = [], 0
    while c < len(top):
        end = c
        if top[c]:
            while end + 1 < len(top) and not top[end + 1] and sub[end + 1]:
                end += 1
        spans.append((c, end))
        c = end + 1
    return spans


def _is_sub_header(top: list[str], sub: list[str], raw_top: Cells, raw_sub: Cells) -> bool:
    """Whether the row under a header is a second header row: header words, or words under a
    short label spread over several columns (联系方式 over 联系电话 / 银行卡号), beside cells that
    span both rows (序号, 户主姓名 …). A title over the whole table is no such label."""
    filled = [c for c, t in enumerate(sub) if t]
    if (not filled or sum(bool(t) for t in top) < 2
            or not any(classify_key(t) or _QUALIFIER.match(t) for t in top if t)
            or any(_DATA_LIKE.search(to_text(v)) for v in raw_sub)):
        return False
    if not any(t and not b for t, b in zip(top, sub)):
        return False                      # no cell spans both rows: the top row is a title
    spans = [(first, last) for first, last in _spans(top, sub) if last > first or not top[first]]
    if any(top[first] and (len(top[first]) > 12 or re.search(r"[:：]", to_text(raw_top[first])))
           for first, last in spans if first < len(raw_top)):
        return False
    grouped = {c for first, last in spans for c in range(first, last + 1)}
    return (any(c in grouped for c in filled)
            and all(c in grouped or classify_key(sub[c]) for c in filled))


def _two_row_texts(top: list[str], sub: list[str]) -> list[str]:
    """The words read for each column of a two-row header: the sub label, with its group
    label in front when the two together are known words (户主 + 姓名 = 户主姓名)."""
    texts = list(top)
    for first, last in _spans(top, sub):
        group = top[first] if last > first else ""
        for c in range(first, last + 1):
            leaf = sub[c] or top[c]
            together = group + leaf if group and sub[c] and _QUALIFIER.match(group) else ""
            texts[c] = together if together and classify_key(together) else leaf
    return texts


def _read(texts: list[str]) -> Header:
    return assign([classify_key(t) for t in texts])


def _is_column_numbers(row: Cells) -> bool:
    filled = [to_text(v) for v in row if to_text(v)]
    return len(filled) >= 3 and all(_COLUMN_NUMBER.match(t) for t in filled)


def find_header(rows: Sequence[Cells], *, look: int = 30) -> Header | None:
    """The header of a sheet's rows: the best-scoring qualifying row (or pair of rows) among the
    first `look` rows; None when there is none."""
    best: Header | None = None
    texts = [_row_texts(r) for r in rows[: look + 1]]
    width = max((len(t) for t in texts), default=0)
    texts = [t + [""] * (width - len(t)) for t in texts]
    for i in range(min(look, len(rows))):
        span, words = 1, texts[i]
        header = _read(words)
        if i + 1 < len(texts) and _is_sub_header(texts[i], texts[i + 1], rows[i], rows[i + 1]):
            two_words = _two_row_texts(texts[i], texts[i + 1])
            two = _read(two_words)
            if qualifies(two):
                span, words, header = 2, two_words, two
        if not qualifies(header) or (best is not None and header.score <= best.score):
            continue
        numbers = i + span < len(rows) and _is_column_numbers(rows[i + span])
        best = Header(i, span + numbers, header.mapping, header.score, header.person_level,
                      header.alternatives, {c: w for c, w in enumerate(words) if w}, span)
    return best


def canonical_header(value: Any) -> str | None:
    """The canonical column a single header cell names best ("身份證號碼 (18位)" → 身份证号);
    None when it names none."""
    found = [c for c in classify_key(header_key(value)) if c.column in _PUBLIC]
    return found[0].column if found else None


def map_headers(row: Cells) -> dict[int, str]:
    """Column → canonical column of one header row, as `find_header` assigns it (the head and
    relation columns of a per-person list left out)."""
    header = assign([classify_key(header_key(v)) for v in row])
    return {i: c for i, c in header.mapping.items() if c in _PUBLIC}


def header_row_with(rows: Sequence[Cells], labels: Sequence[str], *, look: int = 30) -> int | None:
    """The first of the top `look` rows that holds every one of `labels` (spaces and line breaks
    ignored): how a sheet we laid out ourselves (a returned signature sheet, a filled audit list,
    the signature-sheet template) finds its header; None when there is none."""
    wanted = {re.sub(r"\s+", "", label) for label in labels}
    for i, row in enumerate(rows[:look]):
        if wanted <= {re.sub(r"\s+", "", to_text(v)) for v in row}:
            return i
    return None


def header_word_of(value: Any, column: str) -> bool:
    """Whether a cell reads as the header of `column` (a header repeated on a later page)."""
    found = classify_key(header_key(value))
    return bool(found) and any(c.column == column for c in found[:2])
