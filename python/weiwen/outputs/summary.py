"""For finance: output/汇总表.xlsx (and the workbook's 汇总 sheet) and output/银行代发.xlsx.

The summary counts paid households only (有效, 金额 > 0): per unit × category 户数 / 人数 / 金额
with unit subtotals, per category group with subtotals, by 发放方式, the budget and its use, and
the total in 大写. It carries no ID numbers and no phones. 人数 is the sum of 家庭人口.
The bank list holds the card-paid households: 户名, 银行卡号, 金额, then a count and total row;
card-paid households without a card number go to a second sheet instead of the upload.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook

from ..money import to_daxie
from ..intake.returns import OVERDUE, RETURNED
from ..names import BANK_FILE, BANK_NO_CARD_FILE, OWN_UNIT, SUMMARY_FILE, SUMMARY_VISITS_SHEET, Col, Payment, StdCol
from ..settings import Settings
from ..values import cn_date, to_text
from . import layout as L
from .bank import without_card, write_bank_book, write_no_card_book
from .charts import add_charts
from .common import (by_roster_order, department_order, departments_of, order_payments,
                     paid_households, unit_order)
from .outset import OutputSet
from .sheetkit import Column, TableSheet
from .state import record, require_paid, roster_state

COUNTS = ("户数", "人数", Col.AMOUNT)
#: one header for every section (repeated on each printed page); sections leave columns blank
HEADER = (Col.UNIT, StdCol.GROUP, Col.CATEGORY, Col.PAYMENT, *COUNTS)
SUBTOTAL, TOTAL = "小计", "合计"
DAXIE_LABEL = "合计金额（大写）"


@dataclass
class Extras:
    """What the summary shows beside the money, gathered by the pipeline from the workbook:
    which units sent their list (单位 → 已交回 / 未交回 / 逾期), this campaign against the last
    one (对比: 变化 → households) and the bank's results (发放结果: 应发 / 实发 / 失败 …)."""
    returns: list[tuple[str, str]] = field(default_factory=list)
    comparison: dict[str, int] | None = None
    payments: dict[str, tuple[int, float]] | None = None


NUMERALS = "一二三四五六七八九十"


@dataclass
class SummaryResult:
    rows: list[list[Any]]                  # the 汇总 sheet, as values
    kinds: list[str]                       # one per row: title info blank section header data subtotal total daxie sign
    households: int = 0
    people: int = 0
    total: float = 0.0
    files: list[Path] = field(default_factory=list)
    bank_households: int = 0
    bank_total: float = 0.0
    no_card: list[str] = field(default_factory=list)
    by_unit: list[tuple[str, int, float]] = field(default_factory=list)    # for the charts
    by_group: list[tuple[str, int, float]] = field(default_factory=list)
    by_department: list[tuple[str, int, float]] = field(default_factory=list)


def _group_of(settings: Settings | None, category: str) -> str:
    std = settings.standard(category) if settings else None
    return std.group if std else "（未列入标准）"


def _category_order(settings: Settings | None, frame: pd.DataFrame) -> list[str]:
    listed = settings.categories if settings else []
    present = list(dict.fromkeys(frame[Col.CATEGORY].map(to_text)))
    return [c for c in listed if c in present] + sorted(c for c in present if c not in listed)


def _counts(frame: pd.DataFrame) -> list[Any]:
    return [len(frame), int(frame[Col.SIZE].fillna(0).sum()), float(frame[Col.AMOUNT].sum())]


def _positions(*keys: pd.Series) -> dict[Any, np.ndarray]:
    """Row positions of every value (or combination of values) of `keys`, each in roster order,
    found in one pass over the rows (not one filter per unit and category)."""
    found: dict[Any, list[int]] = {}
    values = keys[0].tolist() if len(keys) == 1 else zip(*(k.tolist() for k in keys))
    for i, key in enumerate(values):
        found.setdefault(key, []).append(i)
    return {key: np.asarray(rows, dtype=np.intp) for key, rows in found.items()}


def build_summary(roster: pd.DataFrame, settings: Settings | None, *,
                  today: dt.date | None = None, state: str = "",
                  extras: Extras | None = None) -> SummaryResult:
    """The summary as rows of values (what the 汇总 sheet and 汇总表.xlsx show).

    Every section uses the same seven columns, so one header row serves the whole table and is
    repeated on every printed page; each 合计 is followed by its amount in 大写."""
    return _build(paid_households(roster), settings, today=today, state=state, extras=extras)


def _build(paid: pd.DataFrame, settings: Settings | None, *, today: dt.date | None, state: str,
           extras: Extras | None) -> SummaryResult:
    """`build_summary` from the paid households (common.paid_households), which it changes."""
    paid[Col.SIZE] = pd.to_numeric(paid[Col.SIZE], errors="coerce")
    paid[Col.CATEGORY] = paid[Col.CATEGORY].map(to_text)
    group_of = {c: _group_of(settings, c) for c in paid[Col.CATEGORY].unique()}
    paid["_组"] = paid[Col.CATEGORY].map(group_of).astype(object)
    categories = _category_order(settings, paid)
    groups = list(dict.fromkeys(_group_of(settings, c) for c in categories))
    title = (settings.params.title if settings else "") + "慰问金发放汇总表"
    today = today or dt.date.today()
    # every count below sums these arrays over a cell's rows in roster order, so each 金额 is
    # the very sum a filter of the roster gave (the same values added in the same order)
    amounts = paid[Col.AMOUNT].to_numpy()
    sizes = paid[Col.SIZE].fillna(0).to_numpy()

    def counts(rows: np.ndarray) -> list[Any]:
        return [len(rows), int(sizes[rows].sum()), float(amounts[rows].sum())]

    everyone = _counts(paid)
    total = everyone[2]
    units = paid[Col.UNIT].map(to_text)
    payments = paid[Col.PAYMENT]
    departments = departments_of(paid, settings)
    by_cell = _positions(units, paid[Col.CATEGORY], payments)
    by_department_cell = _positions(departments, paid[Col.CATEGORY], payments)
    rows: list[list[Any]] = []
    kinds: list[str] = []
    result = SummaryResult(rows=rows, kinds=kinds)

    def add(kind: str, *values: Any) -> None:
        rows.append(list(values))
        kinds.append(kind)

    def cells(table: dict[Any, np.ndarray], payments_of: dict[tuple[str, str], list[str]],
              owner: str, label: str) -> None:
        """The data rows of one unit or department: per category, per payment way."""
        for category in categories:
            for payment in order_payments(payments_of.get((owner, category), [])):
                add("data", label, _group_of(settings, category), category, payment,
                    *counts(table[(owner, category, payment)]))

    numbered = iter(NUMERALS)

    def section(text: str) -> None:
        add("section", f"{next(numbered)}、{text}")

    add("title", title.replace("慰问慰问金", "慰问金"))
    add("info", f"编制日期：{cn_date(today)}　单位：元"
        + (f"　{state}" if state else ""))
    add("header", *HEADER)
    section("分单位分类别")
    unit_payments = _payments_present(by_cell)
    unit_rows = _positions(units)
    for unit in unit_order(paid, settings):
        cells(by_cell, unit_payments, unit, unit)
        unit_counts = counts(unit_rows[unit])
        add("subtotal", f"{unit} {SUBTOTAL}", "", "", "", *unit_counts)
        result.by_unit.append((unit, unit_counts[0], unit_counts[2]))
    add("total", TOTAL, "", "", "", *everyone)
    add("daxie", DAXIE_LABEL, to_daxie(total))
    section("分类别组汇总")
    group_rows = _positions(paid["_组"])
    category_rows = _positions(paid[Col.CATEGORY])
    for group in groups:
        for category in [c for c in categories if _group_of(settings, c) == group]:
            part = category_rows[category]
            add("data", "", group, category, payments.iat[part[0]], *counts(part))
        group_counts = counts(group_rows[group])
        add("subtotal", f"{group} {SUBTOTAL}", "", "", "", *group_counts)
        result.by_group.append((group, group_counts[0], group_counts[2]))
    add("total", TOTAL, "", "", "", *everyone)
    add("daxie", DAXIE_LABEL, to_daxie(total))
    section("按发放方式")
    payment_rows = _positions(payments)
    for payment in order_payments(payment_rows):
        add("data", "", "", "", payment, *counts(payment_rows[payment]))
    add("total", TOTAL, "", "", "", *everyone)
    add("daxie", DAXIE_LABEL, to_daxie(total))
    section("分责任部门")
    own = f"各{settings.unit_word if settings else '单位'}（{OWN_UNIT}）"
    department_payments = _payments_present(by_department_cell)
    department_rows = _positions(departments)
    for department in [OWN_UNIT, *department_order(settings, departments)]:
        if department not in department_rows:
            continue
        name = own if department == OWN_UNIT else department
        cells(by_department_cell, department_payments, department, name)
        department_counts = counts(department_rows[department])
        add("subtotal", f"{name} {SUBTOTAL}", "", "", "", *department_counts)
        result.by_department.append((name, department_counts[0], department_counts[2]))
    add("total", TOTAL, "", "", "", *everyone)
    add("daxie", DAXIE_LABEL, to_daxie(total))
    _status_sections(add, section, extras or Extras())
    budget = settings.params.budget if settings else None
    section("预算使用")
    add("data", "预算", "", "", "", "", "", budget if budget else "（未填）")
    add("data", "已安排发放", "", "", "", "", "", total)
    if budget:
        add("data", "结余" if budget >= total else "超出预算", "", "", "", "", "", abs(budget - total))
        add("data", "使用比例", "", "", "", "", "", f"{total / budget:.1%}")
    add("sign", "制表人：", "", "审核人：", "", "负责人：", "", "日期：")
    result.households, result.people, result.total = len(paid), everyone[1], total
    return result


def _payments_present(cells: dict[Any, np.ndarray]) -> dict[tuple[str, str], list[str]]:
    """The payment ways present per (unit or department, category), from (owner, category,
    payment) cells."""
    out: dict[tuple[str, str], list[str]] = {}
    for owner, category, payment in cells:
        out.setdefault((owner, category), []).append(payment)
    return out


def _status_sections(add, section, extras: Extras) -> None:
    """名单交回情况, 与上次活动对比 and 银行代发结果, when there is something to say."""
    if extras.returns:
        late = [(u, s) for u, s in extras.returns if s != RETURNED]
        section("名单交回情况")
        add("note", f"应交回 {len(extras.returns)} 个单位，已交回 {len(extras.returns) - len(late)} 个"
            + ("，未交回的单位如下：" if late else "，全部交回。"))
        for unit, status in late:
            add("data", unit, "逾期未交回" if status == OVERDUE else "未交回", "", "", None, None, None)
    if extras.comparison is not None:
        section("与上次活动对比（户数）")
        for change, n in extras.comparison.items():
            add("data", change, "", "", "", n, None, None)
    if extras.payments:
        section("银行代发结果")
        for label, (n, amount) in extras.payments.items():
            add("data", label, "", "", Payment.CARD.value, n, None, amount)


# --- writing ------------------------------------------------------------------------------------

_COLUMNS = (Column(Col.UNIT, maximum=24), Column(StdCol.GROUP, maximum=16),
            Column(Col.CATEGORY, maximum=26), Column(Col.PAYMENT), Column("户数", "int"),
            Column("人数", "int"), Column(Col.AMOUNT, "money", minimum=12))


def _write_summary_sheet(ws, result: SummaryResult, footer: str) -> None:
    table = TableSheet(ws, _COLUMNS, result.rows[0][0], [result.rows[1][0]],
                       page=L.Page(landscape=False), footer_left=footer)
    for kind, values in zip(result.kinds[3:], result.rows[3:]):
        if kind == "section":
            table.section(values[0])
        elif kind == "note":
            table.line(values[0])
        elif kind == "daxie":
            table.daxie(values[0], values[1])
        elif kind == "sign":
            table.row(values, kind="sign")
        else:
            table.row(values, kind=kind)
    table.finish()
    _merge_labels(ws, result)


def _merge_labels(ws, result: SummaryResult) -> None:
    """Subtotal, total and budget labels span the text columns (A:D, or A:F for the budget)."""
    first = 4                          # rows 1-3: title, info, header; result rows 3.. follow
    for offset, (kind, values) in enumerate(zip(result.kinds[3:], result.rows[3:])):
        r = first + offset
        if kind in ("subtotal", "total"):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        elif kind == "data" and values and values[0] in ("预算", "已安排发放", "结余", "超出预算", "使用比例"):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)


def _write_visits_sheet(wb: Workbook, visits: pd.DataFrame, title: str, footer: str) -> None:
    """领导走访: households visited by the leaders, one row per group, a 合计 and its 大写."""
    ws = wb.create_sheet(SUMMARY_VISITS_SHEET)
    kinds = {"计划走访户数": "int", "已备案户数": "int", "已走访户数": "int", "有照片户数": "int",
             "慰问金合计": "money"}
    columns = [Column(c, kinds.get(c, "text"), maximum=30) for c in visits.columns]
    table = TableSheet(ws, columns, title, [], page=L.Page(landscape=True), footer_left=footer)
    for row in visits.itertuples(index=False):
        table.row([v.item() if hasattr(v, "item") else v for v in row])
    totals = [TOTAL] + [float(visits[c].sum()) if columns[i].kind == "money"
                        else int(visits[c].sum()) if columns[i].kind == "int" else ""
                        for i, c in enumerate(visits.columns) if i]
    table.row(totals, kind="total")
    amount = next((float(visits[c].sum()) for c in visits.columns if kinds.get(c) == "money"), None)
    if amount is not None:
        table.daxie(DAXIE_LABEL, to_daxie(amount))
    table.finish()


def _write_summary_book(path: Path, result: SummaryResult, visits: pd.DataFrame | None = None,
                        footer: str = "") -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    _write_summary_sheet(ws, result, footer)
    add_charts(wb, result, footer)
    if visits is not None and len(visits):
        title = result.rows[0][0].replace("慰问金发放汇总表", "") + "领导走访慰问汇总"
        _write_visits_sheet(wb, visits, title, footer)
    wb.save(path)


def write_summary(roster: pd.DataFrame, settings: Settings | None, output_dir: Path, *,
                  today: dt.date | None = None, visits: pd.DataFrame | None = None,
                  extras: Extras | None = None) -> SummaryResult:
    """Write output/汇总表.xlsx and output/银行代发.xlsx together; returns the summary (rows for
    汇总). Refuses (NotReady, nothing written) when no household would be paid.
    `visits`: the leaders' visits per group (visits.read_visits_summary), a second sheet."""
    require_paid(roster, "汇总表和银行代发名单")
    state = roster_state(roster)
    paid = paid_households(roster)
    result = _build(paid.copy(), settings, today=today, state=state.line(), extras=extras)
    output_dir = Path(output_dir)
    card = by_roster_order(paid[paid[Col.PAYMENT] == Payment.CARD.value])
    prefix = settings.params.title if settings else ""
    memo = (prefix + "慰问金").replace("慰问慰问金", "慰问金")
    bank_title = (prefix + "慰问金银行代发明细").replace("慰问慰问金", "慰问金")
    no_card = without_card(card)
    # the set owns the no-card list: made while a card is missing, removed once none is
    with OutputSet(output_dir, patterns=(BANK_NO_CARD_FILE,)) as out:
        out.write(output_dir / SUMMARY_FILE,
                  lambda tmp: _write_summary_book(tmp, result, visits, state.footer()))
        out.write(output_dir / BANK_FILE, lambda tmp: write_bank_book(
            tmp, card, memo=memo, title=bank_title, state_line=state.line(), footer=state.footer()))
        if no_card.any():
            out.write(output_dir / BANK_NO_CARD_FILE, lambda tmp: write_no_card_book(
                tmp, card[no_card], title=memo + "：应银行打卡但缺少卡号的户",
                state_line=state.line(), footer=state.footer()))
    result.files = out.written
    record(output_dir, "summary", result.files, state)
    result.bank_households = int((~no_card).sum())
    result.bank_total = float(card[~no_card][Col.AMOUNT].sum())
    result.no_card = [f"{to_text(r[Col.UNIT])} {to_text(r[Col.NAME])}"
                      for r in card[no_card].to_dict("records")]
    return result
