"""What benchmarks/district.py measures, apart from generating the district: clocks that count the
reader processes too, a whole command in a fresh process (its process tree's peak memory), the
two I/O floors on a run's own output cells, the incremental re-merge and the button latencies.

Timing is wall time (time.perf_counter) with the CPU time beside it (this process and every child
it waited for): on a shared machine the wall time moves with the load, the CPU time much less,
and CPU / wall says how many cores worked.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable

CACHE_DIRS = (".cache",)          # a campaign's caches: removed for every cold measurement


@dataclass
class Clock:
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:7.2f} s (cpu {self.cpu:6.2f} s)"


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable, *args: Any, **kwargs: Any) -> tuple[Clock, Any]:
    """(wall and CPU time, result) of fn(*args, **kwargs), reader processes included."""
    cpu, start = _cpu(), time.perf_counter()
    result = fn(*args, **kwargs)
    return Clock(time.perf_counter() - start, _cpu() - cpu), result


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def cold(root: Path) -> None:
    """Forget what earlier measurements left in the campaign's caches."""
    for name in CACHE_DIRS:
        shutil.rmtree(Path(root) / name, ignore_errors=True)


# --- a command in a fresh process ---------------------------------------------------------------

_FRESH = """
import resource, sys, time
from weiwen import pipeline
from weiwen.campaign import Campaign
campaign = Campaign.open(sys.argv[2])
t = time.perf_counter()
pipeline.on_disk(sys.argv[1], campaign)
print(time.perf_counter() - t)
"""


@dataclass
class Fresh:
    seconds: float            # the operation, imports excluded
    cpu: float                # CPU of the whole process tree (imports included)
    wall: float               # of the whole process (imports included)
    peak_mb: float            # highest resident memory of the process tree (sum), sampled


def fresh(tag: str, root: Path) -> Fresh:
    """`weiwen <tag>` on the campaign in a new Python process, with the peak memory of its
    whole tree (the reader processes included), sampled every 20 ms with psutil."""
    import psutil
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _FRESH, tag, str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            top = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total = 0
            try:
                for p in [top, *top.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak = max(peak, total)
            time.sleep(0.02)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    watcher.join()
    if proc.returncode:
        raise RuntimeError(f"weiwen {tag} failed:\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Fresh(float(out.split()[-1]), cpu, wall, peak / 2 ** 20)


# --- the I/O floors -----------------------------------------------------------------------------

Cells = list[tuple[str, list[tuple[str, list[list[Any]]]]]]     # file → sheets → rows


def output_cells(root: Path, workbook: Path, output: Path, result_sheets: tuple[str, ...]
                 ) -> tuple[Cells, int]:
    """The cell values the run wrote, per file and sheet (read back with calamine): every .xlsx
    under output/ and the workbook's result sheets; and how many non-blank cells that is."""
    from python_calamine import CalamineWorkbook
    files: Cells = []
    count = 0
    for path in [workbook, *sorted(output.rglob("*.xlsx"))]:
        book = CalamineWorkbook.from_path(str(path))
        names = [n for n in book.sheet_names if path != workbook or n in result_sheets]
        sheets = []
        for name in names:
            rows = book.get_sheet_by_name(name).to_python()
            count += sum(1 for row in rows for v in row if v != "")
            sheets.append((name, rows))
        files.append((path.relative_to(root).as_posix(), sheets))
    return files, count


def read_floor(inbox: Path) -> Clock:
    """Every inbox file read with python-calamine into Python values (a CSV with csv)."""
    from python_calamine import CalamineWorkbook

    def read() -> None:
        for path in sorted(inbox.iterdir()):
            if path.suffix == ".csv":
                list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))))
            else:
                book = CalamineWorkbook.from_path(str(path))
                for name in book.sheet_names:
                    book.get_sheet_by_name(name).to_python()
    return timed(read)[0]


def write_floor_openpyxl(files: Cells) -> Clock:
    """The same cells, files and sheets written with openpyxl's write-only mode (the old floor)."""
    from openpyxl import Workbook

    def write(folder: Path) -> None:
        for n, (_name, sheets) in enumerate(files):
            wb = Workbook(write_only=True)
            for title, rows in sheets:
                ws = wb.create_sheet(title)
                for row in rows:
                    ws.append([None if v == "" else v for v in row])
            wb.save(folder / f"{n}.xlsx")
    return _in_temp(write)


def write_floor_xlsxwriter(files: Cells) -> Clock:
    """The same cells, files and sheets written with XlsxWriter in constant_memory mode (the
    floor): strings as strings (never formulas), numbers, booleans and dates as such."""
    import xlsxwriter

    def write(folder: Path) -> None:
        for n, (_name, sheets) in enumerate(files):
            wb = xlsxwriter.Workbook(str(folder / f"{n}.xlsx"), {"constant_memory": True})
            date = wb.add_format({"num_format": "yyyy-mm-dd"})
            for title, rows in sheets:
                ws = wb.add_worksheet(title)
                for r, row in enumerate(rows):
                    for c, v in enumerate(row):
                        if v == "" or v is None:
                            continue
                        if isinstance(v, str):
                            ws.write_string(r, c, v)
                        elif isinstance(v, bool):
                            ws.write_boolean(r, c, v)
                        elif isinstance(v, (int, float)):
                            ws.write_number(r, c, v)
                        elif isinstance(v, (dt.date, dt.datetime)):
                            ws.write_datetime(r, c, v, date)
                        else:
                            ws.write_string(r, c, str(v))
            wb.close()
    return _in_temp(write)


def _in_temp(write: Callable[[Path], None]) -> Clock:
    with tempfile.TemporaryDirectory() as tmp:
        return timed(write, Path(tmp))[0]


# --- spreads ------------------------------------------------------------------------------------

def spread(values: list[float]) -> str:
    """median [min–max] of repeated measurements."""
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"

