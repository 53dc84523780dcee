"""Built-in demo data: a street office's units and their returned files, the way units send them.

`make_demo(dir)` creates a campaign whose households mirror the office's plan (1,996 households
over 12 communities and villages), with synthetic names (Faker zh_CN, fixed seed), valid-checksum ID
numbers from the district, phones and Luhn-valid bank cards, written into inbox/ as filled returns
with a realistic few percent of mistakes planted. `DemoPlan.planted` lists every planted mistake
so the tests can check that each one is found and nothing else.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import zipfile
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import phonenumbers
from faker import Faker
from openpyxl import Workbook
from stdnum import luhn
from stdnum.cn import ric

from . import workbook_io
from .campaign import Campaign, init
from .fileio import atomic_write, atomic_write_bytes
from .openpyxl_access import first_sheet
from .settings import Unit
from .templates_out import file_name, write_templates
from .visits import demo_sheets
from .names import (DIBAO, RETURN_COLUMNS, UNIT_COLUMNS, Col, Sheet, UnitCol,
                    UnitType)

SEED = 2027

#: households per category, from the office's plan
PLAN_COUNTS: dict[str, int] = {
    DIBAO: 93, "台胞/少数民族困难家庭": 40, "大重病患者": 162, "残疾户": 135, "困难学生家庭": 2,
    "70岁以上特困独居老人": 191, "失地困难农民家庭": 985, "妇联慰问对象": 28, "低收入困难家庭": 318,
    "重点优抚对象": 22, "参战涉核人员": 16, "精简老职工": 2, "大屠杀幸存者": 2,
}

#: (code, name, type, contact): six communities and six villages of one street office
UNITS: tuple[tuple[str, str, UnitType, str], ...] = (
    ("330106001", "东湖社区", UnitType.COMMUNITY, "王丽"),
    ("330106002", "西湖社区", UnitType.COMMUNITY, "李娜"),
    ("330106003", "南苑社区", UnitType.COMMUNITY, "张敏"),
    ("330106004", "北苑社区", UnitType.COMMUNITY, "刘洋"),
    ("330106005", "新华社区", UnitType.COMMUNITY, "陈静"),
    ("330106006", "和平社区", UnitType.COMMUNITY, "杨帆"),
    ("330106101", "青山村", UnitType.VILLAGE, "赵刚"),
    ("330106102", "桃园村", UnitType.VILLAGE, "黄强"),
    ("330106103", "李家村", UnitType.VILLAGE, "周平"),
    ("330106104", "王庄村", UnitType.VILLAGE, "吴军"),
    ("330106105", "河口村", UnitType.VILLAGE, "徐超"),
    ("330106106", "石桥村", UnitType.VILLAGE, "孙伟"),
)
#: units of 单位 that never send their list back (the demo's 未交回)
SILENT_UNITS: tuple[tuple[str, str, UnitType, str], ...] = (
    ("330106007", "柳营社区", UnitType.COMMUNITY, "郑洁"),
)
REGIONS = ("330106", "330105", "330102", "330127")
STREETS = ("文一路", "文二路", "教工路", "学院路", "保俶路", "天目山路")
CAMPAIGN_START = dt.date(2027, 1, 20)


@dataclass(frozen=True)
class Planted:
    """One planted mistake: where it is and what a correct run must say about it."""
    kind: str        # duplicate_unit | duplicate_category | id_lost_digits | id_checksum |
    #                  missing_phone | age_condition | unknown_category | superseded_file |
    #                  shared_card | two_units_addresses | not_returned
    unit: str
    file: str
    row: int | None
    detail: str = ""


@dataclass
class DemoPlan:
    root: Path
    households: int = 0
    planted: list[Planted] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class People:
    """Synthetic but well-formed people: names, IDs, phones, cards, addresses."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.used_ids: set[str] = set()

    def id_number(self, *, min_age: int = 18, max_age: int = 95, region: str | None = None) -> str:
        while True:
            age = self.rng.randint(min_age, max_age)
            birth = CAMPAIGN_START - dt.timedelta(days=age * 365 + self.rng.randint(30, 330))
            body = (region or self.rng.choice(REGIONS)) + birth.strftime("%Y%m%d") \
                + f"{self.rng.randint(0, 999):03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.fake.phone_number()
            if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
                return number

    def card(self) -> str:
        body = "622202" + "".join(str(self.rng.randint(0, 9)) for _ in range(12))
        return body + luhn.calc_check_digit(body)

    def address(self, unit: str, village: bool) -> str:
        if village:
            return f"{unit}{self.rng.randint(1, 12)}组{self.rng.randint(1, 99)}号"
        return (f"{self.rng.choice(STREETS)}{self.rng.randint(1, 300)}号{unit}"
                f"{self.rng.randint(1, 30)}幢{self.rng.randint(1, 6)}0{self.rng.randint(1, 4)}室")


def _households(people: People) -> list[dict[str, Any]]:
    rows = []
    units = [u for u in UNITS]
    for category, count in PLAN_COUNTS.items():
        for _ in range(count):
            code, unit, utype, _contact = people.rng.choice(units)
            min_age = 72 if category == "70岁以上特困独居老人" else 18
            size = 1 if category == "70岁以上特困独居老人" else people.rng.choice((1, 1, 2, 2, 3, 3, 4, 5))
            rows.append({
                "unit": unit, Col.NAME: people.fake.name(),
                Col.ID: people.id_number(min_age=min_age), Col.CATEGORY: category, Col.SIZE: size,
                Col.PHONE: people.phone(),
                Col.CARD: people.card() if category == DIBAO else "",
                Col.ADDRESS: people.address(unit, utype == UnitType.VILLAGE), Col.NOTE: "",
            })
    people.rng.shuffle(rows)
    return rows


# --- how units write their files ---------------------------------------------------------------

_HEADER_STYLES: dict[str, dict[str, str]] = {
    "plain": {},
    "synonyms": {Col.NAME: "姓名", Col.ID: "公民身份号码", Col.PHONE: "手机", Col.CARD: "银行账号",
                 Col.ADDRESS: "家庭住址", Col.SIZE: "家庭人口数"},
    "traditional": {Col.NAME: "戶主姓名", Col.ID: "身份證號碼", Col.CATEGORY: "類別",
                    Col.SIZE: "家庭人口", Col.PHONE: "聯繫電話", Col.CARD: "銀行卡號",
                    Col.ADDRESS: "地址", Col.NOTE: "備註"},
    "spaced": {Col.NAME: "户主\n姓名", Col.ID: "身份证号 ", Col.PHONE: "联系方式"},
}


def write_xlsx(path: Path, title: str, header: list[str], rows: list[list[Any]], *,
                total: bool, id_as_number_rows: Container[int] = frozenset()) -> list[int]:
    """Write a return like a unit would; returns the Excel row number of each data row."""
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "名单"
    ws.append([title])
    ws.append(["填报单位（盖章）：", "", "", "", "填报日期：2027年1月8日"])
    ws.append(header)
    excel_rows = []
    for i, row in enumerate(rows):
        ws.append(row)
        excel_rows.append(ws.max_row)
        if i in id_as_number_rows:
            # what Excel stores after turning the ID into a number: 15 significant digits
            ws.cell(row=ws.max_row, column=3).value = float(str(row[2])[:15] + "000")
    if total:
        ws.append(["合计", f"{len(rows)}户"])
    ws.append([])
    ws.append(["注：身份证号请以文本格式填写。"])
    atomic_write(path, wb.save)
    return excel_rows


def _write_csv_gbk(path: Path, header: list[str], rows: list[list[Any]]) -> list[int]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write_bytes(path, buf.getvalue().encode("gbk"))
    return list(range(2, len(rows) + 2))


def _write_from_template(campaign: Campaign, unit: str, path: Path, rows: list[dict[str, Any]],
                         id_as_number_rows: Container[int] = frozenset()) -> list[int]:
    """Fill the unit's blank template from outbox/ the way a unit does in Excel; the file is then
    renamed by the unit, so only the hidden code tells the unit. Returns the Excel rows."""
    from openpyxl import load_workbook
    wb = load_workbook(campaign.outbox / file_name(Unit(code="", name=unit)))
    ws = wb["名单"]
    header = next(r for r in range(1, 40) if ws.cell(row=r, column=1).value == RETURN_COLUMNS[0])
    excel_rows = []
    for i, h in enumerate(rows):
        r = header + 1 + i
        for c, column in enumerate(RETURN_COLUMNS, start=1):
            value = h.get(column, "")
            if value == "":
                continue
            if column == Col.ID and i in id_as_number_rows:
                value = float(str(value)[:15] + "000")
            ws.cell(row=r, column=c, value=value)
        excel_rows.append(r)
    atomic_write(path, wb.save)
    return excel_rows


def _stamp_saved(path: Path, when: dt.datetime) -> None:
    """Set the "last saved" time inside an .xlsx (what Excel records) and the file's mtime."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                              + rb"\g<2>", data)
            dst.writestr(item, data)
    shutil.move(tmp, path)
    os.utime(path, (when.timestamp(), when.timestamp()))


def make_demo(root: Path, *, seed: int = SEED, force: bool = False) -> DemoPlan:
    """Create the demo campaign at `root` (init + 单位 sheet + inbox files); returns the plan."""
    campaign = init(root, force=force)
    units = pd.DataFrame([{UnitCol.CODE: c, UnitCol.NAME: n, UnitCol.TYPE: t.value,
                           UnitCol.CONTACT: who, UnitCol.PHONE: f"0571-8{i:03d}{i:04d}"[:13],
                           UnitCol.EMAIL: f"mz{c[-3:]}@example.cn"}
                          for i, (c, n, t, who) in enumerate(UNITS + SILENT_UNITS, start=1)],
                         columns=list(UNIT_COLUMNS))
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.UNITS: units, **demo_sheets()})
    write_templates(campaign, workbook_io.read_settings(campaign.workbook),
                    now=dt.datetime(2027, 1, 2, 9, 0))
    for old in campaign.inbox.glob("*"):
        if old.is_file():
            old.unlink()
    return _write_inbox(campaign, seed)


def _write_inbox(campaign: Campaign, seed: int) -> DemoPlan:
    people = People(seed)
    households = _households(people)
    plan = DemoPlan(root=campaign.root, households=len(households))
    by_unit: dict[str, list[dict[str, Any]]] = {u[1]: [] for u in UNITS}
    for h in households:
        by_unit[h["unit"]].append(h)

    # duplicates across units: a household also reported by a neighbouring unit
    for a, b in (("东湖社区", "西湖社区"), ("青山村", "桃园村"), ("新华社区", "和平社区")):
        twin = dict(by_unit[a][3])
        twin["unit"] = b
        by_unit[b].insert(5, twin)
        twin["_plant"] = ("duplicate_unit", f"{a}已报")
    # …and one of them reported by 西湖社区 at another address: the row paid is 待核
    first_twin = by_unit["西湖社区"][5]
    first_twin[Col.ADDRESS] = "保俶路88号西湖社区9幢101室"
    by_unit["东湖社区"][3]["_plant"] = ("two_units_addresses", "西湖社区 lists it elsewhere")
    # duplicates across categories: 低保 households also listed as 残疾户 (按最高档次)
    dibao_rows = [(u, h) for u, hs in by_unit.items() for h in hs if h[Col.CATEGORY] == DIBAO]
    three = next((u, h) for u, h in dibao_rows if h[Col.SIZE] >= 3)
    one = next((u, h) for u, h in dibao_rows if h[Col.SIZE] == 1)
    for unit, h in (three, one):
        twin = dict(h, **{Col.CATEGORY: "残疾户", Col.CARD: ""})
        twin["_plant"] = ("duplicate_category", f"低保{h[Col.SIZE]}人户")
        by_unit[unit].append(twin)
    # single-row mistakes, each in a different unit
    def plant(unit: str, kind: str, change: dict[str, Any], detail: str = "") -> None:
        target = by_unit[unit][7]
        target.update(change)
        target["_plant"] = (kind, detail)
    plant("南苑社区", "id_lost_digits", {"_id_as_number": True}, "ID typed as a number")
    bad = by_unit["北苑社区"][9][Col.ID]
    plant("北苑社区", "id_checksum",
          {Col.ID: bad[:-1] + ("0" if bad[-1] != "0" else "1")}, "wrong check digit")
    plant("河口村", "missing_phone", {Col.PHONE: ""})
    by_unit["李家村"][11][Col.PHONE] = ""
    by_unit["李家村"][11]["_plant"] = ("missing_phone", "")
    young = people.id_number(min_age=60, max_age=66)
    plant("王庄村", "age_condition", {Col.CATEGORY: "70岁以上特困独居老人", Col.ID: young,
                                      Col.SIZE: 1}, "age below 70")
    plant("和平社区", "unknown_category", {Col.CATEGORY: "困难户"}, "not in 标准")
    # one bank card on two 低保 households of two units (money-safety: both 待核)
    listed = [h[Col.ID] for hs in by_unit.values() for h in hs]
    free = [(u, h) for u, h in dibao_rows if "_plant" not in h and listed.count(h[Col.ID]) == 1]
    holder = free[0]
    other = next((u, h) for u, h in free if u != holder[0])
    for _unit, h in (holder, other):
        h[Col.CARD] = holder[1][Col.CARD]
        h["_plant"] = ("shared_card", f"card of {holder[0]}")
    # harmless messiness that must NOT be flagged: lowercase x, full-width digits, spaces
    for h in by_unit["东湖社区"][:40]:
        if h[Col.ID].endswith("X"):
            h[Col.ID] = h[Col.ID][:-1] + "x"
    for h in by_unit["西湖社区"][10:14]:
        h[Col.PHONE] = h[Col.PHONE].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for h in by_unit["桃园村"][20:24]:
        h[Col.ID] = h[Col.ID][:6] + " " + h[Col.ID][6:14] + " " + h[Col.ID][14:]

    styles = ["plain", "synonyms", "traditional", "spaced"]
    for index, (_code, unit, _utype, _contact) in enumerate(UNITS):
        rows_h = by_unit[unit]
        style = styles[index % len(styles)]
        names = _HEADER_STYLES[style]
        header = ["序号"] + [names.get(c, c) for c in RETURN_COLUMNS]
        body = [[i + 1] + [h.get(c, "") for c in RETURN_COLUMNS] for i, h in enumerate(rows_h)]
        number_rows = {i for i, h in enumerate(rows_h) if h.get("_id_as_number")}
        title = f"2027年春节走访慰问对象名单（{unit}）"
        if unit == "石桥村":
            fname = f"{unit}慰问名单.csv"
            excel_rows = _write_csv_gbk(campaign.inbox / fname, header, body)
        elif unit == "青山村":
            fname = "名单最终版.xlsx"          # renamed: only the title says which unit
            excel_rows = write_xlsx(campaign.inbox / fname, title, header, body, total=True)
        elif style == "plain":      # filled in the template from `weiwen templates`, renamed
            fname = f"{unit}慰问名单.xlsx"
            excel_rows = _write_from_template(campaign, unit, campaign.inbox / fname, rows_h,
                                              number_rows)
        else:
            fname = f"{unit}慰问名单.xlsx"
            excel_rows = write_xlsx(campaign.inbox / fname, title, header, body,
                                     total=index % 2 == 0, id_as_number_rows=number_rows)
        if unit == "新华社区":   # first version sent early, corrected copy two days later
            old = f"{unit}慰问名单（初稿）.xlsx"
            write_xlsx(campaign.inbox / old, title, header, body[:-10], total=False)
            _stamp_saved(campaign.inbox / old, dt.datetime(2027, 1, 6, 9, 0))
            _stamp_saved(campaign.inbox / fname, dt.datetime(2027, 1, 8, 16, 0))
            plan.planted.append(Planted("superseded_file", unit, old, None, f"replaced by {fname}"))
            plan.files.append(old)
        plan.files.append(fname)
        for h, excel_row in zip(rows_h, excel_rows):
            if "_plant" in h:
                kind, detail = h["_plant"]
                plan.planted.append(Planted(kind, unit, fname, excel_row, detail))
    for _code, unit, _type, _contact in SILENT_UNITS:
        plan.planted.append(Planted("not_returned", unit, "", None, "no file in inbox"))
    return plan
