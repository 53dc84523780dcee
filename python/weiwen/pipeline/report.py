"""What an operation gives back: a Report with a one-line Chinese outcome every adapter shows,
the facts that fit the command, this command's problems and the 问题 sheet's real counts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

import pandas as pd

from .. import problems as P
from ..intake.merge import MergeReport
from ..names import ProblemCol, Severity

Progress = Callable[[str], None]


def layout_said(layout: Path | None, campaign_root: Path) -> str:
    """Which layout an output was made from, in the clerk's words: the campaign's own restyled
    copy (templates/…), or the one that comes with Weiwen — never a path inside the install."""
    root = Path(campaign_root).resolve()
    if layout is not None and Path(layout).resolve().is_relative_to(root):
        return f"活动文件夹的 {Path(layout).resolve().relative_to(root).as_posix()}"
    return "Weiwen 自带的版式"


def no_progress(_: str) -> None:
    pass


@dataclass(frozen=True)
class Options:
    """Every option an operation may take; each operation reads the ones it declares."""
    pdf: bool = False                 # signoff: PDFs through LibreOffice too
    redraw: bool = False              # audit: draw again although the list came back filled
    propose: bool | None = None       # visits: True tops up; None only when 走访对象 is empty
    today: dt.date | None = None      # signatures, outputs: the date the run is for (tests)


@dataclass
class Report:
    """What a command did; printed by the CLI, shown in Excel, dumped by --json.

    `problems` are the ones this command found; `workbook_*` count the 问题 sheet as the command
    left it (all stages), which is what the clerk sees in the workbook."""
    command: str
    outcome: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    files_read: int = 0
    rows_read: int = 0
    roster_rows: int = 0
    rejected_rows: int = 0
    members_folded: int = 0           # family-member rows folded into their household's row
    problems: list[P.Problem] = field(default_factory=list)
    workbook_problems: int = 0
    workbook_errors: int = 0
    workbook_kinds: dict[str, int] = field(default_factory=dict)
    households_paid: int = 0
    total_amount: float = 0.0
    outputs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    merge: MergeReport | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    activate: str | None = None       # the sheet to show afterwards (Excel)
    reveal: Path | None = None        # a folder to show in Explorer / Finder (Excel)

    def problems_by_kind(self) -> dict[str, int]:
        return P.count_by_kind(self.problems)

    def counts_text(self) -> str:
        """问题表共 N 条（其中错误 E 条）。"""
        text = f"问题表共 {self.workbook_problems} 条"
        return text + (f"（其中错误 {self.workbook_errors} 条）" if self.workbook_errors else "") + "。"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "command": self.command, "outcome": self.outcome, "files_read": self.files_read,
            "rows_read": self.rows_read, "roster_rows": self.roster_rows,
            "rejected_rows": self.rejected_rows, "members_folded": self.members_folded,
            "problems": len(self.problems), "problems_by_kind": self.problems_by_kind(),
            "errors": P.count_errors(self.problems),
            "workbook_problems": self.workbook_problems, "workbook_errors": self.workbook_errors,
            "workbook_problems_by_kind": self.workbook_kinds,
            "households_paid": self.households_paid, "total_amount": self.total_amount,
            "outputs": self.outputs, "notes": self.notes,
        }
        if self.merge is not None:
            out["rows_per_unit"] = self.merge.rows_per_unit
            out["superseded_files"] = self.merge.superseded
            out["superseded_rows"] = self.merge.superseded_rows
        out.update(self.extra)
        return out

    def count_sheet(self, frame: pd.DataFrame) -> None:
        """Take the 问题 sheet's counts from its rows (as written or as read)."""
        severity = frame[ProblemCol.SEVERITY].astype(str) if len(frame) else pd.Series(dtype=str)
        self.workbook_problems = int(len(frame))
        self.workbook_errors = int((severity == Severity.ERROR.value).sum())
        kinds: dict[str, int] = {}
        if len(frame):
            kinds = {str(k): int(n) for k, n in frame[ProblemCol.KIND].astype(str).value_counts().items()}
        self.workbook_kinds = dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))


def box_message(report: Report, *, notes_shown: int = 5) -> str:
    """What a ribbon button's message box says, in Excel and in WPS: the outcome, the 问题
    sheet's counts, a few notes and files ("" when the button only shows something)."""
    if not report.outcome:
        return ""
    lines = [report.outcome]
    if report.command not in ("open_folder", "templates"):
        lines.append(report.counts_text())
    lines += report.notes[:notes_shown]
    lines += [f"已生成：{o}" for o in report.outputs[:3]]
    if len(report.outputs) > 3:
        lines.append(f"……共 {len(report.outputs)} 个文件，在 output 文件夹。")
    return "\n".join(lines)
