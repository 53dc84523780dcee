"""weiwen merge on messy returns, one case per test: files written the way units write them, the
real command run, 名册 and 问题 read back through weiwen.workbook_io."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook

from intake_helpers import (HEADER, kinds, merged, people, person, person_id, set_mtime,
                            shuffled, unit_campaign, write_csv, write_openpyxl, write_xls,
                            write_xlsxwriter)
from weiwen import workbook_io
from weiwen.names import Col, Sheet


@pytest.fixture
def camp(tmp_path):
    return unit_campaign(tmp_path / "活动")


@pytest.mark.slow
def test_template_return_renamed_is_recognised_by_embedded_code(cli, camp):
    cli("templates", camp.root)
    blank = camp.outbox / "西湖社区.xlsx"
    wb = load_workbook(blank)
    ws = wb["名单"]
    header_row = next(r for r in range(1, 30) if ws.cell(row=r, column=1).value == "户主姓名")
    for r in range(1, header_row):          # wipe the title: only the hidden code is left
        ws.cell(row=r, column=1).value = None
    for i, row in enumerate(people(1, 3), start=header_row + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(row=i, column=c, value=value)
    wb.save(camp.inbox / "最终版(1).xlsx")
    roster, problems, report = merged(cli, camp)
    assert roster[Col.UNIT].tolist() == ["西湖社区"] * 3
    assert roster[Col.SRC_ROW].tolist() == [header_row + 1, header_row + 2, header_row + 3]
    assert roster[Col.SRC_FILE].tolist() == ["最终版(1).xlsx"] * 3


def test_xlsm_is_read_as_data(cli, camp):
    write_openpyxl(camp.inbox / "东湖社区名单.xlsm", [HEADER, *people(1, 2)])
    roster, _, _ = merged(cli, camp)
    assert roster[Col.NAME].tolist() == ["测试0001", "测试0002"]


def test_legacy_xls(cli, camp):
    write_xls(camp.inbox / "青山村.xls", [["青山村慰问名单"], HEADER, *people(1, 2)])
    roster, _, _ = merged(cli, camp)
    assert roster[Col.UNIT].tolist() == ["青山村", "青山村"]
    assert roster[Col.ID].tolist() == [person_id(1), person_id(2)]
    assert roster[Col.SRC_ROW].tolist() == [3, 4]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
@pytest.mark.slow
def test_csv_in_gbk_and_utf8(cli, camp, encoding):
    write_csv(camp.inbox / "东湖社区.csv", [HEADER, *people(1, 3)], encoding=encoding)
    roster, _, _ = merged(cli, camp)
    assert roster[Col.NAME].tolist() == ["测试0001", "测试0002", "测试0003"]
    assert roster[Col.CATEGORY].tolist() == ["残疾户"] * 3
    assert roster[Col.SRC_ROW].tolist() == [2, 3, 4]


def test_file_in_sub_folder_named_by_folder(cli, camp):
    write_openpyxl(camp.inbox / "青山村" / "名单.xlsx", [HEADER, *people(1, 2)])
    roster, _, _ = merged(cli, camp)
    assert roster[Col.UNIT].tolist() == ["青山村", "青山村"]
    assert roster[Col.SRC_FILE].tolist() == ["青山村/名单.xlsx"] * 2


def test_unit_from_title_cells(cli, camp):
    write_openpyxl(camp.inbox / "名单最终版.xlsx",
                   [["2027年春节慰问对象名单（西湖社区居委会）"], HEADER, *people(1, 2)])
    roster, _, _ = merged(cli, camp)
    assert roster[Col.UNIT].tolist() == ["西湖社区"] * 2


def test_unit_from_short_file_name(cli, camp):
    write_openpyxl(camp.inbox / "东湖-春节.xlsx", [HEADER, *people(1, 2)])
    roster, _, _ = merged(cli, camp)
    assert roster[Col.UNIT].tolist() == ["东湖社区"] * 2


def test_unit_column_row_by_row(cli, camp):
    rows = [["单位", *HEADER], ["东湖社区", *person(1)], ["青山村", *person(2)],
            ["火星村", *person(3)]]
    write_openpyxl(camp.inbox / "汇总.xlsx", rows)
    roster, problems, report = merged(cli, camp)
    assert sorted(roster[Col.UNIT]) == ["东湖社区", "青山村"]
    assert report["rejected_rows"] == 1
    bad = problems[problems["问题类型"] == "单位名称无法识别"]
    assert bad[["来源文件", "来源行"]].values.tolist() == [["汇总.xlsx", 4]]


def test_unknown_unit_rejects_every_row_with_a_reason(cli, camp):
    write_openpyxl(camp.inbox / "名单.xlsx", [HEADER, *people(1, 4)])
    roster, problems, report = merged(cli, camp)
    assert len(roster) == 0
    assert report["rows_read"] == 4 and report["rejected_rows"] == 4
    assert "无法识别单位" in kinds(problems)
    assert "4 行未合并" in problems.loc[problems["问题类型"] == "无法识别单位", "说明"].iloc[0]


def test_header_row_anywhere(cli, camp):
    rows = [[None], [None, None, "东湖社区 慰问名单"], [None], [None],
            [None, None, *HEADER], *([None, None, *p] for p in people(1, 2))]
    write_openpyxl(camp.inbox / "x.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[Col.SRC_ROW].tolist() == [6, 7]
    assert roster[Col.ID].tolist() == [person_id(1), person_id(2)]


def test_traditional_headers(cli, camp):
    header = ["戶主姓名", "身份證號碼", "類別", "家庭人口", "聯繫電話", "銀行卡號", "地址", "備註"]
    write_openpyxl(camp.inbox / "東湖社區.xlsx", [header, [*person(1)[:2], "殘疾戶",
                                                            *person(1)[3:]]])
    roster, _, _ = merged(cli, camp)
    assert roster[[Col.UNIT, Col.CATEGORY]].values.tolist() == [["东湖社区", "残疾户"]]


def test_synonym_headers_with_spaces_and_line_breaks(cli, camp):
    header = ["姓 名", "公民身份\n号码", "人员类别", "家庭人口数（人）", "手机", "银行账号",
              "家庭住址", "说明"]
    write_openpyxl(camp.inbox / "西湖社区.xlsx", [header, *people(1, 2)])
    roster, _, _ = merged(cli, camp)
    assert roster[Col.NAME].tolist() == ["测试0001", "测试0002"]
    assert roster[Col.PHONE].tolist() == ["13800000001", "13800000002"]
    assert roster[Col.ADDRESS].tolist() == ["文一路1号", "文一路2号"]


def test_blank_title_note_and_total_rows_are_skipped(cli, camp):
    p = people(1, 3)
    rows = [["东湖社区慰问名单"], ["填报单位（盖章）：", None, None, None, "填报日期：2027年1月8日"],
            ["序号", *HEADER], [1, *p[0]], [None], ["一、残疾户"], [2, *p[1]], [3, None],
            [4, *p[2]], ["合 计", "3户"], [None], ["注：身份证号请以文本格式填写。"],
            ["填表人：王丽"]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, report = merged(cli, camp)
    assert roster[Col.SRC_ROW].tolist() == [4, 7, 9]
    assert report["rows_read"] == 3 and report["rejected_rows"] == 0
    assert not [k for k in kinds(problems) if k in ("无法使用的行",)]


@pytest.mark.slow
def test_row_without_name_or_id_is_rejected_with_reason(cli, camp):
    rows = [HEADER, person(1), [None, None, "残疾户", 2, "13800000009"], person(2)]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, report = merged(cli, camp)
    assert len(roster) == 2 and report["rejected_rows"] == 1
    row = problems[problems["问题类型"] == "无法使用的行"]
    assert row[["单位", "来源行"]].values.tolist() == [["东湖社区", 3]]


def test_full_width_spaces_hyphens_lowercase_x(cli, camp):
    body = next(b for b in (person_id(n) for n in range(1, 500)) if b.endswith("X"))
    messy = body[:6] + " " + body[6:14] + "-" + body[14:-1] + "x"
    full = person_id(3).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [HEADER, ["张 三", messy, "残疾户", "２", "138 0000 0001", "", "", ""],
            ["李四", full, " 残疾户 ", "3人", "+86-138-0000-0002", "", "", ""]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, _ = merged(cli, camp)
    assert roster[Col.NAME].tolist() == ["张三", "李四"]
    assert roster[Col.ID].tolist() == [body, person_id(3)]
    assert roster[Col.PHONE].tolist() == ["13800000001", "13800000002"]
    assert roster[Col.SIZE].tolist() == [2, 3]
    assert "身份证号无效" not in kinds(problems)


def test_id_and_phone_stored_as_numbers(cli, camp):
    """An 18-digit ID that went through a float has lost digits: flagged, never repaired."""
    pid = person_id(5)
    rows = [HEADER, ["王五", float(pid), "残疾户", 2, 13800000005.0, None, None, None],
            ["赵六", person_id(6), "残疾户", 1, 13800000006, None, None, None]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, _ = merged(cli, camp)
    assert roster[Col.ID].tolist()[0] == pid[:15] + "000"          # shown as Excel shows it
    assert roster[Col.PHONE].tolist() == ["13800000005", "13800000006"]
    lost = problems[problems["问题类型"] == "身份证号丢失末位"]
    assert lost["来源行"].tolist() == [2]


def test_csv_with_scientific_notation_id_is_flagged(cli, camp):
    rows = [HEADER, ["王五", "3.30106E+17", "残疾户", "2", "13800000005", "", "", ""]]
    write_csv(camp.inbox / "东湖社区.csv", rows)
    roster, problems, _ = merged(cli, camp)
    assert roster[Col.ID].tolist() == ["330106000000000000"]
    assert "身份证号丢失末位" in kinds(problems)


def test_bank_card_stored_as_number_is_flagged(cli, camp):
    rows = [HEADER, ["王五", person_id(5), "残疾户", 2, "13800000005", 6222021234567890123.0,
                     "", ""]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    _, problems, _ = merged(cli, camp)
    assert problems.loc[problems["问题类型"] == "银行卡号被存成数字", "来源行"].tolist() == [2]


def test_household_size_shown_as_date(cli, camp):
    rows = [HEADER, ["王五", person_id(5), "残疾户", dt.datetime(1900, 1, 3), "13800000005"]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[Col.SIZE].tolist() == [3]


def test_newest_version_supersedes_by_time_inside_the_file(cli, camp):
    old = write_xlsxwriter(camp.inbox / "东湖社区（初稿）.xlsx", [HEADER, *people(1, 5)],
                           saved=dt.datetime(2027, 1, 6, 9, 0))
    new = write_xlsxwriter(camp.inbox / "东湖社区.xlsx", [HEADER, *people(1, 3)],
                           saved=dt.datetime(2027, 1, 8, 16, 0))
    # the clerk saved the attachments in the wrong order: mtime must not decide
    set_mtime(new, dt.datetime(2027, 1, 9, 10, 0))
    set_mtime(old, dt.datetime(2027, 1, 9, 11, 0))
    roster, problems, report = merged(cli, camp)
    assert len(roster) == 3 and set(roster[Col.SRC_FILE]) == {"东湖社区.xlsx"}
    assert report["superseded_files"] == ["东湖社区（初稿）.xlsx"]
    assert problems.loc[problems["问题类型"] == "旧版本已被替换", "来源文件"].tolist() == \
        ["东湖社区（初稿）.xlsx"]


@pytest.mark.slow
def test_newest_csv_by_modification_time(cli, camp):
    a = write_csv(camp.inbox / "青山村.csv", [HEADER, *people(1, 2)])
    b = write_csv(camp.inbox / "青山村-改.csv", [HEADER, *people(1, 4)])
    set_mtime(a, dt.datetime(2027, 1, 8))
    set_mtime(b, dt.datetime(2027, 1, 7))
    roster, _, report = merged(cli, camp)
    assert len(roster) == 2 and report["superseded_files"] == ["青山村-改.csv"]


@pytest.mark.slow
def test_parts_in_a_分批_folder_are_combined(cli, camp):
    first = write_openpyxl(camp.inbox / "西湖社区.xlsx", [HEADER, *people(1, 2)])
    set_mtime(first, dt.datetime.now() - dt.timedelta(days=3))
    write_openpyxl(camp.inbox / "分批" / "西湖社区第1部分.xlsx", [HEADER, *people(1, 3)])
    write_openpyxl(camp.inbox / "分批" / "西湖社区第2部分.xlsx", [HEADER, *people(4, 2)])
    roster, _, report = merged(cli, camp)
    assert roster[Col.NAME].tolist() == [f"测试{n:04d}" for n in range(1, 6)]
    assert report["superseded_files"] == ["西湖社区.xlsx"]


def test_formula_looking_cells_stay_data(cli, camp):
    rows = [HEADER, ["=HYPERLINK(\"http://x\",\"点我\")", person_id(1), "残疾户", 2,
                     "+86 13800000001", "", "@SUM(A1)", "-备注"]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[Col.NAME].tolist() == ['=HYPERLINK("http://x","点我")']
    ws = load_workbook(camp.workbook, keep_vba=True)[Sheet.ROSTER]
    assert all(c.data_type != "f" for row in ws.iter_rows(min_row=2) for c in row)


@pytest.mark.slow
def test_remerge_keeps_the_clerks_note(cli, camp):
    write_openpyxl(camp.inbox / "东湖社区.xlsx", [HEADER, *people(1, 3)])
    merged(cli, camp)
    wb = load_workbook(camp.workbook, keep_vba=True)
    ws = wb[Sheet.ROSTER]
    note_col = [c.value for c in ws[1]].index("备注") + 1
    ws.cell(row=3, column=note_col, value="已电话核实")
    wb.save(camp.workbook)
    write_openpyxl(camp.inbox / "青山村.xlsx", [HEADER, *people(10, 2)])
    roster, _, _ = merged(cli, camp)
    assert len(roster) == 5
    assert roster.loc[roster[Col.NAME] == "测试0002", Col.NOTE].tolist() == ["已电话核实"]


def test_feedback_file_per_unit_only_its_rows(cli, camp):
    bad = person_id(2)[:-1] + ("0" if person_id(2)[-1] != "0" else "1")
    write_openpyxl(camp.inbox / "东湖社区.xlsx",
                   [HEADER, person(1), ["王二", bad, "残疾户", 2, "13800000002"]])
    write_openpyxl(camp.inbox / "青山村.xlsx", [HEADER, *people(10, 2)])
    merged(cli, camp)
    folder = camp.output / "退回修改"
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["东湖社区.xlsx"]
    rows = workbook_io.read_sheets(folder / "东湖社区.xlsx")["退回修改"]
    text = " ".join(str(v) for r in rows for v in r)
    assert "C3" not in text and "B3" in text                 # the ID cell of row 3
    assert bad not in text and bad[:6] + "********" + bad[-4:] in text
    assert "青山村" not in text and "测试0010" not in text


@pytest.mark.slow
def test_empty_template_returned(cli, camp):
    cli("templates", camp.root)
    shutil.copy(camp.outbox / "青山村.xlsx", camp.inbox / "青山村.xlsx")
    roster, problems, _ = merged(cli, camp)
    assert len(roster) == 0 and "交回的是空表" in kinds(problems)


def test_unreadable_file_is_a_problem_not_a_crash(cli, camp):
    (camp.inbox / "东湖社区.xlsx").write_bytes(b"not a zip")
    (camp.inbox / "照片.jpg").write_bytes(b"\xff\xd8")
    roster, problems, _ = merged(cli, camp)
    assert {"文件无法读取", "文件类型不支持"} <= set(kinds(problems))


def test_rows_in_random_order_keep_their_provenance(cli, camp):
    rows = shuffled(people(1, 20), seed=3)
    write_openpyxl(camp.inbox / "东湖社区.xlsx", [HEADER, *rows])
    roster, _, _ = merged(cli, camp)
    by_name = dict(zip(roster[Col.NAME], roster[Col.SRC_ROW]))
    assert all(by_name[r[0]] == i for i, r in enumerate(rows, start=2))


@pytest.mark.slow
def test_a_file_that_breaks_the_reader_becomes_a_problem_and_the_others_merge(cli, camp,
                                                                           monkeypatch):
    """Defence in depth: an unexpected failure on one file is reported, the run goes on."""
    from weiwen.intake import merge as merge_module
    write_openpyxl(camp.inbox / "东湖社区.xlsx", [HEADER, *people(1, 3)])
    write_openpyxl(camp.inbox / "西湖社区.xlsx", [HEADER, *people(10, 2)])
    real = merge_module.tables_of

    def tables_of(raw):
        if "西湖" in raw.relname:
            raise ValueError("unexpected layout")
        return real(raw)

    monkeypatch.setattr(merge_module, "tables_of", tables_of)
    roster, problems, report = merged(cli, camp)
    failed = problems[problems["问题类型"] == "文件内容无法处理"]
    assert failed["来源文件"].tolist() == ["西湖社区.xlsx"]
    assert "重新填写" in failed.iloc[0]["说明"]
    assert roster[Col.UNIT].tolist() == ["东湖社区"] * 3


@pytest.mark.slow
def test_two_row_header_under_merged_cells(cli, camp):
    """联系方式 merged over 联系电话 / 银行卡号: both header rows are read, no row is lost."""
    top = ["户主姓名", "身份证号", "类别", "家庭人口", "联系方式", None, "地址", "备注"]
    sub = [None, None, None, None, "联系电话", "银行卡号", None, None]
    rows = [person(n, "低保") for n in (1, 2)]
    rows[0][5] = "6222020000000000003"
    write_openpyxl(camp.inbox / "东湖社区.xlsx", [["东湖社区名单"], top, sub, *rows])
    roster, problems, report = merged(cli, camp)
    assert report["rejected_rows"] == 0 and len(roster) == 2
    assert roster[Col.SRC_ROW].tolist() == [4, 5]
    assert roster[Col.PHONE].tolist() == [rows[0][4], rows[1][4]]
    assert roster[Col.CARD].tolist()[0] == "6222020000000000003"


@pytest.mark.slow
def test_bank_name_is_read_and_reaches_the_bank_list(cli, camp):
    """开户银行 in a return is kept in 名册 and printed in 银行代发.xlsx next to the card."""
    from weiwen.names import BANK_FILE
    header = ["户主姓名", "身份证号", "类别", "家庭人口", "联系电话", "银行卡号", "开户银行", "地址"]
    rows = [person(n, "低保")[:6] + ["", f"文一路{n}号"] for n in (1, 2)]
    rows[0][5], rows[0][6] = "6222020000000000003", "中国农业银行杭州文一支行"
    rows[1][5], rows[1][6] = "6217001540012345679", "杭州联合农商银行"
    write_openpyxl(camp.inbox / "东湖社区.xlsx", [header, *rows])
    roster, _, _ = merged(cli, camp)
    assert roster[Col.BANK].tolist() == ["中国农业银行杭州文一支行", "杭州联合农商银行"]
    cli("amounts", camp.root)
    cli("summary", camp.root)
    ws = load_workbook(camp.output / BANK_FILE).active
    body = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)][:-2]   # title, info,
    assert [(r[1], r[2], r[3]) for r in body] == [                         # header; 合计, 大写
        ("测试0001", "6222020000000000003", "中国农业银行杭州文一支行"),
        ("测试0002", "6217001540012345679", "杭州联合农商银行")]


def test_what_a_unit_typed_is_kept_as_typed(cli, camp):
    """Names, addresses and 备注 reach 名册 as the unit typed them: 乾, 於, 甯 are names, not
    Traditional forms of 干, 于, 宁, and a Traditional name stays one (the bank's 户名 is that
    name); full-width punctuation stays; a name's stray spaces go. 类别 is matched through
    Simplified, the unit's own wording kept in 填报类别. Read back with openpyxl."""
    rows = [person(n) for n in range(1, 7)]
    for row, name in zip(rows, ("王乾", "於丽华", "甯小红", "陳建國", " 欧阳 娜 ", "李雪")):
        row[0] = name
    rows[0][6], rows[0][7] = "幸福路１２号（东门）", "低保，需上门"
    rows[1][7] = "＋1人（待核）"
    rows[3][2] = "殘疾戶"
    write_openpyxl(camp.inbox / "东湖社区.xlsx", [HEADER, *rows])
    merged(cli, camp)
    ws = load_workbook(camp.workbook, read_only=True)[Sheet.ROSTER]
    head, *body = [list(r) for r in ws.iter_rows(values_only=True)]
    got = [dict(zip(head, r)) for r in body if r[head.index(Col.NAME)]]
    assert [r[Col.NAME] for r in got] == ["王乾", "於丽华", "甯小红", "陳建國", "欧阳娜", "李雪"]
    assert (got[0][Col.ADDRESS], got[0][Col.NOTE]) == ("幸福路１２号（东门）", "低保，需上门")
    assert got[1][Col.NOTE] == "＋1人（待核）"
    assert (got[3][Col.CATEGORY], got[3][Col.REPORTED_CATEGORY]) == ("残疾户", "殘疾戶")
    assert got[4][Col.REPORTED_CATEGORY] in (None, "")              # the standard's own name
