"""汇总表 for finance, the workbook's 汇总 sheet and the bank list: totals equal 名册, no IDs, 大写."""
from __future__ import annotations

import pytest
import pandas as pd
from openpyxl import load_workbook

from weiwen import workbook_io
from weiwen.money import to_daxie
from weiwen.names import BANK_COLUMNS, BANK_FILE, BANK_NO_CARD_FILE, OUTPUT_DIR, SUMMARY_FILE, Col, Payment, Sheet
from weiwen.outputs.common import paid_households
from weiwen.outputs.summary import build_summary
from weiwen.values import to_text


def _rows(path, sheet=None):
    wb = load_workbook(path)
    ws = wb[sheet] if sheet else wb.active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _section(rows, title):
    """A section's rows after its heading, up to its 合计 (one header for every section)."""
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    end = next(i for i in range(start + 1, len(rows)) if rows[i][0] == "合计")
    return rows[start + 1:end + 1]


@pytest.mark.slow
def test_summary_totals_equal_the_roster(demo_source):
    roster = workbook_io.read_roster(demo_source / "Weiwen.xlsm")
    paid = paid_households(roster)
    rows = _rows(demo_source / OUTPUT_DIR / SUMMARY_FILE)
    by_unit = _section(rows, "一、分单位分类别")
    total = by_unit[-1]
    assert total[4:7] == [len(paid), int(paid[Col.SIZE].sum()), paid[Col.AMOUNT].sum()]
    data = [r for r in by_unit if r[1]]
    assert sum(r[6] for r in data) == paid[Col.AMOUNT].sum()
    for unit, part in paid.groupby(Col.UNIT):
        sub = next(r for r in by_unit if r[0] == f"{unit} 小计")
        assert sub[4:7] == [len(part), int(part[Col.SIZE].sum()), part[Col.AMOUNT].sum()]
        for category, cat in part.groupby(Col.CATEGORY):
            assert sum(r[6] for r in data if r[0] == unit and r[2] == category) == cat[Col.AMOUNT].sum()
    assert rows[rows.index(total) + 1][0] == "合计金额（大写）：" + to_daxie(paid[Col.AMOUNT].sum())
    groups = _section(rows, "二、分类别组汇总")
    assert groups[-1][4:7] == total[4:7]
    assert next(r for r in groups if r[0] == "低保 小计")[4] == (paid[Col.CATEGORY] == "低保").sum()
    payments = _section(rows, "三、按发放方式")
    for payment, part in paid.groupby(Col.PAYMENT):
        assert next(r for r in payments if r[3] == payment)[4:7] == [
            len(part), int(part[Col.SIZE].sum()), part[Col.AMOUNT].sum()]
    departments = _section(rows, "四、分责任部门")               # 标准.责任部门
    assert departments[-1][4:7] == total[4:7]
    dibao = paid[paid[Col.CATEGORY] == "低保"]
    assert next(r for r in departments if r[0] == "社会事务科" and r[2] == "低保")[4:7] == [
        len(dibao), int(dibao[Col.SIZE].sum()), dibao[Col.AMOUNT].sum()]
    own = next(r for r in departments if r[0] == "各社区/村（所在单位） 小计")
    assert own[4] == len(paid) - sum(r[4] for r in departments if str(r[0]).endswith("小计")
                                     and not r[0].startswith("各社区"))
    daxie = [r[0] for r in rows if str(r[0]).startswith("合计金额（大写）")]
    assert daxie == ["合计金额（大写）：" + to_daxie(paid[Col.AMOUNT].sum())] * 4   # under each 合计
    returns = rows.index(next(r for r in rows if r[0] == "五、名单交回情况"))
    assert rows[returns + 1][0].startswith("应交回 13 个单位，已交回 12 个")
    assert rows[returns + 2][:2] == ["柳营社区", "未交回"]
    budget = next(r for r in rows if r[0] == "预算")
    assert budget[6] == 1_500_000
    assert next(r for r in rows if r[0] == "结余")[6] == 1_500_000 - paid[Col.AMOUNT].sum()
    assert rows[2] == ["单位", "类别组", "类别", "发放方式", "户数", "人数", "金额"]


@pytest.mark.slow
def test_summary_has_no_ids_or_phones_and_is_in_the_workbook(demo_source):
    roster = workbook_io.read_roster(demo_source / "Weiwen.xlsm")
    secret = set(roster[Col.ID].dropna()) | set(roster[Col.PHONE].dropna())
    rows = _rows(demo_source / OUTPUT_DIR / SUMMARY_FILE)
    assert not {str(v) for r in rows for v in r if v is not None} & secret
    in_workbook = workbook_io.read_sheets(demo_source / "Weiwen.xlsm", (Sheet.SUMMARY,))[Sheet.SUMMARY]
    as_text = lambda rs: [[to_text(v) for v in r] for r in rs]
    ours = [r for r in as_text(in_workbook)][3:-1]
    printed = [(r + [""] * 7)[:7] for r in as_text(rows)][3:-1]
    # the same table: 大写 rows are one merged cell on paper, label and amount in the workbook
    assert [r[:7] for r in ours if not r[0].startswith("合计金额")] == [
        r for r in printed if not r[0].startswith("合计金额")]


@pytest.mark.slow
def test_bank_list(demo_source):
    roster = workbook_io.read_roster(demo_source / "Weiwen.xlsm")
    paid = paid_households(roster)
    card = paid[(paid[Col.PAYMENT] == Payment.CARD) & paid[Col.CARD].notna()]
    wb = load_workbook(demo_source / OUTPUT_DIR / BANK_FILE)
    ws = wb.active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "2027年春节走访慰问金银行代发明细"                  # a title to print
    assert tuple(rows[2]) == BANK_COLUMNS and ws.print_title_rows.replace("$", "") == "1:3"
    body, total, daxie = rows[3:-2], rows[-2], rows[-1]
    bank = card[Col.BANK].fillna("")
    assert sorted((r[1], r[2], r[3] or "", r[4]) for r in body) == sorted(
        zip(card[Col.NAME], card[Col.CARD], bank, card[Col.AMOUNT]))
    assert total[:5] == ["合计", f"{len(card)}户", None, None, card[Col.AMOUNT].sum()]
    assert daxie[0] == "合计金额（大写）：" + to_daxie(card[Col.AMOUNT].sum())
    assert all(ws.cell(r, 3).data_type == "s" for r in range(4, len(rows) - 1))
    ids = set(roster[Col.ID].dropna())
    assert not {str(v) for r in rows for v in r if v is not None} & ids


def test_card_household_without_card_is_kept_out_of_the_upload(campaign):
    from weiwen.outputs.summary import write_summary
    settings = workbook_io.read_settings(campaign.workbook)
    roster = pd.DataFrame([
        {Col.SEQ: 1, Col.UNIT: "甲村", Col.NAME: "张三", Col.CATEGORY: "低保", Col.SIZE: 2,
         Col.CARD: "6222020000000000001", Col.AMOUNT: 900, Col.PAYMENT: "银行打卡", Col.STATUS: "有效"},
        {Col.SEQ: 2, Col.UNIT: "甲村", Col.NAME: "李四", Col.CATEGORY: "低保", Col.SIZE: 1,
         Col.CARD: None, Col.AMOUNT: 550, Col.PAYMENT: "银行打卡", Col.STATUS: "有效"},
        {Col.SEQ: 3, Col.UNIT: "甲村", Col.NAME: "王五", Col.CATEGORY: "残疾户", Col.SIZE: 1,
         Col.AMOUNT: 0, Col.PAYMENT: "现金", Col.STATUS: "重复"},
    ])
    result = write_summary(roster, settings, campaign.output)
    assert (result.households, result.total, result.bank_households) == (2, 1450.0, 1)
    assert result.no_card == ["甲村 李四"]
    bank = load_workbook(campaign.output / BANK_FILE)
    assert bank.sheetnames == ["代发明细"]                  # the file the bank gets: its list only
    assert "李四" not in {c.value for row in bank["代发明细"].iter_rows() for c in row}
    ws = load_workbook(campaign.output / BANK_NO_CARD_FILE)["缺少卡号"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[3][:4] == [1, "甲村", "李四", 550] and "不要发给银行" in rows[1][0]
    assert rows[4][:4] == ["合计", "1户", None, 550]
    assert "伍佰伍拾元整" in " ".join(str(v) for r in rows for v in r if v)
    assert build_summary(roster, settings).rows[-2][6] in ("（未填）", "0.1%")   # budget use
    assert [r[1] for r in build_summary(roster, settings).rows if r[0] == "合计金额（大写）"] == [
        "壹仟肆佰伍拾元整"] * 4
    roster.loc[1, Col.CARD] = "6222020000000000019"          # the card filled in: the list goes
    write_summary(roster, settings, campaign.output)
    assert not (campaign.output / BANK_NO_CARD_FILE).exists()


@pytest.mark.slow
def test_summary_counts_leader_visits_per_group(demo_campaign, cli):
    """After 走访安排 the finance summary has a 领导走访 sheet: households per group and a total."""
    from openpyxl import load_workbook as _load
    from weiwen.names import SUMMARY_FILE, SUMMARY_VISITS_SHEET
    from weiwen.books import FileBook
    from weiwen.pipeline import visits_table
    cli("visits", demo_campaign.root)
    cli("summary", demo_campaign.root)
    expected = visits_table(FileBook(demo_campaign))
    ws = _load(demo_campaign.output / SUMMARY_FILE)[SUMMARY_VISITS_SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0].endswith("领导走访慰问汇总") and ws.print_title_rows.replace("$", "") == "1:2"
    assert rows[1] == list(expected.columns)
    assert [r[0] for r in rows[2:-2]] == list(expected.iloc[:, 0])
    total = rows[-2]
    assert total[0] == "合计" and len(rows) - 4 == 8
    planned = list(expected.columns).index("计划走访户数")
    assert total[planned] == expected["计划走访户数"].sum() >= 8 * 4
    assert rows[-1][0].startswith("合计金额（大写）：")


def test_summary_cells_per_unit_category_payment_and_department(campaign):
    """Several payment ways in one category (in roster order 银行打卡, 自领, 现金: shown 现金,
    银行打卡, then the rest), a category 标准 does not list, a 责任部门, a blank payment (现金),
    a size given as text and one missing, and rows that are not paid."""
    settings = workbook_io.read_settings(campaign.workbook)
    valid = "有效"
    people = [("乙村", "残疾户", "银行打卡", 500, 2, valid), ("甲村", "残疾户", "自领", 300, 1, valid),
              ("甲村", "低保", "银行打卡", 900, 3, valid), ("甲村", "残疾户", "现金", 400, "2", valid),
              ("甲村", "残疾户", "银行打卡", 250.5, None, valid),
              ("甲村", "自编类别", "现金", 100, 1, valid), ("乙村", "低保", None, 700, 4, valid),
              ("甲村", "低保", "现金", 0, 1, valid), ("乙村", "低保", "现金", 600, 1, "重复")]
    roster = pd.DataFrame([{Col.SEQ: i, Col.UNIT: u, Col.NAME: f"户{i}", Col.CATEGORY: c,
                            Col.PAYMENT: p, Col.AMOUNT: a, Col.SIZE: n, Col.STATUS: s}
                           for i, (u, c, p, a, n, s) in enumerate(people, start=1)])
    rows = build_summary(roster, settings).rows
    total = ["合计", "", "", "", 7, 13, 3150.5]
    assert _section(rows, "一、分单位分类别") == [
        ["乙村", "低保", "低保", "现金", 1, 4, 700.0],
        ["乙村", "低保边缘", "残疾户", "银行打卡", 1, 2, 500.0],
        ["乙村 小计", "", "", "", 2, 6, 1200.0],
        ["甲村", "低保", "低保", "银行打卡", 1, 3, 900.0],
        ["甲村", "低保边缘", "残疾户", "现金", 1, 2, 400.0],
        ["甲村", "低保边缘", "残疾户", "银行打卡", 1, 0, 250.5],
        ["甲村", "低保边缘", "残疾户", "自领", 1, 1, 300.0],
        ["甲村", "（未列入标准）", "自编类别", "现金", 1, 1, 100.0],
        ["甲村 小计", "", "", "", 5, 7, 1950.5], total]
    assert _section(rows, "二、分类别组汇总") == [
        ["", "低保", "低保", "银行打卡", 2, 7, 1600.0], ["低保 小计", "", "", "", 2, 7, 1600.0],
        ["", "低保边缘", "残疾户", "银行打卡", 4, 5, 1450.5], ["低保边缘 小计", "", "", "", 4, 5, 1450.5],
        ["", "（未列入标准）", "自编类别", "现金", 1, 1, 100.0],
        ["（未列入标准） 小计", "", "", "", 1, 1, 100.0], total]
    assert _section(rows, "三、按发放方式") == [
        ["", "", "", "现金", 3, 7, 1200.0], ["", "", "", "银行打卡", 3, 5, 1650.5],
        ["", "", "", "自领", 1, 1, 300.0], total]
    own = "各社区/村（所在单位）"
    assert _section(rows, "四、分责任部门") == [
        [own, "低保边缘", "残疾户", "现金", 1, 2, 400.0],
        [own, "低保边缘", "残疾户", "银行打卡", 2, 2, 750.5],
        [own, "低保边缘", "残疾户", "自领", 1, 1, 300.0],
        [own, "（未列入标准）", "自编类别", "现金", 1, 1, 100.0],
        [f"{own} 小计", "", "", "", 5, 6, 1550.5],
        ["社会事务科", "低保", "低保", "现金", 1, 4, 700.0],
        ["社会事务科", "低保", "低保", "银行打卡", 1, 3, 900.0],
        ["社会事务科 小计", "", "", "", 2, 7, 1600.0], total]
