"""The ribbon buttons through xlwings' remote engine (no Excel needed).

The payload is what xlwings' VBA client sends (client, version, book, names, sheets with values
from A1, empty cells as "", dates as ISO strings with Z), built from a campaign workbook with
openpyxl. `weiwen.excel.run(tag, book=xw.Book(json=payload))` returns actions; the tests apply them
to the payload's grids and compare with what the command line writes into the file.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from weiwen import excel, pipeline, workbook_io
from weiwen.campaign import Campaign, init
from weiwen.names import RETURN_COLUMNS, Sheet

xw = pytest.importorskip("xlwings")
from xlwings_remote import apply, payload, press, remote_engine  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _remote_engine():
    """xlwings' remote engine under its noncommercial license, set for these tests only."""
    with remote_engine():
        yield


def _norm(rows: list[list[Any]]) -> list[list[Any]]:
    """Comparable cell values: blanks as None, whole floats as int, no trailing blanks."""
    out = []
    for row in rows:
        cells = []
        for v in row:
            if v == "" or v is None:
                v = None
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
            elif isinstance(v, str) and v.startswith("'"):
                v = v[1:]
            cells.append(v)
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def alerts(actions: list[dict]) -> list[tuple[str, str]]:
    return [(a["args"][0], a["args"][3]) for a in actions if a["func"] == "alert"]


# --- campaigns ---------------------------------------------------------------------------------

UNITS = [("001", "东风社区", "社区"), ("002", "红旗村", "村")]


def _id(n: int) -> str:
    body = f"110101{1930 + n % 60:04d}{1 + n % 12:02d}{1 + n % 28:02d}{1 + n % 999:03d}"
    return body + ric.calc_check_digit(body)


def make_campaign(root: Path, rows_per_unit: int) -> Campaign:
    campaign = init(root)
    wb = load_workbook(campaign.workbook, keep_vba=True)
    for code, name, kind in UNITS:
        wb[Sheet.UNITS].append([code, name, kind, "联系人", "13800000000", ""])
    wb.save(campaign.workbook)
    for u, (_, unit, _) in enumerate(UNITS):
        book = Workbook()
        ws = book.active
        ws.append(list(RETURN_COLUMNS))
        for i in range(rows_per_unit):
            n = u * 100000 + i
            ws.append([f"户主{n}", _id(n), "低保", 1 + i % 4, "13812345678", "", "幸福路1号", ""])
        book.save(campaign.inbox / f"{unit}.xlsx")
    return campaign


@pytest.fixture
def small(tmp_path) -> Campaign:
    return make_campaign(tmp_path / "small", 10)


# --- tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("tag", list(excel.BUTTONS))
@pytest.mark.slow
def test_every_button_runs_and_says_one_thing(tag, small):
    message, _, actions = press(tag, small)
    said = alerts(actions)
    # before the returns are merged an output button refuses, naming the step to run first
    refused = tag in ("signoff", "summary", "audit") and "先合并回收表" in message
    assert len(said) <= 1 and all(mode == "info" or refused for _, mode in said), said
    assert "Traceback" not in message
    assert not any(a["func"] in ("save", "openWorkbook") for a in actions)
    if tag not in ("guide", "open_folder"):
        assert said and said[0][0] == message


def _button_writes_what_the_cli_writes(tag: str, campaign: Campaign, tmp_path: Path
                                       ) -> tuple[str, dict[str, list[list[Any]]]]:
    """Press `tag` on `campaign` and run the command on a copy of it: 名册 and 问题 the same.
    The button's message and its sheets, normalised."""
    cli_copy = Campaign(shutil.copytree(campaign.root, tmp_path / "cli"))
    message, data, actions = press(tag, campaign)
    pipeline.on_disk(tag, cli_copy)
    expected = workbook_io.read_sheets(cli_copy.workbook, (Sheet.ROSTER, Sheet.PROBLEMS))
    got = apply(data, actions)
    for sheet in (Sheet.ROSTER, Sheet.PROBLEMS):
        assert _norm(got[sheet]) == _norm(expected[sheet]), sheet
    return message, {sheet: _norm(got[sheet]) for sheet in (Sheet.ROSTER, Sheet.PROBLEMS)}


@pytest.mark.slow
def test_merge_button_writes_what_the_cli_writes_small(small, tmp_path):
    _button_writes_what_the_cli_writes("merge", small, tmp_path)


@pytest.mark.slow
def test_merge_button_writes_what_the_cli_writes(demo_campaign, tmp_path):
    message, _ = _button_writes_what_the_cli_writes("merge", demo_campaign, tmp_path)
    assert message.startswith("合并完成")


@pytest.mark.slow
def test_amounts_button_writes_what_the_cli_writes(demo_campaign, tmp_path):
    pipeline.on_disk("merge", demo_campaign)          # the roster as the CLI left it
    message, _ = _button_writes_what_the_cli_writes("amounts", demo_campaign, tmp_path)
    assert message.startswith("金额计算完成")


@pytest.mark.slow
def test_a_second_merge_clears_the_old_rows(small):
    pipeline.on_disk("merge", small)
    for f in small.inbox.iterdir():
        if f.name.startswith("红旗村"):
            f.unlink()
    _, data, actions = press("merge", small)
    roster = _norm(apply(data, actions)[Sheet.ROSTER])
    assert len(roster) == 1 + 10
    assert {row[1] for row in roster[1:]} == {"东风社区"}


@pytest.mark.slow
def test_id_numbers_are_written_as_text(small):
    _, _, actions = press("merge", small)
    formats = [(a["sheet_position"], a["start_column"]) for a in actions
               if a["func"] == "setNumberFormat" and a["args"] == ["@"]]
    roster_position = [s.name for s in xw.Book(json=payload(small.workbook)).sheets] \
        .index(Sheet.ROSTER)
    assert (roster_position, 3) in formats          # 身份证号 is column D
    values = next(a["values"] for a in actions if a["func"] == "setValues"
                  and a["sheet_position"] == roster_position)
    assert all(isinstance(row[3], str) for row in values)


def _action_kinds(rows_per_unit: int, tmp_path: Path) -> list[str]:
    """Press merge twice (the second replaces a full roster), check and amounts; the actions.

    Each press starts from the sheets the previous one left (actions applied to the payload).
    """
    campaign = make_campaign(tmp_path / f"c{rows_per_unit}", rows_per_unit)
    data = payload(campaign.workbook)
    kinds = []
    for tag in ("merge", "merge", "check", "amounts"):
        book = xw.Book(json=data)
        message = excel.run(tag, book=book, folder=campaign.root)
        actions = book.json()["actions"]
        assert alerts(actions) == [(message, "info")]
        kinds += [f"{tag}:{a['func']}" for a in actions]
        grids = apply(data, actions)
        data = dict(data, sheets=[dict(s, values=grids[s["name"]]) for s in data["sheets"]])
    assert len(_norm(data["sheets"][[s["name"] for s in data["sheets"]]
                                    .index(Sheet.ROSTER)]["values"])) == 1 + 2 * rows_per_unit
    return kinds


@pytest.mark.slow
def test_actions_per_button_are_few(tmp_path):
    kinds = _action_kinds(50, tmp_path)                 # 100 roster rows
    assert len(kinds) <= 4 * 12, kinds


@pytest.mark.slow
def test_actions_do_not_grow_with_rows(tmp_path):
    assert _action_kinds(5000, tmp_path) == _action_kinds(50, tmp_path)   # 10,000 vs 100 rows


@pytest.mark.slow
def test_error_is_one_readable_message(small, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("simulated failure at 13812345678")
    from weiwen.pipeline import ops_roster
    monkeypatch.setattr(ops_roster, "merge_files", broken)
    monkeypatch.setattr(excel, "LOG_FILE", small.root / "weiwen-excel.log")
    message, _, actions = press("merge", small)
    assert alerts(actions) == [(message, "critical")]
    assert "程序内部出错" in message and "技术支持" in message
    assert "simulated" not in message and "Traceback" not in message    # Chinese only
    assert [a["func"] for a in actions] == ["alert"]       # nothing written
    log = (small.root / "weiwen-excel.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "simulated failure at 138****5678" in log


def test_unknown_operation_and_missing_folder_are_messages(small, tmp_path):
    message, _, actions = press("no-such-button", small)
    assert "未知的操作" in message and alerts(actions) == [(message, "critical")]
    book = xw.Book(json=payload(small.workbook))
    message = excel.run("merge", book=book)               # remote book: no path on disk
    assert "还没有保存" in message


def test_a_button_refuses_while_a_command_holds_the_campaign(small):
    """The lock is shared with the command line: another process holds it, the button says so."""
    import subprocess
    import sys
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom weiwen.lock import campaign_lock\n"
         "with campaign_lock(sys.argv[1], 'weiwen run'):\n"
         "    print('locked', flush=True); time.sleep(60)", str(small.root)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        message, _, actions = press("merge", small)
    finally:
        holder.kill()
        holder.wait()
    assert "另一个操作正在处理这个活动" in message and "weiwen run" in message
    assert not [a for a in actions if a["func"] == "setValues"]


@pytest.mark.slow
def test_check_button_keeps_what_the_merge_saw_as_the_cli_does(tmp_path):
    """检查 in Excel reads 问题 through xlwings (来源行 as floats, every cell as Excel gives it)
    and keeps the merge's 身份证号丢失末位 row as the command line does: still 错误."""
    from intake_helpers import person, unit_campaign, write_openpyxl
    from test_check_keeps_merge_findings import AS_NUMBER, REAL_ID
    campaign = unit_campaign(tmp_path / "活动")
    write_openpyxl(campaign.inbox / "东湖社区.xlsx", [
        list(RETURN_COLUMNS), person(1),
        ["王数字", int(REAL_ID), "残疾户", 2, "13800001111", "", "文一路9号", ""]])
    pipeline.on_disk("merge", campaign)
    message, got = _button_writes_what_the_cli_writes("check", campaign, tmp_path)
    assert message.startswith("检查完成")
    roster = got[Sheet.ROSTER]
    header = roster[0]
    row = next(r for r in roster[1:] if r[header.index("户主姓名")] == "王数字")
    assert row[header.index("身份证号")] == AS_NUMBER and row[header.index("状态")] == "错误"
