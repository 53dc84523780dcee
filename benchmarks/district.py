"""Benchmark: a whole district (200 units × 500 households = 100,000 rows) through `weiwen run`.

    python benchmarks/district.py                 # 50k, 100k and 200k rows (several minutes)
    python benchmarks/district.py --rows 10000    # one size only
    python benchmarks/district.py --units 50 --rows 20000 --sizes 1

Generates, with a fixed seed, realistic returned files (the demo's messiness: title rows, header
variants, Traditional headers, GBK CSV, a 合计 row; about 3 % duplicates across units and
categories), then measures in one run: each step of `weiwen run`, the whole run in a fresh process
(its peak resident memory too), the I/O floor on the same files (reading every inbox file with
python-calamine into Python values + writing the same number of output cells with a write-only
workbook), the ratio whole-run / I/O floor, the ratio time(200k)/time(100k), and the number of
xlwings actions each button makes on the roster (through the remote engine the tests use).
Prints a table and exits 0. Not a test: these machines are noisy, so figures are read by a person.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import xlsxwriter

from weiwen import pipeline, workbook_io
from weiwen.books import FileBook
from weiwen.campaign import Campaign, init
from weiwen.demo import PLAN_COUNTS, _People
from weiwen.names import RETURN_COLUMNS, UNIT_COLUMNS, Sheet, UnitCol

SEED = 20270101
HEADER_VARIANTS = (
    {},
    {"户主姓名": "姓名", "身份证号": "公民身份号码", "联系电话": "手机", "地址": "家庭住址"},
    {"户主姓名": "戶主姓名", "身份证号": "身份證號碼", "类别": "類別", "联系电话": "聯繫電話"},
)


def _categories(rng: random.Random, n: int) -> list[str]:
    names, weights = zip(*PLAN_COUNTS.items())
    return rng.choices(names, weights=weights, k=n)


def generate(root: Path, *, units: int, rows: int, seed: int = SEED) -> Campaign:
    """A campaign with `units` units and about `rows` returned rows in inbox/."""
    campaign = init(root, force=True)
    people = _People(seed)
    rng = people.rng
    unit_rows = [{UnitCol.CODE: f"3301{i:05d}", UnitCol.NAME: f"第{i}社区" if i % 3 else f"第{i}村",
                  UnitCol.TYPE: "社区" if i % 3 else "村"} for i in range(1, units + 1)]
    frame = pd.DataFrame(unit_rows).reindex(columns=list(UNIT_COLUMNS))
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.UNITS: frame})
    per_unit = max(1, rows // units)
    previous: list[list] = []
    for i, unit in enumerate(unit_rows):
        name = unit[UnitCol.NAME]
        body = []
        for category in _categories(rng, per_unit):
            size = rng.choice((1, 1, 2, 2, 3, 4))
            body.append([people.fake.name(), people.id_number(), category, size, people.phone(),
                         people.card() if category == "低保" else "",
                         people.address(name, name.endswith("村")), ""])
        # about 3 %: the same household reported again by the next unit or in a second category
        for _ in range(per_unit * 3 // 100):
            if previous and rng.random() < 0.5:
                body.append(list(rng.choice(previous)))
            else:
                twin = list(rng.choice(body))
                twin[2] = rng.choice(("残疾户", "大重病患者", "低收入困难家庭"))
                body.append(twin)
        previous = body[:50]
        variant = HEADER_VARIANTS[i % len(HEADER_VARIANTS)]
        header = ["序号"] + [variant.get(c, c) for c in RETURN_COLUMNS]
        data = [[n + 1] + r for n, r in enumerate(body)]
        if i % 10 == 9:
            buf = io.StringIO()
            csv.writer(buf).writerows([header, *data])
            (campaign.inbox / f"{name}名单.csv").write_bytes(buf.getvalue().encode("gbk", "replace"))
            continue
        book = xlsxwriter.Workbook(str(campaign.inbox / f"{name}慰问名单.xlsx"),
                                   {"constant_memory": True})
        ws = book.add_worksheet("名单")
        ws.write_row(0, 0, [f"2027年春节走访慰问对象名单（{name}）"])
        ws.write_row(2, 0, header)
        for r, row in enumerate(data, start=3):
            ws.write_row(r, 0, row)
        ws.write_row(len(data) + 3, 0, ["合计", f"{len(data)}户"])
        book.close()
    return campaign


# --- measurements ------------------------------------------------------------------------------

def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def step_times(campaign: Campaign) -> dict[str, float]:
    """Each step of `weiwen run`, in process, in the order run does them."""
    from weiwen.amounts import compute_amounts
    from weiwen.checks import run_checks
    from weiwen.intake.merge import merge_files
    from weiwen.intake.readers import read_inbox
    out: dict[str, float] = {}
    settings = workbook_io.read_settings(campaign.workbook)
    out["read inbox"], (files, _) = timed(read_inbox, campaign.inbox)
    out["merge"], (roster, _, _) = timed(merge_files, files, settings)
    out["checks"], (roster, _) = timed(run_checks, roster, settings)
    out["amounts"], (roster, _) = timed(compute_amounts, roster, settings)
    out["write workbook"], _ = timed(workbook_io.write_results, campaign.workbook, campaign.root,
                                     roster=roster)
    book = FileBook(campaign)
    for step in pipeline.OUTPUT_STEPS:
        out[step.__name__], _ = timed(step, book, pipeline.Options(), pipeline.no_progress)
    return out


def whole_run(campaign: Campaign) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `weiwen run` in a fresh process."""
    code = ("import resource, sys, time; from weiwen import pipeline; from weiwen.campaign import Campaign;"
            "t=time.perf_counter(); pipeline.on_disk('run', Campaign.open(sys.argv[1]));"
            "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, str(campaign.root)], capture_output=True,
                          text=True, check=True)
    seconds, rss_kb = done.stdout.split()[-2:]
    return float(seconds), int(rss_kb) / 1024


def output_cells(campaign: Campaign) -> int:
    """Cells the run wrote: every sheet of every .xlsx under output/ plus 名册 and 问题."""
    from python_calamine import CalamineWorkbook
    total = 0
    paths = [campaign.workbook, *campaign.output.rglob("*.xlsx")]
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names if path != campaign.workbook else [Sheet.ROSTER, Sheet.PROBLEMS]
        for name in names:
            total += sum(1 for row in book.get_sheet_by_name(name).to_python() for v in row if v != "")
    return total


def io_floor(campaign: Campaign, cells: int) -> tuple[float, float]:
    """(read seconds, write seconds): calamine over every inbox file; a write-only workbook of
    `cells` cells (17 per row, like 名册)."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook
    start = time.perf_counter()
    for path in sorted(campaign.inbox.iterdir()):
        if path.suffix == ".csv":
            list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))))
        else:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
    read = time.perf_counter() - start
    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    row = ["张三", "330106195001011234", 700, "东湖社区", "低保", 3, "13800000000", "", "文一路1号",
           700, "现金", "低保 3人户", "有效", "", "a.xlsx", 3, ""]
    for _ in range(cells // len(row)):
        ws.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        wb.save(Path(tmp) / "floor.xlsx")
    return read, time.perf_counter() - start


def xlwings_actions(campaign: Campaign) -> dict[str, int]:
    """Actions per button on this campaign's roster, through xlwings' remote engine."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    try:
        from xlwings_remote import press, remote_engine
    except ImportError:          # xlwings not installed
        return {}
    out = {}
    with remote_engine():
        for tag in ("merge", "check", "amounts"):
            _, _, actions = press(tag, campaign)
            out[tag] = len(actions)
    return out


def measure(rows: int, units: int, *, actions: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        campaign = generate(Path(tmp) / "district", units=units, rows=rows)
        generated = time.perf_counter() - start
        steps = step_times(campaign)
        seconds, rss = whole_run(campaign)
        cells = output_cells(campaign)
        read, write = io_floor(campaign, cells)
        roster_rows = len(workbook_io.read_roster(campaign.workbook))
        result = {"rows": rows, "units": units, "roster_rows": roster_rows, "generate_s": generated,
                  "steps": steps, "whole_s": seconds, "peak_mb": rss, "output_cells": cells,
                  "floor_read_s": read, "floor_write_s": write,
                  "ratio_to_floor": seconds / (read + write)}
        if actions:
            result["xlwings_actions"] = xlwings_actions(campaign)
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--sizes", type=int, default=3,
                        help="3: rows/2, rows and 2×rows (for the growth ratio); 1: rows only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    sizes = [args.rows] if args.sizes == 1 else [args.rows // 2, args.rows, args.rows * 2]
    results = [measure(n, args.units, actions=n == args.rows) for n in sizes]
    for r in results:
        print(f"\n== {r['rows']:,} rows in {r['units']} units "
              f"(roster {r['roster_rows']:,}; files generated in {r['generate_s']:.1f} s)")
        for step, seconds in r["steps"].items():
            print(f"  {step:<22} {seconds:8.2f} s")
        print(f"  {'whole run (fresh proc)':<22} {r['whole_s']:8.2f} s   peak RSS {r['peak_mb']:,.0f} MB")
        print(f"  {'I/O floor':<22} {r['floor_read_s'] + r['floor_write_s']:8.2f} s   "
              f"(read {r['floor_read_s']:.2f} s + write {r['output_cells']:,} cells "
              f"{r['floor_write_s']:.2f} s)")
        print(f"  {'run / floor':<22} {r['ratio_to_floor']:8.2f}")
        if r.get("xlwings_actions"):
            print(f"  xlwings actions per button: {r['xlwings_actions']}")
    if len(results) == 3:
        print(f"\ntime({results[2]['rows']:,}) / time({results[1]['rows']:,}) = "
              f"{results[2]['whole_s'] / results[1]['whole_s']:.2f}")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

