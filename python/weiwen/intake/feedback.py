"""output/退回修改/<单位>.xlsx: each unit's rows to fix, ready to email back to that unit only.

One file per unit that has something to fix: the file and Excel row of its own return, the cell
to fix (column letter + row, as the unit sees it), the reason in plain words. Nothing from another
unit; ID numbers shown masked (first 6 and last 4) because the file travels by email.
Every cell is written as text: a value beginning with = + - @ is never a formula.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill

from .. import problems as P
from ..fileio import atomic_write, safe_file_stem
from ..masking import mask_id, mask_ids_in_text
from ..names import Col, ProblemCol, Severity
from ..settings import Settings
from ..printing import print_setup
from ..values import cn_date
from .merge import MergeReport

FEEDBACK_DIR = "退回修改"
COLUMNS = ("序号", "文件", "行号", "单元格", Col.NAME, Col.ID, ProblemCol.SEVERITY, "问题", "请这样修改")


def feedback_rows(problems: list[P.Problem], report: MergeReport) -> dict[str, pd.DataFrame]:
    """Unit → its rows to fix (only problems that point at a row of that unit's return)."""
    by_unit: dict[str, list[dict]] = {}
    for p in problems:
        if not p.unit or p.row is None or p.file not in report.columns:
            continue
        letter = report.columns[p.file].get(p.column, "") if p.column else ""
        by_unit.setdefault(p.unit, []).append({
            "文件": p.file, "行号": int(p.row), "单元格": f"{letter}{int(p.row)}" if letter else "",
            Col.NAME: p.name, Col.ID: mask_id(p.id),
            ProblemCol.SEVERITY: p.severity.value if isinstance(p.severity, Severity) else str(p.severity),
            "问题": p.kind, "请这样修改": mask_ids_in_text(p.message),
        })
    out = {}
    for unit, rows in by_unit.items():
        frame = pd.DataFrame(rows).sort_values(["文件", "行号"], kind="stable")
        frame.insert(0, "序号", range(1, len(frame) + 1))
        out[unit] = frame.reset_index(drop=True)
    return out


def _write(path: Path, unit: str, frame: pd.DataFrame, deadline: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = FEEDBACK_DIR
    ws["A1"] = f"{unit}：交回的名单中有 {len(frame)} 处需要修改"
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = ("“行号”“单元格”是您交回的文件中的位置。请在原文件中改正后，把整个文件重新发回"
                + (f"（请于 {deadline} 前）" if deadline else "") + "。不需要改的行不用动。")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    ws.row_dimensions[2].height = 32
    fill = PatternFill("solid", fgColor="FCE4D6")
    for c, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=4, column=c, value=name)
        cell.font, cell.fill = Font(bold=True), fill
    for r, values in enumerate(frame[list(COLUMNS)].itertuples(index=False), start=5):
        for c, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cell = Cell(ws, row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"               # data, never a formula
            ws._cells[(r, c)] = cell
    for c, width in enumerate((6, 26, 7, 8, 10, 21, 7, 16, 70), start=1):
        ws.column_dimensions[chr(64 + c)].width = width
    for r in range(5, 5 + len(frame)):
        ws.cell(row=r, column=len(COLUMNS)).alignment = Alignment(wrap_text=True)
    ws.freeze_panes = "A5"
    print_setup(ws, title_rows="4:4")
    return atomic_write(path, wb.save)


def write_feedback(output_dir: Path, problems: list[P.Problem], report: MergeReport,
                   settings: Settings) -> list[Path]:
    """Write output/退回修改/<单位>.xlsx for every unit with rows to fix; remove stale ones."""
    folder = Path(output_dir) / FEEDBACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        try:
            old.unlink()
        except OSError:
            pass                                   # open in Excel: it is replaced below or kept
    deadline = settings.params.return_deadline
    deadline_text = cn_date(deadline)
    written = []
    for unit, frame in feedback_rows(problems, report).items():
        name = safe_file_stem(unit, "单位")
        written.append(_write(folder / f"{name}.xlsx", unit, frame, deadline_text))
    return written
