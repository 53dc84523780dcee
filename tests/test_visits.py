"""Leader visits: 走访安排 / 走访对象, the proposal, each rule broken once, photos, print."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pandas as pd
import pytest
from openpyxl import load_workbook

from weiwen.campaign import Campaign
from weiwen.names import (PHOTO_DIR, VISITS_OUTPUT_DIR, VISITS_OVERVIEW_FILE, Col, Sheet,
                          Status, TargetCol, VisitSheet)
from weiwen.settings import load_settings
from weiwen.visits import mask_id, visits_frames
from weiwen.visits.model import load_plan, load_targets
from weiwen.visits.photos import match_photos
from weiwen.workbook_io import read_problems, read_roster, read_sheets, write_frames

MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
FULL_ID = re.compile(r"\d{17}[\dX]")


# --- helpers -----------------------------------------------------------------------------------

def _rows(c: Campaign, sheet: str) -> list[list]:
    return read_sheets(c.workbook, (sheet,))[sheet]


def _put(c: Campaign, sheet: str, rows: list[list]) -> None:
    write_frames(c.workbook, c.root, {sheet: pd.DataFrame(rows[1:], columns=rows[0])})


def _targets(c: Campaign) -> pd.DataFrame:
    return load_targets(_rows(c, VisitSheet.TARGETS))[0]


def _visits(cli, c: Campaign, *extra: str) -> dict:
    return cli.json("visits", c.root, *extra)


def _problems(c: Campaign, kind: str) -> pd.DataFrame:
    p = read_problems(c.workbook)
    return p[p["问题类型"] == kind]


@pytest.fixture
def visited(cli, demo_campaign: Campaign) -> Campaign:
    """The demo campaign after the first `weiwen visits` (households proposed)."""
    _visits(cli, demo_campaign)
    return demo_campaign


# --- the demo: 8 groups, the proposal -----------------------------------------------------------

@pytest.mark.slow
def test_demo_proposal_meets_the_minimum_and_picks_only_valid_rows(cli, demo_campaign):
    report = _visits(cli, demo_campaign)
    plan, _ = load_plan(_rows(demo_campaign, VisitSheet.PLAN),
                        load_settings(read_sheets(demo_campaign.workbook)))
    assert report["groups"] == len(plan) == 8
    targets = _targets(demo_campaign)
    counts = targets.groupby([TargetCol.GROUP, TargetCol.UNIT]).size()
    pairs = [(g.name, p) for g in plan for p in g.points]
    assert len(pairs) == 12 and all(counts.get(pair, 0) >= 4 for pair in pairs)
    # `weiwen run` (in the demo) proposed them; this second run only checks
    assert report["visit_households"] == len(targets) == 48 and report["proposed"] == 0
    roster = read_roster(demo_campaign.workbook)
    valid = roster[roster[Col.STATUS] == Status.VALID].set_index(Col.ID)
    assert targets[TargetCol.ID].is_unique
    for _, t in targets.iterrows():
        assert t[TargetCol.ID] in valid.index                         # never a 重复/错误 row
        assert valid.loc[t[TargetCol.ID], Col.UNIT] == t[TargetCol.UNIT]
    # 参数 走访优先类别: the demo units have plenty of both preferred categories
    categories = valid.loc[targets[TargetCol.ID], Col.CATEGORY]
    assert set(categories) == {"大重病患者", "70岁以上特困独居老人"}
    # first run: nothing is wrong but the 已备案 marks the clerk still has to set
    assert report["errors"] == 0
    assert report["problems_by_kind"] == {"走访对象未备案": 48}


def test_proposal_skips_duplicate_and_error_rows_and_reports_the_shortfall(campaign):
    sheets = read_sheets(campaign.workbook)
    sheets[Sheet.UNITS] = [["单位编码", "单位名称"], ["001", "东湖社区"]]
    settings = load_settings(sheets)
    rows = []
    for i, status in enumerate([Status.VALID] * 3 + [Status.DUPLICATE] * 2 + [Status.ERROR]):
        rows.append({Col.UNIT: "东湖社区", Col.NAME: f"户{i}", Col.ID: f"33010619500101{i:03d}X",
                     Col.CATEGORY: "大重病患者" if i >= 2 else "低保", Col.STATUS: status,
                     Col.PHONE: "13800000000", Col.AMOUNT: 700})
    roster = pd.DataFrame(rows)
    plan = [["组别", "带队领导", "陪同人员", "联系点", "计划日期"],
            ["第一组", "张三", "", "东湖社区", dt.date(2027, 1, 25)]]
    result = visits_frames(settings, roster, plan, [], [])
    picked = list(result.targets[TargetCol.NAME])
    assert picked[0] == "户2" and sorted(picked) == ["户0", "户1", "户2"]   # preferred first
    assert [(p.code, p.extra["n"]) for p in result.problems if p.code == "visits.too_few"] == \
        [("visits.too_few", 3)]


@pytest.mark.slow
def test_second_run_keeps_the_clerks_rows_and_proposes_nothing(cli, visited):
    before = _rows(visited, VisitSheet.TARGETS)
    report = _visits(cli, visited)
    assert report["proposed"] == 0
    assert _rows(visited, VisitSheet.TARGETS) == before


# --- each rule broken once ------------------------------------------------------------------------

@pytest.mark.slow
def test_group_date_outside_the_campaign(cli, visited):
    rows = _rows(visited, VisitSheet.PLAN)
    rows[3][4] = dt.date(2027, 3, 1)                   # 第三组, Excel row 4
    _put(visited, VisitSheet.PLAN, rows)
    report = _visits(cli, visited)
    found = _problems(visited, "走访日期不在活动期间")
    assert [(r["来源行"], r["级别"]) for _, r in found.iterrows()] == [(4, "错误")]
    assert "第三组" in found.iloc[0]["说明"] and "2027-03-01" in found.iloc[0]["说明"]
    assert report["errors"] == 1


@pytest.mark.slow
def test_contact_point_below_the_minimum_then_propose_tops_it_up(cli, visited):
    rows = _rows(visited, VisitSheet.TARGETS)
    first = next(i for i, r in enumerate(rows) if r[0] == "第一组" and r[1] == "东湖社区")
    kept = [r for i, r in enumerate(rows) if i != first]
    _put(visited, VisitSheet.TARGETS, kept)
    _visits(cli, visited)
    found = _problems(visited, "联系点走访户数不足")
    assert len(found) == 1 and "第一组" in found.iloc[0]["说明"] and "东湖社区" in found.iloc[0]["说明"]
    assert "3户" in found.iloc[0]["说明"]
    report = _visits(cli, visited, "--propose")
    assert report["proposed"] == 1 and _problems(visited, "联系点走访户数不足").empty
    assert _rows(visited, VisitSheet.TARGETS)[:-1] == kept       # the clerk's rows unchanged


@pytest.mark.slow
def test_household_visited_by_two_groups(cli, visited):
    rows = _rows(visited, VisitSheet.TARGETS)
    twin = list(rows[1])
    twin[0] = "第二组"
    _put(visited, VisitSheet.TARGETS, rows + [twin])
    _visits(cli, visited)
    found = _problems(visited, "一户安排给两个组")
    assert [(r["身份证号"], r["来源行"]) for _, r in found.iterrows()] == [(twin[3], len(rows) + 1)]
    assert "第一组" in found.iloc[0]["说明"] and "第二组" in found.iloc[0]["说明"]


@pytest.mark.slow
def test_visited_household_not_reported(cli, visited):
    rows = _rows(visited, VisitSheet.TARGETS)
    for r in rows[1:]:
        r[4] = "是"
    rows[5][4] = ""
    rows[6][4] = "√"
    _put(visited, VisitSheet.TARGETS, rows)
    report = _visits(cli, visited)
    found = _problems(visited, "走访对象未备案")
    assert [(r["户主姓名"], r["来源行"]) for _, r in found.iterrows()] == [(rows[5][2], 6)]
    assert report["problems"] == 1


@pytest.mark.slow
def test_visit_target_must_be_a_valid_roster_household(cli, visited):
    roster = read_roster(visited.workbook)
    bad = roster[roster[Col.STATUS] == Status.ERROR].iloc[0]
    rows = _rows(visited, VisitSheet.TARGETS)
    rows.append(["第一组", bad[Col.UNIT], bad[Col.NAME], bad[Col.ID], "是", None, None])
    rows.append(["第一组", "东湖社区", "无此人", "110101199001011237", "是", None, None])
    rows.append(["第九组", "东湖社区", rows[1][2], rows[1][3], "是", None, None])
    _put(visited, VisitSheet.TARGETS, rows)
    _visits(cli, visited)
    assert list(_problems(visited, "走访对象不是有效户")["来源行"]) == [50]
    assert list(_problems(visited, "走访对象不在名册中")["来源行"]) == [51]
    assert list(_problems(visited, "组别不在走访安排中")["来源行"]) == [52]


@pytest.mark.slow
def test_unknown_contact_point(cli, visited):
    rows = _rows(visited, VisitSheet.PLAN)
    rows[8][3] = "石桥村、月亮湾社区"
    _put(visited, VisitSheet.PLAN, rows)
    _visits(cli, visited)
    found = _problems(visited, "联系点不在单位表中")
    assert len(found) == 1 and "月亮湾社区" in found.iloc[0]["说明"]


# --- photos ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_visits_without_photos_and_photos_matching_no_household(cli, visited):
    rows = _rows(visited, VisitSheet.TARGETS)
    for r in rows[1:4]:
        r[4], r[5] = "是", dt.date(2027, 1, 22)
    _put(visited, VisitSheet.TARGETS, rows)
    photos = visited.root / PHOTO_DIR / "第一组"
    photos.mkdir(parents=True)
    (photos / f"{rows[1][2]}-1.jpg").write_bytes(b"jpg")          # by name
    (photos / f"走访{rows[2][3][-6:]}.JPG").write_bytes(b"jpg")    # by ID tail
    (photos / "IMG_0001.jpg").write_bytes(b"jpg")                  # nobody
    report = _visits(cli, visited)
    assert report["visited"] == 3 and report["visited_without_photo"] == 1
    assert report["photos_unmatched"] == 1
    assert [(r["户主姓名"], r["来源行"]) for _, r in _problems(visited, "走访无照片").iterrows()] == \
        [(rows[3][2], 4)]
    assert list(_problems(visited, "照片对应不上走访对象")["来源文件"]) == ["第一组/IMG_0001.jpg"]
    after = _rows(visited, VisitSheet.TARGETS)
    assert after[1][6] == f"第一组/{rows[1][2]}-1.jpg" and after[2][6].endswith(".JPG")
    assert any("没有照片" in n and rows[3][2] in n for n in report["notes"])
    assert any("IMG_0001.jpg" in n for n in report["notes"])


def test_photo_matching_rules():
    targets = pd.DataFrame([
        {TargetCol.NAME: "王伟", TargetCol.ID: "330106195001011234", TargetCol.PHOTOS: "", "_行": 2},
        {TargetCol.NAME: "王伟国", TargetCol.ID: "330106195001015678", TargetCol.PHOTOS: "", "_行": 3},
        {TargetCol.NAME: "李娜", TargetCol.ID: "330106195001019999", TargetCol.PHOTOS: "a.png、丢失.jpg",
         "_行": 4},
        {TargetCol.NAME: "李娜", TargetCol.ID: "330106196001018888", TargetCol.PHOTOS: "", "_行": 5},
    ])
    m = match_photos(targets, ["王伟国走访.jpg", "王伟.jpg", "a.png", "李娜.jpg", "李娜018888.jpg"])
    assert m.by_row == {3: ["王伟国走访.jpg"], 2: ["王伟.jpg"], 4: ["a.png"], 5: ["李娜018888.jpg"]}
    assert m.missing == {4: ["丢失.jpg"]}
    assert list(m.unmatched) == ["李娜.jpg"] and "重名" in m.unmatched["李娜.jpg"]


# --- the summary table -------------------------------------------------------------------------------

@pytest.mark.slow
def test_visits_summary_counts_visits_per_group(visited):
    rows = _rows(visited, VisitSheet.TARGETS)
    for r in rows[1:6]:
        r[4], r[5] = "是", dt.date(2027, 1, 22)
    rows[1][6] = "x.jpg"
    _put(visited, VisitSheet.TARGETS, rows)
    (visited.root / PHOTO_DIR).mkdir()
    (visited.root / PHOTO_DIR / "x.jpg").write_bytes(b"jpg")
    from weiwen.books import FileBook
    from weiwen.pipeline import visits_table
    table = visits_table(FileBook(visited)).set_index("组别")
    assert list(table.index) == ["第一组", "第二组", "第三组", "第四组", "第五组", "第六组", "第七组",
                                 "第八组"]
    assert table.loc["第一组", ["计划走访户数", "已备案户数", "已走访户数", "有照片户数"]].tolist() == \
        [8, 5, 5, 1]
    assert table.loc["第五组", "已走访户数"] == 0 and table["慰问金合计"].sum() == 48 * 700


# --- printed lists --------------------------------------------------------------------------------

def _assert_printable(ws, title_rows: str) -> None:
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.page_setup.orientation in ("landscape", "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth left out means 1 (the OOXML default; Excel and XlsxWriter leave it out)
    assert (int(ws.page_setup.fitToWidth or 1), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.print_title_rows == title_rows
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    for row in ws.iter_rows(values_only=True):
        for value in row:
            assert not (isinstance(value, str) and FULL_ID.search(value)), value


@pytest.mark.slow
def test_group_lists_pass_the_print_checks(visited):
    folder = visited.output / VISITS_OUTPUT_DIR
    names = sorted(p.name for p in folder.glob("*.xlsx"))
    assert len(names) == 9 and VISITS_OVERVIEW_FILE in names
    for path in folder.glob("第*组.xlsx"):
        ws = load_workbook(path).active
        _assert_printable(ws, "$1:$4")
        assert ws.page_setup.orientation == "landscape"
        header = [c.value for c in ws[4]]
        assert header[:4] == ["序号", "联系点", "户主姓名", "身份证号"]
        assert {"家庭住址", "类别", "慰问金（元）", "联系电话"} <= set(header)
        assert ws["A2"].value.startswith("带队领导：") and "陪同人员：" in ws["A2"].value
        assert ws["A3"].value.startswith("计划日期：2027-01-")
        ids = [ws.cell(row=r, column=4).value for r in range(5, ws.max_row + 1)
               if isinstance(ws.cell(row=r, column=1).value, int)]
        assert len(ids) in (4, 8) and all(MASKED.match(i) for i in ids)
        amounts = [ws.cell(row=r, column=header.index("慰问金（元）") + 1).value
                   for r in range(5, 5 + len(ids))]
        assert amounts == [700] * len(ids)
    overview = load_workbook(folder / VISITS_OVERVIEW_FILE)
    assert overview.sheetnames == ["总表", "明细", "照片核对"]
    for ws in overview.worksheets:
        _assert_printable(ws, "$1:$2")
    assert overview["总表"].cell(row=11, column=1).value == "合计"
    # nothing to check yet: the printed 照片核对 says so instead of a bare header
    from weiwen.visits.printing import NO_PHOTO_PROBLEMS
    assert overview["照片核对"]["A3"].value == NO_PHOTO_PROBLEMS


@pytest.mark.slow
def test_visit_lists_carry_the_rosters_check_code(visited):
    """A printed visit list says which roster it came from, like the sign-off sheets made from
    the same roster, and 输出清单.json lists the set."""
    from weiwen.names import SIGNOFF_DIR
    from weiwen.outputs.state import read_manifest

    def code(ws) -> str:
        found = re.search(r"名册校验码 ([0-9A-F]{8})", ws.oddFooter.left.text or "")
        assert found, (ws.title, ws.oddFooter.left.text)
        return found.group(1)

    signoff = code(load_workbook(visited.output / SIGNOFF_DIR / "东湖社区.xlsx").active)
    folder = visited.output / VISITS_OUTPUT_DIR
    for path in folder.glob("*.xlsx"):
        assert {code(ws) for ws in load_workbook(path).worksheets} == {signoff}, path.name
    visits = read_manifest(visited.output)["visits"]
    assert visits["code"] == signoff
    assert sorted(visits["files"]) == sorted(f"{VISITS_OUTPUT_DIR}/{p.name}" for p in folder.glob("*.xlsx"))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
@pytest.mark.slow
def test_a_group_list_prints_on_one_a4_landscape_page(visited, tmp_path):
    path = visited.output / VISITS_OUTPUT_DIR / "第一组.xlsx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(tmp_path / "第一组.pdf")], capture_output=True,
                          text=True).stdout if shutil.which("pdfinfo") else ""
    if info:
        assert re.search(r"Pages:\s+1\b", info)
        assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+", info)     # A4 landscape


def test_mask_id():
    assert mask_id("33010619900101123X") == "330106********123X"
    assert mask_id("") == ""


# --- the workbook and the command ---------------------------------------------------------------------

def test_shipped_workbook_has_the_visit_sheets(campaign):
    sheets = read_sheets(campaign.workbook, (VisitSheet.PLAN, VisitSheet.TARGETS, Sheet.PARAMS))
    assert sheets[VisitSheet.PLAN][0] == ["组别", "带队领导", "陪同人员", "联系点", "计划日期"]
    assert sheets[VisitSheet.TARGETS][0] == ["组别", "单位", "户主姓名", "身份证号", "已备案", "走访日期",
                                             "照片"]
    params = {r[0]: r[1] for r in sheets[Sheet.PARAMS][1:]}
    assert params["每个联系点最少走访户数"] == 4 and "大重病患者" in params["走访优先类别"]


def test_empty_plan_is_one_warning_not_a_failure(cli, campaign):
    report = cli.json("visits", campaign.root)
    assert report["groups"] == 0 and report["problems_by_kind"] == {"未填写走访安排": 1}
    assert report["outcome"].startswith("“走访安排”表里还没有组别，还没有走访名单可打印：请在工作簿的"
                                        "“走访安排”表填写组别")          # said on screen, not only in 问题
    assert (campaign.output / VISITS_OUTPUT_DIR / VISITS_OVERVIEW_FILE).is_file()


def test_cli_help_has_an_example(cli):
    assert "例：weiwen visits" in cli("visits", "--help").output


@pytest.mark.slow
def test_excel_button_operation_on_the_open_books_sheets(demo_campaign):
    from weiwen.books import MemoryBook
    from weiwen.pipeline import perform
    book = MemoryBook(demo_campaign, read_sheets(demo_campaign.workbook))
    book.sheets[VisitSheet.TARGETS] = book.sheets[VisitSheet.TARGETS][:1]   # the clerk emptied it
    report = perform("visits", book)
    assert report.activate == VisitSheet.TARGETS and "走访组 8 个" in report.outcome
    [writes] = book.writes
    assert len(writes.frames[VisitSheet.TARGETS]) == 48
    assert set(writes.frames[Sheet.PROBLEMS]["问题类型"]) >= {"走访对象未备案"}
    assert len(book.changes()[VisitSheet.TARGETS]) == 1 + 48
    assert (demo_campaign.output / VISITS_OUTPUT_DIR / "第八组.xlsx").is_file()


def test_older_workbook_without_the_visit_sheets_gets_them(cli, campaign):
    from openpyxl import load_workbook as load
    wb = load(campaign.workbook, keep_vba=True)
    for name in (VisitSheet.PLAN, VisitSheet.TARGETS):
        del wb[name]
    wb.save(campaign.workbook)
    report = cli.json("visits", campaign.root)
    assert report["problems_by_kind"] == {"未填写走访安排": 1}
    sheets = read_sheets(campaign.workbook, (VisitSheet.PLAN, VisitSheet.TARGETS))
    assert sheets[VisitSheet.PLAN][0][:5] == ["组别", "带队领导", "陪同人员", "联系点", "计划日期"]
    assert sheets[VisitSheet.TARGETS][0][:4] == ["组别", "单位", "户主姓名", "身份证号"]
