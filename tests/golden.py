"""Golden outputs: committed reference workbooks, checked by a person, and the one helper that
compares a freshly made workbook with its reference the way a reader of the file sees it —
values, number formats, fonts, merges, print settings, page breaks, column widths and row heights
(in the whole pixels Excel draws), charts — whichever library wrote either file.

    python tests/golden.py            # regenerate tests/golden/*.xlsx (then look at the diff)

Volatile text (the time an output was made) is masked before comparing; per-file exceptions
are data (`ignore`).
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from collections.abc import Iterable

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

GOLDEN = Path(__file__).resolve().parent / "golden"
TODAY = dt.date(2027, 1, 15)
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return _TIME.sub("<时间>", value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _default(value: Any, default: Any) -> Any:
    """An attribute the file leaves out has its OOXML default (fitToWidth: 1)."""
    return default if value is None else value


def _width_px(width: float) -> int:
    """The pixels Excel draws for a column width (ECMA-376 18.3.1.13, a 7-pixel digit)."""
    return int(((256 * width + 18) / 256) * 7)


def describe(path: Path) -> dict[str, Any]:
    """Everything compared, as plain data: {(sheet, what): value}."""
    wb = load_workbook(path)
    out: dict[Any, Any] = {("*", "sheets"): wb.sheetnames}
    for ws in wb.worksheets:
        name = ws.title
        setup = ws.page_setup
        out[(name, "state")] = ws.sheet_state
        out[(name, "print")] = (setup.orientation, str(setup.paperSize),
                                _default(setup.fitToWidth, 1), _default(setup.fitToHeight, 1),
                                ws.sheet_properties.pageSetUpPr.fitToPage
                                if ws.sheet_properties.pageSetUpPr else None,
                                ws.print_title_rows, str(ws.print_area or ""),
                                ws.page_margins.left, ws.page_margins.right,
                                ws.page_margins.top, ws.page_margins.bottom,
                                _norm(ws.oddFooter.center.text), _norm(ws.oddFooter.left.text))
        out[(name, "breaks")] = sorted(b.id for b in ws.row_breaks.brk)
        out[(name, "merges")] = sorted(str(m) for m in ws.merged_cells.ranges)
        # sizes as Excel draws them: whole pixels (Excel and XlsxWriter save them so)
        out[(name, "widths")] = {get_column_letter(c): _width_px(d.width)
                                 for d in ws.column_dimensions.values() if d.width and d.min
                                 for c in range(d.min, (d.max or d.min) + 1)}
        out[(name, "heights")] = {r: int(d.height * 4 / 3 + 0.5)
                                  for r, d in ws.row_dimensions.items() if d.height}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                out[(name, cell.coordinate)] = (_norm(cell.value), cell.number_format,
                                                cell.font.name, bool(cell.font.b),
                                                cell.font.sz and round(float(cell.font.sz), 1))
    with zipfile.ZipFile(path) as z:
        out[("*", "charts")] = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
    return out


def compare(actual: Path, expected: Path, ignore: Iterable[Any] = ()) -> list[str]:
    """Readable differences between two workbooks (empty when they look the same)."""
    a, e = describe(actual), describe(expected)
    skip = set(ignore)
    diffs = []
    for key in sorted(set(a) | set(e), key=str):
        if key in skip or key[1] in skip:
            continue
        if a.get(key) != e.get(key):
            diffs.append(f"{key}: 现在 {a.get(key)!r}，参照 {e.get(key)!r}")
    return diffs


def make(target: Path) -> list[Path]:
    """The reference outputs, made from the small test campaign with a fixed date."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from outputs_helpers import small_campaign
    from typer.testing import CliRunner

    from weiwen import workbook_io
    from weiwen.cli import app
    from weiwen.outputs.signoff import find_template, write_signoff
    from weiwen.outputs.summary import write_summary

    with tempfile.TemporaryDirectory() as tmp:
        campaign = small_campaign(Path(tmp) / "活动")
        result = CliRunner().invoke(app, ["run", str(campaign.root), "--quiet"])
        assert result.exit_code == 0, result.output
        settings = workbook_io.read_settings(campaign.workbook)
        roster = workbook_io.read_roster(campaign.workbook)
        out = Path(tmp) / "out"
        signoff = write_signoff(roster, settings, out, template=find_template(None), today=TODAY,
                                batch=False)
        summary = write_summary(roster, settings, out, today=TODAY)
        target.mkdir(parents=True, exist_ok=True)
        made = []
        for source, name in ((signoff.files[0], "签字确认表-东风社区.xlsx"),
                             (summary.files[0], "汇总表.xlsx"), (summary.files[1], "银行代发.xlsx"),
                             (summary.files[2], "银行代发缺卡号.xlsx")):
            path = target / name
            path.write_bytes(source.read_bytes())
            made.append(path)
        return made


if __name__ == "__main__":
    for path in make(GOLDEN):
        print(f"已生成 {path}")
