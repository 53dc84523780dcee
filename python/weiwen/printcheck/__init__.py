"""The print check: every output the office prints or sends, rendered and read back as a page.

Each workbook is rendered through LibreOffice headless (one PDF per visible sheet), the PDF is
read with pdfplumber, and each page is compared with what the .xlsx says it should show
(checks.py): no ###, every cell's text whole, the header on every page, one page wide, no page
holding only a heading or one stray row, 大写 beside each 合计, a sane page count, one CJK font
and no serif fallback, one font named in every cell; and what a page must not show (privacy.py:
no unmasked ID number; on a 公示名单 no phone, ID or card at all and no illness or disability).
It only reads the files, so it judges any writer's output alike.

    python -m weiwen.printcheck CAMPAIGN [--png DIR]

`check_files` is the API the tests and the command share. Needs LibreOffice and the dev
dependency pdfplumber.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..names import OUTPUT_DIR, SIGNOFF_BATCH_FILE
from .checks import Finding, check_cell_fonts, check_fonts, check_sheet

if TYPE_CHECKING:
    from .render import Rendered

__all__ = ["Finding", "PrintReport", "campaign_outputs", "check_files", "check_campaign",
           "select_outputs"]

#: folders under output/ that hold copies, not outputs of their own
SKIPPED_DIRS = ("加密发送",)


@dataclass
class PrintReport:
    findings: list[Finding] = field(default_factory=list)
    pages: dict[str, dict[str, int]] = field(default_factory=dict)   # file → sheet → pages
    pngs: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def by_check(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.check] = counts.get(f.check, 0) + 1
        return counts


def campaign_outputs(root: Path) -> list[Path]:
    """Every workbook under CAMPAIGN/output/ a person prints or sends (the batch book of
    signature sheets repeats the unit files and is left out; so are the encrypted copies)."""
    output = Path(root) / OUTPUT_DIR
    files = []
    for path in sorted(output.rglob("*.xlsx")):
        rel = path.relative_to(output)
        if rel.parts[0] in SKIPPED_DIRS or path.name == SIGNOFF_BATCH_FILE:
            continue
        if path.name.startswith((".~tmp-", "~$")):
            continue
        files.append(path)
    return files


def _label(path: Path, base: Path | None) -> str:
    try:
        return path.relative_to(base).as_posix() if base else path.name
    except ValueError:
        return path.name


def check_files(files: Sequence[Path], *, base: Path | None = None, png_dir: Path | None = None,
                dpi: int = 60) -> PrintReport:
    """Render and check `files`; PNG pages into `png_dir` when given."""
    import pdfplumber
    from openpyxl import load_workbook

    from .pdfpage import read_page
    from .privacy import check_privacy
    from .render import render, to_png
    from .sheet import read_sheet

    report = PrintReport()
    with tempfile.TemporaryDirectory(prefix="weiwen-printcheck-") as tmp:
        rendered = render([Path(f) for f in files], Path(tmp))
        by_file: dict[Path, list[Rendered]] = {}
        for item in rendered:
            by_file.setdefault(item.source, []).append(item)
        for path, items in by_file.items():
            label = _label(path, base)
            wb = load_workbook(path)
            models, all_pages = [], []
            for item in items:
                model = read_sheet(wb.worksheets[item.sheet], item.sheet)
                with pdfplumber.open(item.pdf) as pdf:
                    pages = [read_page(p, n) for n, p in enumerate(pdf.pages, start=1)]
                report.findings += check_sheet(model, pages, label)
                report.findings += check_privacy(label, item.name, pages)
                report.pages.setdefault(label, {})[item.name] = len(pages)
                models.append(model)
                all_pages += pages
                if png_dir is not None:
                    stem = label.replace("/", "_").removesuffix(".xlsx")
                    suffix = f"-{item.name}" if len(items) > 1 else ""
                    report.pngs += to_png(item.pdf, Path(png_dir) / f"{stem}{suffix}", dpi=dpi)
            report.findings += check_fonts(label, all_pages)
            report.findings += check_cell_fonts(label, models)
    return report


def select_outputs(root: Path, only: Iterable[str] = ()) -> list[Path]:
    """The campaign's outputs whose path under output/ holds one of `only` (all when empty)."""
    files = campaign_outputs(root)
    only = list(only)
    if only:
        files = [f for f in files if any(o in f.relative_to(Path(root) / OUTPUT_DIR).as_posix()
                                         for o in only)]
    return files


def check_campaign(root: Path, *, png_dir: Path | None = None,
                   only: Iterable[str] = ()) -> PrintReport:
    """The print check over a campaign's output folder (`only`: names or folders to keep)."""
    return check_files(select_outputs(root, only), base=Path(root) / OUTPUT_DIR, png_dir=png_dir)
