"""核对签字: read back the signature sheets units return filled in, and flag what is missing.

Where returned sheets go: CAMPAIGN/回收签字/ (any file names, any spreadsheet format, one unit per
sheet — the per-unit files and the batch workbook from `signoff` both work). The pipeline reads
them (intake's reader processes: values only, a formula in a returned file is never evaluated or
copied, a damaged file is its own problem) and hands their sheets here. A sheet is recognised by
its header row (户主姓名 and 领取人签字); its unit by the "单位：…" line above the header, else the
sheet name, else the file name. A returned row is matched to 名册 by unit + 户主姓名 + 身份证号
(the masked or the full number), else by a name that is unique in the unit.

Paper sheets the clerk checks by hand: type 已签 / √ in 名册.备注 for each household; a unit with
no returned file is then judged by those ticks.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import problems as P
from ..names import (DEFAULT_ALLOWED_RELATIONS, PARAM_ALLOWED_RELATIONS, SIGNED_MARKS, Col,
                     Severity, SignCol)
from ..intake.headers import header_row_with
from ..settings import Settings
from ..values import is_blank, to_number, to_text
from ..masking import mask_id, mask_phone
from .common import owners, paid_households, unit_order

S = "signatures"
P.register("signatures.no_signature", "未签字", Severity.ERROR, S,
           "{name}（{unit}）在签字确认表上没有领取人签字。")
P.register("signatures.no_date", "未填领取日期", Severity.WARNING, S,
           "{name}（{unit}）的签字确认表没有填写领取日期。")
P.register("signatures.no_phone", "签收未留电话", Severity.WARNING, S,
           "{name}（{unit}）的签字确认表没有留联系电话，节后无法电话回访。")
P.register("signatures.proxy", "代签", Severity.ERROR, S,
           "{name}（{unit}）由“{signer}”签收，与户主关系为“{relation}”，不在允许领取的关系内（不得代签）。")
P.register("signatures.no_relation", "未填与户主关系", Severity.WARNING, S,
           "{name}（{unit}）由“{signer}”签收，但没有填写与户主关系，无法确认是否代签。")
P.register("signatures.split", "金额不符", Severity.ERROR, S,
           "{name}（{unit}）{detail}（应发 {due:,.2f} 元，不得拆分）。")
P.register("signatures.missing_row", "签字表缺户", Severity.ERROR, S,
           "{name}（{unit}）在名册中应发 {due:,.2f} 元，但交回的签字确认表里没有这一户。")
P.register("signatures.not_in_roster", "签字表有名册外人员", Severity.WARNING, S,
           "交回的签字确认表第{row}行“{name}”在{unit}的发放名册中找不到，请核实。")
P.register("signatures.unknown_unit", "签字表单位不明", Severity.WARNING, S,
           "{file} 看不出是哪个单位的签字表（表内“单位：”一行、工作表名、文件名都对不上），未核对。")
P.register("signatures.not_returned", "签字表未交回", Severity.ERROR, S,
           "{unit}的签字确认表已过上交日期（{deadline}）仍未交回（{households} 户，{amount:,.2f} 元）。")
P.register("signatures.unreadable", "签字表无法读取", Severity.WARNING, S,
           "无法读取交回的签字表 {file}：{reason}。")


@dataclass
class SignaturesResult:
    problems: list[P.Problem] = field(default_factory=list)
    files_read: int = 0
    returned: dict[str, int] = field(default_factory=dict)     # unit → rows read
    ticked: dict[str, int] = field(default_factory=dict)       # unit → households ticked in 名册
    not_returned: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)           # not back yet, deadline not passed


@dataclass
class _Row:
    unit: str
    file: str
    row: int
    values: dict[str, Any]


def allowed_relations(settings: Settings) -> set[str]:
    raw = to_text(settings.params.get(PARAM_ALLOWED_RELATIONS))
    words = [w for w in re.split(r"[、,，;；/\s]+", raw) if w]
    return set(words or DEFAULT_ALLOWED_RELATIONS)


def _label(value: Any) -> str:
    return re.sub(r"\s+", "", to_text(value))


@dataclass
class ReturnedSheet:
    """One sheet of a returned file as read: its cell rows; `row_numbers` the Excel row of each
    (None: dense from row 1)."""
    name: str
    rows: list[list[Any]]
    row_numbers: list[int] | None = None


#: a returned file: its name and sheets, or the reason (Chinese) it could not be read
Returned = tuple[str, "list[ReturnedSheet] | str"]


def read_returned(files: list[Returned], units: list[str]) -> tuple[list[_Row], list[P.Problem], int]:
    """Every household row of every returned signature sheet."""
    rows: list[_Row] = []
    problems: list[P.Problem] = []
    for name, sheets in files:
        if isinstance(sheets, str):
            problems.append(P.make("signatures.unreadable", file=name, reason=sheets))
            continue
        for sheet in sheets:
            rows += _sheet_rows(sheet, name, units, problems)
    return rows, problems, len(files)


def _sheet_rows(returned: ReturnedSheet, file: str, units: list[str],
                problems: list[P.Problem]) -> list[_Row]:
    cells, sheet = returned.rows, returned.name
    header_at = header_row_with(cells, (SignCol.NAME, SignCol.SIGNATURE))
    if header_at is None:
        return []
    where = f"{file}〔{sheet}〕"
    unit = ""
    for r in cells[:header_at]:
        for v in r:
            m = re.match(r"^单位[:：]\s*(\S+)", to_text(v))
            if m:
                unit = m.group(1)
    if unit not in units:
        unit = next((u for u in units if u == sheet), "") or \
            next((u for u in sorted(units, key=len, reverse=True) if u in Path(file).stem), "")
    if not unit:
        problems.append(P.make("signatures.unknown_unit", file=where))
        return []
    header = [_label(v) for v in cells[header_at]]
    out = []
    for i, r in enumerate(cells[header_at + 1:], start=header_at + 1):
        values = {h: r[j] for j, h in enumerate(header) if h and j < len(r)}
        name = to_text(values.get(SignCol.NAME))
        seq = to_text(values.get(SignCol.SEQ))
        if not name or (seq and not seq.isdigit()):
            continue        # section heading, 小计 / 合计, signature lines, notes
        row = returned.row_numbers[i] if returned.row_numbers else i + 1
        out.append(_Row(unit, where, row, values))
    return out


def check_signatures(roster: pd.DataFrame, settings: Settings, files: list[Returned], *,
                     today: dt.date | None = None) -> SignaturesResult:
    """Flag missing signatures, dates, phones, 代签, 拆分 and units not back by the deadline,
    from the returned files as read (`files`: read_returned's input)."""
    today = today or dt.date.today()
    paid = paid_households(roster)
    paid[Col.UNIT] = owners(paid, settings)       # a 责任部门's households are on its own sheet
    units = unit_order(paid, settings)
    all_units = list(dict.fromkeys(units + [u.name for u in settings.units]))
    result = SignaturesResult()
    returned, read_problems, result.files_read = read_returned(files, all_units)
    result.problems += read_problems
    allowed = allowed_relations(settings)
    by_unit: dict[str, list[_Row]] = {}
    for row in returned:
        by_unit.setdefault(row.unit, []).append(row)
    for unit in units:
        households = paid[paid[Col.UNIT].map(to_text) == unit]
        if unit in by_unit:
            result.returned[unit] = len(by_unit[unit])
            result.problems += _check_unit(unit, households, by_unit[unit], allowed)
            continue
        ticked = households[Col.NOTE].map(lambda v: any(m in to_text(v) for m in SIGNED_MARKS))
        if ticked.any():
            result.ticked[unit] = int(ticked.sum())
            for row in households[~ticked].to_dict("records"):
                result.problems.append(P.make("signatures.no_signature", unit=unit,
                                              name=to_text(row[Col.NAME]), id=to_text(row[Col.ID]),
                                              file="名册（备注未勾记已签）"))
            continue
        deadline = settings.params.signoff_deadline
        if deadline is not None and today > deadline:
            result.not_returned.append(unit)
            result.problems.append(P.make("signatures.not_returned", unit=unit,
                                          deadline=deadline.isoformat(), households=len(households),
                                          amount=float(households[Col.AMOUNT].sum())))
        else:
            result.pending.append(unit)
    return result


def _check_unit(unit: str, households: pd.DataFrame, rows: list[_Row],
                allowed: set[str]) -> list[P.Problem]:
    problems: list[P.Problem] = []
    records = households.to_dict("records")
    by_key = {(to_text(h[Col.NAME]), mask_id(h[Col.ID])): i for i, h in enumerate(records)}
    by_name: dict[str, list[int]] = {}
    for i, h in enumerate(records):
        by_name.setdefault(to_text(h[Col.NAME]), []).append(i)
    seen: dict[int, _Row] = {}
    for row in rows:
        name = to_text(row.values.get(SignCol.NAME))
        given_id = to_text(row.values.get(SignCol.ID)).replace(" ", "")
        index = by_key.get((name, mask_id(given_id) if "*" not in given_id else given_id))
        if index is None and len(by_name.get(name, [])) == 1:
            index = by_name[name][0]
        where = dict(unit=unit, file=row.file, row=row.row, name=name)
        if index is None:
            problems.append(P.make("signatures.not_in_roster", **where))
            continue
        h = records[index]
        where["id"] = to_text(h[Col.ID])
        due = float(h[Col.AMOUNT])
        if index in seen:
            problems.append(P.make("signatures.split", due=due, **where,
                                   detail=f"在签字表上出现两次（第{seen[index].row}行和第{row.row}行）"))
            continue
        seen[index] = row
        problems += _check_row(row, h, due, allowed, where)
    for i, h in enumerate(records):
        if i not in seen:
            problems.append(P.make("signatures.missing_row", unit=unit, name=to_text(h[Col.NAME]),
                                   id=to_text(h[Col.ID]), due=float(h[Col.AMOUNT]),
                                   file=rows[0].file))
    return problems


def _check_row(row: _Row, household: dict[str, Any], due: float, allowed: set[str],
               where: dict[str, Any]) -> list[P.Problem]:
    v = row.values
    out: list[P.Problem] = []
    signer = to_text(v.get(SignCol.SIGNATURE))
    relation = _label(v.get(SignCol.RELATION))
    if not signer:
        out.append(P.make("signatures.no_signature", **where))
    elif relation and relation not in allowed:
        out.append(P.make("signatures.proxy", signer=signer, relation=relation, **where))
    elif not relation and signer != where["name"]:
        out.append(P.make("signatures.no_relation", signer=signer, **where))
    if signer and is_blank(v.get(SignCol.DATE)):
        out.append(P.make("signatures.no_date", **where))
    phone = to_text(v.get(SignCol.PHONE))
    printed = mask_phone(household[Col.PHONE]) if to_text(household[Col.PHONE]) else ""
    if not phone or ("*" in phone and phone != printed):
        out.append(P.make("signatures.no_phone", **where))
    received = to_number(v.get(SignCol.AMOUNT))
    if received is None or abs(received - due) > 0.005:
        got = "未填金额" if received is None else f"签收金额 {received:,.2f} 元"
        out.append(P.make("signatures.split", due=due, detail=got, **where))
    return out


def _kinds_are_unique() -> None:
    """问题类型 labels tell the stages apart in the 问题 sheet: ours must not reuse another's."""
    others = {c.kind for c in P.all_codes().values() if c.stage != S}
    clash = [c.kind for c in P.all_codes().values() if c.stage == S and c.kind in others]
    assert not clash, f"问题类型 used by another stage: {clash}"
