"""名册's drop-down lists reach as far as shipped again after a LibreOffice save cut them.

LibreOffice 7.4 saves Weiwen.xlsm with every list longer than 1,000 rows cut there (名册 状态 and
类别 O2:O200000 → O2:O1001; tests/test_libreoffice_clerk.py sees it for real). Here the cut is
made by hand, so the write that widens them again is checked quickly.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from weiwen import sheet_splice, workbook_io
from weiwen.campaign import SHIPPED_WORKBOOK, init
from weiwen.names import ROSTER_COLUMNS, Col, Sheet


def _cut_lists(xlsm: Path, sheet_part: str, extra: bytes = b"") -> None:
    with zipfile.ZipFile(xlsm) as src:
        parts = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            if name == sheet_part:
                data = re.sub(rb'sqref="(?P<c>[A-Z]+)2:(?P=c)200000"', rb'sqref="\g<c>2:\g<c>1001"', data)
                data = data.replace(b"</dataValidations>", extra + b"</dataValidations>")
            dst.writestr(name, data)


def _lists(xlsm: Path) -> dict[str, str]:
    ws = load_workbook(xlsm)[Sheet.ROSTER]
    return {str(d.sqref): str(d.formula1) for d in ws.data_validations.dataValidation}


def test_the_lists_libreoffice_cut_reach_as_far_as_shipped_after_a_write(tmp_path):
    campaign = init(tmp_path / "活动")
    shipped = _lists(campaign.workbook)
    mine = ('<dataValidation type="list" allowBlank="1" sqref="S2:S20">'
            '<formula1>"已签,未签"</formula1></dataValidation>').encode()
    _cut_lists(campaign.workbook, "xl/worksheets/sheet6.xml", mine)
    assert "O2:O1001" in _lists(campaign.workbook)
    roster = pd.DataFrame({c: [None] * 3 for c in ROSTER_COLUMNS}, dtype=object)
    roster[Col.NAME] = ["甲", "乙", "丙"]
    # as every write of the command line and the page goes (books/file_book.py)
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.ROSTER: roster},
                             shipped=SHIPPED_WORKBOOK)
    assert _lists(campaign.workbook) == {**shipped, "S2:S20": '"已签,未签"'}   # the clerk's own kept


def test_only_a_list_that_starts_where_the_shipped_one_does_is_widened():
    shipped = b'<dataValidations><dataValidation sqref="O2:O200000"/></dataValidations>'
    tail = (b'<dataValidations><dataValidation sqref="O2:O1001"/><dataValidation sqref="O5:O9"/>'
            b'<dataValidation sqref="P2:P10"/><dataValidation sqref="O2:O1001 Q2:Q3"/>'
            b'</dataValidations>')
    assert sheet_splice.widened_validations(tail, shipped) == tail.replace(
        b'sqref="O2:O1001"/>', b'sqref="O2:O200000"/>', 1)
    assert sheet_splice.widened_validations(tail, None) == tail
