"""公示名单 (参数 公示) and the 责任部门's signature sheets, through the real command: what a notice
board shows and what it must not, per unit; a department's sheet holds its categories from every
unit, by 发放方式 and then by unit; the printed pages pass the print check (LibreOffice, slow)."""
from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from openpyxl import load_workbook

from coverage_helpers import set_params
from intake_helpers import write_xlsxwriter
from outputs_helpers import small_campaign, libreoffice_pdf_reader
from weiwen import workbook_io
from weiwen.names import NOTICE_DIR, SIGNOFF_DIR, Col
from weiwen.outputs.common import paid_households
from weiwen.outputs.notice import mask_name, public_category


def _rows(path):
    return [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]


def _xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


@pytest.fixture
def ran(tmp_path, cli):
    campaign = small_campaign(tmp_path / "活动")
    cli.json("run", campaign.root)
    return campaign


@pytest.mark.slow
def test_no_notice_unless_the_office_asks(ran):
    assert not (ran.output / NOTICE_DIR).exists()


@pytest.mark.slow
def test_notice_per_unit_shows_name_category_size_amount_and_nothing_else(ran, cli):
    set_params(ran, 公示="是")
    report = cli.json("signoff", ran.root)
    assert any(n.startswith("公示名单：3 个单位") for n in report["notes"])
    roster = workbook_io.read_roster(ran.workbook)
    paid = paid_households(roster)
    for unit, part in paid.groupby(Col.UNIT):
        path = ran.output / NOTICE_DIR / f"{unit}.xlsx"
        rows = _rows(path)
        assert rows[0][0] == f"2027年春节走访慰问对象公示名单（{unit}）"
        assert rows[2] == ["序号", "姓名", "类别", "家庭人口", "金额"]
        body = [r for r in rows[3:] if isinstance(r[0], int)]
        assert sorted(r[1] for r in body) == sorted(part[Col.NAME])          # all paid, whole names
        total = next(r for r in rows if r[0] == "合计")
        assert total[1] == f"{len(part)} 户" and total[4] == part[Col.AMOUNT].sum()
        text = _xml(path)
        secret = set(roster[Col.ID].dropna()) | set(roster[Col.PHONE].dropna()) | set(
            roster[Col.CARD].dropna()) | set(roster[Col.ADDRESS].dropna())
        assert not [s for s in secret if s and s in text]
    # 低保 is paid by 社会事务科, but the household is still posted in its own unit
    assert any(r[2] == "低保" for r in _rows(ran.output / NOTICE_DIR / "东风社区.xlsx"))


@pytest.mark.slow
def test_notice_does_not_say_who_is_ill_or_disabled(ran, cli):
    set_params(ran, 公示="是")
    cli.json("signoff", ran.root)
    roster = workbook_io.read_roster(ran.workbook)
    disabled = set(roster.loc[roster[Col.CATEGORY] == "残疾户", Col.NAME])
    assert disabled
    shown = {}
    for path in (ran.output / NOTICE_DIR).glob("*.xlsx"):
        assert "残疾户" not in _xml(path)
        shown.update({r[1]: r[2] for r in _rows(path)[3:] if isinstance(r[0], int)})
    assert {shown[name] for name in disabled & shown.keys()} == {"困难家庭"}
    assert "70岁以上特困独居老人" in shown.values()                    # other categories as they are
    # the sign-off sheet the household signs still names its category
    assert "残疾户" in _xml(ran.output / SIGNOFF_DIR / "东风社区.xlsx")
    assert [public_category(c) for c in ("大重病患者", "因病致困职工", "精神障碍家庭", "精简老职工",
                                         "重点优抚对象", "低保")] == [
        "困难家庭", "困难家庭", "困难家庭", "精简老职工", "重点优抚对象", "低保"]


def _page(*texts: str):
    from weiwen.printcheck.pdfpage import Page, Run
    return Page(1, [Run(t, 0, 10, i * 10, i * 10 + 8, 10.5) for i, t in enumerate(texts)], [], [])


def test_the_print_checks_privacy_part_reads_the_page():
    from weiwen.printcheck.privacy import check_privacy
    ident = "330106195409222884"                 # a valid check character
    ok_notice = _page("序号", "张明", "困难家庭", "700.00", "名册校验码 4FD576EC　2026-12-01 18:00",
                      "公示时间：2026年12月1日至2026年12月8日。本名单不含身份证号、电话、银行卡号等个人信息，",
                      "涉及疾病、残疾的类别写作“困难家庭”。")
    assert check_privacy("公示名单/东风社区.xlsx", "公示", [ok_notice]) == []
    bad_notice = _page("张明", "残疾户", "13724207189", "330106********2888", "622202*********0123")
    found = [f.message for f in check_privacy("公示名单/东风社区.xlsx", "公示", [bad_notice])]
    assert len(found) == 2 and "3 个身份证号、电话或银行卡号" in found[0] and "残疾户" in found[1]
    # every other printed list: masked IDs and phones are fine, a full ID is not (and the
    # finding does not repeat it)
    assert check_privacy("签字确认表/东风社区.xlsx", "东风社区",
                         [_page("330106********2888", "137****7189", "残疾户")]) == []
    found = check_privacy("抽查名单.xlsx", "抽查名单", [_page("户主1", ident)])
    assert [f.check for f in found] == ["privacy"] and ident not in found[0].message
    assert check_privacy("银行代发.xlsx", "银行代发", [_page(ident)]) == []      # the bank's copy


def test_the_print_check_flags_a_table_with_only_its_header():
    from weiwen.printcheck.checks import check_sheet
    from weiwen.printcheck.sheet import Row, SheetModel
    title = Row(1, [(1, "走访照片核对")], "heading", 30.0)
    header = Row(2, [(1, "情况"), (2, "组别"), (3, "文件")], "data", 22.0)
    empty = SheetModel("照片核对", 0, [title, header], (1, 2), 1, 3)
    page = _page("走访照片核对", "情况", "组别", "文件")
    assert [f.check for f in check_sheet(empty, [page], "x.xlsx")] == ["heading"]
    note = Row(3, [(1, "没有要核对的照片")], "heading", 18.0)
    said = SheetModel("照片核对", 0, [title, header, note], (1, 2), 1, 3)
    assert check_sheet(said, [_page("走访照片核对", "情况", "组别", "文件", "没有要核对的照片")],
                       "x.xlsx") == []


@pytest.mark.slow
def test_names_masked_when_the_local_rule_asks(ran, cli):
    set_params(ran, 公示="是（隐去一字）")
    cli.json("signoff", ran.root)
    body = [r for r in _rows(ran.output / NOTICE_DIR / "东风社区.xlsx")[3:] if isinstance(r[0], int)]
    assert body and all("*" in r[1] for r in body)
    assert [mask_name(n) for n in ("张明", "张晓明", "欧阳晓明", "王")] == ["张*", "张*明", "欧**明", "王"]
    set_params(ran, 公示="否")
    cli.json("signoff", ran.root)
    assert not list((ran.output / NOTICE_DIR).glob("*.xlsx"))            # the set is withdrawn


@pytest.mark.slow
def test_departments_have_their_own_sheets_with_the_units_inside(ran):
    folder = ran.output / SIGNOFF_DIR
    roster = workbook_io.read_roster(ran.workbook)
    paid = paid_households(roster)
    dibao = paid[paid[Col.CATEGORY] == "低保"]
    sheet = _rows(folder / "社会事务科.xlsx")
    assert sheet[1][0] == "单位：社会事务科"
    headings = [r[0] for r in sheet if isinstance(r[0], str) and "（共" in r[0]]
    # 低保 is all card: the card part's heading, then a section per unit
    assert [h.split("（")[0] for h in headings] == ["银行打卡", *dict.fromkeys(dibao[Col.UNIT])]
    names = [r[1] for r in sheet if isinstance(r[0], int)]
    assert sorted(names) == sorted(dibao[Col.NAME])
    for unit in ("东风社区", "红旗村", "幸福里社区"):                          # not on the units' sheets
        assert not any(r[3] == "低保" for r in _rows(folder / f"{unit}.xlsx") if isinstance(r[0], int))
    assert "责任部门、民政办各留一份" in _xml(folder / "社会事务科.xlsx")
    assert "社区/村、民政办各留一份" in _xml(folder / "东风社区.xlsx")


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_new_printed_outputs_pass_the_print_check(ran, cli, tmp_path):
    libreoffice_pdf_reader()
    from weiwen.printcheck import check_campaign
    set_params(ran, 公示="是")
    cli.json("signoff", ran.root)
    roster = workbook_io.read_roster(ran.workbook)
    cards = roster[roster[Col.CARD].notna()]
    folder = ran.root / "代发结果"
    folder.mkdir()
    rows = [["户名", "账号", "金额", "交易状态", "失败原因"]]
    for i, r in enumerate(cards.to_dict("records")):
        rows.append([r[Col.NAME], r[Col.CARD], r[Col.AMOUNT], "失败" if i % 3 == 0 else "成功",
                     "户名与账号不符，请核对开户人姓名" if i % 3 == 0 else ""])
    write_xlsxwriter(folder / "结果.xlsx", rows, saved=dt.datetime(2027, 1, 20))
    cli.json("payments", ran.root)
    report = check_campaign(ran.root, only=[NOTICE_DIR + "/", "重新发放名单", SIGNOFF_DIR + "/社会事务科"])
    assert report.ok, "\n".join(map(str, report.findings))
    assert {"重新发放名单.xlsx", f"{SIGNOFF_DIR}/社会事务科.xlsx"} <= set(report.pages)
    assert sum(1 for f in report.pages if f.startswith(NOTICE_DIR)) == 3
