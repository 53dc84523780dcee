"""A workbook whose 名册 / 问题 part ends right after its rows (what a re-merge of the earlier
version left after copying rows: Excel then calls the workbook damaged) is mended by the next
write, and the clerk is told; read back by a strict XML parser and by openpyxl, not our reader."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from weiwen import pipeline, sheet_splice
from zip_parts import cut_after_rows, unparsable
from weiwen.campaign import SHIPPED_WORKBOOK
from weiwen.names import Sheet
from weiwen.pipeline import box_message

CUT = (Sheet.ROSTER, Sheet.PROBLEMS)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _sheet_part(path: Path, sheet: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(sheet_splice.sheet_paths(archive)[sheet])


def _tail(part: bytes) -> bytes:
    return part[part.index(b"</sheetData>") + len(b"</sheetData>"):]


@pytest.mark.slow
def test_a_roster_cut_short_is_mended_by_the_next_merge_and_the_clerk_told(demo_campaign, cli):
    cut_after_rows(demo_campaign.workbook, CUT)
    assert len(unparsable(demo_campaign.workbook)) == 2          # damaged, as Excel sees it

    report = cli.json("merge", demo_campaign.root)
    said = " ".join(report["notes"])
    assert "“名册”表缺了表尾" in said and "“问题”表缺了表尾" in said and "已把它补全" in said
    assert unparsable(demo_campaign.workbook) == []
    for sheet in CUT:           # its conditional formats, lists and margins as shipped
        assert _tail(_sheet_part(demo_campaign.workbook, sheet)) == \
            _tail(_sheet_part(SHIPPED_WORKBOOK, sheet))
    ws = load_workbook(demo_campaign.workbook, keep_vba=True)[Sheet.ROSTER]
    assert [rule.formula for cf in ws.conditional_formatting for rule in cf.rules] == \
        [['$O2="错误"'], ['$O2="重复"'], ['$O2="待核"']]
    assert len(ws.data_validations.dataValidation) == 2 and ws.page_margins.left == 0.75
    assert ws.max_row == report["roster_rows"] + 1 > 1000                  # every row kept

    again = cli.json("merge", demo_campaign.root)                  # whole now: nothing to say
    assert "缺了表尾" not in " ".join(again["notes"])

    cut_after_rows(demo_campaign.workbook, (Sheet.ROSTER,))        # 检查 mends it too, and
    report = pipeline.on_disk("check", demo_campaign)               # the message box shows it
    assert box_message(report).splitlines()[2].startswith("工作簿里的“名册”表缺了表尾")
    assert unparsable(demo_campaign.workbook) == []


def test_the_end_added_fits_the_workbook():
    shipped = sheet_splice.shipped_tail(SHIPPED_WORKBOOK, Sheet.ROSTER)
    assert shipped is not None and shipped.endswith(b"</worksheet>")
    assert sheet_splice.shipped_tail(SHIPPED_WORKBOOK, "不在模板里的表") is None
    styles = _parts(SHIPPED_WORKBOOK)["xl/styles.xml"]
    plain = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    assert sheet_splice.completed_tail(plain, shipped, styles) == shipped
    # a root with a prefix: the shipped elements (default namespace) would not belong there
    prefixed = b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    assert sheet_splice.completed_tail(prefixed, shipped, styles) == b"</x:worksheet>"
    assert sheet_splice.completed_tail(plain, None, styles) == b"</worksheet>"
    # the clerk's styles lack the formats the rules name: the rules go, the lists stay
    fewer = re.sub(rb"<dxfs\b.*?</dxfs>", b'<dxfs count="0"/>', styles, flags=re.S)
    mended = sheet_splice.completed_tail(plain, shipped, fewer)
    assert b"conditionalFormatting" not in mended and b"<dataValidations" in mended
    assert mended.endswith(b"</worksheet>")
