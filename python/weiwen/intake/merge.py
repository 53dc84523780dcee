"""Raw returned files → one roster DataFrame with provenance; every data row accounted for.

Pure: takes RawFile objects (readers.py) and Settings, returns the roster (名册 columns plus
working columns), the problems and a MergeReport. Invariant, checked here and in the tests:
rows read = roster rows + rows rejected into 问题.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import problems as P
from ..names import ROSTER_COLUMNS, Col, Internal, Severity, Status
from ..settings import Settings, Unit
from ..values import is_blank, to_text
from . import normalize as N
from .headers import find_header
from .readers import RawFile

P.register("intake.no_header", "找不到表头", Severity.ERROR, "intake",
           "“{file}”中找不到名单表头（如 户主姓名、身份证号、类别）。请让该单位使用下发的模板填写后重新发送。")
P.register("intake.unknown_unit", "无法识别单位", Severity.ERROR, "intake",
           "无法确定“{file}”是哪个社区/村交回的（{rows} 行未合并）。请把文件名改为单位名称（与“单位”表一致）后重新合并。")
P.register("intake.superseded", "旧版本已被替换", Severity.WARNING, "intake",
           "“{file}”是{unit}较早交回的版本（{rows} 行），已由较新的“{newer}”替换，未合并。")
P.register("intake.rejected_row", "无法使用的行", Severity.ERROR, "intake",
           "第{row}行没有户主姓名和身份证号，无法合并：{content}。请补填后重新交回。")

TOTAL_WORDS = ("合计", "总计", "小计", "共计")
NOTE_PREFIXES = ("注", "说明", "填表说明", "填报说明", "备注：", "制表", "审核", "填表人", "负责人")
META_CODE = "单位编码"
META_TIME = "生成时间"


@dataclass
class MergeReport:
    files_read: int = 0
    rows_read: int = 0
    roster_rows: int = 0
    rejected_rows: int = 0
    rows_per_unit: dict[str, int] = field(default_factory=dict)
    superseded: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)


def _title_text(rows: list[list[Any]], header_index: int) -> str:
    return " ".join(to_text(v) for row in rows[:header_index] for v in row if not is_blank(v))


def recognise_unit(raw: RawFile, settings: Settings, title: str,
                   unit_column: list[str]) -> Unit | None:
    """Embedded code first, then the unit name in the title cells, the file name, a 单位 column."""
    code = raw.meta.get(META_CODE, "")
    if code and settings.unit_by_code(code):
        return settings.unit_by_code(code)
    units = sorted(settings.units, key=lambda u: -len(u.name))   # longest name first
    simple_title = N.text(title)
    for unit in units:
        if unit.name and unit.name in simple_title:
            return unit
    stem = N.text(raw.relname)
    for unit in units:
        if unit.name and unit.name in stem:
            return unit
    named = {N.text(v) for v in unit_column if v}
    for unit in units:
        if unit.name in named:
            return unit
    return None


def _is_total_or_note(values: list[Any]) -> bool:
    texts = [to_text(v) for v in values if not is_blank(v)]
    if not texts:
        return True
    first = texts[0].replace(" ", "")
    if any(first.startswith(w) for w in TOTAL_WORDS):
        return True
    return len(texts) == 1 and any(first.startswith(p) for p in NOTE_PREFIXES)


def _rows_of(raw: RawFile) -> tuple[list[tuple[str, int, dict[str, Any]]], str, bool]:
    """(sheet, excel row, {canonical: raw value}) for every data row; title text; header found."""
    out, titles, found = [], [], False
    for sheet in raw.sheets:
        if sheet.hidden:
            continue
        located = find_header(sheet.rows)
        if located is None:
            continue
        found = True
        header_index, mapping = located
        titles.append(_title_text(sheet.rows, header_index))
        for i, row in enumerate(sheet.rows[header_index + 1:], start=header_index + 2):
            values = [row[c] if c < len(row) else None for c in mapping]
            if _is_total_or_note(values):
                continue
            out.append((sheet.name, i, {name: row[c] if c < len(row) else None
                                        for c, name in mapping.items()}))
    return out, " ".join(titles), found


def _roster_row(unit: Unit, raw: RawFile, excel_row: int, cells: dict[str, Any]) -> dict[str, Any]:
    id_text, from_number = N.id_number(cells.get(Col.ID))
    row = {
        Col.UNIT: unit.name,
        Col.NAME: N.name(cells.get(Col.NAME)),
        Col.ID: id_text,
        Col.CATEGORY: N.category(cells.get(Col.CATEGORY)),
        Col.SIZE: N.size(cells.get(Col.SIZE)),
        Col.PHONE: N.phone(cells.get(Col.PHONE)),
        Col.CARD: N.digits(cells.get(Col.CARD)),
        Col.ADDRESS: N.text(cells.get(Col.ADDRESS)),
        Col.NOTE: N.text(cells.get(Col.NOTE)),
        Col.SRC_FILE: raw.relname,
        Col.SRC_ROW: excel_row,
        Internal.UNIT_CODE: unit.code,
        Internal.ID_FROM_NUMBER: from_number,
    }
    return row


def _newest_key(raw: RawFile):
    return (raw.meta.get(META_TIME, ""), raw.modified)


def roster_key(frame: pd.DataFrame) -> pd.Series:
    """Stable key of a roster row: unit + 身份证号 + 类别 (name instead when the ID is empty)."""
    who = frame[Col.ID].where(frame[Col.ID].astype(str) != "", "名:" + frame[Col.NAME].astype(str))
    return frame[Col.UNIT].astype(str) + "|" + who.astype(str) + "|" + frame[Col.CATEGORY].astype(str)


def merge_files(files: list[RawFile], settings: Settings, *,
                previous: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[P.Problem], MergeReport]:
    report = MergeReport(files_read=len(files))
    problems: list[P.Problem] = []
    by_unit: dict[str, list[tuple[RawFile, list]]] = {}
    for raw in files:
        rows, title, found = _rows_of(raw)
        if not found:
            problems.append(P.make("intake.no_header", file=raw.relname))
            continue
        unit_col = [to_text(c.get(Col.UNIT)) for _, _, c in rows]
        unit = recognise_unit(raw, settings, title, unit_col)
        if unit is None:
            report.rows_read += len(rows)
            report.rejected_rows += len(rows)
            report.unrecognised.append(raw.relname)
            problems.append(P.make("intake.unknown_unit", file=raw.relname, rows=len(rows)))
            continue
        by_unit.setdefault(unit.code, []).append((raw, rows, unit))
    records: list[dict[str, Any]] = []
    for code, entries in by_unit.items():
        entries.sort(key=lambda e: _newest_key(e[0]))
        raw, rows, unit = entries[-1]
        for old, old_rows, _ in entries[:-1]:
            report.superseded.append(old.relname)
            problems.append(P.make("intake.superseded", unit=unit.name, file=old.relname,
                                   rows=len(old_rows), newer=raw.relname))
        report.rows_read += len(rows)
        for _, excel_row, cells in rows:
            record = _roster_row(unit, raw, excel_row, cells)
            if not record[Col.NAME] and not record[Col.ID]:
                content = "、".join(to_text(v) for v in cells.values() if not is_blank(v))[:60]
                problems.append(P.make("intake.rejected_row", unit=unit.name, file=raw.relname,
                                       row=excel_row, content=content or "（空）"))
                report.rejected_rows += 1
                continue
            records.append(record)
        report.rows_per_unit[unit.name] = report.rows_per_unit.get(unit.name, 0) + len(rows)
    roster = pd.DataFrame.from_records(records, columns=[*ROSTER_COLUMNS, Internal.UNIT_CODE,
                                                         Internal.ID_FROM_NUMBER])
    unit_order = {u.name: i for i, u in enumerate(settings.units)}
    if len(roster):
        roster = roster.sort_values([Col.UNIT, Col.SRC_FILE, Col.SRC_ROW],
                                    key=lambda s: s.map(unit_order) if s.name == Col.UNIT else s,
                                    kind="stable").reset_index(drop=True)
    roster[Col.SEQ] = range(1, len(roster) + 1)
    roster[Col.STATUS] = Status.VALID.value
    roster[Col.ISSUES] = ""
    roster[Internal.KEY] = roster_key(roster) if len(roster) else pd.Series(dtype=str)
    if previous is not None and len(previous) and len(roster):
        notes = previous.assign(_k=roster_key(previous)).dropna(subset=[Col.NOTE])
        notes = notes[notes[Col.NOTE].astype(str) != ""].drop_duplicates("_k").set_index("_k")[Col.NOTE]
        kept = roster[Internal.KEY].map(notes)
        roster[Col.NOTE] = kept.where(kept.notna(), roster[Col.NOTE])
    report.roster_rows = len(roster)
    assert report.rows_read == report.roster_rows + report.rejected_rows, "row conservation"
    return roster, problems, report

