"""The visits rules: each check is VisitData → problems, listed once in CHECKS."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import pandas as pd

from .. import problems as P
from ..names import Col, TargetCol, VisitSheet
from ..settings import Settings
from .model import (BAD_DATE, DATE_OUTSIDE, LISTED_TWICE, MISSING_VALUE, NO_PHOTO, NOT_IN_ROSTER,
                    NOT_REPORTED, NOT_VALID, PHOTO_MISSING_FILE, PHOTO_UNMATCHED, TOO_FEW, TWICE,
                    UNKNOWN_GROUP, WRONG_UNIT, VisitGroup, _where, is_reported, min_per_point, valid_rows)
from .photos import ROW, PhotoMatch

@dataclass
class VisitData:
    settings: Settings
    groups: list[VisitGroup]
    targets: pd.DataFrame           # with `_行`
    roster: pd.DataFrame
    photos: PhotoMatch

    @property
    def group_by_name(self) -> dict[str, VisitGroup]:
        return {g.name: g for g in self.groups}


def _target_problem(code: str, row: pd.Series[Any], **kw: Any) -> P.Problem:
    return P.make(code, unit=row[TargetCol.UNIT], file=_where(VisitSheet.TARGETS),
                  row=int(row[ROW]), name=row[TargetCol.NAME], id=row[TargetCol.ID],
                  group=row[TargetCol.GROUP], **kw)


def check_minimum(d: VisitData) -> list[P.Problem]:
    minimum = min_per_point(d.settings)
    counts = (d.targets.groupby([TargetCol.GROUP, TargetCol.UNIT]).size().to_dict()
              if len(d.targets) else {})
    return [P.make(TOO_FEW, unit=point, file=_where(VisitSheet.PLAN), row=g.row,
                   group=g.name, n=counts.get((g.name, point), 0), minimum=minimum)
            for g in d.groups for point in g.points if counts.get((g.name, point), 0) < minimum]


def check_twice(d: VisitData) -> list[P.Problem]:
    out, first = [], {}
    for _, row in d.targets[d.targets[TargetCol.ID] != ""].iterrows():
        if row[TargetCol.ID] not in first:
            first[row[TargetCol.ID]] = row
            continue
        seen = first[row[TargetCol.ID]]
        code = LISTED_TWICE if seen[TargetCol.GROUP] == row[TargetCol.GROUP] else TWICE
        out.append(_target_problem(code, row, other=seen[TargetCol.GROUP],
                                   first_row=int(seen[ROW])))
    return out


def check_known(d: VisitData) -> list[P.Problem]:
    """Every row names a group of 走访安排 and a household of 名册 that is paid (有效)."""
    out = []
    groups = d.group_by_name
    valid_ids = set(valid_rows(d.roster)[Col.ID]) if len(d.roster) else set()
    status = (d.roster.drop_duplicates(Col.ID).set_index(Col.ID)[Col.STATUS].to_dict()
              if len(d.roster) else {})
    for _, row in d.targets.iterrows():
        if row[TargetCol.GROUP] not in groups:
            out.append(_target_problem(UNKNOWN_GROUP, row, value=row[TargetCol.GROUP]))
        if not row[TargetCol.ID]:
            out.append(P.make(MISSING_VALUE, file=_where(VisitSheet.TARGETS),
                              row=int(row[ROW]), column=TargetCol.ID, name=row[TargetCol.NAME],
                              sheet=VisitSheet.TARGETS))
        elif row[TargetCol.ID] not in status:
            out.append(_target_problem(NOT_IN_ROSTER, row))
        elif row[TargetCol.ID] not in valid_ids:
            out.append(_target_problem(NOT_VALID, row, status=status[row[TargetCol.ID]]))
    return out


def check_unit(d: VisitData) -> list[P.Problem]:
    groups, out = d.group_by_name, []
    for _, row in d.targets.iterrows():
        g = groups.get(row[TargetCol.GROUP])
        if g and g.points and row[TargetCol.UNIT] not in g.points:
            out.append(_target_problem(WRONG_UNIT, row, points="、".join(g.points)))
    return out


def check_reported(d: VisitData) -> list[P.Problem]:
    return [_target_problem(NOT_REPORTED, row)
            for _, row in d.targets.iterrows()
            if row[TargetCol.ID] and not is_reported(row[TargetCol.REPORTED])]


def check_visit_dates(d: VisitData) -> list[P.Problem]:
    start, end, out = d.settings.params.start, d.settings.params.end, []
    for _, row in d.targets.iterrows():
        value = row[TargetCol.VISIT_DATE]
        where = dict(column=TargetCol.VISIT_DATE)
        if isinstance(value, str) and value:
            out.append(_target_problem(BAD_DATE, row, sheet=VisitSheet.TARGETS,
                                       value=value, **where))
        elif isinstance(value, dt.date) and ((start and value < start) or (end and value > end)):
            out.append(_target_problem(DATE_OUTSIDE, row, date=value.isoformat(),
                                       start=start, end=end, **where))
    return out


def check_photos(d: VisitData) -> list[P.Problem]:
    out = []
    for _, row in d.targets.iterrows():
        visited = isinstance(row[TargetCol.VISIT_DATE], dt.date)
        if visited and not d.photos.by_row.get(int(row[ROW])):
            out.append(_target_problem(NO_PHOTO, row, date=row[TargetCol.VISIT_DATE]))
        for name in d.photos.missing.get(int(row[ROW]), ()):
            out.append(_target_problem(PHOTO_MISSING_FILE, row, value=name))
    for name, reason in d.photos.unmatched.items():
        out.append(P.make(PHOTO_UNMATCHED, file=name, value=name, reason=reason))
    return out


CHECKS: tuple[Callable[[VisitData], list[P.Problem]], ...] = (
    check_minimum, check_twice, check_known, check_unit, check_reported, check_visit_dates,
    check_photos,
)

