"""The print check on a whole district: benchmarks/district.py's campaign, `weiwen run`, then every
output rendered and checked page by page.

    python benchmarks/printcheck_district.py                       # 200 units, 6,000 rows
    python benchmarks/printcheck_district.py --units 200 --rows 6000 --folder /tmp/district --png /tmp/pages

Prints the files, pages, findings and times; exit 1 when a page fails. Run by hand (minutes:
LibreOffice renders every unit's signature sheet), never by CI.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from district import generate  # noqa: E402

from weiwen.campaign import Campaign  # noqa: E402
from weiwen.pipeline import on_disk  # noqa: E402
from weiwen.printcheck import check_campaign  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--folder", type=Path, default=None, help="keep the campaign here")
    parser.add_argument("--png", type=Path, default=None, help="write every page as PNG here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="weiwen-district-") as tmp:
        root = args.folder or Path(tmp) / "district"
        started = time.perf_counter()
        generate(root, units=args.units, rows=args.rows)
        made = time.perf_counter()
        report = on_disk("run", Campaign.open(root))
        ran = time.perf_counter()
        checked = check_campaign(root, png_dir=args.png)
        done = time.perf_counter()
    pages = sum(sum(s.values()) for s in checked.pages.values())
    print(f"{args.units} units, {args.rows:,} returned rows → {report.households_paid:,} households paid")
    print(f"generate {made - started:.1f} s, weiwen run {ran - made:.1f} s, "
          f"print check {done - ran:.1f} s ({len(checked.pages)} files, {pages} pages)")
    for finding in checked.findings:
        print(finding)
    print("全部通过" if checked.ok else f"发现 {len(checked.findings)} 处问题 {checked.by_check()}")
    return 0 if checked.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
