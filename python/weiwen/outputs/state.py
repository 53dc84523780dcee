"""Outputs always agree with the workbook: the roster state they were made from, the refusal to
make them from a roster that cannot give a meaningful one, and a manifest of what is current.

- `roster_state(roster)`: households paid, total, and a short check code of 名册 (the columns
  that change a printed output). Every printed output carries it (a line and the page footer),
  so a clerk holding two printouts can tell which one is current.
- `require_paid(roster, what)`: raises NotReady with one Chinese line naming the step to run
  first (合并回收表 / 计算金额 / 处理错误) when no household would be paid; nothing is written.
- `record(output_dir, step, files, state)`: output/输出清单.json lists each step's current files
  and the state they were made from (with `made_from`, the code of each file a step kept from an
  earlier state: 退回修改); `recorded(output_dir, step)` reads one back.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from ..errors import NotReady
from ..fileio import atomic_write_bytes
from ..names import Col, Status

MANIFEST = "输出清单.json"
#: the 名册 columns an output depends on
_STATE_COLUMNS = (Col.UNIT, Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD,
                  Col.ADDRESS, Col.AMOUNT, Col.PAYMENT, Col.STATUS)


@dataclass(frozen=True)
class RosterState:
    rows: int
    households: int
    total: float
    code: str
    made: str                     # when the output was made, "2027-01-20 10:32"

    def line(self) -> str:
        """'据名册生成：名册校验码 3F9A2C1B（本表生成于 2027-01-20 10:32）' — the same code on every
        output made from the same 名册; a different code means a different roster. The time is
        the file's, said so: two printouts of one 名册 made a minute apart must not read as made
        from two rosters."""
        return f"据名册生成：名册校验码 {self.code}（本表生成于 {self.made}）"

    def footer(self) -> str:
        return f"名册校验码 {self.code}　生成于 {self.made}"


def _paid_mask(roster: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    amounts = pd.to_numeric(roster.get(Col.AMOUNT), errors="coerce")
    return (roster.get(Col.STATUS) == Status.VALID) & (amounts.fillna(0) > 0), amounts


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """pd.util.hash_pandas_object(frame, index=False), to the bit (a check code printed on
    outputs must not change), in half the time on 100,000 rows: pandas hashes every column by
    its distinct values, costly for 身份证号 or 地址, where nearly every value is distinct. Such
    a column of text only hashes to the same numbers cell by cell (a text's hash is its own);
    a blank's, or a number's (3, 3.0 and True are one value to pandas), differs between the two
    ways, so any other column is hashed pandas' way.
    The columns are combined as pandas does (CPython's tuple hash)."""
    n = len(frame.columns)
    out = np.full(len(frame), 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    for i, (_, column) in enumerate(frame.items()):
        # what pandas hashes: the column's ExtensionArray, or its numpy array
        values = column.array if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) \
            else column.to_numpy()
        sample = column.iloc[:2000]
        by_value = bool(column.isna().any()) or infer_dtype(column, skipna=False) != "string" \
            or sample.nunique() < len(sample) // 10
        out ^= pd.util.hash_array(values, categorize=by_value)
        out *= mult
        mult += np.uint64(82520 + 2 * (n - i))
    return out + np.uint64(97531)


def roster_state(roster: pd.DataFrame, *, now: dt.datetime | None = None) -> RosterState:
    now = now or dt.datetime.now()
    frame = roster.reindex(columns=list(_STATE_COLUMNS)).astype(str)
    digest = hashlib.sha256(row_hashes(frame).tobytes()).hexdigest()
    if not len(roster):
        return RosterState(0, 0, 0.0, digest[:8].upper(), f"{now:%Y-%m-%d %H:%M}")
    paid, amounts = _paid_mask(roster)
    return RosterState(len(roster), int(paid.sum()), float(amounts[paid].sum()),
                       digest[:8].upper(), f"{now:%Y-%m-%d %H:%M}")


def require_paid(roster: pd.DataFrame, what: str) -> None:
    """Refuse (NotReady) when `what` could only be empty or zero: name the step to run first."""
    if not len(roster):
        raise NotReady(f"名册是空的，没有生成{what}：先合并回收表（按钮“合并回收表”，命令 weiwen merge）。")
    paid, amounts = _paid_mask(roster)
    if paid.any():
        return
    valid = roster.get(Col.STATUS) == Status.VALID
    if valid.any() and amounts[valid].isna().all():
        raise NotReady(f"名册里还没有金额，没有生成{what}（原有文件未改动）：先计算金额"
                       f"（按钮“计算金额”，命令 weiwen amounts）。")
    raise NotReady(f"名册里没有可发放的户（状态“有效”且金额大于 0），没有生成{what}：先处理“问题”表里的"
                   f"错误并重新检查，再计算金额（weiwen check、weiwen amounts）。")


def record(output_dir: Path, step: str, files: Iterable[Path], state: RosterState, *,
           made_from: Mapping[str, str] | None = None) -> Path:
    """Note in output/输出清单.json which files `step` made now, from which roster state;
    `made_from`: each file's code, for a step that keeps files made from an earlier state."""
    path = Path(output_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    names = sorted(Path(f).relative_to(output_dir).as_posix() if Path(f).is_relative_to(output_dir)
                   else str(f) for f in files)
    manifest[step] = {"files": names, **asdict(state)}
    if made_from is not None:
        manifest[step]["made_from"] = dict(sorted(made_from.items()))
    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    return atomic_write_bytes(path, data)


def read_manifest(output_dir: Path) -> dict:
    try:
        return json.loads((Path(output_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def recorded(output_dir: Path, step: str, *, now: dt.datetime | None = None) -> RosterState | None:
    """The roster state 输出清单.json notes for `step`, dated now: for an output made later from
    that step's file and not from 名册 (回访未确认名单 from the filled 抽查名单). None when the
    manifest has no usable entry for it."""
    entry = read_manifest(output_dir).get(step)
    now = now or dt.datetime.now()
    try:
        return RosterState(int(entry["rows"]), int(entry["households"]), float(entry["total"]),
                           str(entry["code"]), f"{now:%Y-%m-%d %H:%M}")
    except (TypeError, KeyError, ValueError):
        return None
