"""The call-back sample: output/抽查名单.xlsx, and the follow-up list once it comes back filled.

Per unit, ceil(抽查比例 × paid households) households are drawn with `random.Random("<种子>:<单位>")`
from the unit's paid households in a fixed order (by 身份证号, then 户主姓名), so the same seed and
the same roster always give the same sample, whatever order the roster rows are in.

The clerk (or the discipline office) fills 回访方式 / 回访结果 / 回访人 / 回访日期 in the same file.
Once any of those cells holds something, the file is never overwritten: the command reads it and
writes output/回访未确认名单.xlsx, every sampled household not confirmed 已收到, per unit. It is
made from the sample, not from 名册 as it is now: it carries the check code of the 名册 the sample
was drawn from (as 输出清单.json noted it), so its printout goes with the 抽查名单 it follows up.
A new draw over a filled file needs `redraw=True` (the filled file is backed up first).
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineWorkbook

from ..fileio import atomic_write, backup
from ..intake.headers import header_row_with
from ..names import (AUDIT_COLUMNS, AUDIT_FILE, AUDIT_FILLED_COLUMNS, AUDIT_FOLLOWUP_FILE,
                     CALL_METHODS, AuditCol, CallResult, Col)
from ..settings import Settings
from ..values import as_typed, is_blank, to_date, to_text
from ..masking import mask_id
from . import layout as L
from . import xlsx as X
from .common import by_unit, ceil_ratio, paid_households
from .sheetkit import Column, TableSheet
from .state import RosterState, record, recorded, require_paid, roster_state

NOT_CALLED = "（未回访）"
#: 输出清单.json's step of the follow-up list
FOLLOWUP_STEP = "audit_followup"
#: a yyyy-mm-dd date, typed as text or entered as a date, shown whole (not ###, not over 备注)
#: in SimSun and in the wider digits of the fonts LibreOffice and WPS fall back to
_DATE_WIDTH = L.fit_width(["2027-02-08"])
#: fixed widths of the columns filled by hand and of the wrapped address; 回访结果 holds any
#: choice of its list, and “（未回访）” in the follow-up list
_WIDTHS = {AuditCol.ADDRESS: 24, AuditCol.METHOD: 8,
           AuditCol.RESULT: L.fit_width([NOT_CALLED, *(c.value for c in CallResult)]),
           AuditCol.CALLER: 8, AuditCol.DATE: _DATE_WIDTH, AuditCol.NOTE: 12}
#: the check code as `RosterState.line` prints it above the table
_PRINTED_CODE = re.compile(r"名册校验码 ([0-9A-F]{8})")
#: the formats a filled 抽查名单 comes back in: the .xlsx Weiwen wrote, or the same list saved by
#: the clerk's office in its own format — LibreOffice's “keep the current format?” question
#: offers .ods first, and an older office saves .xls beside the blank .xlsx
FILLED_SUFFIXES = (".xlsx", ".ods", ".xls")


@dataclass
class AuditResult:
    mode: str                                   # "drawn" | "followup"
    path: Path
    seed: int = 0
    ratio: float = 0.0
    per_unit: dict[str, tuple[int, int]] = field(default_factory=dict)  # unit → (paid, drawn)
    followup: dict[str, int] = field(default_factory=dict)               # unit → not confirmed
    followup_path: Path | None = None
    sample: pd.DataFrame | None = None


def draw_sample(roster: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """The sample as 抽查名单 rows (ID masked, phone in full: the caller needs it)."""
    paid = paid_households(roster)
    seed, ratio = settings.params.seed, settings.params.audit_ratio
    rows: list[dict[str, Any]] = []
    per_unit: dict[str, tuple[int, int]] = {}
    for unit, households in by_unit(paid, settings):
        households = households.copy()
        households["_k1"] = households[Col.ID].map(to_text)
        households["_k2"] = households[Col.NAME].map(to_text)
        households["_k3"] = pd.to_numeric(households[Col.SEQ], errors="coerce")
        households = households.sort_values(["_k1", "_k2", "_k3"], kind="stable")
        n = ceil_ratio(ratio, len(households))
        picked = sorted(random.Random(f"{seed}:{unit}").sample(range(len(households)), n))
        chosen = households.iloc[picked].sort_values("_k3", kind="stable")
        per_unit[unit] = (len(households), n)
        for row in chosen.to_dict("records"):
            rows.append({
                AuditCol.UNIT: unit, AuditCol.NAME: to_text(row[Col.NAME]),
                AuditCol.ID: mask_id(row[Col.ID]), AuditCol.CATEGORY: to_text(row[Col.CATEGORY]),
                AuditCol.AMOUNT: float(row[Col.AMOUNT]), AuditCol.PAYMENT: to_text(row[Col.PAYMENT]),
                AuditCol.PHONE: to_text(row[Col.PHONE]), AuditCol.ADDRESS: to_text(row[Col.ADDRESS]),
            })
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame[AuditCol.SEQ] = range(1, len(frame) + 1)
    return frame, per_unit


#: 回访日期's blank cells carry the date format themselves (the column's style does not reach a
#: cell that has its own border): a date typed in shows as yyyy-mm-dd, the width it is given
_KINDS = {AuditCol.SEQ: "int", AuditCol.ID: "id", AuditCol.AMOUNT: "money", AuditCol.PHONE: "id",
          AuditCol.ADDRESS: "wrap", AuditCol.METHOD: "hand", AuditCol.RESULT: "hand",
          AuditCol.CALLER: "hand", AuditCol.DATE: "date", AuditCol.NOTE: "hand"}


def _sheet(book: X.Book, title: str, heading: str, info: str, frame: pd.DataFrame, *,
           dropdowns: bool, footer: str = "") -> X.Sheet:
    columns = list(frame.columns)
    specs = [Column(name, _KINDS.get(name, "text"), width=_WIDTHS.get(name), maximum=24)
             for name in columns]
    table = TableSheet(None, specs, heading, [info], page=L.Page(landscape=True), row_height=24,
                       footer_left=footer)
    for values in frame.itertuples(index=False, name=None):
        table.row([v if not is_blank(v) else None for v in values])
    sheet = table.sheet(book, title)
    if dropdowns and len(frame):
        end = 3 + len(frame)
        for name, choices in ((AuditCol.RESULT, [c.value for c in CallResult]),
                              (AuditCol.METHOD, list(CALL_METHODS))):
            column = columns.index(name) + 1
            sheet.validations.append((4, column, end, column, {
                "validate": "list", "source": list(choices), "ignore_blank": True,
                "show_input": False, "show_error": name == AuditCol.RESULT,
                "error_title": "无效的值", "error_message": f"请从下拉列表中选择“{name}”。"}))
        # a date typed into 回访日期 shows as one
        sheet.column_styles[columns.index(AuditCol.DATE) + 1] = book.style(
            {"num_format": "yyyy-mm-dd"})
    return sheet


def _counts_sheet(book: X.Book, title: str, heading: str, header: tuple[str, ...],
                  rows: list[tuple], footer: str = "") -> X.Sheet:
    """A count per unit, one row each, and a 合计 row adding up every column."""
    specs = [Column(name, "int" if i else "text") for i, name in enumerate(header)]
    table = TableSheet(None, specs, heading, [], page=L.Page(landscape=False), footer_left=footer)
    for row in rows:
        table.row(list(row))
    totals = [sum(row[i] for row in rows) for i in range(1, len(header))]
    table.row(["合计", *totals], kind="total")
    return table.sheet(book, title)


def write_sample(path: Path, frame: pd.DataFrame, per_unit: dict[str, tuple[int, int]],
                 settings: Settings, today: dt.date, state=None) -> None:
    footer = state.footer() if state is not None else ""
    title = (settings.params.title + "慰问金发放回访抽查名单").replace("慰问慰问金", "慰问金")
    info = (f"随机种子：{settings.params.seed}　抽查比例：{settings.params.audit_ratio:.0%}　"
            f"抽取日期：{today.isoformat()}　（种子和名册不变，重新抽取的名单相同）"
            f"　回访结果请从下拉列表选择：{'、'.join(c.value for c in CallResult)}"
            + (f"　{state.line()}" if state is not None else ""))
    book = X.Book()
    sheets = [_sheet(book, "抽查名单", title, info, frame, dropdowns=True, footer=footer),
              _counts_sheet(book, "各单位抽查数", title.replace("回访抽查名单", "各单位抽查户数"),
                            ("单位", "发放户数", "抽查户数"),
                            [(u, p, n) for u, (p, n) in per_unit.items()], footer)]
    atomic_write(path, lambda tmp: X.write(tmp, book, sheets))


def filled_file(output_dir: Path) -> Path:
    """The 抽查名单 to read back: the one saved last of 抽查名单.xlsx and the same list saved as
    .ods or .xls (the .xlsx Weiwen writes, when there is none yet)."""
    stem = Path(AUDIT_FILE).stem
    found = [p for p in (output_dir / (stem + s) for s in FILLED_SUFFIXES) if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime, default=output_dir / AUDIT_FILE)


def _as_filled(column: str, value: Any) -> Any:
    """A cell of the filled list as the person left it: a date stays a date (回访日期 typed as
    text like 2027.2.8 becomes one), 序号 and 金额 stay numbers, and text is kept as typed —
    the discipline office's 备注 with its full-width punctuation, not folded to a key."""
    if is_blank(value):
        return None
    if column == AuditCol.DATE:
        return to_date(value) or as_typed(value)
    if column in (AuditCol.SEQ, AuditCol.AMOUNT) and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else value
    return as_typed(value)


def read_filled(path: Path) -> tuple[pd.DataFrame, str]:
    """The 抽查名单 sheet of a (filled) audit file (the header row is the one with 回访结果),
    and the 名册校验码 printed above it ("" when none); cells as `_as_filled` keeps them."""
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    header_at = header_row_with(rows, (AuditCol.RESULT,), look=20)
    if header_at is None:
        return pd.DataFrame(columns=list(AUDIT_COLUMNS)), ""
    printed = (_PRINTED_CODE.search(to_text(row[0])) if row else None
               for row in rows[:header_at])
    code = next((m.group(1) for m in printed if m), "")
    header = [to_text(v) for v in rows[header_at]]
    data = []
    for row in rows[header_at + 1:]:
        record = {name: (row[header.index(name)] if name in header and header.index(name) < len(row)
                         else None) for name in AUDIT_COLUMNS}
        if is_blank(record[AuditCol.NAME]) and is_blank(record[AuditCol.UNIT]):
            continue
        data.append({k: _as_filled(k, v) for k, v in record.items()})
    return pd.DataFrame(data, columns=list(AUDIT_COLUMNS)), code


def has_entries(filled: pd.DataFrame) -> bool:
    return bool(len(filled)) and bool(
        filled[list(AUDIT_FILLED_COLUMNS)].map(lambda v: not is_blank(v)).to_numpy().any())


def write_followup(path: Path, filled: pd.DataFrame, settings: Settings, today: dt.date,
                   state: RosterState | None = None, source: str = AUDIT_FILE) -> dict[str, int]:
    """Households not confirmed 已收到 (including not yet called), per unit, read from the file
    named `source`; with the `state` the sample was drawn from, its check code on the sheet and
    in every page's footer."""
    footer = state.footer() if state is not None else ""
    open_ = filled[filled[AuditCol.RESULT].map(to_text) != CallResult.RECEIVED.value].copy()
    open_[AuditCol.RESULT] = [to_text(v) or NOT_CALLED for v in open_[AuditCol.RESULT]]
    open_[AuditCol.UNIT] = open_[AuditCol.UNIT].map(to_text)
    units = list(dict.fromkeys(open_[AuditCol.UNIT]))
    open_ = pd.concat([open_[open_[AuditCol.UNIT] == u] for u in units]) if units else open_
    counts = {u: int((open_[AuditCol.UNIT] == u).sum()) for u in units}
    title = (settings.params.title + "回访未确认名单").replace("慰问慰问金", "慰问金")
    info = (f"{today.isoformat()} 据 {source} 整理：回访结果不是“{CallResult.RECEIVED}”的户"
            f"（含未回访的），共 {len(open_)} 户，请逐户核实。"
            + (f"　{state.line()}" if state is not None else ""))
    book = X.Book()
    sheets = [_sheet(book, "未确认", title, info, open_, dropdowns=False, footer=footer)]
    by_result = [(u, *[int(((open_[AuditCol.UNIT] == u) & (open_[AuditCol.RESULT] == r)).sum())
                       for r in (CallResult.NOT_RECEIVED, CallResult.WRONG_AMOUNT,
                                 CallResult.UNREACHABLE, NOT_CALLED)], counts[u]) for u in units]
    sheets.append(_counts_sheet(book, "各单位未确认数", title.replace("名单", "户数"),
                                ("单位", CallResult.NOT_RECEIVED, CallResult.WRONG_AMOUNT,
                                 CallResult.UNREACHABLE, NOT_CALLED, "合计"), by_result, footer))
    atomic_write(path, lambda tmp: X.write(tmp, book, sheets))
    return counts


def _sample_state(output_dir: Path, printed: str, roster: pd.DataFrame) -> RosterState:
    """The 名册 state the filled sample was drawn from, dated now: as 输出清单.json noted it at
    the draw. When the manifest has no note, or one of another code than the file prints (a
    sample drawn elsewhere was saved over it), 名册 as it is now (as 重新发放名单 does)."""
    drawn = recorded(output_dir, "audit")
    if drawn is not None and printed in ("", drawn.code):
        return drawn
    return roster_state(roster)


def run_audit(roster: pd.DataFrame, settings: Settings, output_dir: Path, *,
              redraw: bool = False, backup_root: Path | None = None,
              today: dt.date | None = None) -> AuditResult:
    """Draw and write the sample, or — when the file came back filled — write the follow-up list."""
    today = today or dt.date.today()
    path = Path(output_dir) / AUDIT_FILE
    filled_at = filled_file(Path(output_dir))
    if filled_at.is_file():
        filled, printed = read_filled(filled_at)
        if has_entries(filled):
            if not redraw:
                followup = Path(output_dir) / AUDIT_FOLLOWUP_FILE
                state = _sample_state(Path(output_dir), printed, roster)
                counts = write_followup(followup, filled, settings, today, state,
                                        source=filled_at.name)
                record(Path(output_dir), FOLLOWUP_STEP, [followup], state)
                return AuditResult("followup", filled_at, settings.params.seed,
                                   settings.params.audit_ratio, followup=counts,
                                   followup_path=followup, sample=filled)
            if backup_root is not None:
                backup(filled_at, backup_root)
                if filled_at != path:
                    # the new draw replaces the list: the filled .ods / .xls, kept in .backup,
                    # would otherwise stand beside the new list as if it were its answers
                    filled_at.unlink(missing_ok=True)
    require_paid(roster, "抽查名单")
    frame, per_unit = draw_sample(roster, settings)
    state = roster_state(roster)
    write_sample(path, frame, per_unit, settings, today, state)
    record(Path(output_dir), "audit", [path], state)
    return AuditResult("drawn", path, settings.params.seed, settings.params.audit_ratio,
                       per_unit=per_unit, sample=frame)
