"""Benchmark: where a re-merge's time goes, step by step (wall and CPU of this process).

    python benchmarks/remerge_steps.py                  # 100k rows, 200 units
    python benchmarks/remerge_steps.py --rows 20000
    python benchmarks/remerge_steps.py --floor          # what any re-merge costs, nothing merged

Generates the district of benchmarks/district.py (fixed seed), merges it once in a fresh process
(the caches and the sheet memo filled, as the clerk's first merge leaves them), saves one unit's
corrected file over its old one, then runs `weiwen merge` again in this process with a clock
around each step `merge_inbox` (pipeline/ops_roster.py) calls. Steps not listed take under 10 ms;
reading the inbox runs on a thread beside reading the workbook, so its time overlaps theirs.

`--floor` adds what a re-merge cannot go below while 名册 lives in the workbook — reading 名册
and 问题 and writing both (the workbook's zip is made anew whenever 名册 changes; unchanged rows
are copied), taken from this re-merge's own steps — set beside the full merge it is measured
against (a fresh `weiwen merge` with no cache). Run by hand, never by
CI; quote the load average printed with the figures.
"""
from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import district as D  # noqa: E402
import measure as M  # noqa: E402

from weiwen import pipeline  # noqa: E402
from weiwen.campaign import Campaign  # noqa: E402
from weiwen.pipeline import ops_roster  # noqa: E402

#: the steps of merge_inbox, by the name ops_roster calls them by
STEPS = ("read_inbox", "read_settings", "read_roster", "read_problems", "merge_files",
         "check_roster", "problem_frame", "write_results", "write_feedback", "roster_state")


def _clocked(name: str, fn: Callable[..., Any], times: list[tuple[str, float, float]]
             ) -> Callable[..., Any]:
    @functools.wraps(fn)
    def clocked(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            times.append((name, time.perf_counter() - wall, time.thread_time() - cpu))
    return clocked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--floor", action="store_true",
                        help="also the full merge, and the floor: reading and writing 名册 / 问题")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        campaign = D.generate(Path(tmp) / "district", units=args.units, rows=args.rows)
        M.fresh("merge", campaign.root)
        if args.floor:
            M.cold(campaign.root)
            full = M.fresh("merge", campaign.root)
        D.correct_one(campaign, 4)
        times: list[tuple[str, float, float]] = []
        for name in STEPS:
            setattr(ops_roster, name, _clocked(name, getattr(ops_roster, name), times))
        load = M.load()
        wall, cpu = time.perf_counter(), time.process_time()
        pipeline.on_disk("merge", Campaign.open(campaign.root))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"re-merge of {args.rows:,} rows in {args.units} units after one corrected file "
          f"(load average {load}); wall and CPU of the step's own thread:")
    for name, step_wall, step_cpu in times:
        if step_wall >= 0.01:
            print(f"  {name:<16} {step_wall:6.2f} s  (cpu {step_cpu:5.2f} s)")
    print(f"  {'whole merge':<16} {wall:6.2f} s  (cpu {cpu:5.2f} s, every thread)")
    if args.floor:
        step = {name: step_wall for name, step_wall, _ in times}
        floor = sum(step.get(n, 0.0) for n in ("read_roster", "read_problems", "write_results"))
        print(f"full merge (no cache, fresh process, imports excluded): {full.seconds:.2f} s; "
              f"15 % of it: {0.15 * full.seconds:.2f} s")
        print(f"  floor (this re-merge's read of 名册 and 问题 and its write of both, rows copied): "
              f"{floor:.2f} s = {floor / full.seconds:.0%} of the full merge; the rest of the "
              f"re-merge: {wall - floor:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
