"""Bad invocations, as a new user makes them, through the real `weiwen` command: a path inside a
campaign, a mistyped command or option, --json on a failure, a command that has nothing to do.
Each gets one Chinese line (or one JSON object) and never a traceback; each --help says what the
command really does (checked against the operations registry)."""
from __future__ import annotations

import json
import os
import subprocess
import sysconfig
from pathlib import Path

import pytest
from openpyxl import load_workbook

from weiwen import cli_usage
from weiwen.books import FileBook
from weiwen.campaign import init
from weiwen.cli import app
from weiwen.names import SIGNED_DIR, Sheet, VisitParam
from weiwen.pipeline import OPERATIONS, OUTPUT_STEPS

#: what click would say in English; none of it may reach the clerk
ENGLISH = ("Usage", "Error", "Try ", "Missing", "Invalid", "No such", "Got unexpected", "Option",
           "Traceback", "requires", "Show this message", "[required]", "Arguments", "Options:")


def _lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def _one_chinese_line(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = _lines(result)
    assert len(lines) == 1 and lines[0].startswith("错误："), result.output
    assert not any(word in lines[0] for word in ENGLISH), lines[0]
    return lines[0]


def _set_param(book, key: str, value) -> None:
    wb = load_workbook(book, keep_vba=True)
    ws = wb[Sheet.PARAMS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
    ws.cell(row, 2).value = value
    wb.save(book)


# --- a path inside a campaign -----------------------------------------------------------------

def test_init_on_the_campaign_workbook_says_the_campaign_exists(campaign, cli):
    before = campaign.workbook.read_bytes()
    line = _one_chinese_line(cli("init", campaign.workbook, ok=False))
    assert "不能在这里新建活动" in line and f"weiwen init {campaign.root} --force" in line
    assert campaign.workbook.read_bytes() == before


def test_init_inside_inbox_creates_nothing_there(campaign, cli):
    line = _one_chinese_line(cli("init", campaign.inbox, ok=False))
    assert "inbox 文件夹" in line and str(campaign.root) in line
    assert not (campaign.inbox / "Weiwen.xlsm").exists()
    line = _one_chinese_line(cli("init", campaign.inbox / "新活动", ok=False))
    assert not (campaign.inbox / "新活动").exists()


def test_no_campaign_inside_a_campaign_and_which_folder_to_use(campaign, cli):
    line = _one_chinese_line(cli("init", campaign.root / "补发", ok=False))
    assert "不能在活动里面再建活动" in line and not (campaign.root / "补发").exists()
    line = _one_chinese_line(cli("merge", campaign.root / "补发", ok=False))
    assert f"请改用活动文件夹：{campaign.root}" in line and "weiwen init" not in line


def test_init_on_a_file_outside_campaigns(tmp_path, cli):
    (tmp_path / "名单.xlsx").write_bytes(b"x")
    line = _one_chinese_line(cli("init", tmp_path / "名单.xlsx", ok=False))
    assert "是一个文件" in line and "weiwen init 2027春节慰问" in line


@pytest.mark.parametrize("inside", ["inbox", "output", "Weiwen.xlsm", "output/退回修改/东湖社区.xlsx",
                                    SIGNED_DIR])
@pytest.mark.slow
def test_a_command_pointed_inside_a_campaign_runs_on_that_campaign(campaign, cli, inside):
    target = campaign.root / inside
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".xlsx":
        target.write_bytes(b"")
    elif not target.exists():
        target.mkdir()
    result = cli("merge", target)
    first = _lines(result)[0]
    assert first.startswith("注意：") and f"已按活动文件夹 {campaign.root} 运行" in first
    assert "没有可合并的内容" in result.output
    assert not list(campaign.inbox.rglob("Weiwen.xlsm"))
    data = cli.json("merge", target)
    assert data["ok"] is True and data["campaign"] == str(campaign.root)
    assert "已按活动文件夹" in data["notes"][0]


def test_a_folder_holding_campaigns_names_them(tmp_path, cli):
    init(tmp_path / "慰问" / "2027春节慰问")
    line = _one_chinese_line(cli("merge", tmp_path / "慰问", ok=False))
    assert "里面有活动：2027春节慰问" in line and str(tmp_path / "慰问" / "2027春节慰问") in line


def test_a_misspelled_campaign_folder_lists_the_campaigns_beside_it(tmp_path, cli):
    init(tmp_path / "2027春节慰问")
    line = _one_chinese_line(cli("merge", tmp_path / "2027春节慰向", ok=False))
    assert "找不到活动文件夹" in line and "2027春节慰问" in line and "weiwen init" not in line


def test_a_renamed_workbook_is_pointed_out(tmp_path, cli):
    root = init(tmp_path / "c").root
    (root / "Weiwen.xlsm").rename(root / "Weiwen (1).xlsm")
    line = _one_chinese_line(cli("run", root, ok=False))
    assert "Weiwen (1).xlsm" in line and "改名为 Weiwen.xlsm" in line
    line = _one_chinese_line(cli("run", root / "Weiwen (1).xlsm", ok=False))
    assert "是一个文件" in line


def test_a_workbook_saved_as_xlsx_says_how_to_get_the_xlsm_back(tmp_path, cli):
    root = init(tmp_path / "c").root
    (root / ".backup").mkdir()
    (root / ".backup" / "Weiwen-20270101-090000-000000.xlsm").write_bytes(b"older backup")
    (root / ".backup" / "Weiwen-20270105-090000-000000.xlsm").write_bytes(b"newest backup")
    (root / "Weiwen.xlsm").rename(root / "Weiwen.xlsx")
    for target in (root, root / "inbox"):
        line = _one_chinese_line(cli("merge", target, ok=False))
        assert "另存成了 Weiwen.xlsx" in line and "启用宏的工作簿 (*.xlsm)" in line, line
        assert "Weiwen-20270105-090000-000000.xlsm" in line and "不要运行 weiwen init" in line


def test_demo_never_goes_into_a_real_campaign_or_a_full_folder(campaign, tmp_path, cli):
    (campaign.inbox / "东湖社区.xlsx").write_bytes(b"the unit's return")
    before = campaign.workbook.read_bytes()
    for target in (campaign.root, campaign.inbox):
        line = _one_chinese_line(cli("demo", target, ok=False))
        assert "不能放在真实的活动里" in line
    assert (campaign.inbox / "东湖社区.xlsx").read_bytes() == b"the unit's return"
    assert campaign.workbook.read_bytes() == before
    (tmp_path / "资料").mkdir()
    (tmp_path / "资料" / "a.txt").write_text("x")
    assert "不是空文件夹" in _one_chinese_line(cli("demo", tmp_path / "资料", ok=False))


# --- usage errors in Chinese ------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["merge"], ["缺少活动文件夹", "例：weiwen merge 2027春节慰问"]),
    (["merge", "{root}", "--password", "12"], ["选项 --password 的值不对", "密码至少 4 位"]),
    (["merge", "{root}", "--frobnicate"], ["weiwen merge 没有 --frobnicate 这个选项"]),
    (["merge", "{root}", "--pasword", "1234"], ["是不是要用 --password"]),
    (["merge", "{root}", "--password"], ["--password 后面要写上它的值", "weiwen merge --help"]),
    (["merge", "{root}", "--json=1"], ["--json 不带值"]),
    (["merge", "{root}", "extra"], ["多了“extra”", "只要一个活动文件夹", "引号"]),
    (["mrege", "{root}"], ["没有“mrege”这个命令", "是不是 weiwen merge"]),
    (["{root}"], ["缺少命令", "weiwen run"]),
    (["--frobnicate"], ["weiwen 没有 --frobnicate 这个选项"]),
    (["signoff", "{root}", "--pdf=yes"], ["--pdf 不带值"]),
    (["serve", "{root}", "--port", "abc"], ["选项 --port 的值不对：要填整数"]),
    # the clerk's own Chinese words inside click's English message must not pass it off as ours
    (["merge", "{root}", "办/慰问 活动"], ["多了“办/慰问 活动”", "只要一个活动文件夹", "引号"]),
    (["merge", "{root}", "--密码", "abcd"], ["weiwen merge 没有 --密码 这个选项"]),
    (["serve", "{root}", "--port", "八千"], ["选项 --port 的值不对：要填整数"]),
])
def test_usage_errors_are_one_chinese_line(campaign, cli, args, expected):
    args = [a.replace("{root}", str(campaign.root)) for a in args]
    line = _one_chinese_line(cli(*args, ok=False))
    for words in expected:
        assert words in line, line


def test_a_bad_password_from_the_environment_names_the_variable(campaign, cli, monkeypatch):
    monkeypatch.setenv("WEIWEN_PASSWORD", "1")
    line = _one_chinese_line(cli("merge", campaign.root, ok=False))
    assert "来自环境变量 WEIWEN_PASSWORD" in line


def test_weiwen_alone_shows_the_help(cli):
    result = cli()
    assert "用法：" in result.output and "命令：" in result.output and "merge" in result.output


# --- --json: one object, success or failure ---------------------------------------------------

@pytest.mark.parametrize("args, code, words", [
    (["merge", "--json"], 2, "缺少活动文件夹"),
    (["merge", "{root}/../没有这个", "--json"], 2, "找不到活动文件夹"),
    (["merge", "{root}", "--password", "1", "--json"], 2, "密码至少 4 位"),
    (["merge", "{root}", "--frobnicate", "--json"], 2, "没有 --frobnicate 这个选项"),
])
def test_json_failures_are_one_json_object(campaign, cli, args, code, words):
    args = [a.replace("{root}", str(campaign.root)) for a in args]
    result = cli(*args, ok=False)
    assert result.exit_code == code
    [line] = [line for line in result.stdout.splitlines() if line.strip()]
    data = json.loads(line)
    assert data["ok"] is False and data["exit_code"] == code and words in data["message"]
    assert data["command"] == "merge"
    assert not any(word in data["message"] for word in ENGLISH)


def test_json_on_an_internal_error_and_on_a_refusal_of_the_system(campaign, cli, monkeypatch):
    def refused(self, writes):
        raise PermissionError(13, "Permission denied", str(self.campaign.workbook))

    monkeypatch.setattr(FileBook, "write", refused)
    line = _one_chinese_line(cli("merge", campaign.root, ok=False))
    assert "无法读写" in line and "Weiwen.xlsm" in line and "正被 Excel、WPS 等程序打开" in line
    data = json.loads(cli("merge", campaign.root, "--json", ok=False).stdout)
    assert (data["ok"], data["exit_code"]) == (False, 2)

    def broken(self, writes):
        raise KeyError("boom")

    monkeypatch.setattr(FileBook, "write", broken)
    result = cli("merge", campaign.root, "--json", ok=False)
    data = json.loads(result.stdout)
    assert (data["ok"], data["exit_code"]) == (False, 1) and "技术支持" in data["message"]


def test_a_bug_in_any_command_is_one_line_and_a_log(tmp_path, cli, monkeypatch):
    from weiwen import cli as cli_module

    def broken(*args, **kwargs):
        raise KeyError("init went wrong")

    monkeypatch.setattr(cli_module, "init_campaign", broken)
    line = _one_chinese_line(cli("init", tmp_path / "c", ok=False), code=1)
    assert "weiwen init" in line and "技术支持" in line
    assert "init went wrong" in cli_usage.LOG_FILE.read_text(encoding="utf-8")


def test_json_success_says_ok(campaign, cli):
    data = cli.json("check", campaign.root)
    assert data["ok"] is True and data["command"] == "check"


# --- every command says what it did, also when it did nothing ---------------------------------

def test_check_and_amounts_on_an_empty_roster_say_why_nothing_happened(campaign, cli):
    assert "名册是空的，没有可检查的行" in cli("check", campaign.root).output
    assert "名册是空的，没有可计算金额的户" in cli("amounts", campaign.root).output


def test_amounts_paying_nobody_says_why():
    import pandas as pd
    from weiwen.names import Col
    from weiwen.pipeline.ops_roster import _nothing_paid
    roster = pd.DataFrame({Col.STATUS: ["错误", "错误", "重复"]})
    assert _nothing_paid(roster) == ("名册 3 行里没有状态为“有效”的户（错误 2 行、重复 1 行），所以没有发放金额："
                                     "请按“问题”表改正后重新合并或检查。")
    assert "金额都是 0" in _nothing_paid(pd.DataFrame({Col.STATUS: ["有效"]}))


@pytest.mark.slow
def test_visits_propose_without_enough_households_says_where_and_why(demo_campaign, cli):
    _set_param(demo_campaign.workbook, VisitParam.MIN_PER_POINT, 200)
    first = cli.json("visits", demo_campaign.root, "--propose")
    assert first["outcome"].startswith("已为户数不足的联系点补充")
    again = cli("visits", demo_campaign.root, "--propose")
    line = _lines(again)[0]
    assert line.startswith("没有补充走访对象；仍有 12 个联系点户数不足")
    assert "东湖社区（" in line and "/200 户）" in line and "有效" in line


@pytest.mark.slow
def test_visits_propose_with_nothing_to_add_says_so(demo_campaign, cli):
    line = _lines(cli("visits", demo_campaign.root, "--propose"))[0]
    assert line == "没有补充走访对象：每个联系点都已有至少 4 户。"


def test_visits_propose_without_groups_says_what_to_fill(campaign, cli):
    assert "请先填写“走访安排”表" in _lines(cli("visits", campaign.root, "--propose"))[0]


# --- help says what each command does ---------------------------------------------------------

def _help(cli, name: str) -> str:
    return " ".join(cli(name, "--help").output.split())


def test_every_help_page_is_chinese_and_matches_the_registry(cli):
    commands = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    for name in commands:
        text = _help(cli, name)
        assert text.startswith("用法：") and "选项：" in text, name
        assert not any(word in text for word in ENGLISH), (name, text)
    for tag, op in OPERATIONS.items():
        if not op.cli:
            continue
        text = _help(cli, tag)
        assert op.label in text, (tag, op.label)
        for option in op.options:
            if option != "today":                       # the tests' clock, not the clerk's
                assert f"--{option}" in text, (tag, option)


def test_run_help_names_every_step_run_takes(cli):
    text = _help(cli, "run")
    steps = ["合并回收表", "检查", "计算金额"] + [
        OPERATIONS[step.__name__.replace("planned_", "")].label.removeprefix("生成").removeprefix("抽取")
        for step in OUTPUT_STEPS]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions), steps
    assert "走访安排" in text and "退回修改" in text


# --- the installed entry point (click formats differently there) ------------------------------

@pytest.mark.slow
def test_the_installed_command_speaks_chinese_on_usage_errors(campaign):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    script = str(Path(sysconfig.get_path("scripts")) / "weiwen")   # this Python's, PATH or not

    def weiwen(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([script, *args], capture_output=True, text=True, timeout=120,
                              env=env, encoding="utf-8")

    for args, words in ((["merge"], "缺少活动文件夹"),
                        (["merge", str(campaign.root), "--frobnicate"], "没有 --frobnicate 这个选项"),
                        (["mrege", str(campaign.root)], "是不是 weiwen merge"),
                        (["init", str(campaign.workbook)], "不能在这里新建活动")):
        done = weiwen(*args)
        assert done.returncode == 2 and done.stdout == "", (args, done.stdout, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("错误：") and words in lines[0], done.stderr
        assert not any(word in done.stderr for word in ENGLISH), done.stderr
    done = weiwen("merge", "--json")
    assert done.returncode == 2 and done.stderr == ""
    assert json.loads(done.stdout) == {"ok": False, "command": "merge", "exit_code": 2,
                                       "message": "缺少活动文件夹。例：weiwen merge 2027春节慰问。"}


# --- Ctrl+C -----------------------------------------------------------------------------------

def test_ctrl_c_during_a_command_says_what_stopped_and_that_nothing_is_half_written(
        campaign, cli, monkeypatch):
    def interrupted(self, writes):
        raise KeyboardInterrupt

    monkeypatch.setattr(FileBook, "write", interrupted)
    before = campaign.workbook.read_bytes()
    result = cli("merge", campaign.root, ok=False)
    assert result.exit_code == 130
    lines = _lines(result)
    assert len(lines) == 1 and "已中断“weiwen merge”" in lines[0], result.output
    assert "整份写入" in lines[0] and "再运行一次" in lines[0]
    assert not any(word in result.output for word in ENGLISH)
    assert campaign.workbook.read_bytes() == before
    assert not (campaign.root / ".weiwen.lock").exists()
    data = json.loads(cli("merge", campaign.root, "--json", ok=False).stdout)
    assert (data["ok"], data["exit_code"], data["command"]) == (False, 130, "merge")


@pytest.mark.slow
def test_ctrl_c_while_the_command_loads_is_one_line_not_a_traceback():
    import signal
    import sys

    if not hasattr(signal, "SIGINT") or os.name == "nt":
        pytest.skip("sends SIGINT the POSIX way")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    # -X importtime reports each module as its import finishes: the first one after
    # weiwen.cli_start is inside its loading (typer, pandas and the rest: about a second more). A
    # fixed sleep sometimes landed in Python's own start-up, which no program can answer; on a
    # loaded machine this process may yet be scheduled only after the loading ended (the command
    # then runs, exit 0): that try does not count, and the next one is made.
    for _ in range(5):
        child = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "weiwen", "--help"],
                                 env=env, text=True, encoding="utf-8",
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stderr is not None
        seen, started = [], False
        for line in child.stderr:
            seen.append(line)
            module = line.rsplit("|", 1)[-1].strip() if line.startswith("import time:") else ""
            if started and module:
                break
            started = started or module == "weiwen.cli_start"
        else:
            pytest.fail("weiwen never started loading: " + "".join(seen[-5:]))
        child.send_signal(signal.SIGINT)
        out, rest = child.communicate(timeout=60)
        if child.returncode == 0 and "用法" in out:
            continue                                   # the loading ended before the signal
        err = "".join(line for line in (seen + rest.splitlines(keepends=True))
                      if not line.startswith("import time:"))
        assert child.returncode == 130, (out, err)
        assert "Traceback" not in err and err.strip().startswith("已中断"), err
        assert len(err.strip().splitlines()) == 1, err
        return
    pytest.fail("the loading ended before Ctrl+C five times")
