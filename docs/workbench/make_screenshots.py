"""Regenerate the workbench pictures in this folder (shown in the README's 没有 Excel 的电脑 section).

    python docs/workbench/make_screenshots.py

Builds the demo campaign in a temporary folder, runs it, serves it on 127.0.0.1 and photographs
each page at 1366×768 in Debian's chromium (Playwright), then shrinks each picture to a small
palette PNG. Look at the diff before committing.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

from PIL import Image  # noqa: E402

from weiwen.demo import make_demo  # noqa: E402
from weiwen.web import ops  # noqa: E402
from web_helpers import browser, served  # noqa: E402

WIDTH, HEIGHT = 1366, 768
SHOWN_WIDTH = 1100


def shrink(path: Path) -> None:
    image = Image.open(path).convert("RGB")
    image = image.resize((SHOWN_WIDTH, round(image.height * SHOWN_WIDTH / image.width)), Image.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main(out: Path = HERE) -> None:
    with tempfile.TemporaryDirectory(prefix="weiwen-shots-") as tmp:
        plan = make_demo(Path(tmp) / "2027春节慰问")
        campaign = __import__("weiwen.campaign", fromlist=["Campaign"]).Campaign.open(plan.root)
        ops.perform("run", campaign, progress=lambda _m: None)
        with served(campaign) as server, browser() as chromium:
            page = chromium.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.goto(server.url)
            base = server.url.split("/?")[0]

            def shot(name: str, path: str, prepare=None) -> None:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                if prepare:
                    prepare()
                page.wait_for_timeout(300)
                target = out / f"{name}.png"
                page.screenshot(path=str(target))
                shrink(target)
                print(target)

            def run_summary() -> None:
                page.click('button[data-tag="summary"]')
                page.wait_for_selector("#outcome:not([data-job=''])")
                page.wait_for_function("() => !document.querySelector('.spinner')")

            def errors_only() -> None:
                page.select_option('select[name="severity"]', "错误")
                page.wait_for_function("() => document.querySelector('#count').textContent.startsWith('共')")

            def reveal_one() -> None:
                page.wait_for_selector(".vt-row:not(.loading)")
                page.click(".vt-row .eye >> nth=0")
                page.wait_for_timeout(300)

            shot("1-概况", "/")
            shot("2-回收表", "/files")
            shot("3-步骤", "/steps", run_summary)
            shot("4-问题", "/problems", errors_only)
            shot("5-名册", "/roster", reveal_one)
            shot("6-输出文件", "/outputs")
            page.goto(base + "/outputs")
            href = page.locator("tr", has_text="东湖社区.xlsx").first.locator("a", has_text="预览").get_attribute("href")
            shot("7-预览签字表", href, lambda: page.wait_for_selector(".pages img, .sheet-html"))
            shot("8-设置", "/settings")


if __name__ == "__main__":
    main()
