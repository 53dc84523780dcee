"""The built VBA project, record by record, against xlwings' own xlwings.xlam (Excel-made).

Only the differences listed in docs/excel.md may occur, and each listed one must still occur.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from vba_records import decode_protection, differences, dir_records, read_project, xlwings_addin
from weiwen import workbook

DOC = Path(__file__).resolve().parents[1] / "docs" / "excel.md"


def _documented() -> set[str]:
    """The facet keys of the table under "Expected differences from xlwings.xlam"."""
    section = DOC.read_text(encoding="utf-8").split("### Expected differences from xlwings.xlam")[1]
    section = section.split("\n#")[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.M))


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    path = tmp_path_factory.mktemp("vba") / "Weiwen.xlsm"
    path.write_bytes(workbook.build_bytes())
    return read_project(path)


@pytest.fixture(scope="module")
def reference():
    return read_project(xlwings_addin())


@pytest.mark.slow
def test_only_the_documented_differences_from_xlwings_xlam(ours, reference):
    found = differences(ours, reference)
    documented = _documented()
    assert len(documented) >= 10
    unexpected = {k: v for k, v in found.items() if k not in documented}
    assert not unexpected, f"differences not in docs/excel.md: {unexpected}"
    gone = documented - set(found)
    assert not gone, f"listed in docs/excel.md but no longer different: {sorted(gone)}"


def test_what_must_be_the_same(ours, reference):
    """The records Excel checks before it opens a VBA project, stated directly (they are also
    covered by the comparison): code page, system kind, references, module order, versions."""
    a, b = ours.facets(), reference.facets()
    for key in ("dir.PROJECTCODEPAGE", "dir.PROJECTSYSKIND", "dir.references",
                "dir.MODULE.record_order", "PROJECT.VersionCompatible32",
                "PROJECT.Host Extender Info", "_VBA_PROJECT"):
        assert a[key] == b[key], key
    assert a["dir.PROJECTCODEPAGE"] == "1252"
    assert a["_VBA_PROJECT"] == "cc 61 ff ff 00 01 00"
    assert a["workbook.codeName = document modules"] == "True"
    assert a["oletools.agrees"] == "True"
    assert a["PROJECT.DPB"] == "no password" and a["PROJECT.CMG"] == "not locked"
    assert a["dir.modules.procedural"] == "Weiwen"
    assert a["dir.modules.document"].startswith("ThisWorkbook, Sheet1, Sheet2")


def test_document_modules_follow_the_sheets(ours):
    from openpyxl import load_workbook
    wb = load_workbook(workbook.DEFAULT_OUTPUT, keep_vba=True)
    assert wb.code_name == "ThisWorkbook"
    sheets = [ws.sheet_properties.codeName for ws in wb.worksheets]
    assert sheets == [f"Sheet{i}" for i in range(1, len(wb.worksheets) + 1)]
    assert ours.code_names == ["ThisWorkbook", *sheets]
    assert [n for n, kind, _ in ours.modules() if kind == "document"] == ["ThisWorkbook", *sheets]


def test_the_comparison_sees_a_performance_cache(tmp_path, reference):
    """pyopenvba's Excel-made blank still has Excel's caches: the comparison must say so."""
    from pyopenvba._templates import EMPTY_XLSM_BYTES   # the base our project is made from
    path = tmp_path / "blank.xlsm"
    path.write_bytes(EMPTY_XLSM_BYTES)
    found = differences(read_project(path), reference)
    assert found["_VBA_PROJECT"][0].startswith("cc 61 b5 00 00")   # Excel's own version, a cache
    assert "dir.modules.procedural" in found and "_VBA_PROJECT" not in _documented()


def test_dir_records_split_a_stream():
    stream = (b"\x01\x00\x04\x00\x00\x00\x03\x00\x00\x00"          # SYSKIND 3
              b"\x09\x00\x04\x00\x00\x00\x01\x02\x03\x04\x05\x06"  # PROJECTVERSION: 6 data bytes
              b"\x10\x00\x00\x00\x00\x00")                          # terminator
    assert [(r.name, r.data) for r in dir_records(stream)] == [
        ("PROJECTSYSKIND", b"\x03\x00\x00\x00"), ("PROJECTVERSION", b"\x01\x02\x03\x04\x05\x06"),
        ("dir.Terminator", b"")]


def test_protection_values_decode_as_in_ms_ovba_example():
    """MS-OVBA §3.1.6's example PROJECT stream: an unprotected, visible project."""
    assert decode_protection("0705D8E3D8EDDBF1DBF1DBF1DBF1") == bytes(4)
    assert decode_protection("0E0CD1ECDFF4E7F5E7F5E7") == b"\x00"
    assert decode_protection("1517CAF1D6F9D7F9D706") == b"\xff"


def test_built_workbook_holds_exactly_this_project(ours):
    data = zipfile.ZipFile(io.BytesIO(workbook.DEFAULT_OUTPUT.read_bytes())).read("xl/vbaProject.bin")
    assert len(data) < 64 * 1024
    assert ours.vba_project == bytes.fromhex("cc61ffff000100")
