"""Benchmark: the re-merge (and the full merge) of two versions of the code, taking turns.

    python benchmarks/remerge_ab.py --old /tmp/weiwen-old          # 5 re-merges each, 2 full
    python benchmarks/remerge_ab.py --old /tmp/weiwen-old --runs 9 --full 3

`--old`: a checkout of the version to compare with (`git worktree add --detach /tmp/weiwen-old
<commit>`); the other is this checkout. Why: on these shared machines one re-merge moves by a
second or more from run to run (remerge_steps.py twice in a row: 4.3 and 6.1 s), more than most
changes are worth. Measured in turns, minutes apart at most, the two versions see the same
machine. Each version first merges the district of district.py (fixed seed, generated once) in
a fresh process and saves one unit's corrected file, as remerge_steps.py does; that folder is
kept, and each run merges a fresh copy of it in a fresh process (imports excluded). The full
merge is the same copy without the campaign's caches. Prints each run (wall and CPU of the
merging process, reader processes not counted), then the best and the median of each. Run by
hand, never by CI.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

_PREPARE = """
import shutil, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import district as D, measure as M
from weiwen.campaign import Campaign
generated, folder = Path(sys.argv[1]), Path(sys.argv[2])
if not (generated / "generated").exists():
    D.generate(generated, units=int(sys.argv[4]), rows=int(sys.argv[5]))
    (generated / "generated").write_text("")
shutil.copytree(generated, folder, symlinks=True)
M.fresh("merge", folder)
D.correct_one(Campaign.open(folder), 4)
"""

_MERGE = """
import shutil, sys, time
from pathlib import Path
from weiwen import pipeline
from weiwen.campaign import Campaign
folder, work = Path(sys.argv[1]), Path(sys.argv[2])
shutil.rmtree(work, ignore_errors=True)
shutil.copytree(folder, work, symlinks=True)
if sys.argv[3] == "full":
    shutil.rmtree(work / ".cache", ignore_errors=True)
wall, cpu = time.perf_counter(), time.process_time()
pipeline.on_disk("merge", Campaign.open(work))
print(f"{time.perf_counter() - wall:.2f} {time.process_time() - cpu:.2f}")
shutil.rmtree(work, ignore_errors=True)
"""


def _python(code: str, source: Path, *args: object) -> str:
    env = {**os.environ, "PYTHONPATH": str(source / "python")}
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, required=True, help="a checkout of the other version")
    parser.add_argument("--runs", type=int, default=5, help="re-merges of each version")
    parser.add_argument("--full", type=int, default=2, help="full merges of each version")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args(argv)
    versions = {"old": args.old.resolve(), "new": HERE.parent}
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "district"
        for name, source in versions.items():
            _python(_PREPARE, source, generated, Path(tmp) / name, HERE, args.units, args.rows)
        for kind, runs in (("re-merge", args.runs), ("full", args.full)):
            for i in range(runs):
                line = []
                for name, source in versions.items():
                    wall, cpu = map(float, _python(_MERGE, source, Path(tmp) / name,
                                                   Path(tmp) / "work", kind).split())
                    times.setdefault((kind, name), []).append((wall, cpu))
                    line.append(f"{name} {wall:6.2f} s (cpu {cpu:6.2f})")
                print(f"{kind:<8} {i + 1}: " + "   ".join(line)
                      + f"   load {os.getloadavg()[0]:.1f}", flush=True)
    for (kind, name), found in times.items():
        walls = [w for w, _ in found]
        print(f"{kind:<8} {name}: best {min(walls):.2f} s, median {statistics.median(walls):.2f} s")
    for name in versions:
        remerge = statistics.median(w for w, _ in times[("re-merge", name)])
        full = statistics.median(w for w, _ in times[("full", name)])
        print(f"{name}: re-merge / full merge (medians) = {remerge:.2f} / {full:.2f} = "
              f"{remerge / full:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
