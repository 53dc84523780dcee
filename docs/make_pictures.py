"""Regenerate the README's pictures of printed outputs from the demo campaign.

    python docs/make_pictures.py          # needs LibreOffice and pdftoppm

Runs `weiwen demo` in a temporary folder, renders the sign-off sheet of one unit (its last page:
the card section, totals, 大写, signature line), the first page of the finance summary and its
chart page through LibreOffice, and writes small PNGs into docs/. A person looks at the diff.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from weiwen.cli import app
from weiwen.names import OUTPUT_DIR, SIGNOFF_DIR, SUMMARY_FILE
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
    for path in made:
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    if not shutil.which("soffice"):
        sys.exit("需要 LibreOffice（soffice）")
    raise SystemExit(main())
