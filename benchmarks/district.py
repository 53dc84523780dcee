"""Benchmark: a whole district (200 units × 500 households = 100,000 rows) through `weiwen run`.

    python benchmarks/district.py                 # 50k, 100k and 200k rows (long)
    python benchmarks/district.py --sizes 2       # 100k and 200k: the issue's figures
    python benchmarks/district.py --rows 10000 --sizes 1    # one size only
    python benchmarks/district.py --rows 200000 --sizes 1 --quick --no-remerge --presses 0
                                                  # the whole run's time and memory at 200k only
    python benchmarks/district.py --buttons-only  # the button latencies on the demo only
    python benchmarks/district.py --remerge-only --sizes 1   # the incremental re-merge only

Generates, with a fixed seed, realistic returned files (the demo's messiness: title rows, header
variants, Traditional headers, GBK CSV, a 合计 row; about 3 % duplicates across units and
categories), then measures (benchmarks/measure.py):
- each step of `weiwen run` in this process (wall and CPU time, reader processes included);
- the whole run in a fresh process: its time, CPU time (CPU / wall = cores busy) and the peak
  resident memory of its process tree (the reader processes included);
- two I/O floors on the same files: every inbox file read with python-calamine, plus the cells the
  run wrote (every output file and the workbook's result sheets, read back) written again into as
  many files and sheets — with XlsxWriter in constant_memory mode (the floor) and with openpyxl's
  write-only mode (the old floor); the ratio run / floor against both;
- the incremental re-merge: a full `weiwen merge` with no cache, then one unit's corrected file
  saved over its old one and `weiwen merge` again, both in fresh processes;
- time(200k) / time(100k);
- the button latencies on a street-office campaign (the demo, ~2,000 households): merge, check and
  amounts pressed through xlwings' remote engine (tests/xlwings_remote.py), the Python time of
  `weiwen.excel.run` only, repeated; merge with no cache (the first press) and again (cached);
  and the xlwings actions each button makes.
Prints a table and exits 0. Not a test: these machines are noisy, so figures are read by a person
with the load average printed beside them.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tempfile
from pathlib import Path

import pandas as pd
import xlsxwriter

from weiwen import pipeline, workbook_io
from weiwen.books import FileBook
from weiwen.campaign import Campaign, init
from weiwen.demo import PLAN_COUNTS, People
from weiwen.names import RETURN_COLUMNS, UNIT_COLUMNS, Sheet, UnitCol

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure as M  # noqa: E402

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
    frame = pd.DataFrame([_unit(i) for i in range(1, units + 1)]).reindex(columns=list(UNIT_COLUMNS))
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.UNITS: frame})
    people = People(seed)
    previous: list[list] = []
    for i in range(units):
        body = households(people, _unit(i + 1)[UnitCol.NAME], max(1, rows // units), previous)
        previous = body[:50]
        write_return(campaign, i, body)
    return campaign


def _unit(n: int) -> dict:
    return {UnitCol.CODE: f"3301{n:05d}", UnitCol.NAME: f"第{n}社区" if n % 3 else f"第{n}村",
            UnitCol.TYPE: "社区" if n % 3 else "村"}


def households(people: People, name: str, count: int, previous: list[list]) -> list[list]:
    """One unit's rows: `count` households plus ~3 % reported again (by the previous unit's
    households or in a second category)."""
    rng = people.rng
    body = []
    for category in _categories(rng, count):
        size = rng.choice((1, 1, 2, 2, 3, 4))
        body.append([people.fake.name(), people.id_number(), category, size, people.phone(),
                     people.card() if category == "低保" else "",
                     people.address(name, name.endswith("村")), ""])
    for _ in range(count * 3 // 100):
        if previous and rng.random() < 0.5:
            body.append(list(rng.choice(previous)))
        else:
            twin = list(rng.choice(body))
            twin[2] = rng.choice(("残疾户", "大重病患者", "低收入困难家庭"))
            body.append(twin)
    return body


def write_return(campaign: Campaign, i: int, body: list[list]) -> Path:
    """Unit i's (0-based) returned file: every tenth a GBK CSV, the others a titled .xlsx with a
    header variant and a 合计 row."""
    name = _unit(i + 1)[UnitCol.NAME]
    variant = HEADER_VARIANTS[i % len(HEADER_VARIANTS)]
    header = ["序号"] + [variant.get(c, c) for c in RETURN_COLUMNS]
    data = [[n + 1] + r for n, r in enumerate(body)]
    if i % 10 == 9:
        buf = io.StringIO()
        csv.writer(buf).writerows([header, *data])
        path = campaign.inbox / f"{name}名单.csv"
        path.write_bytes(buf.getvalue().encode("gbk", "replace"))
        return path
    path = campaign.inbox / f"{name}慰问名单.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("名单")
    ws.write_row(0, 0, [f"2027年春节走访慰问对象名单（{name}）"])
    ws.write_row(2, 0, header)
    for r, row in enumerate(data, start=3):
        ws.write_row(r, 0, row)
    ws.write_row(len(data) + 3, 0, ["合计", f"{len(data)}户"])
    book.close()
    return path


def correct_one(campaign: Campaign, i: int) -> Path:
    """Unit i's corrected file saved over its old one: its rows read back, one phone fixed."""
    from weiwen.intake.readers import read_inbox
    path = next(p for p in campaign.inbox.iterdir() if p.stem.startswith(_unit(i + 1)[UnitCol.NAME]))
    files, _ = read_inbox(campaign.inbox)
    rows = next(f for f in files if f.path == path).sheets[0].rows
    start = 1 if path.suffix == ".csv" else 3
    body = [list(r[1:9]) for r in rows[start:] if r and str(r[0]).strip() not in ("", "合计")]
    body[0][4] = "13912345678"
    path.unlink()
    return write_return(campaign, i, body)


# --- measurements ------------------------------------------------------------------------------

def step_times(campaign: Campaign) -> dict[str, M.Clock]:
    """Each step of `weiwen run`, in process, in the order run does them (no cache)."""
    from weiwen.amounts import compute_amounts
    from weiwen.checks import run_checks
    from weiwen.intake.merge import merge_files
    from weiwen.intake.readers import read_inbox
    M.cold(campaign.root)
    out: dict[str, M.Clock] = {}
    settings = workbook_io.read_settings(campaign.workbook)
    out["read inbox"], (files, _) = M.timed(read_inbox, campaign.inbox)
    out["merge"], (roster, _, _) = M.timed(merge_files, files, settings)
    out["checks"], (roster, _) = M.timed(run_checks, roster, settings)
    out["amounts"], (roster, _) = M.timed(compute_amounts, roster, settings)
    out["write workbook"], _ = M.timed(workbook_io.write_results, campaign.workbook, campaign.root,
                                       roster=roster)
    book = FileBook(campaign)
    for step in pipeline.OUTPUT_STEPS:
        out[step.__name__], _ = M.timed(step, book, pipeline.Options(), pipeline.no_progress)
    return out


def remerge(campaign: Campaign) -> dict:
    """A full `weiwen merge` (no cache), then the same after one unit's corrected file arrived."""
    M.cold(campaign.root)
    full = M.fresh("merge", campaign.root)
    correct_one(campaign, 4)
    again = M.fresh("merge", campaign.root)
    return {"full_merge_s": full.seconds, "remerge_s": again.seconds,
            "full_merge_cpu_s": full.cpu, "remerge_cpu_s": again.cpu,
            "remerge_ratio": again.seconds / full.seconds}


def measure(rows: int, units: int, *, quick: bool, remerging: bool = True) -> dict:
    """Every figure at one size; `quick` without the per-step times, `remerging` with the
    incremental re-merge."""
    with tempfile.TemporaryDirectory() as tmp:
        clock, campaign = M.timed(generate, Path(tmp) / "district", units=units, rows=rows)
        steps = {} if quick else step_times(campaign)
        M.cold(campaign.root)
        load = M.load()
        run = M.fresh("run", campaign.root)
        files, cells = M.output_cells(campaign.root, campaign.workbook, campaign.output,
                                      (Sheet.ROSTER, Sheet.PROBLEMS))
        read = M.read_floor(campaign.inbox)
        fast = M.write_floor_xlsxwriter(files)
        old = M.write_floor_openpyxl(files)
        roster_rows = len(workbook_io.read_roster(campaign.workbook))
        floor, old_floor = read.wall + fast.wall, read.wall + old.wall
        result = {"rows": rows, "units": units, "roster_rows": roster_rows,
                  "generate_s": clock.wall, "load": load,
                  "steps": {k: [v.wall, v.cpu] for k, v in steps.items()},
                  "whole_s": run.seconds, "whole_cpu_s": run.cpu, "whole_wall_s": run.wall,
                  "peak_mb": run.peak_mb, "output_cells": cells, "output_files": len(files),
                  "floor_read_s": read.wall, "floor_write_s": fast.wall,
                  "old_floor_write_s": old.wall, "floor_s": floor, "old_floor_s": old_floor,
                  "ratio_to_floor": run.seconds / floor, "ratio_to_old_floor": run.seconds / old_floor}
        if remerging:
            result.update(remerge(campaign))
        return result


def remerge_only(rows: int, units: int) -> dict:
    """Only the incremental re-merge, on a district whose 名册 a first merge filled (as the full
    measurement's `weiwen run` does)."""
    with tempfile.TemporaryDirectory() as tmp:
        clock, campaign = M.timed(generate, Path(tmp) / "district", units=units, rows=rows)
        M.fresh("merge", campaign.root)
        load = M.load()
        result = {"rows": rows, "units": units, "generate_s": clock.wall, "load": load,
                  **remerge(campaign)}
        result["load_after"] = M.load()
        return result


def buttons(repeat: int) -> dict:
    """merge / check / amounts pressed on the demo (about 2,000 households) through xlwings'
    remote engine: the Python time of weiwen.excel.run, `repeat` times each."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    try:
        import xlwings as xw
        from xlwings_remote import payload, remote_engine
    except ImportError:          # xlwings not installed
        return {}
    from weiwen import excel
    from weiwen.demo import make_demo
    out: dict[str, list] = {"merge (first)": [], "merge (again)": [], "check": [], "amounts": []}
    cpu: dict[str, list] = {k: [] for k in out}
    actions: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        make_demo(root)
        campaign = Campaign.open(root)
        pipeline.on_disk("merge", campaign)
        pipeline.on_disk("amounts", campaign)
        households = len(workbook_io.read_roster(campaign.workbook))
        data = payload(campaign.workbook)
        with remote_engine():
            for _ in range(repeat):
                for key, tag in (("merge (first)", "merge"), ("merge (again)", "merge"),
                                 ("check", "check"), ("amounts", "amounts")):
                    if key == "merge (first)":
                        M.cold(root)
                    book = xw.Book(json=json.loads(json.dumps(data)))
                    clock, _ = M.timed(excel.run, tag, book=book, folder=root)
                    out[key].append(clock.wall)
                    cpu[key].append(clock.cpu)
                    actions[tag] = len(book.json()["actions"])
    return {"households": households, "wall": out, "cpu": cpu, "xlwings_actions": actions,
            "load": M.load()}


def _print(r: dict) -> None:
    print(f"\n== {r['rows']:,} rows in {r['units']} units (roster {r['roster_rows']:,}; files "
          f"generated in {r['generate_s']:.1f} s; load average {r['load']})")
    for step, (wall, cpu) in r["steps"].items():
        print(f"  {step:<24} {wall:8.2f} s  (cpu {cpu:6.2f} s)")
    print(f"  {'whole run (fresh proc)':<24} {r['whole_s']:8.2f} s  (process {r['whole_wall_s']:.2f} s"
          f" with imports, cpu {r['whole_cpu_s']:.2f} s = {r['whole_cpu_s'] / r['whole_wall_s']:.2f}"
          f" cores)   peak memory {r['peak_mb']:,.0f} MB (process tree)")
    print(f"  {'floor (XlsxWriter)':<24} {r['floor_s']:8.2f} s  (read {r['floor_read_s']:.2f} s + "
          f"write {r['output_cells']:,} cells in {r['output_files']} files "
          f"{r['floor_write_s']:.2f} s)")
    print(f"  {'old floor (openpyxl)':<24} {r['old_floor_s']:8.2f} s  (write "
          f"{r['old_floor_write_s']:.2f} s)")
    print(f"  {'run / floor':<24} {r['ratio_to_floor']:8.2f}   (old floor: "
          f"{r['ratio_to_old_floor']:.2f})")
    if "remerge_s" in r:
        print(f"  {'merge, no cache':<24} {r['full_merge_s']:8.2f} s")
        print(f"  {'re-merge, 1 file changed':<24} {r['remerge_s']:8.2f} s  "
              f"= {r['remerge_ratio']:.0%} of the full merge")


def _print_buttons(b: dict) -> None:
    print(f"\n== buttons on the demo ({b['households']:,} households), Python time of "
          f"weiwen.excel.run, median [min–max] of {len(b['wall']['check'])} presses, "
          f"load average {b['load']}")
    for key in b["wall"]:
        print(f"  {key:<16} {M.spread(b['wall'][key])} s   cpu {M.spread(b['cpu'][key])} s")
    print(f"  xlwings actions per button: {b['xlwings_actions']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--sizes", type=int, default=3,
                        help="3: rows/2, rows and 2×rows; 2: rows and 2×rows (the growth ratio); "
                             "1: rows only. The per-step times and the re-merge are measured at "
                             "`rows` only")
    parser.add_argument("--quick", action="store_true", help="without the per-step times")
    parser.add_argument("--no-remerge", action="store_true",
                        help="without the re-merge (the run, its memory and the floors only)")
    parser.add_argument("--presses", type=int, default=5, help="presses per button")
    parser.add_argument("--buttons-only", action="store_true")
    parser.add_argument("--remerge-only", action="store_true",
                        help="only the full merge and the re-merge after one corrected file, "
                             "at `rows`")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.remerge_only:
        r = remerge_only(args.rows, args.units)
        print(f"\n== {r['rows']:,} rows in {r['units']} units (files generated in "
              f"{r['generate_s']:.1f} s; load average {r['load']} → {r['load_after']})")
        print(f"  {'merge, no cache':<24} {r['full_merge_s']:8.2f} s  (cpu {r['full_merge_cpu_s']:.2f} s"
              f" with imports)")
        print(f"  {'re-merge, 1 file changed':<24} {r['remerge_s']:8.2f} s  (cpu "
              f"{r['remerge_cpu_s']:.2f} s with imports) = {r['remerge_ratio']:.0%} of the full merge")
        if args.json:
            args.json.write_text(json.dumps({"remerge": r}, ensure_ascii=False, indent=1))
        return 0
    sizes = [] if args.buttons_only else {
        1: [args.rows], 2: [args.rows, args.rows * 2]}.get(
            args.sizes, [args.rows // 2, args.rows, args.rows * 2])
    results = []
    for n in sizes:
        results.append(measure(n, args.units, quick=args.quick or n != args.rows,
                               remerging=n == args.rows and not args.no_remerge))
        _print(results[-1])
        sys.stdout.flush()
    by_rows = {r["rows"]: r for r in results}
    if args.rows in by_rows and args.rows * 2 in by_rows:
        base, double = by_rows[args.rows], by_rows[args.rows * 2]
        print(f"\ntime({double['rows']:,}) / time({base['rows']:,}) = "
              f"{double['whole_s'] / base['whole_s']:.2f}   (cpu {double['whole_cpu_s'] / base['whole_cpu_s']:.2f})"
              f"   peak memory at {double['rows']:,}: {double['peak_mb']:,.0f} MB")
    presses = buttons(args.presses) if args.presses else {}
    if presses:
        _print_buttons(presses)
    if args.json:
        args.json.write_text(json.dumps({"sizes": results, "buttons": presses},
                                        ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
