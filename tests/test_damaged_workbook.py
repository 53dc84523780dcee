"""A campaign workbook that is damaged or locked stops a command with one Chinese line that says
what is wrong and what to do; the workbook is left as it was and no copy of a damaged file
becomes the "latest backup" the clerk is told to take back."""
from __future__ import annotations

import errno
import re
from pathlib import Path

from weiwen.names import BACKUP_DIR
from refusals import refuse_replace
from zip_parts import rewrite


def _backups(root: Path) -> list[str]:
    folder = root / BACKUP_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _one_chinese_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert "Traceback" not in output and len(lines) == 1, output
    # no English words from the libraries: only names the clerk sees on the screen or the disk
    words = re.sub(r"Weiwen\.xlsm|\.backup|xl/workbook\.xml|Excel|WPS", "", lines[0])
    assert not re.search(r"[A-Za-z]{3,}", words), lines[0]
    return lines[0]


def test_a_workbook_missing_a_part_is_named_and_left_as_it_was(demo_campaign, cli):
    rewrite(demo_campaign.workbook, lambda name, data: None if name == "xl/workbook.xml" else data)
    before, backups = demo_campaign.workbook.read_bytes(), _backups(demo_campaign.root)
    result = cli("merge", demo_campaign.root, ok=False)
    line = _one_chinese_line(result.output)
    assert result.exit_code == 2
    assert "可能已损坏（文件里缺少 xl/workbook.xml）" in line and "从活动文件夹的 .backup" in line
    assert demo_campaign.workbook.read_bytes() == before
    assert _backups(demo_campaign.root) == backups          # no copy of the damaged file kept


def test_a_workbook_cut_short_cannot_be_read_and_says_so(demo_campaign, cli):
    data = demo_campaign.workbook.read_bytes()
    demo_campaign.workbook.write_bytes(data[:len(data) // 2])
    line = _one_chinese_line(cli("check", demo_campaign.root, ok=False).output)
    assert line.startswith("错误：无法读取工作簿 Weiwen.xlsm：它可能已损坏（文件内容无法解析）")


def test_a_locked_workbook_is_not_called_damaged(demo_campaign, cli, monkeypatch):
    """Excel holding the file open: Windows refuses the replace."""
    refuse_replace(monkeypatch, demo_campaign.workbook,
                   PermissionError(errno.EACCES, "另一个程序正在使用此文件", str(demo_campaign.workbook)))
    before, backups = demo_campaign.workbook.read_bytes(), _backups(demo_campaign.root)
    line = _one_chinese_line(cli("amounts", demo_campaign.root, ok=False).output)
    assert "无法写入工作簿 Weiwen.xlsm（没有权限，或文件正被 Excel、WPS 等程序打开）" in line
    assert "损坏" not in line and "请关闭打开它的程序" in line
    assert demo_campaign.workbook.read_bytes() == before
    folder = demo_campaign.root / BACKUP_DIR         # a backup made of it is whole, as it is
    assert all((folder / name).read_bytes() == before
               for name in _backups(demo_campaign.root) if name not in backups)


def test_a_workbook_without_its_styles_is_not_written_on(demo_campaign, cli):
    """The styles (or any part the workbook's relationships name) gone: calamine still reads the
    values, but a workbook written on as it is would open in Excel as damaged."""
    whole = demo_campaign.workbook.read_bytes()
    for part in ("xl/styles.xml", "xl/theme/theme1.xml"):
        demo_campaign.workbook.write_bytes(whole)
        rewrite(demo_campaign.workbook, lambda name, data, part=part: None if name == part else data)
        before, backups = demo_campaign.workbook.read_bytes(), _backups(demo_campaign.root)
        result = cli("amounts", demo_campaign.root, ok=False)
        line = _one_chinese_line(result.output.replace(part, ""))
        assert result.exit_code == 2
        assert f"无法写入工作簿 Weiwen.xlsm：它可能已损坏（文件里缺少 {part}）" in result.output, line
        assert demo_campaign.workbook.read_bytes() == before
        assert _backups(demo_campaign.root) == backups


def test_a_workbook_open_in_wps_or_libreoffice_is_not_written_under_it(demo_campaign, cli):
    """WPS on Linux and LibreOffice hold no lock on the file, only an owner file beside it: a
    command writing under them would have its results saved over by the program's own copy."""
    before = demo_campaign.workbook.read_bytes()
    for owner in ("~$Weiwen.xlsm", ".~lock.Weiwen.xlsm#"):
        (demo_campaign.root / owner).write_bytes(b"")
        output = cli("amounts", demo_campaign.root, ok=False).output
        assert output.startswith("错误：没有写入工作簿：请先在 WPS/Excel 中关闭 Weiwen.xlsm，再运行一次"
                                 f"（活动文件夹里有 {owner}，说明它正被打开）"), output
        _one_chinese_line(output.replace(str(demo_campaign.root / owner), "").replace(owner, ""))
        assert demo_campaign.workbook.read_bytes() == before
        (demo_campaign.root / owner).unlink()
    cli("amounts", demo_campaign.root)                   # closed: written as usual
    assert demo_campaign.workbook.read_bytes() != before


def test_a_read_only_workbook_is_left_read_only(demo_campaign, cli):
    """A finished campaign the clerk marked read-only: a replace would ignore the mark."""
    import stat
    before = demo_campaign.workbook.read_bytes()
    demo_campaign.workbook.chmod(0o444)
    try:
        line = _one_chinese_line(cli("check", demo_campaign.root, ok=False).output)
        assert line.startswith("错误：没有写入工作簿：Weiwen.xlsm 是只读文件"), line
        assert demo_campaign.workbook.read_bytes() == before
        assert not demo_campaign.workbook.stat().st_mode & stat.S_IWUSR
    finally:
        demo_campaign.workbook.chmod(0o644)
    cli("check", demo_campaign.root)
