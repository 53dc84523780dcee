"""weiwen excel-setup: what runs here (Linux) for real, and the Windows path as far as it can run."""
from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from weiwen import excel_parts
from weiwen.excel_setup import Check, setup, write_interpreter
from weiwen.names import Sheet


def _conf_as_xlwings_reads_it(workbook: Path) -> dict[str, object]:
    """xlwings' GetConfigFromSheet: column A from A1 down to the first blank cell, B is the value."""
    ws = load_workbook(workbook, keep_vba=True)[Sheet.XLWINGS_CONF]
    out, row = {}, 1
    while ws.cell(row, 1).value not in (None, ""):
        out[str(ws.cell(row, 1).value).upper()] = ws.cell(row, 2).value
        row += 1
    return out


@pytest.mark.slow
def test_on_linux_it_checks_and_changes_nothing(cli, tmp_path):
    root = tmp_path / "慰问" / "2027春节"
    cli("init", root)
    before = (root / "Weiwen.xlsm").read_bytes()
    out = cli("excel-setup", root).output
    assert "只能在装有 Microsoft Excel 的 Windows 或 macOS 电脑上使用" in out
    assert "✓ Python 和 weiwen" in out and f"能读取活动文件夹 {root}" in out
    assert "✓ 活动文件夹位置" in out
    assert (root / "Weiwen.xlsm").read_bytes() == before


def test_interpreter_written_as_xlwings_reads_it(campaign):
    wb = campaign.workbook
    write_interpreter(wb, "INTERPRETER_WIN", r"C:\Python312\pythonw.exe", campaign.root)
    write_interpreter(wb, "INTERPRETER_WIN", r"C:\Program Files\Python313\pythonw.exe", campaign.root)
    assert _conf_as_xlwings_reads_it(wb) == {
        "ADD_WORKBOOK_TO_PYTHONPATH": "False",
        "INTERPRETER_WIN": r"C:\Program Files\Python313\pythonw.exe"}
    data = wb.read_bytes()
    assert all(excel_parts.parts_report(data).values())        # ribbon and VBA still there
    book = load_workbook(wb, keep_vba=True)
    assert book.code_name == "ThisWorkbook" and book[Sheet.XLWINGS_CONF].sheet_state == "hidden"
    assert len(list((campaign.root / ".backup").glob("Weiwen-*.xlsm"))) == 2


@pytest.mark.slow
def test_windows_path_runs_as_far_as_this_machine_allows(campaign):
    """xlwings' own add-in install cannot work without Excel: the clerk is told what to do."""
    checks, todo = setup(campaign.root, platform="win32")
    by_name = {c.name: c for c in checks}
    assert by_name["xlwings 加载项"].ok is False
    assert "xlwings addin install" in by_name["xlwings 加载项"].message
    assert by_name["按钮使用的 Python"].ok is True
    assert "INTERPRETER_WIN" in _conf_as_xlwings_reads_it(campaign.workbook)
    assert by_name["Python 和 weiwen"].ok is True
    text = "\n".join(todo)
    assert str(campaign.root.parent) in text and "受信任位置" in text
    assert "解除锁定" in text and "攻击面减少规则" in text


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="no system Python")
def test_a_python_without_weiwen_is_reported(campaign):
    if shutil.which("python3") and Path("/usr/bin/python3").resolve() == Path(
            __import__("sys").executable).resolve():
        pytest.skip("the system Python is the test Python")
    checks, _ = setup(campaign.root, python="/usr/bin/python3")
    check = next(c for c in checks if c.name == "Python 和 weiwen")
    assert check.ok is False and "无法导入 weiwen 或 xlwings" in check.message


@pytest.mark.slow
def test_a_folder_in_onedrive_is_refused(cli, tmp_path, monkeypatch):
    synced = tmp_path / "OneDrive - 某某街道办事处"
    root = synced / "2027春节"
    cli("init", root)
    result = cli("excel-setup", root, ok=False)
    assert result.exit_code == 2
    assert "✗ 活动文件夹位置" in result.output and "OneDrive" in result.output
    elsewhere = tmp_path / "同步盘"
    monkeypatch.setenv("OneDrive", str(elsewhere))
    cli("init", elsewhere / "活动")
    assert cli("excel-setup", elsewhere / "活动", ok=False).exit_code == 2


def test_not_a_campaign_folder(cli, tmp_path):
    result = cli("excel-setup", tmp_path / "没有这个文件夹", ok=False)
    assert result.exit_code == 2


def _hanging(args, **kwargs):
    """A stand-in for subprocess.run whose child never answers (Excel left a dialog open)."""
    raise subprocess.TimeoutExpired(args, kwargs.get("timeout", 0))


def test_an_addin_install_or_a_python_that_hangs_is_a_check_not_a_crash(campaign):
    checks, _ = setup(campaign.root, platform="win32", run=_hanging)
    by_name = {c.name: c for c in checks}
    assert by_name["xlwings 加载项"].ok is False
    assert "等了 300 秒没有完成" in by_name["xlwings 加载项"].message
    assert "xlwings addin install" in by_name["xlwings 加载项"].message
    assert by_name["Python 和 weiwen"].ok is False
    assert "没有回应" in by_name["Python 和 weiwen"].message
    assert by_name["按钮使用的 Python"].ok is True           # the workbook part still done


def _python_check(root: Path) -> Check:
    checks, _ = setup(root, platform="win32", run=_hanging)
    return next(c for c in checks if c.name == "按钮使用的 Python")


def test_a_deleted_conf_sheet_is_reported_as_deleted(campaign):
    book = load_workbook(campaign.workbook, keep_vba=True)
    del book[Sheet.XLWINGS_CONF]
    book.save(campaign.workbook)
    before = campaign.workbook.read_bytes()
    check = _python_check(campaign.root)
    assert check.ok is False
    assert "xlwings.conf" in check.message and "不见了" in check.message
    assert "损坏" not in check.message
    assert "Interpreter" in check.message                   # what the clerk can do instead
    assert campaign.workbook.read_bytes() == before


_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _named_part(workbook: Path, what: str) -> str:
    """The zip entry the workbook's relationships name for sheet `what`, or for `what` itself
    when it is a relationship type ("styles")."""
    with zipfile.ZipFile(workbook) as z:
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter(_REL)
        sheets = ET.fromstring(z.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")
    rid = next((s.get(_R_ID) for s in sheets if s.get("name") == what), None)
    target = next(r.get("Target") for r in rels
                  if r.get("Id") == rid or r.get("Type", "").endswith(f"/{what}"))
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _without(workbook: Path, part: str) -> None:
    """Rewrite the workbook's zip with every entry but `part`, as a failed copy or a bad tool
    leaves it."""
    with zipfile.ZipFile(workbook) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    assert part in [info.filename for info, _ in entries]
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename != part:
                dst.writestr(info, data)


@pytest.mark.parametrize("damage", [Sheet.UNITS, Sheet.XLWINGS_CONF, "styles", "xl/workbook.xml",
                                    "cut short"])
def test_a_damaged_workbook_is_reported_as_damaged_not_as_a_deleted_sheet(campaign, damage):
    """A part the relationships name but the zip lacks reaches openpyxl as a KeyError, as another
    error from deep inside, or as a sheet silently left out: the clerk is sent to the backup,
    never told the sheet was deleted, and the file is left as it is. Once whole again, the
    interpreter is written as before."""
    whole = campaign.workbook.read_bytes()
    if damage == "cut short":
        campaign.workbook.write_bytes(whole[:5000])            # a half-copied file
    else:
        part = damage if "/" in damage else _named_part(campaign.workbook, damage)
        _without(campaign.workbook, part)
    damaged = campaign.workbook.read_bytes()
    check = _python_check(campaign.root)
    assert check.ok is False
    assert "可能已损坏" in check.message and "从活动文件夹的 .backup 文件夹里找回最近的备份" in check.message
    assert "不见了" not in check.message
    named = {Sheet.UNITS: f"缺少：“{Sheet.UNITS}”表", Sheet.XLWINGS_CONF: f"缺少：“{Sheet.XLWINGS_CONF}”表",
             "xl/workbook.xml": "缺少：xl/workbook.xml"}
    assert named.get(damage, "") in check.message                # which part is missing, if known
    assert campaign.workbook.read_bytes() == damaged
    assert not list((campaign.root / ".backup").glob("Weiwen-*.xlsm"))
    campaign.workbook.write_bytes(whole)
    assert _python_check(campaign.root).ok is True
    assert "INTERPRETER_WIN" in _conf_as_xlwings_reads_it(campaign.workbook)


def test_a_full_disk_is_not_called_damage(campaign, monkeypatch):
    """The workbook is whole but cannot be replaced (a full disk): said in the system's words,
    without sending the clerk to a backup they do not need."""
    import errno

    from refusals import refuse_replace
    refuse_replace(monkeypatch, campaign.workbook,
                   OSError(errno.ENOSPC, "No space left on device", str(campaign.workbook)))
    before = campaign.workbook.read_bytes()
    check = _python_check(campaign.root)
    assert check.ok is False
    assert "无法写入工作簿 Weiwen.xlsm（磁盘已满），工作簿保持原样" in check.message, check.message
    assert "损坏" not in check.message and "Interpreter" in check.message
    assert campaign.workbook.read_bytes() == before


def _saved_without_excel_parts(workbook: Path) -> None:
    """What saving as .xlsx and renaming back leaves (LibreOffice's .ods round trip, WPS too):
    the data, no ribbon, no VBA project."""
    load_workbook(workbook).save(workbook)


def test_a_workbook_that_lost_its_ribbon_is_said_so_and_excel_setup_puts_it_back(cli, demo_campaign):
    root, book = demo_campaign.root, demo_campaign.workbook
    _saved_without_excel_parts(book)
    said = cli("check", root).output
    assert "Weiwen.xlsm 里没有“慰问”选项卡和宏" in said and f"weiwen excel-setup {root}" in said
    before = load_workbook(book)

    out = cli("excel-setup", root).output
    assert "✓ “慰问”选项卡和宏：Weiwen.xlsm 里原来没有“慰问”选项卡和宏，已补回" in out
    assert all(excel_parts.parts_report(book.read_bytes()).values())
    after = load_workbook(book, keep_vba=True)
    assert after.code_name == "ThisWorkbook" and after[Sheet.XLWINGS_CONF].sheet_state == "hidden"
    assert set(excel_parts.VBA_TEXTS) <= set(after.defined_names)
    for sheet in (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS, Sheet.ROSTER, Sheet.PROBLEMS):
        assert [[c.value for c in r] for r in after[sheet].iter_rows()] == \
            [[c.value for c in r] for r in before[sheet].iter_rows()], sheet
    assert list((root / ".backup").glob("*.xlsm"))
    assert "选项卡" not in cli("check", root).output
    assert "✓ “慰问”选项卡和宏：Weiwen.xlsm 里都在" in cli("excel-setup", root).output


def test_parts_are_not_put_back_into_a_workbook_open_elsewhere(cli, campaign):
    _saved_without_excel_parts(campaign.workbook)
    (campaign.root / ".~lock.Weiwen.xlsm#").write_text("clerk,desk,,", encoding="utf-8")
    before = campaign.workbook.read_bytes()
    out = cli("excel-setup", campaign.root, ok=False).output
    assert "✗ “慰问”选项卡和宏：Weiwen.xlsm 里没有“慰问”选项卡和宏，这次没有补回" in out
    assert campaign.workbook.read_bytes() == before


def test_a_copy_saved_in_another_format_after_the_workbook_is_said_so(cli, campaign):
    """LibreOffice's “use ODF format” answer saves Weiwen.ods beside Weiwen.xlsm, which every
    command reads: the clerk is told the edits went elsewhere, and how to bring them back."""
    ods = campaign.root / "Weiwen.ods"
    ods.write_bytes(b"PK")                                   # what it holds is not read
    older = campaign.workbook.stat().st_mtime - 60
    os.utime(ods, (older, older))
    assert "Weiwen.ods" not in cli("check", campaign.root).output   # an old copy: nothing said
    newer = campaign.workbook.stat().st_mtime + 60
    os.utime(ods, (newer, newer))
    said = cli("check", campaign.root).output
    assert "活动文件夹里的 Weiwen.ods 比 Weiwen.xlsm 保存得晚" in said
    assert "Weiwen.ods 里的改动这次没有用上" in said and "weiwen excel-setup" in said
