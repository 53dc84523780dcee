"""A check of the workbench in Firefox, by hand (Playwright's Firefox cannot be downloaded here and
Debian has no geckodriver): Debian's firefox-esr is driven over WebDriver BiDi, which it speaks
itself, with the `websockets` package.

    apt-get install firefox-esr && pip install websockets
    python docs/workbench/firefox_check.py [OUT_FOLDER]

Serves the demo campaign, opens each page at 1366×768, waits for the scrolling tables' rows,
uploads nothing, runs one step (生成汇总表) by clicking its button, reveals one ID, and saves a
screenshot per page; prints what it saw.
"""
from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from weiwen.campaign import Campaign  # noqa: E402
from weiwen.demo import make_demo  # noqa: E402
from weiwen.web import ops  # noqa: E402
from web_helpers import served  # noqa: E402

PORT = 9333


class Bidi:
    def __init__(self, ws) -> None:
        self.ws, self.n = ws, 0

    async def call(self, method: str, **params):
        self.n += 1
        await self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            message = json.loads(await self.ws.recv())
            if message.get("id") == self.n:
                if message.get("type") == "error":
                    raise RuntimeError(message)
                return message["result"]

    async def js(self, context: str, code: str):
        result = await self.call("script.evaluate", expression=code, awaitPromise=True,
                                 target={"context": context})
        return result.get("result", {}).get("value")


WAIT = """new Promise((done, fail) => { const t0 = Date.now(); (function poll() {
  try { if (%s) return done(true); } catch (e) {}
  if (Date.now() - t0 > 20000) return done(false); setTimeout(poll, 100); })(); })"""


async def check(url: str, out: Path) -> None:
    base = url.split("/?")[0]
    profile = tempfile.mkdtemp(prefix="weiwen-ff-")
    firefox = subprocess.Popen([shutil.which("firefox-esr") or "firefox", "--headless", "--profile", profile,
                                f"--remote-debugging-port={PORT}", "--window-size=1366,768"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                ws = await websockets.connect(f"ws://127.0.0.1:{PORT}/session", max_size=2 ** 26)
                break
            except OSError:
                await asyncio.sleep(0.2)
        bidi = Bidi(ws)
        await bidi.call("session.new", capabilities={})
        context = (await bidi.call("browsingContext.getTree"))["contexts"][0]["context"]
        await bidi.call("browsingContext.setViewport", context=context,
                        viewport={"width": 1366, "height": 768})

        async def page(path: str, ready: str, name: str) -> None:
            await bidi.call("browsingContext.navigate", context=context, url=base + path, wait="complete")
            ok = await bidi.js(context, WAIT % ready)
            shot = await bidi.call("browsingContext.captureScreenshot", context=context)
            (out / f"firefox-{name}.png").write_bytes(base64.b64decode(shot["data"]))
            print(f"{path:10} {'ok' if ok else 'NOT READY'}")

        await bidi.call("browsingContext.navigate", context=context, url=url, wait="complete")
        await page("/", "document.querySelectorAll('.unit').length === 12", "overview")
        await page("/roster", "document.querySelectorAll('.vt-row:not(.loading)').length > 10", "roster")
        print("  reveal:", await bidi.js(context, """(async () => {
            document.querySelector('.vt-row .eye').click();
            const t0 = Date.now();
            while (Date.now() - t0 < 5000) { if (/\\d{17}[\\dX]/.test(document.querySelector('#table').textContent)) return 'shown';
              await new Promise(r => setTimeout(r, 100)); }
            return 'not shown'; })()"""))
        print("  scroll:", await bidi.js(context, """(async () => {
            const b = document.querySelector('#table'); b.scrollTop = b.scrollHeight;
            const t0 = Date.now();
            while (Date.now() - t0 < 5000) { const rows = [...document.querySelectorAll('.vt-row:not(.loading)')];
              if (rows.some(r => r.firstChild.textContent === String(Number(document.querySelector('#count').textContent.replace(/\\D/g, ''))))) return 'last row shown, ' + document.querySelectorAll('.vt-row').length + ' rows in the page';
              await new Promise(r => setTimeout(r, 100)); }
            return 'last row not shown'; })()"""))
        await page("/problems", "document.querySelectorAll('.vt-row:not(.loading)').length > 5", "problems")
        await page("/outputs", "document.querySelector('svg.chart rect')", "outputs")
        await page("/steps", "document.querySelector('button.run')", "steps")
        await bidi.js(context, "document.querySelector('button[data-tag=summary]').click()")
        await bidi.js(context, WAIT % "document.querySelector('#outcome') && !document.querySelector('.spinner')")
        print("  step:", await bidi.js(context, "document.querySelector('#outcome').textContent"))
        shot = await bidi.call("browsingContext.captureScreenshot", context=context)
        (out / "firefox-steps-done.png").write_bytes(base64.b64decode(shot["data"]))
        await bidi.call("session.end")
    finally:
        firefox.terminate()
        firefox.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="weiwen-ff-demo-") as tmp:
        plan = make_demo(Path(tmp) / "2027春节慰问")
        campaign = Campaign.open(plan.root)
        ops.perform("run", campaign, progress=lambda _m: None)
        with served(campaign) as server:
            asyncio.run(check(server.url, out))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "weiwen-firefox")
