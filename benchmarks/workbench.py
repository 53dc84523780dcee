"""How the workbench page holds up with a large roster (run by hand, never by CI).

    python benchmarks/workbench.py [--rows 100000]

Writes a campaign whose 名册 has N synthetic rows (straight into the sheet, no merge), serves it
on 127.0.0.1 and measures in Debian's chromium: the overview's first load (the workbook read) and
a warm reload, the 名册 page until its first rows show, 40 jumps across the whole roster (time
until the rows in view are drawn), a search by the last digits of an ID, and a sort by 户主姓名.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from weiwen import workbook_io  # noqa: E402
from weiwen.names import ROSTER_COLUMNS, Col, Sheet  # noqa: E402
from web_helpers import UNITS, browser, card, name, person_id, served, small_campaign  # noqa: E402


def big_roster(rows: int) -> pd.DataFrame:
    units = [u[1] for u in UNITS]
    data = {c: [None] * rows for c in ROSTER_COLUMNS}
    data[Col.SEQ] = list(range(1, rows + 1))
    data[Col.UNIT] = [units[i % len(units)] for i in range(rows)]
    data[Col.NAME] = [name(i) for i in range(rows)]
    data[Col.ID] = [person_id(i) for i in range(rows)]
    data[Col.CATEGORY] = ["低保" if i % 5 == 0 else "残疾户" for i in range(rows)]
    data[Col.SIZE] = [1 + i % 4 for i in range(rows)]
    data[Col.PHONE] = [f"138{i:08d}" for i in range(rows)]
    data[Col.CARD] = [card(i) if i % 5 == 0 else None for i in range(rows)]
    data[Col.ADDRESS] = [f"幸福路{i % 300}号{i % 40}幢" for i in range(rows)]
    data[Col.AMOUNT] = [1100 if i % 5 == 0 else 700 for i in range(rows)]
    data[Col.STATUS] = ["有效" if i % 50 else "待核" for i in range(rows)]
    data[Col.SRC_FILE] = [f"{data[Col.UNIT][i]}.xlsx" for i in range(rows)]
    data[Col.SRC_ROW] = [2 + i // len(units) for i in range(rows)]
    return pd.DataFrame(data, columns=list(ROSTER_COLUMNS), dtype=object)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="weiwen-bench-") as tmp:
        campaign = small_campaign(Path(tmp) / "活动")
        t = time.perf_counter()
        workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.ROSTER: big_roster(args.rows)})
        print(f"名册 {args.rows} 行写入工作簿：{time.perf_counter() - t:.1f} s")
        with served(campaign) as server, browser() as chromium:
            page = chromium.new_page(viewport={"width": 1366, "height": 768})
            base = server.url.split("/?")[0]
            t = time.perf_counter()
            page.goto(server.url, wait_until="load")
            print(f"概况首次打开（启动后立即打开，等工作簿读完）：{time.perf_counter() - t:.2f} s")
            t = time.perf_counter()
            page.goto(base + "/", wait_until="load")
            print(f"概况再次打开：{time.perf_counter() - t:.3f} s")
            t = time.perf_counter()
            page.goto(base + "/roster")
            page.wait_for_selector(".vt-row:not(.loading)")
            print(f"名册页到第一屏：{time.perf_counter() - t:.3f} s")
            jumps = []
            for k in range(40):
                target = int((k * 7919) % 40 / 40 * args.rows) + 5
                t = time.perf_counter()
                page.eval_on_selector("#table", "(b, r) => b.scrollTop = r * 30", target)
                page.wait_for_function(
                    "r => [...document.querySelectorAll('.vt-row:not(.loading)')]"
                    ".some(x => x.firstChild.textContent === String(r))", arg=target + 1)
                jumps.append(time.perf_counter() - t)
            rows_in_dom = page.locator(".vt-row").count()
            print(f"跳到任意位置直到显示：中位数 {statistics.median(jumps) * 1000:.0f} ms，"
                  f"最慢 {max(jumps) * 1000:.0f} ms（页面里始终只有 {rows_in_dom} 行）")
            page.eval_on_selector("#table", "b => b.scrollTop = 0")
            frames = page.evaluate("""() => new Promise(done => {
                const box = document.querySelector('#table'), times = [];
                let last = performance.now(), n = 0;
                function step() {
                    const now = performance.now(); times.push(now - last); last = now;
                    if (++n > 300) { done(times.slice(1)); return; }
                    box.scrollTop += 90;                 // three rows a frame: a brisk wheel
                    requestAnimationFrame(step);
                }
                requestAnimationFrame(step);
            })""")
            frames.sort()
            print(f"连续滚动 300 帧（每帧 3 行，共 {300 * 3} 行）：帧间隔中位数 {frames[len(frames) // 2]:.1f} ms，"
                  f"95% {frames[int(len(frames) * .95)]:.1f} ms，最慢 {frames[-1]:.1f} ms")
            wanted = person_id(args.rows - 3)[-6:]
            t = time.perf_counter()
            page.fill('input[name="search"]', wanted)
            page.wait_for_function("() => document.querySelector('#count').textContent.startsWith('共 ')"
                                   f" && document.querySelector('#count').textContent !== '共 {args.rows} 行'")
            print(f"按身份证号末 6 位查找（含 250 ms 输入停顿）：{time.perf_counter() - t:.2f} s")
            page.fill('input[name="search"]', "")
            page.wait_for_function("n => document.querySelector('#count').textContent === '共 ' + n + ' 行'",
                                   arg=args.rows)
            t = time.perf_counter()
            page.click(".vt-head div:text-is('户主姓名')")
            page.wait_for_function("() => document.querySelector('.vt-row:not(.loading)')")
            page.wait_for_timeout(50)
            print(f"按户主姓名排序（服务器端）：{time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
