"""One orchestration for every adapter: each operation is one function over a Book.

An operation (registry.OPERATIONS: templates, merge, check, amounts, signoff, signatures, visits,
summary, audit, run, and the Excel-only guide / open_folder) reads what it needs from a Book
(books/: the file on disk, the open workbook through xlwings, or sheets in memory), runs the pure
stages (intake → checks → amounts → outputs / visits), writes its results back through the same
Book and returns a Report whose one-line `outcome` every adapter shows. The command line (cli.py),
the ribbon buttons (excel.py) and the page only choose the Book and present the Report.
"""
from __future__ import annotations

from .ops_outputs import visits_table
from .ops_roster import empty_inbox_note, make_report
from .problem_sheet import problem_frame, stages_of
from .registry import OPERATIONS, OUTPUT_STEPS, Operation, on_disk, perform
from .report import Options, Progress, Report, box_message, no_progress

__all__ = ["OPERATIONS", "OUTPUT_STEPS", "Operation", "Options", "Progress", "Report", "box_message",
           "empty_inbox_note", "make_report", "no_progress", "on_disk", "perform",
           "problem_frame", "stages_of", "visits_table"]
