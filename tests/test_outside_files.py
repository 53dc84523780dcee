"""Files from outside the inbox (the 低保 list named in 参数, returned signature sheets) are read
in a reader process like the returns: a damaged one is a problem with a Chinese reason, the
command completes. And a return the merge cannot process says so in Chinese, details in the log."""
from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from weiwen import workbook_io
from weiwen.intake import merge as merge_module, pool
from weiwen.names import PARAM_REFERENCE, SIGNED_DIR, Col, ProblemCol, Sheet, Status

pytestmark = pytest.mark.reliability

ENGLISH = ("Error", "error", "Exception", "Traceback", "zip", "calamine", "Errno")


def _set_param(book, key: str, value: str) -> None:
    wb = load_workbook(book, keep_vba=True)
    ws = wb[Sheet.PARAMS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
    ws.cell(row, 2).value = value
    wb.save(book)


def _xlsx(path, rows) -> None:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)


def _problems(campaign):
    sheet = workbook_io.read_problems(campaign.workbook)
    return list(zip(sheet[ProblemCol.CODE], sheet[ProblemCol.MESSAGE]))


def _unknown_id() -> str:
    body = "33010619580101777"
    return body + ric.calc_check_digit(body)


@pytest.mark.slow
def test_reference_list_file_is_read_and_checked(demo_campaign, cli):
    roster = workbook_io.read_roster(demo_campaign.workbook)
    dibao = roster[(roster[Col.CATEGORY] == "低保") & (roster[Col.STATUS] == Status.VALID)]
    listed = dibao[Col.ID].tolist()[:-1]               # the last 低保 household is not on the list
    _xlsx(demo_campaign.root / "低保名单.xlsx",
          [["城东街道低保户名单"], ["姓名", "身份证号码"], ["漏报户", _unknown_id()],
           *[["", i] for i in listed]])
    _set_param(demo_campaign.workbook, PARAM_REFERENCE, "低保名单.xlsx")
    cli("check", demo_campaign.root)
    found = _problems(demo_campaign)
    assert [m for c, m in found if c == "checks.not_returned"] and \
        any("漏报户" in m for c, m in found if c == "checks.not_returned")
    assert not [c for c, _ in found if c == "checks.reference_unreadable"]


@pytest.mark.slow
def test_a_damaged_reference_list_is_a_problem_not_a_stop(demo_campaign, cli):
    good = demo_campaign.root / "ok.xlsx"
    _xlsx(good, [["姓名", "身份证号码"], *[["某", _unknown_id()]] * 200])
    data = good.read_bytes()
    (demo_campaign.root / "低保名单.xlsx").write_bytes(data[: len(data) // 2])
    _set_param(demo_campaign.workbook, PARAM_REFERENCE, "低保名单.xlsx")
    cli("check", demo_campaign.root)                      # exit 0: the checks went on
    [message] = [m for c, m in _problems(demo_campaign) if c == "checks.reference_unreadable"]
    assert "低保名单.xlsx" in message and "文件不完整或已损坏" in message
    assert not any(word in message for word in ENGLISH)


@pytest.mark.slow
def test_a_damaged_returned_signature_sheet_is_its_own_problem(demo_campaign, cli):
    folder = demo_campaign.root / SIGNED_DIR
    folder.mkdir(exist_ok=True)
    good = folder / "ok.xlsx"
    _xlsx(good, [["户主姓名", "领取人签字"], *[["某", "某"]] * 200])
    data = good.read_bytes()
    good.unlink()
    (folder / "东湖社区签字表.xlsx").write_bytes(data[: len(data) // 3])
    (folder / "西湖社区签字表.et").write_bytes(b"\x00" * 10)
    data = cli.json("signatures", demo_campaign.root)
    assert data["files_read"] == 2
    messages = [m for c, m in _problems(demo_campaign) if c == "signatures.unreadable"]
    assert len(messages) == 2 and all(not any(w in m for w in ENGLISH) for m in messages)
    assert any("东湖社区签字表.xlsx" in m and "文件不完整或已损坏" in m for m in messages)


@pytest.mark.slow
def test_a_return_the_merge_cannot_process_gets_a_chinese_reason(demo_campaign, cli, monkeypatch):
    real = merge_module.tables_of

    def odd(raw):
        if raw.relname.startswith("东湖"):
            raise ValueError("Length mismatch: Expected axis has 9 elements")
        return real(raw)

    monkeypatch.setattr(merge_module, "tables_of", odd)
    cli("merge", demo_campaign.root)
    [message] = [m for c, m in _problems(demo_campaign) if c == "intake.file_failed"]
    assert "东湖" in message and "weiwen-read.log" in message
    assert "ValueError" not in message and "Length mismatch" not in message
    assert "Length mismatch" in pool.LOG_FILE.read_text(encoding="utf-8", errors="replace")
