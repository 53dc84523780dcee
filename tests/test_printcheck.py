"""The print check: every output of a campaign rendered by LibreOffice and read back as pages;
it passes on good outputs and fails on a narrowed column, a lost print setting, an unnamed font."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font

from outputs_helpers import small_campaign
from weiwen.names import BANK_FILE, OUTPUT_DIR, SIGNOFF_DIR, SUMMARY_FILE

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
if not shutil.which("soffice"):
    pytest.skip("LibreOffice is not installed", allow_module_level=True)
pytest.importorskip("pdfplumber")

from weiwen.printcheck import check_campaign, check_files  # noqa: E402


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    from typer.testing import CliRunner
    from weiwen.cli import app
    campaign = small_campaign(tmp_path_factory.mktemp("pc") / "活动")
    result = CliRunner().invoke(app, ["run", str(campaign.root), "--quiet"])
    assert result.exit_code == 0, result.output
    return campaign


def test_every_output_of_a_campaign_passes(ran, tmp_path):
    report = check_campaign(ran.root, png_dir=tmp_path / "png")
    assert report.ok, "\n".join(map(str, report.findings))
    files = set(report.pages)
    assert {SUMMARY_FILE, BANK_FILE, "抽查名单.xlsx"} <= files
    assert any(f.startswith(SIGNOFF_DIR + "/") for f in files)
    assert any(f.startswith("退回修改/") for f in files)
    assert set(report.pages[SUMMARY_FILE]) == {"汇总", "图表"}          # every sheet checked
    assert len(report.pngs) == sum(sum(s.values()) for s in report.pages.values())


def _broken(src: Path, target: Path, change) -> Path:
    wb = load_workbook(src)
    change(wb)
    wb.save(target)
    return target


def test_the_check_fails_when_a_width_or_a_print_setting_breaks(ran, tmp_path):
    out = ran.root / OUTPUT_DIR
    unit = next((out / SIGNOFF_DIR).glob("东风社区.xlsx"))

    def narrow_amounts(wb):                      # 金额 too narrow: ### on paper
        wb["汇总"].column_dimensions["G"].width = 5

    def lose_titles(wb):                         # no header on page 2, not one page wide
        ws = wb.active
        ws.print_title_rows = None
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.fitToWidth = 0
        ws.column_dimensions["K"].width = 80     # 备注 too wide for the page
        for r in range(4, 40):
            ws.row_dimensions[r].height = 60     # long enough to need several pages

    def unnamed_bold(wb):                        # bold numbers without a font name: serif
        for row in wb.active.iter_rows(min_row=4):
            for cell in row:
                cell.font = Font(bold=True)

    files = [_broken(out / SUMMARY_FILE, tmp_path / "窄列.xlsx", narrow_amounts),
             _broken(unit, tmp_path / "无表头.xlsx", lose_titles),
             _broken(out / BANK_FILE, tmp_path / "无字体.xlsx", unnamed_bold)]
    report = check_files(files, base=tmp_path)
    found = {(f.file, f.check) for f in report.findings}
    assert {("窄列.xlsx", "hashes"), ("窄列.xlsx", "clipped")} <= found
    assert {("无表头.xlsx", "header"), ("无表头.xlsx", "width")} <= found
    assert {("无字体.xlsx", "serif"), ("无字体.xlsx", "font")} <= found


def test_the_visit_lists_of_the_demo_pass(demo_source):
    report = check_campaign(demo_source, only=["走访安排/"])
    assert len(report.pages) == 9
    assert report.ok, "\n".join(map(str, report.findings))


def test_long_unit_and_household_names_print_whole(tmp_path):
    """A unit's full official name, a long name or a unit name longer than any column allows:
    printed whole on the paper — on one line while short, wrapped when longer — never cut."""
    import pandas as pd

    from weiwen.names import Col, PayCol
    from weiwen.payments.reissue import write_reissue
    units = ["东风社区居民委员会", "柳营村", "城关镇东风社区居民委员会第二网格服务站"]
    names = ["张三", "阿卜杜热合曼·买买提", "欧阳娜娜"]
    failed = pd.DataFrame([{Col.UNIT: units[i % 3], Col.NAME: names[i % 3],
                            Col.ID: "110101194001011234", Col.PHONE: "13812345678",
                            Col.CARD: "6222021234567890123", Col.AMOUNT: 700.0} for i in range(9)])
    results = pd.DataFrame([{PayCol.CARD: "6222021234567890123", PayCol.NAME: n,
                             PayCol.REASON: "账户已销户"} for n in names])
    path = write_reissue(tmp_path, failed, results, "2027年春节慰问")
    report = check_files([path], base=tmp_path)
    assert report.ok, "\n".join(map(str, report.findings))
