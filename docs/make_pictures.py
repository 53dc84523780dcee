"""Regenerate the README's pictures of printed outputs from the demo campaign.

    python docs/make_pictures.py          # needs LibreOffice and pdftoppm

Runs `weiwen demo` in a temporary folder, renders the sign-off sheet of one unit (its last page:
the card section, totals, 大写, signature line), the first page of the finance summary and its
chart page through LibreOffice, then turns 参数 公示 on in that copy, runs `weiwen signoff` and
renders the first page of one unit's 公示名单; writes small PNGs into docs/. A person looks at
the diff.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from weiwen.cli import app
from weiwen.names import (NOTICE_DIR, OUTPUT_DIR, PARAM_NOTICE, SIGNOFF_DIR, SUMMARY_FILE,
                          ParamCol, Sheet)
from weiwen.printcheck.render import render

DOCS = Path(__file__).resolve().parent
DPI = 50


def _page(pdf: Path, page: int, target: Path) -> Path:
    prefix = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", "-f", str(page),
                    "-l", str(page), str(pdf), str(prefix)], check=True, timeout=120)
    return target


def _pages(pdf: Path) -> int:
    import pdfplumber
    with pdfplumber.open(pdf) as doc:
        return len(doc.pages)


def _notice_on(workbook: Path) -> None:
    """参数 公示 = 是 in the demo's workbook (a throw-away copy: openpyxl keeps what is needed)."""
    from openpyxl import load_workbook
    wb = load_workbook(workbook, keep_vba=True)
    ws = wb[Sheet.PARAMS]
    header = [c.value for c in ws[1]]
    key, value = header.index(ParamCol.KEY) + 1, header.index(ParamCol.VALUE) + 1
    row = next((r for r in range(2, ws.max_row + 1) if ws.cell(r, key).value == PARAM_NOTICE),
               ws.max_row + 1)
    ws.cell(row, key).value, ws.cell(row, value).value = PARAM_NOTICE, "是"
    wb.save(workbook)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="weiwen-pictures-") as tmp:
        root = Path(tmp) / "demo"
        result = CliRunner().invoke(app, ["demo", str(root), "--quiet"])
        if result.exit_code:
            print(result.output, file=sys.stderr)
            return 1
        out = root / OUTPUT_DIR
        rendered = render([out / SIGNOFF_DIR / "东湖社区.xlsx", out / SUMMARY_FILE], Path(tmp) / "r")
        by_name = {(r.source.name, r.name): r.pdf for r in rendered}
        signoff = by_name[("东湖社区.xlsx", "东湖社区")]
        made = [_page(signoff, _pages(signoff), DOCS / "signoff-example.png"),
                _page(by_name[(SUMMARY_FILE, "汇总")], 1, DOCS / "summary-example.png"),
                _page(by_name[(SUMMARY_FILE, "图表")], 1, DOCS / "summary-charts.png")]
        _notice_on(root / "Weiwen.xlsm")
        result = CliRunner().invoke(app, ["signoff", str(root), "--quiet"])
        if result.exit_code:
            print(result.output, file=sys.stderr)
            return 1
        notice = render([out / NOTICE_DIR / "东湖社区.xlsx"], Path(tmp) / "n")[0].pdf
        made.append(_page(notice, 1, DOCS / "notice-example.png"))
    for path in made:
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    if not shutil.which("soffice"):
        sys.exit("需要 LibreOffice（soffice）")
    raise SystemExit(main())
