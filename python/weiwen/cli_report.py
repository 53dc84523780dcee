"""What a command prints when it has run (the command line's view of a pipeline Report)."""
from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import problems as P
from .money import to_daxie
from .names import ProblemCol, Sheet
from .pipeline import Report


def _amount(value: float) -> str:
    return f"{value:,.2f} 元（{to_daxie(value)}）"


def print_report(report: Report, console: Console) -> None:
    """The report as the clerk reads it: the outcome, the facts, the problem kinds, the rows per
    unit, the notes and the files made."""
    if report.outcome:
        console.print(report.outcome)
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for label, value in report.facts:
        table.add_row(label, value)
    if report.merge is not None and report.merge.superseded:
        table.add_row("被新版本替换的文件", "、".join(report.merge.superseded))
    if report.command not in ("merge", "run", "check"):   # there the sheet is this command's
        table.add_row("本次发现问题", f"{len(report.problems)} 条（错误 {P.count_errors(report.problems)} 条）")
    table.add_row("问题表", f"{report.workbook_problems} 条（错误 {report.workbook_errors} 条）")
    if report.households_paid or report.command in ("run", "amounts", "demo"):
        table.add_row("发放户数", f"{report.households_paid} 户")
        table.add_row("发放金额", _amount(report.total_amount))
    console.print(table)
    if report.workbook_kinds:
        kinds = Table(title=Sheet.PROBLEM_KINDS, title_justify="left", show_lines=False)
        kinds.add_column(ProblemCol.KIND)
        kinds.add_column("条数", justify="right")
        for kind, n in report.workbook_kinds.items():
            kinds.add_row(kind, str(n))
        console.print(kinds)
    if report.merge is not None and report.merge.rows_per_unit:
        units = Table(title="各单位行数", title_justify="left")
        units.add_column("单位")
        units.add_column("行数", justify="right")
        for unit, n in report.merge.rows_per_unit.items():
            units.add_row(unit, str(n))
        for unit, status in report.extra.get("unit_returns", {}).items():
            if unit not in report.merge.rows_per_unit:
                units.add_row(unit, status if status != "已交回" else "0（空表）")
        console.print(units)
    for note in report.notes:
        console.print(note)
    for line in _output_lines(report.outputs):
        console.print(line)


def _output_lines(outputs: list[str]) -> list[str]:
    """One line per file, but one line per folder when a folder holds many (13 signature sheets)."""
    folders: dict[Path, list[Path]] = {}
    for out in map(Path, outputs):
        folders.setdefault(out.parent, []).append(out)
    lines = []
    for folder, files in folders.items():
        if len(files) > 3:
            lines.append(f"已生成：{folder}{os.sep}（{len(files)} 个文件：{files[0].name} 等）")
        else:
            lines += [f"已生成：{f}" for f in files]
    return lines
