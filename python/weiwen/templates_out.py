"""weiwen templates: one blank return per unit in outbox/, made from the layout in templates/.

Which layout: CAMPAIGN/templates/回收模板.xlsx when the clerk put a restyled copy there, else the
shipped templates/回收模板.xlsx, else the built-in one (intake/layout.py). Each unit's file gets the
campaign and unit filled into the {placeholders}, the 类别 drop-down from 标准, and the unit's code
in the very hidden `_weiwen` sheet, so the returned file is recognised whatever it is renamed to.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from . import problems as P
from . import shipped
from .campaign import Campaign
from .fileio import atomic_write, safe_file_stem
from .intake.layout import CATEGORY_LIST_COLUMN, DATA_SHEET, LAYOUT_NAME, build_layout
from .intake.readers import META_CAMPAIGN, META_CODE, META_NAME, META_SHEET, META_TIME
from .names import Param, UnitCol
from .settings import Settings, Unit
from .values import cn_date

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass
class TemplatesResult:
    files: list[Path] = field(default_factory=list)
    layout: Path | None = None
    problems: list[P.Problem] = field(default_factory=list)


def layout_path(campaign: Campaign) -> Path:
    """The layout to use (see the module docstring); builds the built-in one if none exists."""
    for candidate in (campaign.root / "templates" / LAYOUT_NAME,
                      shipped.path(f"templates/{LAYOUT_NAME}")):
        if candidate.is_file():
            return candidate
    built = Path(tempfile.gettempdir()) / f"weiwen-{LAYOUT_NAME}"
    return build_layout(built)


def file_name(unit: Unit) -> str:
    """东湖社区.xlsx — the unit's name, made safe for Windows file names."""
    return f"{safe_file_stem(unit.name, unit.code)}.xlsx"


def _values(settings: Settings, unit: Unit) -> dict[str, str]:
    deadline = settings.params.return_deadline
    return {
        Param.TITLE: settings.params.title or "",
        UnitCol.NAME: unit.name, UnitCol.CODE: unit.code,
        Param.RETURN_DEADLINE: cn_date(deadline),
        UnitCol.CONTACT: unit.contact, UnitCol.PHONE: unit.phone,
    }


def _fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def write_template(layout: Path, target: Path, settings: Settings, unit: Unit,
                   *, now: dt.datetime | None = None) -> Path:
    """One unit's blank return from `layout`."""
    wb = load_workbook(layout)
    values = _values(settings, unit)
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "{" in cell.value:
                    cell.value = _fill(cell.value, values)
    meta = wb[META_SHEET] if META_SHEET in wb.sheetnames else wb.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    stamp = (now or dt.datetime.now()).replace(microsecond=0).isoformat(sep=" ")
    wanted = {META_CODE: unit.code, META_NAME: unit.name, META_CAMPAIGN: values[Param.TITLE],
              META_TIME: stamp}
    rows = {str(meta.cell(row=r, column=1).value): r for r in range(1, meta.max_row + 1)}
    for key, value in wanted.items():
        r = rows.get(key) or meta.max_row + 1
        meta.cell(row=r, column=1, value=key)
        meta.cell(row=r, column=2, value=value)
    col = CATEGORY_LIST_COLUMN
    for r in range(2, meta.max_row + 2):
        meta[f"{col}{r}"] = None
    categories = settings.categories or [""]
    for r, category in enumerate(categories, start=2):
        meta[f"{col}{r}"] = category
    data = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else wb.worksheets[0]
    for validation in data.data_validations.dataValidation:
        if validation.formula1 and META_SHEET in validation.formula1:
            validation.formula1 = (f"'{META_SHEET}'!${col}$2:${col}${len(categories) + 1}")
    atomic_write(target, wb.save)
    return target


def write_templates(campaign: Campaign, settings: Settings, *,
                    now: dt.datetime | None = None) -> TemplatesResult:
    """outbox/<单位>.xlsx for every unit of the 单位 sheet; older files there are replaced.
    `now` is the 生成时间 recorded in each file (the demo fixes it to stay reproducible)."""
    layout = layout_path(campaign)
    result = TemplatesResult(layout=layout)
    now = now or dt.datetime.now()
    campaign.outbox.mkdir(exist_ok=True)
    for unit in settings.units:
        target = campaign.outbox / file_name(unit)
        result.files.append(write_template(layout, target, settings, unit, now=now))
    return result

