"""The Excel parts of the built Weiwen.xlsm, read back by independent readers.

Ribbon XML and relationships (zip + ElementTree), the VBA project (oletools' olevba, and
LibreOffice headless compiling and running the module's SelfTest), the hidden xlwings.conf sheet,
and that openpyxl round trips (every CLI write) keep all of it.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from weiwen import excel, excel_parts, workbook, workbook_io
from weiwen.names import Sheet

BUILT = workbook.DEFAULT_OUTPUT
NS = {"c": excel_parts.CUSTOMUI_NS}

EXPECTED_RIBBON = [
    ("准备", ["生成下发模板"]),
    ("回收", ["合并回收表", "检查"]),
    ("发放", ["计算金额", "生成签字表", "核对签字"]),
    ("走访", ["走访安排"]),
    ("报送", ["生成汇总表", "导入代发结果", "抽取抽查名单"]),
    ("帮助", ["说明", "打开活动文件夹"]),
]
EXPECTED_TAGS = ["templates", "merge", "check", "amounts", "signoff", "signatures", "visits",
                 "summary", "payments", "audit", "guide", "open_folder"]


@pytest.fixture(scope="module")
def built() -> bytes:
    return workbook.build_bytes()


def test_rebuild_equals_the_committed_workbook(built):
    assert built == BUILT.read_bytes(), "run: python -m weiwen.workbook, then commit the result"
    assert workbook.build_bytes() == built


def test_bas_is_ascii_and_has_the_callback():
    text = excel_parts.VBA_SOURCE.read_bytes().decode("ascii")
    assert "Public Sub OnWeiwenButton(control As IRibbonControl)" in text
    assert "import weiwen.excel; weiwen.excel.run('\" & operation & \"')" in text
    assert "Public Sub SelfTest()" in text


def test_ribbon_tab_groups_buttons(built):
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(built)).read(excel_parts.RIBBON_PART))
    assert root.tag == f"{{{excel_parts.CUSTOMUI_NS}}}customUI"
    tabs = root.findall("c:ribbon/c:tabs/c:tab", NS)
    assert [t.get("label") for t in tabs] == ["慰问"]
    groups = [(g.get("label"), [b.get("label") for b in g.findall("c:button", NS)])
              for g in tabs[0].findall("c:group", NS)]
    assert groups == EXPECTED_RIBBON
    buttons = excel_parts.ribbon_buttons(zipfile.ZipFile(io.BytesIO(built))
                                         .read(excel_parts.RIBBON_PART))
    assert [b.tag for b in buttons] == EXPECTED_TAGS
    assert {b.on_action for b in buttons} == {excel_parts.CALLBACK}
    assert all(b.image and b.screentip for b in buttons)
    ids = [b.get("id") for b in root.iter(f"{{{excel_parts.CUSTOMUI_NS}}}button")]
    assert len(ids) == len(set(ids))


def test_every_ribbon_tag_is_an_operation_of_weiwen_excel():
    assert [b.tag for b in excel_parts.ribbon_buttons()] == list(excel.BUTTONS)


def test_relationships_and_content_types(built):
    assert excel_parts.parts_report(built) == dict.fromkeys(
        ["ribbon_part", "ribbon_relationship", "vba_part", "vba_relationship", "macro_enabled"],
        True)
    z = zipfile.ZipFile(io.BytesIO(built))
    assert b"customUI14" not in z.read("_rels/.rels")


def test_hidden_xlwings_conf_sheet_and_messages():
    wb = load_workbook(BUILT, keep_vba=True)
    ws = wb[Sheet.XLWINGS_CONF]
    assert ws.sheet_state == "hidden"
    settings = {row[0]: row[1] for row in ws.iter_rows(values_only=True)}
    # only keys with values: a key with an empty value would override the clerk's own setting
    assert settings == {"ADD_WORKBOOK_TO_PYTHONPATH": "False"}
    for name, text in excel_parts.VBA_TEXTS.items():
        assert wb.defined_names[name].attr_text == f'"{text}"'
        assert wb.defined_names[name].hidden


def test_olevba_returns_the_bas_source_exactly():
    from oletools.olevba import VBA_Parser
    parser = VBA_Parser(str(BUILT))
    try:
        modules = [(name, code) for _, _, name, code in parser.extract_macros()]
    finally:
        parser.close()
    source = excel_parts.VBA_SOURCE.read_text(encoding="ascii")
    code = dict(modules)
    assert code.pop("Weiwen.bas").replace("\r\n", "\n") == source
    wb = load_workbook(BUILT, keep_vba=True)
    documents = ["ThisWorkbook", *(ws.sheet_properties.codeName for ws in wb.worksheets)]
    assert sorted(code) == sorted(f"{name}.cls" for name in documents)
    for name, text in code.items():   # document modules: Excel's attribute header, no code
        lines = text.splitlines()
        assert lines[0] == f'Attribute VB_Name = "{name[:-4]}"'
        assert all(line.startswith("Attribute VB_") for line in lines), name


def test_openpyxl_round_trips_keep_ribbon_and_vba(campaign):
    roster = pd.DataFrame({"户主姓名": ["张三"], "身份证号": ["110101194101010001"]})
    for _ in range(2):   # every CLI command writes through workbook_io
        workbook_io.write_results(campaign.workbook, campaign.root, roster=roster,
                                  problems=pd.DataFrame(), summary_rows=[["合计", 1]])
    data = campaign.workbook.read_bytes()
    assert all(excel_parts.parts_report(data).values()), excel_parts.parts_report(data)
    z = zipfile.ZipFile(io.BytesIO(data))
    shipped = zipfile.ZipFile(BUILT)
    assert z.read(excel_parts.VBA_PART) == shipped.read(excel_parts.VBA_PART)
    assert z.read(excel_parts.RIBBON_PART) == excel_parts.RIBBON_SOURCE.read_bytes()
    wb = load_workbook(campaign.workbook, keep_vba=True)
    assert wb[Sheet.XLWINGS_CONF].sheet_state == "hidden"
    assert set(excel_parts.VBA_TEXTS) <= set(wb.defined_names)
    assert wb.code_name == "ThisWorkbook"   # the document modules still match after the writes
    assert [ws.sheet_properties.codeName for ws in wb.worksheets][:2] == ["Sheet1", "Sheet2"]


def _lo_ready() -> bool:
    return shutil.which("soffice") is not None and Path("/usr/bin/python3").exists()


@pytest.mark.libreoffice
@pytest.mark.skipif(not _lo_ready(), reason="LibreOffice headless (soffice + python3-uno) absent")
@pytest.mark.slow
def test_libreoffice_compiles_and_runs_the_module():
    """An independent VBA implementation loads the workbook with macros on and runs SelfTest."""
    script = Path(__file__).with_name("libreoffice_vba.py")
    done = subprocess.run([sys.executable, str(script), str(BUILT)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    wb = load_workbook(BUILT, keep_vba=True)
    documents = ["ThisWorkbook", *(ws.sheet_properties.codeName for ws in wb.worksheets)]
    assert result == {"D1": "import weiwen.excel; weiwen.excel.run('selftest')",
                      "D2": excel_parts.VBA_TEXTS["WeiwenText_Title"],
                      "modules": sorted([*documents, "Weiwen"])}
