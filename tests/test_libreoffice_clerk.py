"""A clerk who edits Weiwen.xlsm in LibreOffice Calc and runs the command line on it.

Clerks on Linux desks (and many with WPS) fill 参数 / 单位 / 标准 and correct 名册 in LibreOffice,
save, and run `weiwen`. LibreOffice types and saves for real here (tests/libreoffice_clerk.py, a
zh-CN LibreOffice typing into cells), a reader we did not write; the command line then runs on
what it saved, and LibreOffice opens the result again and runs the workbook's own VBA self-test.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from libreoffice_vba import SYSTEM_PYTHON, missing
from weiwen import code_names, workbook_io
from weiwen.demo import make_demo
from weiwen.names import Col, Sheet, Status

HERE = Path(__file__).parent


pytestmark = [
    pytest.mark.libreoffice, pytest.mark.slow,
    pytest.mark.skipif(bool(missing()), reason=missing() or "ready"),
]


def lo_type(xlsm: Path, edits: list[tuple[str, str, str]]) -> dict:
    """Type `edits` (sheet, cell, text) into `xlsm` in LibreOffice and save it there."""
    done = subprocess.run([SYSTEM_PYTHON, str(HERE / "libreoffice_clerk.py"), str(xlsm),
                           json.dumps(edits, ensure_ascii=False)],
                          capture_output=True, text=True, timeout=180, cwd=HERE)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def lo_selftest(xlsm: Path) -> dict:
    """LibreOffice opens `xlsm` (a copy) with macros on and runs the module's SelfTest."""
    done = subprocess.run([SYSTEM_PYTHON, str(HERE / "libreoffice_vba.py"), str(xlsm)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def code_names_and_modules(xlsm: Path) -> tuple[list[str | None], set[str]]:
    wb = load_workbook(xlsm, keep_vba=True)
    names = [wb.code_name, *(ws.sheet_properties.codeName for ws in wb.worksheets)]
    with zipfile.ZipFile(xlsm) as archive:
        return names, code_names.document_modules(archive.read("xl/vbaProject.bin"))


def excel_parts(xlsm: Path) -> dict[str, bool]:
    with zipfile.ZipFile(xlsm) as archive:
        parts = set(archive.namelist())
        rels = archive.read("_rels/.rels")
    return {"vba": "xl/vbaProject.bin" in parts, "ribbon": "customUI/customUI.xml" in parts,
            "ribbon link": b"customUI/customUI.xml" in rels}


def roster_row(xlsm: Path, name: str, unit: str) -> tuple[int, dict]:
    ws = load_workbook(xlsm)[Sheet.ROSTER]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        values = dict(zip(header, (c.value for c in row)))
        if values[Col.NAME] == name and values[Col.UNIT] == unit:
            return row[0].row, values
    raise AssertionError(f"{unit} {name} not in 名册")


def test_a_campaign_kept_in_libreoffice_reads_as_typed_and_keeps_its_macros(tmp_path, cli):
    root = tmp_path / "2027春节慰问"
    make_demo(root)
    book = root / "Weiwen.xlsm"

    # 1. the settings typed in LibreOffice, as a clerk types them
    saved = lo_type(book, [
        ("参数", "B3", "2027-1-20"), ("参数", "B4", "2027/2/5"), ("参数", "B5", "2027年1月10日"),
        ("参数", "B6", "2027-2-10"), ("参数", "B7", "1,500,000"), ("参数", "B8", "10%"),
        ("标准", "E2", "600"), ("标准", "D3", "750"), ("单位", "E3", "13712345678")])
    assert saved["filter"] == "Calc MS Excel 2007 VBA XML"          # kept as .xlsm
    assert excel_parts(book) == {"vba": True, "ribbon": True, "ribbon link": True}
    names, modules = code_names_and_modules(book)
    assert names[0] is None          # what LibreOffice's save does: the codeNames are gone

    settings = workbook_io.read_settings(book)
    assert settings.problems == []
    params = settings.params
    assert (params.start, params.end, params.return_deadline, params.signoff_deadline) == (
        dt.date(2027, 1, 20), dt.date(2027, 2, 5), dt.date(2027, 1, 10), dt.date(2027, 2, 10))
    assert (params.budget, params.audit_ratio) == (1_500_000, 0.1)
    assert settings.units[1].phone == "13712345678"

    # 2. the whole campaign from the command line on what LibreOffice saved
    cli("templates", root)
    cli("merge", root)
    cli("amounts", root)
    for command in ("signoff", "summary", "audit"):
        cli(command, root)
    roster = workbook_io.read_roster(book)
    paid = roster[roster[Col.STATUS] == Status.VALID]
    single = paid[(paid[Col.CATEGORY] == "低保") & (paid[Col.SIZE] == 1)]
    assert len(single) and set(single[Col.AMOUNT]) == {600}
    assert set(paid[paid[Col.CATEGORY] == "台胞/少数民族困难家庭"][Col.AMOUNT]) == {750}
    template = load_workbook(next((root / "outbox").glob("*.xlsx"))).worksheets[0]
    assert any("请于 2027年1月10日 前交回" in str(c.value or "")
               for row in template.iter_rows(max_row=3) for c in row)

    # Weiwen's writes keep what LibreOffice saved and give the VBA project its codeNames back,
    # and 名册's lists (状态, 类别), which LibreOffice cut to 1,000 rows, their reach
    lists = {str(d.sqref) for d in load_workbook(book)[Sheet.ROSTER].data_validations.dataValidation}
    assert lists == {"O2:O200000", "E2:E200000"}
    assert excel_parts(book) == {"vba": True, "ribbon": True, "ribbon link": True}
    names, modules = code_names_and_modules(book)
    assert names[0] == "ThisWorkbook" and set(names) <= modules
    assert lo_selftest(book)["D1"] == "import weiwen.excel; weiwen.excel.run('selftest')"

    # 3. 名册 corrected in LibreOffice: an ID, a phone, the clerk's 备注
    invalid, household = next(
        (roster_row(book, r[Col.NAME], r[Col.UNIT]) for _, r in roster.iterrows()
         if r[Col.STATUS] == Status.ERROR and "校验位不对" in str(r[Col.ISSUES])))
    fixed_id = _with_check_digit(household[Col.ID][:17])
    no_phone, quiet = next(
        (roster_row(book, r[Col.NAME], r[Col.UNIT]) for _, r in roster.iterrows()
         if r[Col.STATUS] == Status.VALID and not r[Col.PHONE]))
    lo_type(book, [("名册", f"D{invalid}", fixed_id), ("名册", f"H{no_phone}", "13912345678"),
                   ("名册", "S2", "已核实"), ("名册", "S3", "2027-1-25"),
                   ("名册", "S4", "  送到了，全角！ ")])
    cli("check", root)
    cli("amounts", root)
    _, household = roster_row(book, household[Col.NAME], household[Col.UNIT])
    assert household[Col.ID] == fixed_id                 # text, all 18 digits
    assert household[Col.STATUS] != Status.ERROR and household[Col.AMOUNT] > 0
    assert roster_row(book, quiet[Col.NAME], quiet[Col.UNIT])[1][Col.PHONE] == "13912345678"

    # 4. a second merge keeps the 备注 exactly as typed (a date stays a date), and says that the
    # ID and phone typed into 名册 were not kept (名册 is rebuilt from inbox)
    said = cli("merge", root).output
    assert f"{household[Col.UNIT]}“{household[Col.NAME]}”的身份证号" in said
    assert f"{quiet[Col.UNIT]}“{quiet[Col.NAME]}”的联系电话" in said
    ws = load_workbook(book)[Sheet.ROSTER]
    assert [ws[f"S{r}"].value for r in (2, 3, 4)] == [
        "已核实", dt.datetime(2027, 1, 25), "  送到了，全角！ "]
    assert excel_parts(book) == {"vba": True, "ribbon": True, "ribbon link": True}
    names, modules = code_names_and_modules(book)
    assert names[0] == "ThisWorkbook" and set(names) <= modules
    # and LibreOffice opens the workbook Weiwen wrote, its VBA finding its workbook
    assert lo_selftest(book)["D2"] == "走访慰问"


def _with_check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def test_a_workbook_that_went_through_ods_is_said_so_and_gets_its_ribbon_back(tmp_path, cli):
    """Saved as .ods in LibreOffice and back as .xlsm, the workbook has no ribbon: every command
    says so and names `weiwen excel-setup`, which puts ribbon and macros back, data unchanged."""
    root = tmp_path / "2027春节慰问"
    make_demo(root)
    book = root / "Weiwen.xlsm"
    cli("merge", root)
    roster = workbook_io.read_roster(book)
    done = subprocess.run([SYSTEM_PYTHON, str(HERE / "libreoffice_clerk.py"), "--through-ods",
                           str(book)], capture_output=True, text=True, timeout=180, cwd=HERE)
    assert done.returncode == 0, done.stderr
    assert excel_parts(book)["ribbon"] is False              # what LibreOffice's .ods leaves

    said = cli("check", root).output
    assert "Weiwen.xlsm 里没有“慰问”选项卡" in said and f"weiwen excel-setup {root}" in said
    set_up = cli("excel-setup", root).output
    assert "✓ “慰问”选项卡和宏：Weiwen.xlsm 里原来没有“慰问”选项卡，已补回" in set_up
    assert excel_parts(book) == {"vba": True, "ribbon": True, "ribbon link": True}
    names, modules = code_names_and_modules(book)
    assert names[0] == "ThisWorkbook" and set(names) <= modules
    assert lo_selftest(book)["D2"] == "走访慰问"
    after = workbook_io.read_roster(book)
    assert after[[Col.NAME, Col.ID, Col.STATUS]].equals(roster[[Col.NAME, Col.ID, Col.STATUS]])
    assert "选项卡" not in cli("check", root).output
