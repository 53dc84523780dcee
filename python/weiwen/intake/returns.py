"""Which units of 单位 sent their list back (已交回 / 未交回 / 逾期), for the merge report, 问题,
the summary and every other place that shows the returns. Pure: settings, the units that sent a
file, a date → one status per unit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from collections.abc import Iterable, Mapping

from .. import problems as P
from ..names import Severity
from ..settings import Settings
from ..values import cn_date
from .units import UnitIndex, recognise

#: a file that arrived but gave no table to merge: its unit still sent its list back
UNUSABLE_FILE_CODES = ("intake.no_header", "intake.file_failed", "intake.unreadable")

RETURNED, NOT_RETURNED, OVERDUE = "已交回", "未交回", "逾期"

NOT_RETURNED_CODE = P.register(
    "intake.not_returned", "未交回", Severity.WARNING, "intake",
    "{unit}没有交回名单{when}。请联系{contact}催交；确实没有慰问对象的，请让该单位交回空表说明。")


@dataclass(frozen=True)
class UnitReturn:
    unit: str
    status: str          # RETURNED / NOT_RETURNED / OVERDUE
    rows: int = 0        # rows of the unit in 名册
    contact: str = ""


def unit_returns(settings: Settings, sent: Iterable[str], rows: Mapping[str, int] | None = None,
                 *, today: dt.date | None = None) -> list[UnitReturn]:
    """Every unit of 单位 in order: 已交回 when it sent a file (even an empty one), else 未交回,
    or 逾期 once 回收截止日期 has passed."""
    sent = set(sent)
    rows = rows or {}
    deadline = settings.params.return_deadline
    late = deadline is not None and (today or dt.date.today()) > deadline
    out = []
    for unit in settings.units:
        if unit.name in sent or rows.get(unit.name):
            status = RETURNED
        else:
            status = OVERDUE if late else NOT_RETURNED
        contact = " ".join(str(v) for v in (unit.contact, unit.phone) if v)
        out.append(UnitReturn(unit.name, status, int(rows.get(unit.name, 0)), contact))
    return out


def claim_unusable_files(problems: list[P.Problem], settings: Settings
                         ) -> tuple[list[P.Problem], set[str]]:
    """A file that could not be used (unreadable, no header) still came from a unit: its file
    name says which. That unit has sent its list back (it must resend a usable one, which the
    file's own error line says) and is named on that line, instead of being chased as 未交回."""
    index = UnitIndex(settings)
    out, units = [], set()
    for p in problems:
        unit = (recognise(index, {}, "", p.file)
                if p.code in UNUSABLE_FILE_CODES and p.file and not p.unit else None)
        if unit is not None:
            units.add(unit.name)
            p = dataclasses.replace(p, unit=unit.name)
        out.append(p)
    return out, units


def missing(returns: Iterable[UnitReturn]) -> list[UnitReturn]:
    return [r for r in returns if r.status != RETURNED]


def not_returned_problems(returns: Iterable[UnitReturn], settings: Settings) -> list[P.Problem]:
    """One 问题 line per unit that has not sent its list, 逾期 said after 回收截止日期."""
    deadline = settings.params.return_deadline
    out = []
    for r in missing(returns):
        if r.status == OVERDUE:
            when = f"，已过回收截止日期（{cn_date(deadline)}），逾期"
        elif deadline is not None:
            when = f"（回收截止日期 {cn_date(deadline)}）"
        else:
            when = ""
        out.append(P.make(NOT_RETURNED_CODE, unit=r.unit, when=when,
                          contact=r.contact or "该单位联系人"))
    return out


def returns_line(returns: list[UnitReturn]) -> str:
    """应交 12 个单位，已交回 11 个；未交回：柳营社区（逾期）。"""
    late = missing(returns)
    text = f"应交 {len(returns)} 个单位，已交回 {len(returns) - len(late)} 个"
    if late:
        text += "；未交回：" + "、".join(r.unit + ("（逾期）" if r.status == OVERDUE else "")
                                    for r in late)
    return text + "。"
