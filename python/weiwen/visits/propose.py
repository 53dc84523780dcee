"""Proposing the households each group visits: 有效 rows only, preferred categories first."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd

from ..names import TARGET_COLUMNS, Col, TargetCol
from ..settings import Settings
from .model import VisitGroup, min_per_point, preferred_categories, valid_rows


def _scored(valid: pd.DataFrame, roster: pd.DataFrame, preferred: list[str],
            seed: int) -> pd.DataFrame:
    """Every 有效 household with its sort keys, computed once: `_rank` (its best preferred
    category over all its 名册 rows), `_nophone`, `_h` (a stable seeded order: adding rows
    never reshuffles the rest)."""
    rank_of = {c: i for i, c in enumerate(preferred)}
    best = (roster[Col.CATEGORY].map(lambda c: rank_of.get(c, len(preferred)))
            .groupby(roster[Col.ID]).min())
    return valid.assign(
        _rank=valid[Col.ID].map(best).fillna(len(preferred)),
        _nophone=valid[Col.PHONE].fillna("").astype(str).eq(""),
        _h=[hashlib.sha1(f"{seed}|{i}".encode()).hexdigest() for i in valid[Col.ID]],
    ).sort_values(["_rank", "_nophone", "_h"], kind="stable")


def _in_turns(pool: pd.DataFrame, n_preferred: int) -> pd.DataFrame:
    """Preferred categories taken in turns (one 大重病患者, one 70岁以上…, then the next of each),
    then everybody else in the scored order."""
    turn = pool.groupby("_rank").cumcount()
    return pool.assign(_turn=turn, _other=pool["_rank"] >= n_preferred) \
        .sort_values(["_other", "_turn", "_rank"], kind="stable")


def propose(groups: Sequence[VisitGroup], targets: pd.DataFrame, roster: pd.DataFrame,
            settings: Settings) -> pd.DataFrame:
    """Rows to add to 走访对象 so every (group, contact point) has the minimum number of households.

    Only 有效 rows are picked, never a household already listed for any group; the clerk's rows are
    kept as they are. Returns the new rows only (TARGET_COLUMNS).
    """
    minimum, preferred = min_per_point(settings), preferred_categories(settings)
    valid = valid_rows(roster)
    used = set(targets[TargetCol.ID]) if len(targets) else set()
    counts = (targets.groupby([TargetCol.GROUP, TargetCol.UNIT]).size().to_dict()
              if len(targets) else {})
    scored = _scored(valid, roster, preferred, settings.params.seed) if len(valid) else valid
    new = []
    for group in groups:
        for point in group.points:
            need = minimum - counts.get((group.name, point), 0)
            if need <= 0 or not len(valid):
                continue
            pool = scored[(scored[Col.UNIT] == point) & ~scored[Col.ID].isin(used)]
            for _, row in _in_turns(pool, len(preferred)).head(need).iterrows():
                used.add(row[Col.ID])
                new.append({TargetCol.GROUP: group.name, TargetCol.UNIT: point,
                            TargetCol.NAME: row[Col.NAME], TargetCol.ID: row[Col.ID],
                            TargetCol.REPORTED: "", TargetCol.VISIT_DATE: None,
                            TargetCol.PHOTOS: ""})
    return pd.DataFrame(new, columns=list(TARGET_COLUMNS))

