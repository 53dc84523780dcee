"""Shared by the workbench tests and docs/workbench/make_screenshots.py: a small campaign, returned
files written the way units fill the template, Debian's chromium through Playwright, a served page."""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from collections.abc import Iterator

import pandas as pd
from openpyxl import Workbook

from weiwen import workbook_io
from weiwen.campaign import Campaign, init
from weiwen.names import DIBAO, RETURN_COLUMNS, UNIT_COLUMNS, Sheet, UnitCol

CHROMIUM = "/usr/bin/chromium"
UNITS = (("330106001", "东湖社区", "社区"), ("330106002", "西湖社区", "社区"), ("330106101", "青山村", "村"))
CATEGORIES = (DIBAO, "残疾户", "大重病患者", "重点优抚对象")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def person_id(n: int) -> str:
    """A valid 18-digit ID (GB 11643 check digit) born 1940–1989 in 330106."""
    body = f"330106{1940 + n % 50:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def card(n: int) -> str:
    from stdnum import luhn
    body = f"62220215{n:010d}"
    return body + luhn.calc_check_digit(body)


def name(n: int) -> str:
    return SURNAMES[n % 10] + GIVEN[(n // 10) % 20] + GIVEN[(n // 200) % 20]


def small_campaign(root: Path) -> Campaign:
    """A campaign with three units in 单位 and an empty inbox."""
    campaign = init(root)
    units = pd.DataFrame([{UnitCol.CODE: c, UnitCol.NAME: n, UnitCol.TYPE: t, UnitCol.CONTACT: "联系人",
                           UnitCol.PHONE: "0571-88001234", UnitCol.EMAIL: ""} for c, n, t in UNITS],
                         columns=list(UNIT_COLUMNS))
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.UNITS: units})
    return campaign


def write_returns(folder: Path, rows_per_unit: int = 12) -> list[Path]:
    """One filled return per unit; the second unit's row 3 has an ID with a wrong check digit."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for u, (_, unit, _) in enumerate(UNITS):
        book = Workbook()
        ws = book.active
        ws.append(list(RETURN_COLUMNS))
        for i in range(rows_per_unit):
            n = u * 1000 + i
            category = CATEGORIES[i % len(CATEGORIES)]
            pid = person_id(n)
            if u == 1 and i == 1:
                pid = pid[:-1] + ("0" if pid[-1] != "0" else "1")
            ws.append([name(n), pid, category, 1 + i % 4, f"1381234{n:04d}",
                       card(n) if category == DIBAO else "", f"幸福路{i + 1}号", ""])
        for column in ("B", "E", "F"):
            for cell in ws[column]:
                cell.number_format = "@"
        path = folder / f"{unit}慰问名单.xlsx"
        book.save(path)
        paths.append(path)
    return paths


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (requirements-dev.txt)"
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)"
    return None


@contextlib.contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                              else shutil.which("chromium"), args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def served(campaign: Campaign, **options) -> Iterator[object]:
    from weiwen.web.server import start
    server = start(campaign, port=0, **options)
    try:
        yield server
    finally:
        server.stop()
