"""The codeNames a LibreOffice save drops come back with Weiwen's next write (code_names.py).

tests/test_libreoffice_clerk.py shows it with a real LibreOffice; here the same loss is made by
hand (the codeName attributes taken out, as LibreOffice writes the parts) so every write path is
covered quickly: the zip splice, a big sheet streamed, and the openpyxl fallback.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from weiwen import code_names, workbook_io
from weiwen.campaign import init
from weiwen.names import ROSTER_COLUMNS, Col, Sheet


def _as_libreoffice_saves_it(xlsm: Path) -> None:
    """No codeName on the workbook or its sheets, the VBA project left as it is."""
    with zipfile.ZipFile(xlsm) as src:
        parts = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            if info.filename == "xl/workbook.xml" or info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'\s*codeName="[^"]*"', b"", data)
            dst.writestr(info.filename, data)


def _names(xlsm: Path) -> list[str | None]:
    wb = load_workbook(xlsm, keep_vba=True)
    return [wb.code_name, *(ws.sheet_properties.codeName for ws in wb.worksheets)]


def _roster(n: int) -> pd.DataFrame:
    frame = pd.DataFrame({c: [None] * n for c in ROSTER_COLUMNS}, dtype=object)
    frame[Col.NAME] = [f"户主{i}" for i in range(n)]
    frame[Col.UNIT] = "东湖社区"
    return frame


def test_a_write_gives_back_the_code_names_the_vba_project_expects(tmp_path):
    campaign = init(tmp_path / "活动")
    shipped = _names(campaign.workbook)
    _as_libreoffice_saves_it(campaign.workbook)
    assert set(_names(campaign.workbook)) == {None}
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.ROSTER: _roster(3)})
    assert _names(campaign.workbook) == shipped
    with zipfile.ZipFile(campaign.workbook) as archive:
        modules = code_names.document_modules(archive.read("xl/vbaProject.bin"))
    assert set(shipped) <= modules


def test_a_big_sheet_streamed_across_gets_its_code_name_too(tmp_path):
    campaign = init(tmp_path / "活动")
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.ROSTER: _roster(30_000)})
    shipped = _names(campaign.workbook)
    _as_libreoffice_saves_it(campaign.workbook)
    # 问题 written, 名册 (megabytes) copied across a chunk at a time
    workbook_io.write_frames(campaign.workbook, campaign.root,
                             {Sheet.PROBLEMS: pd.DataFrame(columns=["级别"])})
    assert _names(campaign.workbook) == shipped
    assert len(workbook_io.read_roster(campaign.workbook)) == 30_000


def test_the_openpyxl_way_gives_them_back_as_well(tmp_path):
    campaign = init(tmp_path / "活动")
    shipped = _names(campaign.workbook)
    _as_libreoffice_saves_it(campaign.workbook)
    # a sheet the workbook lacks and the splice cannot add: written through openpyxl
    workbook_io.write_frames(campaign.workbook, campaign.root,
                             {"另一张表": pd.DataFrame({"列": [1]})})
    assert _names(campaign.workbook)[:len(shipped)] == shipped


def test_a_workbook_that_has_its_code_names_is_written_as_before(tmp_path):
    campaign = init(tmp_path / "活动")
    with zipfile.ZipFile(campaign.workbook) as archive:
        before = archive.read("xl/workbook.xml"), archive.read("xl/worksheets/sheet1.xml")
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.ROSTER: _roster(3)})
    with zipfile.ZipFile(campaign.workbook) as archive:
        assert (archive.read("xl/workbook.xml"), archive.read("xl/worksheets/sheet1.xml")) == before


def test_a_sheet_without_sheetpr_gets_one_first():
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="A1"/><sheetData/></worksheet>')
    mended = code_names.mends(None, b"", [("p", xml)])
    assert mended == {}                                   # no VBA project: nothing to match
    assert code_names._sheet_mend("Sheet3")(xml).startswith(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetPr codeName="Sheet3"/><dimension')
