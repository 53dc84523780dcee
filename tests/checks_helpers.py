"""Small rosters and the office's settings for the checks/amounts unit tests."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from stdnum.cn import ric

from weiwen.defaults import DEFAULT_STANDARDS, PARAM_SPECS
from weiwen.names import (PARAM_COLUMNS, ROSTER_COLUMNS, STANDARD_COLUMNS, UNIT_COLUMNS, Col,
                          Internal, Sheet, Status)
from weiwen.settings import Settings, load_settings


def make_id(birth: str = "19500101", region: str = "330106", seq: str = "123") -> str:
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")


def office_settings(standards: list[dict] | None = None, **params: Any) -> Settings:
    std_rows = [list(STANDARD_COLUMNS)] + [[r.get(c) for c in STANDARD_COLUMNS]
                                           for r in (standards or DEFAULT_STANDARDS)]
    values = {s.key: s.default for s in PARAM_SPECS} | params
    param_rows = [list(PARAM_COLUMNS)] + [[k, v, ""] for k, v in values.items()]
    unit_rows = [list(UNIT_COLUMNS), ["001", "东湖社区"], ["002", "西湖社区"]]
    return load_settings({Sheet.PARAMS: param_rows, Sheet.UNITS: unit_rows,
                          Sheet.STANDARDS: std_rows})


def roster(*rows: dict[str, Any]) -> pd.DataFrame:
    """A merged roster: unspecified fields get plausible values; 来源行 = 4, 5, 6 …"""
    records = []
    first: dict[str, int] = {}           # the same ID is the same person: same name and address
    for i, row in enumerate(rows):
        the_id = row.get(Col.ID, make_id(seq=f"{i:03d}"))
        k = first.setdefault(the_id, i)
        base = {Col.SEQ: i + 1, Col.UNIT: "东湖社区", Col.NAME: f"张{k}",
                Col.ID: the_id, Col.CATEGORY: "残疾户", Col.SIZE: 2,
                Col.PHONE: f"1381234{i:04d}", Col.CARD: "", Col.ADDRESS: f"文一路{k + 1}号",
                Col.STATUS: Status.VALID.value, Col.ISSUES: "", Col.NOTE: "",
                Col.SRC_FILE: "东湖社区.xlsx", Col.SRC_ROW: 4 + i,
                Internal.ID_FROM_NUMBER: False}
        base.update(row)
        records.append(base)
    return pd.DataFrame(records, columns=[*ROSTER_COLUMNS, Internal.ID_FROM_NUMBER,
                                          *[k for k in (records[0] if records else {})
                                            if k not in ROSTER_COLUMNS
                                            and k != Internal.ID_FROM_NUMBER]])


def found(problems) -> list[tuple]:
    return [(p.row, p.code) for p in problems]


START = dt.date(2027, 1, 20)
