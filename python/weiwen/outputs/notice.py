"""公示名单 (参数 公示 = 是): per unit, an A4 list for the notice board of who is paid and why.

What a notice board may show: 姓名, 类别, 家庭人口 and 金额 — what the people of the unit need
to see to object to a wrong entry. The Ministry of Civil Affairs' 《最低生活保障审核确认办法》
(民发〔2021〕57号) has 低保 公示 show the applicant's name, the number of household members and
the amount, and forbids publishing what has nothing to do with the benefit; the Personal
Information Protection Law asks for the minimum necessary (art. 6) and treats financial accounts
and the like as sensitive (art. 28). So: no ID number, no phone, no bank card, no address, no
remarks. Health is sensitive too (art. 28): a category that names an illness or a disability
(大重病患者, 残疾户, an office's own 精神障碍家庭 …) prints as 困难家庭, so a neighbour learns that
the household is helped, not why. The name is shown whole by default (a 公示 is there to be
recognised); 参数 公示 = “是（隐去一字）” prints 张*明 for offices whose local rule asks for it.

Every unit's list is written as one set (a unit no longer paid loses its file), with the
roster's check code in the footer like every other output.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from ..fileio import safe_file_stem
from ..money import to_daxie
from ..names import NOTICE_DIR, PARAM_NOTICE, YES_MARKS, Col
from ..settings import Settings
from ..values import as_typed, cn_date, to_text
from . import layout as L
from .common import by_roster_order, by_unit, paid_households
from .outset import OutputSet
from .sheetkit import Column, TableSheet
from .state import record, require_paid, roster_state

#: days a 公示 stays up (the 低保 rule's seven days)
DAYS = 7
COLUMNS = (Column("序号", "int"), Column("姓名", maximum=22), Column(Col.CATEGORY, maximum=26),
           Column("家庭人口", "int"), Column(Col.AMOUNT, "money", minimum=12))


#: words that make a category say something about a person's health or body
HEALTH_WORDS = ("病", "残", "疾", "精神", "智力", "失能", "失智", "瘫", "癌", "艾滋", "盲", "聋", "哑",
                "障碍", "康复", "透析")
#: what such a category prints as on a notice board
NEUTRAL_CATEGORY = "困难家庭"


def public_category(category: str) -> str:
    """The category as a notice board may show it: one that names an illness or a disability
    becomes 困难家庭; every other category is printed as it is."""
    text = to_text(category)
    return NEUTRAL_CATEGORY if any(w in text for w in HEALTH_WORDS) else text


@dataclass
class NoticeResult:
    files: list[Path] = field(default_factory=list)
    households: dict[str, int] = field(default_factory=dict)


def notice_wanted(settings: Settings) -> tuple[bool, bool]:
    """(print the 公示名单, mask one character of each name) from 参数 公示."""
    value = as_typed(settings.params.get(PARAM_NOTICE) or "")
    wanted = bool(value) and (value.upper() in YES_MARKS or value.startswith("是"))
    return wanted, wanted and "隐" in value


def mask_name(name: str) -> str:
    """张明 → 张*, 张晓明 → 张*明, 欧阳晓明 → 欧**明: the surname and the last character stay."""
    name = to_text(name)
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _sheet(ws, unit: str, households: pd.DataFrame, settings: Settings, today: dt.date,
           masked: bool, footer: str) -> None:
    until = today + dt.timedelta(days=DAYS)
    info = [f"公示时间：{cn_date(today)}至{cn_date(until)}。对名单有异议的，请在公示期内向{unit}"
            f"或{settings.office}反映。本名单不含身份证号、电话、银行卡号等个人信息，"
            f"涉及疾病、残疾的类别写作“{NEUTRAL_CATEGORY}”。"]
    table = TableSheet(ws, COLUMNS, f"{settings.params.title}慰问对象公示名单（{unit}）".replace(
        "慰问慰问", "慰问"), info, page=L.Page(landscape=False), footer_left=footer)
    rows = by_roster_order(households)
    for n, row in enumerate(rows.to_dict("records"), start=1):
        size = row.get(Col.SIZE)
        table.row([n, mask_name(row[Col.NAME]) if masked else to_text(row[Col.NAME]),
                   public_category(row[Col.CATEGORY]), int(size) if size else None,
                   float(row[Col.AMOUNT])])
    total = float(rows[Col.AMOUNT].sum())
    table.row(["合计", f"{len(rows)} 户", None, None, total], kind="total")
    table.daxie("合计金额（大写）", to_daxie(total))
    table.finish()


def withdraw_notices(output_dir: Path) -> list[Path]:
    """参数 公示 is no longer 是: the lists printed before are removed (returns them)."""
    folder = Path(output_dir) / NOTICE_DIR
    old = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
    if old:
        with OutputSet(folder, patterns=("*.xlsx", "*.pdf")):
            pass
    return old


def write_notices(roster: pd.DataFrame, settings: Settings, output_dir: Path, *,
                  today: dt.date | None = None, masked: bool = False) -> NoticeResult:
    """output/公示名单/<单位>.xlsx for every unit with paid households (the whole set replaced)."""
    require_paid(roster, "公示名单")
    state = roster_state(roster)
    today = today or dt.date.today()
    folder = Path(output_dir) / NOTICE_DIR
    result = NoticeResult()
    with OutputSet(folder, patterns=("*.xlsx", "*.pdf")) as out:
        for unit, households in by_unit(paid_households(roster), settings):
            def save(tmp: Path, unit=unit, households=households) -> None:
                wb = Workbook()
                ws = wb.active
                ws.title = "公示"
                _sheet(ws, unit, households, settings, today, masked, state.footer())
                wb.save(tmp)
            out.write(folder / f"{safe_file_stem(unit)}.xlsx", save)
            result.households[unit] = len(households)
    result.files = out.written
    record(Path(output_dir), "notice", result.files, state)
    return result
