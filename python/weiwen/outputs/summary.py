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

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..fileio import atomic_write
from ..money import to_daxie
from ..names import (BANK_COLUMNS, BANK_FILE, SUMMARY_FILE, SUMMARY_VISITS_SHEET, BankCol, Col,
                     Payment, StdCol)
from ..settings import Settings
from ..values import cn_date, to_text
from ..printing import print_setup
from .common import (by_roster_order, by_unit, paid_households, payment_order, put, put_row,
                     style_array)

MONEY = "#,##0.00"
WIDTH = 7
COUNTS = ("户数", "人数", Col.AMOUNT)
UNIT_HEADER = (Col.UNIT, StdCol.GROUP, Col.CATEGORY, Col.PAYMENT, *COUNTS)
GROUP_HEADER = (StdCol.GROUP, Col.CATEGORY, Col.PAYMENT, *COUNTS)
PAYMENT_HEADER = (Col.PAYMENT, *COUNTS)
SUBTOTAL, TOTAL = "小计", "合计"


@dataclass
class SummaryResult:
    rows: list[list[Any]]                  # the 汇总 sheet, as values
    kinds: list[str]                       # one per row: title info blank section header data subtotal total
    households: int = 0
    people: int = 0
    total: float = 0.0
    files: list[Path] = field(default_factory=list)
    bank_households: int = 0
    bank_total: float = 0.0
    no_card: list[str] = field(default_factory=list)


def _group_of(settings: Settings | None, category: str) -> str:
    std = settings.standard(category) if settings else None
    return std.group if std else "（未列入标准）"


def _category_order(settings: Settings | None, frame: pd.DataFrame) -> list[str]:
    listed = settings.categories if settings else []
    present = list(dict.fromkeys(frame[Col.CATEGORY].map(to_text)))
    return [c for c in listed if c in present] + sorted(c for c in present if c not in listed)


def _counts(frame: pd.DataFrame) -> list[Any]:
    return [len(frame), int(frame[Col.SIZE].fillna(0).sum()), float(frame[Col.AMOUNT].sum())]


def build_summary(roster: pd.DataFrame, settings: Settings | None, *,
                  today: dt.date | None = None) -> SummaryResult:
    """The summary as rows of values (what the 汇总 sheet and 汇总表.xlsx show)."""
    paid = paid_households(roster)
    paid[Col.SIZE] = pd.to_numeric(paid[Col.SIZE], errors="coerce")
    paid[Col.CATEGORY] = paid[Col.CATEGORY].map(to_text)
    group_of = {c: _group_of(settings, c) for c in paid[Col.CATEGORY].unique()}
    paid["_组"] = paid[Col.CATEGORY].map(group_of).astype(object)
    categories = _category_order(settings, paid)
    groups = list(dict.fromkeys(_group_of(settings, c) for c in categories))
    title = (settings.params.title if settings else "") + "慰问金发放汇总表"
    today = today or dt.date.today()
    rows: list[list[Any]] = []
    kinds: list[str] = []

    def add(kind: str, *values: Any) -> None:
        rows.append(list(values))
        kinds.append(kind)

    add("title", title.replace("慰问慰问金", "慰问金"))
    add("info", f"编制日期：{cn_date(today)}", "", "", "", "", "",
        "单位：元")
    add("blank")
    add("section", "一、分单位分类别")
    add("header", *UNIT_HEADER)
    for unit, in_unit in by_unit(paid, settings):
        for category in categories:
            part = in_unit[in_unit[Col.CATEGORY] == category]
            for payment in payment_order(part) if len(part) else []:
                cell = part[part[Col.PAYMENT] == payment]
                add("data", unit, _group_of(settings, category), category, payment, *_counts(cell))
        add("subtotal", f"{unit} {SUBTOTAL}", "", "", "", *_counts(in_unit))
    add("total", TOTAL, "", "", "", *_counts(paid))
    add("blank")
    add("section", "二、分类别组汇总")
    add("header", *GROUP_HEADER)
    for group in groups:
        in_group = paid[paid["_组"] == group]
        for category in [c for c in categories if _group_of(settings, c) == group]:
            part = in_group[in_group[Col.CATEGORY] == category]
            add("data", group, category, part[Col.PAYMENT].iloc[0] if len(part) else "",
                *_counts(part))
        add("subtotal", f"{group} {SUBTOTAL}", "", "", *_counts(in_group))
    add("total", TOTAL, "", "", *_counts(paid))
    add("blank")
    add("section", "三、按发放方式")
    add("header", *PAYMENT_HEADER)
    for payment in payment_order(paid):
        add("data", payment, *_counts(paid[paid[Col.PAYMENT] == payment]))
    add("total", TOTAL, *_counts(paid))
    add("blank")
    total = float(paid[Col.AMOUNT].sum())
    budget = settings.params.budget if settings else None
    add("section", "四、预算使用")
    add("header", "项目", "金额")
    add("data", "预算", budget if budget else "（未填）")
    add("data", "已安排发放", total)
    if budget:
        add("data", "结余" if budget >= total else "超出预算", abs(budget - total))
        add("data", "使用比例", f"{total / budget:.1%}")
    add("blank")
    add("daxie", "合计金额（大写）", to_daxie(total))
    add("blank")
    add("sign", "制表人：", "", "审核人：", "", "负责人：", "", "日期：")
    households, people, _ = _counts(paid)
    return SummaryResult(rows=rows, kinds=kinds, households=households, people=people, total=total)


# --- writing ------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL = {"header": PatternFill("solid", fgColor="DDEBF7"),
         "subtotal": PatternFill("solid", fgColor="F2F2F2"),
         "total": PatternFill("solid", fgColor="FFF2CC")}
_BOXED = {"header", "data", "subtotal", "total"}


def _write_visits_sheet(wb: Workbook, visits: pd.DataFrame) -> None:
    """领导走访: households visited by the leaders, one row per group, with a 合计 row."""
    ws = wb.create_sheet(SUMMARY_VISITS_SHEET)
    for c, name in enumerate(visits.columns, start=1):
        put(ws, 1, c, name).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = 14
    r = 1
    for r, row in enumerate(visits.itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value.item() if hasattr(value, "item") else value)
    put(ws, r + 1, 1, TOTAL).font = Font(bold=True)
    for c, name in enumerate(visits.columns, start=1):
        if pd.api.types.is_numeric_dtype(visits[name]):
            put(ws, r + 1, c, float(visits[name].sum())).font = Font(bold=True)
    print_setup(ws, title_rows="1:1")


def _write_summary_book(path: Path, result: SummaryResult,
                        visits: pd.DataFrame | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    styles: dict[tuple[str, bool], Any] = {}

    def style(kind: str, money: bool):
        """One style per (row kind, money or not), made once: not one lookup per cell."""
        if (kind, money) not in styles:
            attributes: dict[str, Any] = {"number_format": MONEY} if money else {}
            if kind in _BOXED:
                attributes["border"] = _BORDER
                attributes["alignment"] = Alignment(
                    horizontal="center" if kind == "header" else "general", vertical="center")
            if kind in _FILL:
                attributes["fill"] = _FILL[kind]
            if kind in ("header", "subtotal", "total", "section", "daxie"):
                attributes["font"] = Font(bold=True)
            styles[kind, money] = style_array(ws, **attributes) if attributes else None
        return styles[kind, money]

    for r, (kind, values) in enumerate(zip(result.kinds, result.rows), start=1):
        put_row(ws, r, values, styles=[style(kind, isinstance(v, float)) for v in values])
        if kind == "title":
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=WIDTH)
            ws.cell(row=r, column=1).font = Font(size=16, bold=True)
            ws.cell(row=r, column=1).alignment = Alignment(horizontal="center")
            ws.row_dimensions[r].height = 28
        elif kind == "daxie":
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=WIDTH)
    for c, w in enumerate((16, 12, 22, 10, 9, 9, 15), start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    print_setup(ws, landscape=False)
    if visits is not None and len(visits):
        _write_visits_sheet(wb, visits)
    wb.save(path)


def _write_bank_book(path: Path, card: pd.DataFrame, memo: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "代发明细"
    for c, name in enumerate(BANK_COLUMNS, start=1):
        put(ws, 1, c, name).font = Font(bold=True)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 24
    ws.column_dimensions["D"].width = 20
    ws.column_dimensions["E"].width = 12
    ws.column_dimensions["F"].width = 30
    with_card = card[card[Col.CARD].map(to_text) != ""]
    r = 1
    styles = [None, None, style_array(ws, number_format="@"), None,
              style_array(ws, number_format=MONEY), None]
    bank = with_card[Col.BANK] if Col.BANK in with_card else pd.Series("", index=with_card.index)
    for r, (row, bank_name) in enumerate(zip(with_card.to_dict("records"), bank), start=2):
        put_row(ws, r, [r - 1, to_text(row[Col.NAME]), to_text(row[Col.CARD]).replace(" ", ""),
                        to_text(bank_name), float(row[Col.AMOUNT]), memo], styles=styles)
    r += 1
    put(ws, r, 1, TOTAL).font = Font(bold=True)
    put(ws, r, 2, f"{len(with_card)}户").font = Font(bold=True)
    put(ws, r, 5, float(with_card[Col.AMOUNT].sum()), number_format=MONEY).font = Font(bold=True)
    put(ws, r, 6, to_daxie(float(with_card[Col.AMOUNT].sum())))
    missing = card[card[Col.CARD].map(to_text) == ""]
    if len(missing):
        ws2 = wb.create_sheet("缺少卡号")
        for c, name in enumerate(("单位", BankCol.HOLDER, BankCol.AMOUNT, "说明"), start=1):
            put(ws2, 1, c, name).font = Font(bold=True)
        for r, row in enumerate(missing.to_dict("records"), start=2):
            put(ws2, r, 1, to_text(row[Col.UNIT]))
            put(ws2, r, 2, to_text(row[Col.NAME]))
            put(ws2, r, 3, float(row[Col.AMOUNT]), number_format=MONEY)
            put(ws2, r, 4, "按标准应打卡发放，但名册里没有银行卡号：请补卡号后重新生成")
    wb.save(path)


def write_summary(roster: pd.DataFrame, settings: Settings | None, output_dir: Path, *,
                  today: dt.date | None = None, visits: pd.DataFrame | None = None) -> SummaryResult:
    """Write output/汇总表.xlsx and output/银行代发.xlsx; returns the summary (rows for 汇总).
    `visits`: the leaders' visits per group (visits.read_visits_summary), a second sheet."""
    result = build_summary(roster, settings, today=today)
    output_dir = Path(output_dir)
    result.files.append(atomic_write(output_dir / SUMMARY_FILE,
                                     lambda tmp: _write_summary_book(tmp, result, visits)))
    paid = paid_households(roster)
    card = by_roster_order(paid[paid[Col.PAYMENT] == Payment.CARD.value])
    memo = ((settings.params.title if settings else "") + "慰问金").replace("慰问慰问金", "慰问金")
    result.files.append(atomic_write(output_dir / BANK_FILE,
                                     lambda tmp: _write_bank_book(tmp, card, memo)))
    has_card = card[Col.CARD].map(to_text) != ""
    result.bank_households = int(has_card.sum())
    result.bank_total = float(card[has_card][Col.AMOUNT].sum())
    result.no_card = [f"{to_text(r[Col.UNIT])} {to_text(r[Col.NAME])}"
                      for r in card[~has_card].to_dict("records")]
    return result
