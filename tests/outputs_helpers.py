"""A small campaign whose outputs are quick to render: three units, a few dozen households with
the long category names, card households (one without a card number), one unit with a problem
to send back; with `categories` others (精简老职工: cash, paid by the same 责任部门 as 低保)."""
from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from weiwen.campaign import Campaign, init
from weiwen.names import RETURN_COLUMNS, Sheet

UNITS = [("001", "东风社区", "社区"), ("002", "红旗村", "村"), ("003", "幸福里社区", "社区")]
CATEGORIES = ["70岁以上特困独居老人", "台胞/少数民族困难家庭", "失地困难农民家庭", "低保", "残疾户"]


def _id(n: int) -> str:
    body = f"330106{1930 + n % 40:04d}{1 + n % 12:02d}{1 + n % 28:02d}{1 + n % 999:03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return body + "10X98765432"[total % 11]


def _card(n: int) -> str:
    """A Luhn-valid card of its own per household (one card on two IDs would be 待核)."""
    body = f"622202{n:012d}"
    total = sum(int(d) if i % 2 else sum(divmod(int(d) * 2, 10))
                for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def write_return(campaign: Campaign, unit: str, rows: int, start: int, *, bad_id: bool = False,
                 card_missing: bool = False, categories: Sequence[str] = CATEGORIES) -> Path:
    book = Workbook()
    ws = book.active
    ws.append(list(RETURN_COLUMNS))
    for i in range(rows):
        n = start + i
        category = categories[i % len(categories)]
        card = _card(n) if category == "低保" else ""
        if card_missing and category == "低保" and i < len(categories):
            card = ""
        ident = _id(n)
        if bad_id and i == 1:                         # a wrong check digit: sent back to fix
            ident = ident[:17] + ("1" if ident[17] != "1" else "2")
        ws.append([f"户主{n}", ident, category, 1 + i % 5, f"138{n:08d}", card,
                   f"幸福路{n}号", ""])
    path = campaign.inbox / f"{unit}.xlsx"
    book.save(path)
    return path


def small_campaign(root: Path, *, rows: int = 14,
                   categories: Sequence[str] = CATEGORIES) -> Campaign:
    """Three units with `rows` households each (one with a bad ID, one card without number),
    their categories taken in turn from `categories`."""
    campaign = init(root)
    wb = load_workbook(campaign.workbook, keep_vba=True)
    for code, name, kind in UNITS:
        wb[Sheet.UNITS].append([code, name, kind, "联系人", "13800000000", ""])
    wb.save(campaign.workbook)
    for u, (_, unit, _) in enumerate(UNITS):
        write_return(campaign, unit, rows, u * 1000, bad_id=u == 0, card_missing=u == 1,
                     categories=categories)
    return campaign


def libreoffice_pdf_reader():
    """pdfplumber, for a test that reads LibreOffice's printed pages; the test is skipped, saying
    why, where LibreOffice or pdfplumber is missing."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    return pytest.importorskip("pdfplumber")
