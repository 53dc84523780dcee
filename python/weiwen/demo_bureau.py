"""The bureau's campaign as a demo (`weiwen demo --bureau`): a city bureau's 春节 visits to its
struggling employees — units are its 科室, 事业单位 and 企业, every household gets a flat 1,000
(按户), retired employees by bank card through the 离退休干部科, eight leader-led groups visit.

Same shape as demo.py: a campaign folder with its settings written the way a clerk fills them,
the returns in inbox/ as units send them (the bureau's own headers: 职工姓名, 困难类别, 工资卡号),
a few planted mistakes listed in the plan (one unit never returns; one salary card on two
employees)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from . import workbook_io
from .campaign import init
from .defaults import PARAM_SPECS
from .demo import DemoPlan, People, Planted, write_xlsx
from .names import (OWN_UNIT, PARAM_COLUMNS, PARAM_OFFICE, PLAN_COLUMNS, STANDARD_COLUMNS, UNIT_COLUMNS, Col,
                    Method, Param, ParamCol, Payment, PlanCol, Sheet, StdCol, UnitCol, UnitType,
                    VisitSheet)

SEED = 2028
BUREAU = "市住房和城乡建设局"
OFFICE = "机关工会"                   # who runs the campaign (参数 经办部门)
TITLE = "2027年春节困难职工走访慰问"
START = dt.date(2027, 1, 18)

#: (code, name, type): the bureau's 科室, 事业单位 and 企业
UNITS: tuple[tuple[str, str, UnitType], ...] = (
    ("JS01", "办公室", UnitType.SECTION), ("JS02", "人事科", UnitType.SECTION),
    ("JS03", "财务科", UnitType.SECTION), ("JS04", "规划科", UnitType.SECTION),
    ("JS05", "建设管理科", UnitType.SECTION), ("JS06", "法规科", UnitType.SECTION),
    ("SY01", "信息中心", UnitType.INSTITUTION), ("SY02", "档案馆", UnitType.INSTITUTION),
    ("SY03", "质量监督站", UnitType.INSTITUTION), ("SY04", "市政设施管理处", UnitType.INSTITUTION),
    ("QY01", "城建集团", UnitType.ENTERPRISE), ("QY02", "水务公司", UnitType.ENTERPRISE),
    ("QY03", "公交公司", UnitType.ENTERPRISE), ("QY04", "燃气公司", UnitType.ENTERPRISE),
    ("QY05", "市政工程公司", UnitType.ENTERPRISE), ("QY06", "园林绿化公司", UnitType.ENTERPRISE),
)
SILENT = "园林绿化公司"            # never sends its list back
RETIRED = "退休困难职工"
#: the bureau's plan: flat 1,000 per household; (category, priority, payment, department, aliases)
CATEGORIES: tuple[tuple[str, int, Payment, str, str], ...] = (
    ("困难职工", 1, Payment.CASH, OWN_UNIT, "在职困难职工、困难职工家庭、生活困难职工"),
    ("因病致困职工", 2, Payment.CASH, OWN_UNIT, "大病职工、重病职工、因病困难职工"),
    (RETIRED, 3, Payment.CARD, "离退休干部科", "离退休困难职工、困难退休职工、退休职工"),
)
#: the eight leader-led groups: (leader, staff, contact points)
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("王志刚（局长）", "李倩（办公室）", ("办公室", "城建集团")),
    ("陈红（党组书记）", "周洋（人事科）", ("人事科", "水务公司")),
    ("赵建华（副局长）", "孙婷（财务科）", ("财务科", "公交公司")),
    ("刘卫东（副局长）", "吴浩（规划科）", ("规划科", "燃气公司")),
    ("杨晓梅（纪检组长）", "郑凯（法规科）", ("法规科", "市政工程公司")),
    ("黄振宇（总工程师）", "冯丽（建设管理科）", ("建设管理科", "质量监督站")),
    ("马俊（工会主席）", "何静（工会）", ("信息中心", "档案馆")),
    ("朱立平（副局长）", "许敏（离退休干部科）", ("市政设施管理处",)),
)
GROUP_NAMES = ("第一组", "第二组", "第三组", "第四组", "第五组", "第六组", "第七组", "第八组")
HEADER = ["序号", "职工姓名", "身份证号码", "困难类别", "家庭人口", "联系电话", "工资卡号", "家庭住址", "备注"]
_ROUTES = ("解放路", "建设路", "人民路", "和平路", "中山路")


def _settings_frames() -> dict[str, pd.DataFrame]:
    overrides = {Param.TITLE: TITLE, Param.START: START, Param.END: dt.date(2027, 2, 3),
                 Param.RETURN_DEADLINE: dt.date(2027, 1, 12),
                 Param.SIGNOFF_DEADLINE: dt.date(2027, 2, 8), Param.BUDGET: 200_000,
                 PARAM_OFFICE: OFFICE}
    params = pd.DataFrame([{ParamCol.KEY: s.key, ParamCol.VALUE: overrides.get(s.key, s.default),
                            ParamCol.HELP: s.help} for s in PARAM_SPECS], columns=list(PARAM_COLUMNS))
    units = pd.DataFrame([{UnitCol.CODE: c, UnitCol.NAME: n, UnitCol.TYPE: t.value,
                           UnitCol.CONTACT: "", UnitCol.PHONE: f"0571-8709{i:04d}",
                           UnitCol.EMAIL: f"{c.lower()}@example.cn"}
                          for i, (c, n, t) in enumerate(UNITS, start=1)], columns=list(UNIT_COLUMNS))
    standards = pd.DataFrame([{StdCol.CATEGORY: c, StdCol.GROUP: "困难职工",
                               StdCol.METHOD: Method.PER_HOUSEHOLD.value, StdCol.AMOUNT: 1000,
                               StdCol.PRIORITY: p, StdCol.PAYMENT: pay.value, StdCol.ALIASES: a,
                               StdCol.DEPARTMENT: d}
                              for c, p, pay, d, a in CATEGORIES], columns=list(STANDARD_COLUMNS))
    plan = pd.DataFrame([{PlanCol.GROUP: g, PlanCol.LEADER: leader, PlanCol.STAFF: staff,
                          PlanCol.POINTS: "、".join(points),
                          PlanCol.DATE: START + dt.timedelta(days=2 + i)}
                         for i, (g, (leader, staff, points)) in enumerate(zip(GROUP_NAMES, GROUPS))],
                        columns=list(PLAN_COLUMNS))
    return {Sheet.PARAMS: params, Sheet.UNITS: units, Sheet.STANDARDS: standards,
            VisitSheet.PLAN: plan}


def _employees(people: People) -> dict[str, list[dict[str, Any]]]:
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for _code, unit, _type in UNITS:
        rows: list[dict[str, Any]] = []
        for _ in range(people.rng.randint(5, 12)):
            category = people.rng.choices([c[0] for c in CATEGORIES], weights=(6, 2, 2))[0]
            retired = category == RETIRED
            rows.append({
                Col.NAME: people.fake.name(),
                Col.ID: people.id_number(min_age=61 if retired else 25,
                                         max_age=85 if retired else 58),
                Col.CATEGORY: category, Col.SIZE: people.rng.choice((1, 2, 3, 3, 4, 5)),
                Col.PHONE: people.phone(), Col.CARD: people.card() if retired else "",
                Col.ADDRESS: f"{people.rng.choice(_ROUTES)}{people.rng.randint(1, 400)}号"
                             f"{people.rng.randint(1, 20)}幢{people.rng.randint(1, 6)}0{people.rng.randint(1, 4)}室",
            })
        by_unit[unit] = rows
    return by_unit


def make_bureau_demo(root: Path, *, seed: int = SEED, force: bool = False) -> DemoPlan:
    """Create the bureau's demo campaign at `root`; returns the plan with its planted mistakes."""
    campaign = init(root, force=force)
    workbook_io.write_frames(campaign.workbook, campaign.root, _settings_frames())
    for old in campaign.inbox.glob("*"):
        if old.is_file():
            old.unlink()
    people = People(seed)
    by_unit = _employees(people)
    plan = DemoPlan(root=campaign.root)
    # one salary card written on two retired employees of two units: both 待核
    retired = [(u, h) for u, rows in by_unit.items() for h in rows if h[Col.CATEGORY] == RETIRED]
    first = retired[0]
    second = next((u, h) for u, h in retired if u != first[0])
    second[1][Col.CARD] = first[1][Col.CARD]
    for _, h in (first, second):
        h["_plant"] = "shared_card"
    for _code, unit, _type in UNITS:
        if unit == SILENT:
            plan.planted.append(Planted("not_returned", unit, "", None, "no file in inbox"))
            continue
        rows = by_unit[unit]
        body = [[i, h[Col.NAME], h[Col.ID], h[Col.CATEGORY], h[Col.SIZE], h[Col.PHONE], h[Col.CARD],
                 h[Col.ADDRESS], ""] for i, h in enumerate(rows, start=1)]
        name = f"{unit}.xlsx"
        excel_rows = write_xlsx(campaign.inbox / name, f"{BUREAU}{TITLE}对象名单（{unit}）",
                                HEADER, body, total=True)
        plan.files.append(name)
        plan.households += len(rows)
        for h, excel_row in zip(rows, excel_rows):
            if "_plant" in h:
                plan.planted.append(Planted(h["_plant"], unit, name, excel_row, ""))
    return plan
