"""Read the settings sheets (参数, 单位, 标准, 对照名单) into typed objects, reporting every bad value.

Pure: takes the sheets' cell values (lists of rows, header first, as `workbook_io.read_sheets`
returns them) and gives `Settings` plus a list of Problems naming sheet, Excel row and column.
A bad row is left out (and reported); the rest of the settings stay usable.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from collections.abc import Mapping, Sequence
from typing import Any

from . import problems as P
from .conditions import Condition, parse_conditions
from .defaults import PARAM_SPECS, ParamSpec
from .names import (DEFAULT_OFFICE, DEFAULT_UNIT_TYPES, OWN_UNIT, PARAM_OFFICE, PARAM_REFERENCE,
                    PARAM_UNIT_TYPES, UNIT_WORD_OTHER, UNIT_WORD_STREET, WORKBOOK_FILE, Group,
                    Method, Param, ParamCol, Payment, Sheet, StdCol, UnitCol, UnitType)
from .references import ReferenceRule, category_groups, legacy_rule, load_references
from .values import as_typed, is_blank, to_date, to_number, to_text

Rows = Sequence[Sequence[Any]]

@dataclass(frozen=True)
class Standard:
    category: str
    group: str
    method: Method
    amount: float | None
    by_size: tuple[float | None, float | None, float | None]
    priority: int
    payment: Payment
    conditions: tuple[Condition, ...] = ()
    row: int = 0
    aliases: tuple[str, ...] = ()      # 标准.别名: other wordings of the category in returns
    department: str = OWN_UNIT         # 标准.责任部门: who pays it; OWN_UNIT = the listing unit

    @property
    def by_department(self) -> bool:
        """Paid by a department (社会事务科, 妇联 …), not by the unit that listed the household."""
        return self.department != OWN_UNIT

    def amount_for(self, household_size: int | None) -> float | None:
        """The amount one row of this category is paid (按人 counts the listed person once)."""
        if self.method == Method.BY_SIZE:
            if household_size is None or household_size < 1:
                return None
            return self.by_size[min(household_size, 3) - 1]
        return self.amount


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    type: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    row: int = 0


@dataclass
class Params:
    title: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    return_deadline: dt.date | None = None
    signoff_deadline: dt.date | None = None
    budget: float | None = None
    audit_ratio: float = 0.10
    seed: int = 0
    #: every row of 参数 by its key, typed where a spec exists (also the ones added later)
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass
class Settings:
    params: Params
    units: list[Unit]
    standards: list[Standard]
    problems: list[P.Problem] = field(default_factory=list)
    references: list[ReferenceRule] = field(default_factory=list)
    #: the categories (and their 别名) whose 标准 row has an error, as (category, row): not
    #: payable until it is mended, but no unit wrote a wrong category
    unusable: dict[str, tuple[str, int]] = field(default_factory=dict)

    def standard(self, category: str) -> Standard | None:
        return self._by_category().get(category)

    def _by_category(self) -> dict[str, Standard]:
        return {s.category: s for s in self.standards}

    @property
    def categories(self) -> list[str]:
        return [s.category for s in self.standards]

    def department_of(self, category: str) -> str:
        """标准.责任部门 of a category (OWN_UNIT for an unknown one: the unit pays)."""
        std = self.standard(category)
        return std.department if std else OWN_UNIT

    @property
    def office(self) -> str:
        """参数 经办部门: who runs the campaign, as printed on the signature lines."""
        return as_typed(self.params.get(PARAM_OFFICE) or "") or DEFAULT_OFFICE

    @property
    def unit_word(self) -> str:
        """How titles name the units: 社区/村 when every unit is one, else 单位 (a bureau's
        企业, 事业单位, 科室 …)."""
        street = {UnitType.COMMUNITY.value, UnitType.VILLAGE.value, ""}
        return UNIT_WORD_STREET if all(u.type in street for u in self.units) else UNIT_WORD_OTHER


# --- helpers -----------------------------------------------------------------------------------

def _p(code: str, *, sheet: str, row: int | None = None, column: str = "", **values: Any) -> P.Problem:
    """A settings problem: 来源文件 names the workbook and the sheet, 来源行 the Excel row."""
    return P.make(code, file=f"{WORKBOOK_FILE}〔{sheet}〕", row=row, column=column, sheet=sheet,
                  **values)


def _header_index(sheet: str, rows: Rows, wanted: Sequence[str],
                  problems: list[P.Problem], required: Sequence[str]) -> dict[str, int]:
    header = [to_text(v) for v in (rows[0] if rows else [])]
    index = {name: header.index(name) for name in wanted if name in header}
    for name in required:
        if name not in index:
            problems.append(_p(P.SETTINGS_MISSING_COLUMN, sheet=sheet, column=name))
    return index


def _cell(row: Sequence[Any], index: dict[str, int], name: str) -> Any:
    i = index.get(name)
    return row[i] if i is not None and i < len(row) else None


# --- the three sheets --------------------------------------------------------------------------

def _parse_param(spec: ParamSpec, raw: Any, row: int, problems: list[P.Problem]) -> Any:
    sheet, column = Sheet.PARAMS, ParamCol.VALUE
    if is_blank(raw):
        if spec.required:
            problems.append(_p(P.SETTINGS_MISSING_VALUE, sheet=sheet, row=row, column=spec.key))
        return spec.default
    if spec.kind == "text":
        return as_typed(raw)        # shown on titles and lists exactly as the clerk typed it
    if spec.kind == "date":
        value = to_date(raw)
        if value is None:
            problems.append(_p(P.SETTINGS_NOT_DATE, sheet=sheet, row=row, column=column,
                                   value=to_text(raw)))
            return spec.default
        return value
    number = to_number(raw)
    if spec.kind == "ratio":
        if number is not None and number > 1 and isinstance(raw, (int, float)):
            number = number / 100          # a clerk who typed 10 meant 10 %
        if number is None or not 0 <= number <= 1:
            problems.append(_p(P.SETTINGS_BAD_RATIO, sheet=sheet, row=row, column=column,
                                   value=to_text(raw)))
            return spec.default
        return number
    if number is None:
        problems.append(_p(P.SETTINGS_NOT_NUMBER, sheet=sheet, row=row, column=column,
                               value=to_text(raw)))
        return spec.default
    return int(number) if spec.kind == "int" else number


def load_params(rows: Rows, problems: list[P.Problem]) -> Params:
    index = _header_index(Sheet.PARAMS, rows, (ParamCol.KEY, ParamCol.VALUE),
                          problems, (ParamCol.KEY, ParamCol.VALUE))
    specs = {s.key: s for s in PARAM_SPECS}
    values: dict[str, Any] = {}
    seen: set[str] = set()
    for excel_row, row in enumerate(rows[1:], start=2):
        key = to_text(_cell(row, index, ParamCol.KEY))
        if not key:
            continue
        raw = _cell(row, index, ParamCol.VALUE)
        seen.add(key)
        values[key] = _parse_param(specs[key], raw, excel_row, problems) if key in specs else raw
    for spec in PARAM_SPECS:
        if spec.key not in seen:
            if spec.required:
                problems.append(_p(P.SETTINGS_MISSING_VALUE, sheet=Sheet.PARAMS,
                                       row=None, column=spec.key))
            values[spec.key] = spec.default
    return Params(
        title=values[Param.TITLE], start=values[Param.START], end=values[Param.END],
        return_deadline=values[Param.RETURN_DEADLINE],
        signoff_deadline=values[Param.SIGNOFF_DEADLINE], budget=values[Param.BUDGET],
        audit_ratio=values[Param.AUDIT_RATIO], seed=values[Param.SEED], values=values,
    )


def unit_types(params: Params) -> list[str]:
    """The types 单位.类型 accepts: 参数 单位类型 (、 separated), else the shipped list."""
    words = [w for w in re.split(r"[、，,；;/\s]+", to_text(params.get(PARAM_UNIT_TYPES) or ""))
             if w]
    return list(dict.fromkeys(words)) or list(DEFAULT_UNIT_TYPES)


def load_units(rows: Rows, problems: list[P.Problem],
               types: Sequence[str] = DEFAULT_UNIT_TYPES) -> list[Unit]:
    sheet = Sheet.UNITS
    index = _header_index(sheet, rows, tuple(UnitCol), problems, (UnitCol.CODE, UnitCol.NAME))
    units: list[Unit] = []
    first_code: dict[str, int] = {}
    first_name: dict[str, int] = {}
    for excel_row, row in enumerate(rows[1:], start=2):
        values = {c: to_text(_cell(row, index, c)) for c in UnitCol}
        if not any(values.values()):
            continue
        code, name = values[UnitCol.CODE], values[UnitCol.NAME]
        bad = False
        for column, value in ((UnitCol.CODE, code), (UnitCol.NAME, name)):
            if not value:
                problems.append(_p(P.SETTINGS_MISSING_VALUE, sheet=sheet, row=excel_row,
                                       column=column))
                bad = True
        for column, value, first in ((UnitCol.CODE, code, first_code),
                                     (UnitCol.NAME, name, first_name)):
            if value and value in first:
                problems.append(_p(P.SETTINGS_DUPLICATE, sheet=sheet, row=excel_row,
                                       column=column, value=value, first_row=first[value]))
                bad = True
            elif value:
                first[value] = excel_row
        unit_type = values[UnitCol.TYPE]
        if unit_type and unit_type not in types:
            problems.append(_p(P.SETTINGS_BAD_UNIT_TYPE, sheet=sheet, row=excel_row,
                               column=UnitCol.TYPE, value=unit_type, choices="、".join(types),
                               key=PARAM_UNIT_TYPES))
        if bad:
            continue
        shown = {c: as_typed(_cell(row, index, c)) for c in (UnitCol.CONTACT, UnitCol.PHONE,
                                                             UnitCol.EMAIL)}
        units.append(Unit(code=code, name=name, type=unit_type, contact=shown[UnitCol.CONTACT],
                          phone=shown[UnitCol.PHONE], email=shown[UnitCol.EMAIL], row=excel_row))
    if not units and not any(p.code == P.SETTINGS_MISSING_COLUMN for p in problems):
        problems.append(_p(P.SETTINGS_NO_UNITS, sheet=sheet))
    return units


def _number_cell(row: Sequence[Any], index: dict[str, int], column: str, excel_row: int,
                 problems: list[P.Problem], *, required: bool) -> tuple[float | None, bool]:
    raw = _cell(row, index, column)
    if is_blank(raw):
        if required:
            problems.append(_p(P.SETTINGS_MISSING_VALUE, sheet=Sheet.STANDARDS,
                                   row=excel_row, column=column))
            return None, False
        return None, True
    number = to_number(raw)
    if number is None or number < 0:
        problems.append(_p(P.SETTINGS_NOT_NUMBER, sheet=Sheet.STANDARDS, row=excel_row,
                               column=column, value=to_text(raw)))
        return None, False
    return number, True


def load_standards(rows: Rows, problems: list[P.Problem],
                   unusable: dict[str, tuple[str, int]] | None = None) -> list[Standard]:
    """标准's valid rows; `unusable` collects each category left out for an error in its row,
    and its 别名, as (category, row)."""
    sheet = Sheet.STANDARDS
    index = _header_index(sheet, rows, tuple(StdCol), problems,
                          (StdCol.CATEGORY, StdCol.METHOD, StdCol.PAYMENT))
    methods = [m.value for m in Method]
    payments = [p.value for p in Payment]
    standards: list[Standard] = []
    first: dict[str, int] = {}
    seen_aliases: dict[str, tuple[str, int]] = {}
    for excel_row, row in enumerate(rows[1:], start=2):
        text = {c: to_text(_cell(row, index, c)) for c in StdCol}
        if not any(text.values()):
            continue
        category = text[StdCol.CATEGORY]
        ok = True
        if not category:
            problems.append(_p(P.SETTINGS_MISSING_VALUE, sheet=sheet, row=excel_row,
                                   column=StdCol.CATEGORY))
            continue
        if category in first:
            problems.append(_p(P.SETTINGS_DUPLICATE, sheet=sheet, row=excel_row,
                                   column=StdCol.CATEGORY, value=category,
                                   first_row=first[category]))
            continue
        first[category] = excel_row
        method = text[StdCol.METHOD]
        if method not in methods:
            problems.append(_p(P.SETTINGS_BAD_CHOICE, sheet=sheet, row=excel_row,
                                   column=StdCol.METHOD, value=method or "（空）",
                                   choices="、".join(methods)))
            ok = False
        payment = text[StdCol.PAYMENT]
        if payment not in payments:
            problems.append(_p(P.SETTINGS_BAD_CHOICE, sheet=sheet, row=excel_row,
                                   column=StdCol.PAYMENT, value=payment or "（空）",
                                   choices="、".join(payments)))
            ok = False
        amount: float | None = None
        sizes: tuple[float | None, float | None, float | None] = (None, None, None)
        if method == Method.BY_SIZE:
            parsed = [_number_cell(row, index, c, excel_row, problems, required=True)
                      for c in (StdCol.SIZE1, StdCol.SIZE2, StdCol.SIZE3)]
            sizes = (parsed[0][0], parsed[1][0], parsed[2][0])
            ok = ok and all(good for _, good in parsed)
        elif method in methods:
            amount, good = _number_cell(row, index, StdCol.AMOUNT, excel_row, problems,
                                        required=True)
            ok = ok and good
        priority_raw = _cell(row, index, StdCol.PRIORITY)
        priority = 99
        if not is_blank(priority_raw):
            number = to_number(priority_raw)
            if number is None:
                problems.append(_p(P.SETTINGS_NOT_NUMBER, sheet=sheet, row=excel_row,
                                       column=StdCol.PRIORITY, value=to_text(priority_raw)))
            else:
                priority = int(number)
        conditions = parse_conditions(text[StdCol.CONDITION])
        if conditions is None:
            problems.append(_p(P.SETTINGS_BAD_CONDITION, sheet=sheet, row=excel_row,
                                   column=StdCol.CONDITION, value=text[StdCol.CONDITION]))
            ok = False
        if not ok or conditions is None:
            if unusable is not None:
                for word in (category, *re.split(r"[、，,；;/\s]+", text[StdCol.ALIASES])):
                    if word:
                        unusable.setdefault(word, (category, excel_row))
            continue
        standards.append(Standard(
            category=category, group=text[StdCol.GROUP] or category, method=Method(method),
            amount=amount, by_size=sizes, priority=priority, payment=Payment(payment),
            conditions=conditions, row=excel_row,
            aliases=_aliases(text[StdCol.ALIASES], excel_row, category, seen_aliases, problems),
            department=text[StdCol.DEPARTMENT] or OWN_UNIT,
        ))
    return standards


def _aliases(text: str, row: int, category: str, seen: dict[str, tuple[str, int]],
             problems: list[P.Problem]) -> tuple[str, ...]:
    """标准.别名: words separated by 、，,；; or spaces. A word already given to another category
    (or to this one) is reported and left out; the category keeps its own name anyway."""
    out = []
    for word in re.split(r"[、，,；;/\s]+", text):
        if not word or word == category:
            continue
        if word in seen:
            first, first_row = seen[word]
            if first != category:
                problems.append(_p(P.SETTINGS_DUPLICATE_ALIAS, sheet=Sheet.STANDARDS, row=row,
                                   column=StdCol.ALIASES, value=word, category=first,
                                   first_row=first_row))
            continue
        seen[word] = (category, row)
        out.append(word)
    return tuple(out)


def load_settings(sheets: Mapping[str, Rows]) -> Settings:
    """Settings from the three sheets' values; a missing sheet is a problem, not an exception."""
    problems: list[P.Problem] = []
    parts = {}
    for sheet in (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS):
        if sheet not in sheets:
            problems.append(_p(P.SETTINGS_MISSING_SHEET, sheet=sheet))
        parts[sheet] = sheets.get(sheet) or []
    params = load_params(parts[Sheet.PARAMS], problems) if Sheet.PARAMS in sheets else Params(
        **{k: v for k, v in _default_params().items()})
    units = load_units(parts[Sheet.UNITS], problems, unit_types(params)) \
        if Sheet.UNITS in sheets else []
    unusable: dict[str, tuple[str, int]] = {}
    standards = load_standards(parts[Sheet.STANDARDS], problems, unusable) \
        if Sheet.STANDARDS in sheets else []
    references = load_references(sheets.get(Sheet.REFERENCES) or [], category_groups(standards),
                                 problems)
    legacy = as_typed(params.get(PARAM_REFERENCE) or "")
    if legacy:
        dibao = [s.category for s in standards if s.group == Group.DIBAO]
        references.insert(0, legacy_rule(legacy, dibao, PARAM_REFERENCE))
    valid = {s.category for s in standards}
    return Settings(params=params, units=units, standards=standards, problems=problems,
                    references=references,
                    unusable={w: c for w, c in unusable.items() if w not in valid})


def _default_params() -> dict[str, Any]:
    values = {s.key: s.default for s in PARAM_SPECS}
    return dict(title=values[Param.TITLE], start=values[Param.START], end=values[Param.END],
                return_deadline=values[Param.RETURN_DEADLINE],
                signoff_deadline=values[Param.SIGNOFF_DEADLINE], budget=values[Param.BUDGET],
                audit_ratio=values[Param.AUDIT_RATIO], seed=values[Param.SEED], values=values)
