"""The campaign folder and the `weiwen` command: init, run on an empty inbox, errors, help, demo."""
from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from openpyxl import load_workbook

from weiwen import cli_usage, workbook_io
from weiwen.cli import app
from weiwen.names import (PROBLEM_COLUMNS, ROSTER_COLUMNS, WORKBOOK_SHEETS, Col, Sheet, Status)


def test_init_creates_the_campaign_folder(tmp_path, cli):
    target = tmp_path / "2027春节慰问"
    result = cli("init", target)
    assert "已创建活动文件夹" in result.output
    assert (target / "Weiwen.xlsm").is_file()
    for folder in ("inbox", "outbox", "output"):
        assert (target / folder).is_dir()
    wb = load_workbook(target / "Weiwen.xlsm", keep_vba=True)
    assert tuple(wb.sheetnames[:len(WORKBOOK_SHEETS)]) == WORKBOOK_SHEETS


def test_init_refuses_to_overwrite_without_force(tmp_path, cli):
    target = tmp_path / "c"
    cli("init", target)
    wb = target / "Weiwen.xlsm"
    wb.write_bytes(wb.read_bytes())  # the clerk's workbook
    before = wb.read_bytes()
    result = cli("init", target, ok=False)
    assert result.exit_code == 2
    assert "--force" in result.output and "已经是一个慰问活动" in result.output
    assert wb.read_bytes() == before
    cli("init", target, "--force")
    assert len(list((target / ".backup").glob("*.xlsm"))) == 1   # the old one was kept


def test_run_on_empty_inbox_completes_and_says_so(campaign, cli):
    result = cli("run", campaign.root)
    assert "没有可合并的内容" in result.output
    data = cli.json("run", campaign.root)
    assert (data["files_read"], data["rows_read"], data["roster_rows"], data["total_amount"]) == (0, 0, 0, 0)


@pytest.mark.parametrize("command", ["merge", "amounts", "run"])
def test_folder_that_is_not_a_campaign_exits_2_with_one_chinese_line(tmp_path, cli, command):
    (tmp_path / "随便一个文件夹").mkdir()
    result = cli(command, tmp_path / "随便一个文件夹", ok=False)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "不是慰问活动文件夹" in lines[0] and "weiwen init" in lines[0]
    assert "Traceback" not in result.output


def test_missing_folder_exits_2(tmp_path, cli):
    result = cli("merge", tmp_path / "没有这个", ok=False)
    assert result.exit_code == 2 and "找不到活动文件夹" in result.output


def test_damaged_workbook_exits_2_with_a_hint(campaign, cli):
    campaign.workbook.write_bytes(b"not a workbook")
    result = cli("run", campaign.root, ok=False)
    assert result.exit_code == 2 and "无法读取工作簿" in result.output and ".backup" in result.output


def test_every_command_has_help_with_an_example(cli):
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"init", "merge", "amounts", "run", "demo", "build-workbook"} <= set(names)
    for name in names:
        result = cli(name, "--help")
        assert "例：weiwen" in result.output, name


@pytest.mark.slow
def test_console_script_and_module_entry_points(tmp_path):
    # The console script of the Python running the tests (its venv need not be on PATH).
    script = str(Path(sysconfig.get_path("scripts")) / "weiwen")
    for cmd in ([script, "--help"], [sys.executable, "-m", "weiwen", "--help"]):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "走访慰问" in done.stdout


@pytest.mark.slow
def test_demo_leaves_a_campaign_with_the_sheet_contract(demo_source):
    wb = load_workbook(demo_source / "Weiwen.xlsm", keep_vba=True, read_only=True)
    assert set(WORKBOOK_SHEETS) <= set(wb.sheetnames)
    roster_header = next(wb[Sheet.ROSTER].iter_rows(max_row=1, values_only=True))
    problem_header = next(wb[Sheet.PROBLEMS].iter_rows(max_row=1, values_only=True))
    assert tuple(roster_header[:len(ROSTER_COLUMNS)]) == ROSTER_COLUMNS
    assert tuple(problem_header[:len(PROBLEM_COLUMNS)]) == PROBLEM_COLUMNS


@pytest.mark.slow
def test_demo_report_counts_add_up(demo_campaign, cli):
    demo_source = demo_campaign.root
    data = cli.json("run", demo_source)
    assert data["files_read"] == 13 and data["rows_read"] > 1990
    assert data["rows_read"] == data["roster_rows"] + data["rejected_rows"]
    roster = workbook_io.read_roster(demo_source / "Weiwen.xlsm")
    assert len(roster) == data["roster_rows"]
    valid = roster[roster[Col.STATUS] == Status.VALID]
    assert data["households_paid"] == int((valid[Col.AMOUNT] > 0).sum())
    assert data["total_amount"] == pytest.approx(float(valid[Col.AMOUNT].sum()))
    for command in ("signatures", "visits"):       # the later steps report the same 名册
        later = cli.json(command, demo_source)
        assert (later["households_paid"], later["total_amount"]) == \
            (data["households_paid"], pytest.approx(data["total_amount"])), command


@pytest.mark.slow
def test_demo_prints_a_report_with_daxie(tmp_path, cli):
    result = cli("demo", tmp_path / "d")
    assert "读取文件" in result.output and "发放金额" in result.output and "元整" in result.output


@pytest.mark.slow
def test_demo_is_the_same_every_time(tmp_path):
    from weiwen.demo import make_demo
    a = make_demo(tmp_path / "a")
    b = make_demo(tmp_path / "b")
    assert a.planted == b.planted
    ra = workbook_io.read_sheets(next((tmp_path / "a" / "inbox").glob("东湖*")))
    rb = workbook_io.read_sheets(next((tmp_path / "b" / "inbox").glob("东湖*")))
    assert ra == rb


def test_an_internal_error_is_one_chinese_line_and_a_log_not_a_traceback(campaign, cli, monkeypatch):
    from weiwen.pipeline import ops_roster

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(ops_roster, "read_inbox", broken)
    result = cli("merge", campaign.root, ok=False)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "程序内部出错" in lines[0] and "技术支持" in lines[0]
    assert "Traceback" not in result.output
    assert "KeyError: 'boom'" in cli_usage.LOG_FILE.read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands_and_names_every_command():
    from weiwen.workbook import REPO_ROOT
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```")[1].strip().splitlines()
    assert block == ["pip install -r requirements.txt && weiwen demo",
                     "pip install -r requirements.txt -r requirements-dev.txt && pytest"]
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        assert f"weiwen {name}" in readme, f"README does not mention `weiwen {name}`"


def test_a_merge_says_which_files_brought_no_rows(tmp_path, cli):
    """A unit's file that cannot be read and a file no unit can be told from: the merge's one
    line says so beside 合并完成, and a note names the files and whose they are."""
    import shutil

    from web_helpers import small_campaign, write_returns
    campaign = small_campaign(tmp_path / "活动")
    returns = write_returns(campaign.inbox)
    (campaign.inbox / "青山村补充名单.xlsx").write_bytes(b"\xff\xd8\xff\xe0 a photo, renamed")
    shutil.copy(returns[0], campaign.inbox / "名单（不知道是谁的）.xlsx")
    report = cli.json("merge", campaign.root)
    assert report["outcome"].startswith("合并完成：读取 5 个文件")
    assert report["outcome"].endswith("；1 个文件无法使用、1 个文件认不出是哪个单位的，"
                                      "这些文件的行没有合并（见“问题”表）。"), report["outcome"]
    said = [n for n in report["notes"] if n.startswith("无法使用的文件")]
    assert said == ["无法使用的文件（1 个）：青山村补充名单.xlsx（青山村）。原因见“问题”表；"
                    "请让这些单位重新发送（用下发的模板填写，或另存为 .xlsx）。"]
    # the unit's 退回修改 asks for the file again, in its own terms (not "请让该单位……")
    feedback = load_workbook(campaign.output / "退回修改" / "青山村.xlsx")["退回修改"]
    rows = [[c.value for c in r] for r in feedback.iter_rows(values_only=False)]
    row = next(r for r in rows if r[1] == "青山村补充名单.xlsx")
    assert row[2] is None and row[7] == "文件无法读取"
    assert row[8].startswith("这个文件无法使用：文件内容不是 Excel 表格") and "请让该单位" not in row[8]
    assert row[8].endswith("请把名单重新发来：用下发的模板填写，在 Excel 或 WPS 里保存为 .xlsx，不设打开密码。")
    (campaign.inbox / "青山村补充名单.xlsx").unlink()
    (campaign.inbox / "名单（不知道是谁的）.xlsx").unlink()
    again = cli.json("merge", campaign.root)          # every file used: the line as before
    assert again["outcome"] == "合并完成：读取 3 个文件、36 行，名册共 36 行，未能合并 0 行。"
    assert not [n for n in again["notes"] if n.startswith("无法使用的文件")]



def test_a_file_the_office_cannot_open_is_not_sent_back_to_its_unit():
    """The file open in another program, or a zip the office unpacks itself: the office's to fix,
    so 退回修改 does not ask the unit; a password or a header the unit can fix is asked for."""
    from weiwen import problems as P
    from weiwen.intake import reasons as R
    from weiwen.outputs.feedback import resend_text
    locked = P.make("intake.unreadable", unit="青山村", file="a.xlsx", reason=R.LOCKED)
    zipped = P.make("intake.unreadable", unit="青山村", file="a.zip", reason=R.ARCHIVE)
    assert resend_text(locked) is None and resend_text(zipped) is None
    secret = P.make("intake.unreadable", unit="青山村", file="a.xlsx", reason=R.PASSWORD)
    assert resend_text(secret).startswith("这个文件无法使用：文件设置了打开密码。名单没有合并。")
    headless = P.make("intake.no_header", unit="青山村", file="a.xlsx")
    assert resend_text(headless).startswith("这个文件里找不到名单的表头")


@pytest.mark.slow
def test_a_merge_that_finds_no_row_leaves_the_roster_as_it_was(demo_campaign, cli, tmp_path):
    """The inbox emptied (files taken out to look at, a folder moved) or left with a damaged file
    only: 名册 and the clerk's 备注 stay; the clerk is told why and what to do; exit 2."""
    import shutil

    roster = workbook_io.read_roster(demo_campaign.workbook)
    roster.loc[roster.index[0], Col.NOTE] = "已核实，本人在外地"
    workbook_io.write_frames(demo_campaign.workbook, demo_campaign.root, {Sheet.ROSTER: roster})
    before = demo_campaign.workbook.read_bytes()
    aside = shutil.move(str(demo_campaign.inbox), str(tmp_path / "拿出来看的"))
    demo_campaign.inbox.mkdir()
    result = cli("merge", demo_campaign.root, ok=False)
    assert result.exit_code == 2
    assert "没有合并：inbox 文件夹里没有回收表，“名册”保持原样（2001 行，您填的备注都在）" in result.output
    assert demo_campaign.workbook.read_bytes() == before
    (demo_campaign.inbox / "东湖社区.xlsx").write_bytes(b"PK\x03\x04 cut short")
    result = cli("run", demo_campaign.root, ok=False)
    assert result.exit_code == 2 and "的 1 个文件都没有能合并的行（无法读取文件“东湖社区.xlsx”" in result.output
    assert demo_campaign.workbook.read_bytes() == before
    shutil.rmtree(demo_campaign.inbox)
    shutil.move(aside, str(demo_campaign.inbox))
    cli("merge", demo_campaign.root)
    kept = workbook_io.read_roster(demo_campaign.workbook)
    assert "已核实，本人在外地" in kept[Col.NOTE].tolist()


def test_writing_a_set_removes_temporary_files_a_killed_run_left(demo_campaign, cli):
    """`kill -9` (a closed window, a power cut) leaves `.~tmp-*` files beside the real sheets;
    the next run that writes that folder removes the old ones, never a fresh one another
    process may be writing."""
    import os
    import time

    folder = demo_campaign.output / "签字确认表"
    folder.mkdir(parents=True, exist_ok=True)
    left = folder / ".~tmp-killed.xlsx"
    empty = folder / ".~tmp-empty.xlsx"
    fresh = folder / ".~tmp-writing.xlsx"
    for tmp in (left, empty, fresh):
        tmp.write_bytes(b"" if tmp is empty else b"half a workbook")
    two_hours_ago = time.time() - 2 * 3600
    # and beside the workbook and among its backups, what a write of the workbook left
    beside = demo_campaign.root / ".~tmp-killed.xlsm"
    backups = demo_campaign.root / ".backup"
    backups.mkdir(exist_ok=True)
    in_backups = backups / ".~tmp-killed.xlsm"
    young = demo_campaign.root / ".~tmp-writing.xlsm"
    for tmp in (beside, in_backups, young):
        tmp.write_bytes(b"half a workbook")
    for tmp in (left, empty, beside, in_backups):
        os.utime(tmp, (two_hours_ago, two_hours_ago))
    cli("signoff", demo_campaign.root)
    assert not left.exists() and not empty.exists()
    assert fresh.exists()
    assert any(folder.glob("*.xlsx"))
    cli("check", demo_campaign.root)
    assert not beside.exists() and not in_backups.exists() and young.exists()


def test_init_does_not_build_a_campaign_among_campaigns_or_in_the_home_folder(tmp_path, cli,
                                                                               monkeypatch):
    """`cd D:\\慰问 && weiwen init .` beside the campaigns already there, or `weiwen init ~`: a
    workbook, inbox and output would land among them; the clerk is told to name a new folder."""
    parent = tmp_path / "慰问"
    cli("init", parent / "2026春节慰问")
    result = cli("init", parent, ok=False)
    assert result.exit_code == 2 and "已经放着活动（2026春节慰问）" in result.output
    assert f"weiwen init {parent / '2027春节慰问'}" in " ".join(result.output.split())
    assert not (parent / "Weiwen.xlsm").exists() and not (parent / "inbox").exists()
    home = tmp_path / "家"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert "是您的个人主文件夹" in cli("init", home, ok=False).output
    said = " ".join(cli("merge", home, ok=False).output.split())      # and is not sent there
    assert f"新建活动请运行 weiwen init {home / '2027春节慰问'}" in said, said
    assert not (home / "Weiwen.xlsm").exists()
    cli("init", parent / "2027春节慰问")                  # a folder of its own: as always
    assert (parent / "2027春节慰问" / "Weiwen.xlsm").is_file()
