"""导入代发结果 through the real `weiwen payments`: the bank's result files (their own headers, a
title and a 合计 row, xlsx and GBK CSV) matched to 银行代发; 实发 / 失败 / 未返回 / 未匹配 in the
发放结果 sheet; the re-issue list; the same file twice changes nothing; a later file supersedes."""
from __future__ import annotations

import datetime as dt

import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum import luhn

from intake_helpers import HEADER, person, person_id, unit_campaign, write_csv, write_xlsxwriter
from weiwen import workbook_io
from weiwen.names import PAYMENT_RESULTS_DIR, REISSUE_FILE, Col, PayCol, ProblemCol, Sheet
from weiwen.payments.match import match
from weiwen.payments.results import result_rows, status_of

TITLE = ["2027年春节慰问名单"]


def card(i: int) -> str:
    body = f"6222020000000000{i:02d}"
    return body + luhn.calc_check_digit(body)


@pytest.fixture
def paid_campaign(tmp_path, cli):
    """Six 低保 households paid by card (东湖 1–4, 西湖 11–12), amounts computed."""
    campaign = unit_campaign(tmp_path / "活动")
    for unit, numbers in (("东湖社区", (1, 2, 3, 4)), ("西湖社区", (11, 12))):
        rows = []
        for n in numbers:
            row = person(n, "低保")
            row[3], row[5] = 1 + n % 3, card(n)
            rows.append(row)
        write_xlsxwriter(campaign.inbox / f"{unit}.xlsx", [TITLE, HEADER, *rows])
    write_xlsxwriter(campaign.inbox / "青山村.xlsx", [TITLE, HEADER, person(21)])
    cli.json("run", campaign.root)
    return campaign


def _due(campaign) -> dict[str, float]:
    roster = workbook_io.read_roster(campaign.workbook)
    roster = roster[roster[Col.CARD].notna()]
    return dict(zip(roster[Col.CARD], pd.to_numeric(roster[Col.AMOUNT])))


def _bank_file(campaign, name: str, results: list[tuple], *, saved: dt.datetime) -> None:
    """A bank's xlsx: title, header of its own words, one row per payment, a 合计 row."""
    due = _due(campaign)
    rows = [["XX银行批量代发结果"], ["序号", "户名", "账号", "金额（元）", "交易状态", "失败原因"]]
    for i, (n, status, reason) in enumerate(results, start=1):
        rows.append([i, f"测试{n:04d}", card(n), due.get(card(n), 500.0), status, reason])
    rows.append(["合计", "", "", sum(r[3] for r in rows[2:]), "", ""])
    write_xlsxwriter(campaign.root / PAYMENT_RESULTS_DIR / name, rows, saved=saved)


def _results(campaign) -> pd.DataFrame:
    rows = workbook_io.read_sheets(campaign.workbook, [Sheet.PAYMENT_RESULTS])[Sheet.PAYMENT_RESULTS]
    return workbook_io.frame_from_rows(rows, list(PayCol))


def test_statuses_in_the_banks_words():
    assert [status_of(s) for s in ("成功", "交易成功", "处理成功", "已入账", "S", "失败", "交易失败",
                                   "退票", "户名不符", "账户已销户", "F", "处理中", "")] == \
        ["成功"] * 5 + ["失败"] * 6 + ["", ""]


def test_a_result_sheet_with_its_own_headers_title_and_total():
    rows = [["代发结果"], ["收款人名称", "收款账号", "交易金额", "处理结果", "备注"],
            ["张三", "6222 0200 0000 0000 018", "900.00", "成功", ""],
            ["李四", card(2), 550, "失败", "账户不存在"], ["合计", "", 1450, "", ""]]
    got = result_rows(rows, "结果.xlsx")
    assert [(r.row, r.name, r.card, r.amount, r.status, r.reason) for r in got] == [
        (3, "张三", "6222020000000000018", 900.0, "成功", ""),
        (4, "李四", card(2), 550.0, "失败", "账户不存在")]
    assert result_rows([["户主姓名", "身份证号"], ["甲", person_id(1)]], "名单.xlsx") is None


def test_one_card_twice_in_a_file_once_without_an_amount():
    """A bank file may list a household twice, one row without its amount: it is read (the last
    row counts, the amount due stands in), not a crash on comparing a blank with a number."""
    bank = pd.DataFrame({Col.UNIT: ["东湖社区"], Col.NAME: ["测试0001"], Col.ID: [person_id(1)],
                         Col.CARD: [card(1)], Col.AMOUNT: [500.0]})
    rows = result_rows([["户名", "账号", "金额", "交易状态"], ["测试0001", card(1), 500, "成功"],
                        ["测试0001", card(1), None, "成功"]], "结果.xlsx")
    assert [r.amount for r in rows] == [500.0, None]
    outcome = match(bank, [("结果.xlsx", rows)])
    assert outcome.counts["实发"] == (1, 500.0)
    assert outcome.frame[PayCol.ROW].tolist() == [3]


@pytest.mark.slow
def test_payments_matched_failed_pending_and_unmatched(paid_campaign, cli):
    campaign = paid_campaign
    _bank_file(campaign, "代发结果0120.xlsx",
               [(1, "成功", ""), (2, "交易失败", "户名与账号不符"), (3, "成功", ""),
                (11, "成功", ""), (99, "成功", "")], saved=dt.datetime(2027, 1, 20, 10))
    report = cli.json("payments", campaign.root)
    pay = report["payments"]
    due = _due(campaign)
    assert pay["due"] == [6, pytest.approx(sum(due.values()))]
    assert pay["实发"] == [3, pytest.approx(due[card(1)] + due[card(3)] + due[card(11)])]
    assert pay["失败"] == [1, pytest.approx(due[card(2)])]
    assert pay["未返回"][0] == 2 and pay["未匹配"] == [1, 500.0]
    assert report["outcome"].startswith("代发结果：应发 6 户")
    frame = _results(campaign)
    assert frame[PayCol.RESULT].tolist() == ["实发", "失败", "实发", "未返回", "实发", "未返回", "未匹配"]
    assert frame[PayCol.REASON].tolist()[1] == "户名与账号不符"
    assert frame[PayCol.ROW].tolist()[:3] == [3, 4, 5]           # rows of the bank's file
    problems = workbook_io.read_problems(campaign.workbook)
    mine = problems[problems[ProblemCol.CODE].str.startswith("payments.")]
    assert sorted(mine[ProblemCol.CODE]) == ["payments.failed", "payments.unmatched"]
    # the re-issue list: the failed household, ID and card masked, a drop-down for the way
    wb = load_workbook(campaign.output / REISSUE_FILE)
    ws = wb.active
    values = [c.value for c in ws[4]]
    assert values[2] == "测试0002" and values[3] == person_id(2)[:6] + "********" + person_id(2)[-4:]
    assert values[5].endswith(card(2)[-4:]) and "*" in values[5] and values[7] == "户名与账号不符"
    assert ws.data_validations.dataValidation[0].formula1 == '"现金,更正卡号后重新代发"'
    assert str(ws.data_validations.dataValidation[0].sqref) == "I4"            # the one failed row
    # …and 应发 / 实发 / 失败 in the finance summary
    cli.json("summary", campaign.root)
    rows = [list(r) for r in load_workbook(campaign.output / "汇总表.xlsx").active.iter_rows(
        values_only=True)]
    start = next(i for i, r in enumerate(rows) if str(r[0]).endswith("银行代发结果"))
    shown = {r[0]: (r[4], r[6]) for r in rows[start + 1:start + 6]}
    assert shown == {"应发": tuple(pay["due"]), "实发": tuple(pay["实发"]),
                     "失败": tuple(pay["失败"]), "未返回": tuple(pay["未返回"]),
                     "未匹配": (1, 500)}


@pytest.mark.slow
def test_the_same_result_twice_changes_nothing_and_a_later_file_supersedes(paid_campaign, cli):
    campaign = paid_campaign
    first = [(1, "成功", ""), (2, "失败", "账户已冻结"), (3, "成功", ""), (4, "成功", ""),
             (11, "成功", ""), (12, "成功", "")]
    _bank_file(campaign, "结果.xlsx", first, saved=dt.datetime(2027, 1, 20, 10))
    once = cli.json("payments", campaign.root)
    again = cli.json("payments", campaign.root)                   # the button pressed twice
    shutil.copy(campaign.root / PAYMENT_RESULTS_DIR / "结果.xlsx",
                campaign.root / PAYMENT_RESULTS_DIR / "结果(1).xlsx")  # the email saved twice
    twice = cli.json("payments", campaign.root)
    assert once["payments"] == again["payments"] == twice["payments"]
    assert any("内容相同" in n for n in twice["notes"])
    assert _results(campaign)[PayCol.RESULT].tolist().count("失败") == 1
    # the corrected card paid in a second batch: the later file wins for that household
    _bank_file(campaign, "重新代发结果.xlsx", [(2, "成功", "")], saved=dt.datetime(2027, 1, 25, 9))
    later = cli.json("payments", campaign.root)
    assert later["payments"]["失败"][0] == 0 and later["payments"]["实发"][0] == 6
    frame = _results(campaign).set_index(PayCol.NAME)
    assert "以“重新代发结果.xlsx”为准" in frame.loc["测试0002", PayCol.NOTE]
    assert not (campaign.output / REISSUE_FILE).exists()          # nothing left to pay again
    # a merge afterwards keeps the payments' rows of 问题 (a later stage)
    _bank_file(campaign, "错的.xlsx", [(77, "成功", "")], saved=dt.datetime(2027, 1, 26, 9))
    cli.json("payments", campaign.root)
    report = cli.json("merge", campaign.root)
    assert any("导入代发结果" in n for n in report["notes"])
    kept = workbook_io.read_problems(campaign.workbook)[ProblemCol.CODE].tolist()
    assert "payments.unmatched" in kept


@pytest.mark.slow
def test_two_different_files_both_paid_is_a_possible_double_payment(paid_campaign, cli):
    campaign = paid_campaign
    _bank_file(campaign, "a.xlsx", [(1, "成功", ""), (3, "成功", "")], saved=dt.datetime(2027, 1, 20))
    _bank_file(campaign, "b.xlsx", [(1, "成功", "")], saved=dt.datetime(2027, 1, 22))
    report = cli.json("payments", campaign.root)
    assert report["workbook_problems_by_kind"].get("可能重复入账") == 1


@pytest.mark.slow
def test_a_gbk_csv_and_a_file_that_is_no_result(paid_campaign, cli):
    campaign = paid_campaign
    due = _due(campaign)
    folder = campaign.root / PAYMENT_RESULTS_DIR
    write_csv(folder / "结果.csv", [["收款人名称", "收款账号", "交易金额", "处理结果", "错误信息"],
                                    ["测试0004", card(4), due[card(4)], "成功", ""]])
    write_xlsxwriter(folder / "说明.xlsx", [["请查收"], ["附件为代发结果"]])
    (folder / "坏.xlsx").write_bytes(b"not a workbook")
    report = cli.json("payments", campaign.root)
    assert report["payments"]["实发"][0] == 1
    problems = workbook_io.read_problems(campaign.workbook)
    unreadable = problems[problems[ProblemCol.CODE] == "payments.unreadable"]
    assert sorted(unreadable[ProblemCol.FILE]) == ["坏.xlsx", "说明.xlsx"]
    text = cli("payments", campaign.root).stdout
    assert "代发结果：应发 6 户" in text and "实发" in text

