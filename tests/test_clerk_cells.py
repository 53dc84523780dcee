"""The clerk's own cells come through every command untouched: value and type, cell by cell.

On the demo campaign the clerk has typed what clerks type — full-width punctuation and brackets,
a date, a number and a formula-looking text in 备注, a title with （）, an extra column and a date
in 走访对象 — and then every command runs, one after the other. After each one, every cell the
clerk owns (参数, 单位, 标准, 对照名单, 走访安排, 走访对象 except a 照片 the tool filled, 名册.备注) must read
back exactly as before.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from openpyxl import load_workbook

from weiwen.names import PHOTO_DIR, Col, Param, RefCol, RefRule, Sheet, TargetCol, VisitSheet

pytestmark = [pytest.mark.slow, pytest.mark.reliability]

CLERK_SHEETS = (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS, Sheet.REFERENCES, VisitSheet.PLAN,
                VisitSheet.TARGETS)
NOTES = ["已核实：本人实际年龄70岁，户籍登记有误", 12, dt.datetime(2027, 1, 25),
         "=不是公式", "  前后有空格  ", "张建国（党工委书记）说：“已走访”"]
TITLE = "城东街道（办事处）2027年春节走访慰问"
COMMANDS = (["templates"], ["merge"], ["check"], ["amounts"], ["signoff"], ["signatures"],
            ["visits"], ["summary"], ["payments"], ["audit"], ["run"], ["visits", "--propose"])


def _cell(cell: Any) -> Any:
    value = cell.value
    if value is None:
        return None
    if cell.is_date:
        return ("日期", value)
    if isinstance(value, bool):
        return ("布尔", value)
    if isinstance(value, (int, float)):
        return ("数字", float(value))
    return ("文字", value)


def _snapshot(path, skip: set[tuple[str, int, str]]) -> dict[Any, Any]:
    """Every clerk-owned cell: (sheet, row, header) → (type, value); 名册.备注 by household."""
    wb = load_workbook(path)
    out: dict[Any, Any] = {}
    for name in CLERK_SHEETS:
        ws = wb[name]
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=1):
            for h, cell in zip(header, row):
                if (name, cell.row, h) not in skip:
                    out[(name, cell.row, h)] = _cell(cell)
    ws = wb[Sheet.ROSTER]
    header = [c.value for c in ws[1]]
    at = {h: i for i, h in enumerate(header)}
    seen: dict[tuple, int] = {}
    for row in ws.iter_rows(min_row=2):
        key = tuple(row[at[c]].value for c in (Col.UNIT, Col.ID, Col.CATEGORY))
        seen[key] = seen.get(key, 0) + 1
        out[(Sheet.ROSTER, key, seen[key])] = _cell(row[at[Col.NOTE]])
    return out


def _plant(campaign) -> set[tuple[str, int, str]]:
    """Type into the workbook what a clerk types; returns the cells the tool may compute."""
    wb = load_workbook(campaign.workbook, keep_vba=True)
    params = wb[Sheet.PARAMS]
    for row in params.iter_rows(min_row=2):
        if row[0].value == Param.TITLE:
            row[1].value = TITLE
    roster = wb[Sheet.ROSTER]
    note = [c.value for c in roster[1]].index(Col.NOTE) + 1
    for i, value in enumerate(NOTES):
        cell = roster.cell(row=3 + 7 * i, column=note, value=value)
        if isinstance(value, str):
            cell.data_type = "s"          # typed as text ('=…), not a formula
    refs = wb[Sheet.REFERENCES]
    at = {c.value: c.column for c in refs[1]}
    for column, value in ((RefCol.LIST, "死亡名单（民政局）.xlsx"), (RefCol.RULE, RefRule.MUST_NOT),
                          (RefCol.CATEGORIES, "低保、特困"), (RefCol.NOTE, "已故，请核实：联系民政局")):
        refs.cell(row=2, column=at[column], value=str(value))
    plan = wb[VisitSheet.PLAN]
    plan.cell(row=2, column=5).value = dt.datetime(2027, 1, 22)
    plan.cell(row=2, column=5).number_format = "yyyy年m月d日"
    targets = wb[VisitSheet.TARGETS]
    header = [c.value for c in targets[1]]
    extra = len(header) + 1
    targets.cell(row=1, column=extra, value="经办人备注")
    targets.cell(row=2, column=extra, value="家中有老人（90岁），请提前电话：联系")
    targets.cell(row=3, column=header.index(TargetCol.VISIT_DATE) + 1,
                 value=dt.datetime(2027, 1, 24)).number_format = "yyyy-mm-dd"
    targets.cell(row=3, column=header.index(TargetCol.REPORTED) + 1, value="√")
    visited = targets.cell(row=3, column=header.index(TargetCol.NAME) + 1).value
    wb.save(campaign.workbook)
    # a photo of the visited household: `visits` fills that row's 照片 (a computed cell)
    (campaign.root / PHOTO_DIR).mkdir(exist_ok=True)
    (campaign.root / PHOTO_DIR / f"{visited}-1.jpg").write_bytes(b"\xff\xd8\xff")
    return {(VisitSheet.TARGETS, 3, TargetCol.PHOTOS)}


def test_every_command_leaves_the_clerks_cells_as_they_were(demo_campaign, cli):
    plan = load_workbook(demo_campaign.workbook)[VisitSheet.PLAN]
    assert all(row[4].is_date for row in plan.iter_rows(min_row=2, max_row=9))  # dates, not text
    computed = _plant(demo_campaign)
    before = _snapshot(demo_campaign.workbook, computed)
    assert sum(1 for k in before if k[0] == Sheet.ROSTER) > 1000
    for command in COMMANDS:
        cli(*command, demo_campaign.root, "--quiet")
        after = _snapshot(demo_campaign.workbook, computed)
        changed = {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys()
                   if before.get(k) != after.get(k)}
        assert not changed, f"weiwen {' '.join(command)} changed the clerk's cells: " \
                            f"{dict(list(changed.items())[:8])}"
    photos = load_workbook(demo_campaign.workbook)[VisitSheet.TARGETS]
    assert photos.cell(row=3, column=7).value.endswith("-1.jpg")      # the tool did fill it


def test_titles_and_lists_print_the_clerks_brackets(demo_campaign, cli):
    _plant(demo_campaign)
    cli("visits", demo_campaign.root, "--quiet")
    cli("signoff", demo_campaign.root, "--quiet")
    group = load_workbook(demo_campaign.output / "走访安排" / "第一组.xlsx").active
    texts = [c.value for row in group.iter_rows(max_row=3) for c in row if isinstance(c.value, str)]
    assert any(TITLE in t for t in texts), texts
    assert any("张建国（党工委书记）" in t for t in texts), texts
    sheet = load_workbook(demo_campaign.output / "签字确认表" / "东湖社区.xlsx").active
    assert TITLE in str(sheet["A1"].value)


def test_a_household_the_clerk_typed_into_名册_is_checked_and_named(demo_campaign, cli):
    """The clerk adds a household at the bottom of 名册 by hand (no 来源文件 / 来源行 / 序号) with
    the phone and bank card of a household already listed, and presses 检查: no crash, and the
    reasons name the typed row by its household head; the next merge, which rebuilds 名册 from
    inbox, says the typed household is no longer in it."""
    from stdnum.cn import ric

    from weiwen import workbook_io
    from weiwen.names import ProblemCol
    wb = load_workbook(demo_campaign.workbook, keep_vba=True)
    ws = wb[Sheet.ROSTER]
    header = [c.value for c in ws[1]]
    listed = dict(zip(header, [c.value for c in ws[2]]))
    body = "33010519500101123"
    typed = {**listed, Col.NAME: "王小二", Col.ID: body + ric.calc_check_digit(body + "0"),
             Col.CARD: listed[Col.CARD] or "6222020000000000000", Col.SRC_FILE: None,
             Col.SRC_ROW: None, Col.SEQ: None, Col.NOTE: None, Col.STATUS: None, Col.ISSUES: None}
    ws.cell(row=2, column=header.index(Col.CARD) + 1, value=typed[Col.CARD])
    ws.append([typed.get(h) for h in header])
    wb.save(demo_campaign.workbook)
    cli("check", demo_campaign.root)
    messages = workbook_io.read_problems(demo_campaign.workbook)[ProblemCol.MESSAGE].astype(str)
    assert messages.str.contains("东湖社区在名册中直接填写的“王小二”", regex=False).any()
    assert not messages.str.contains(r"nan|<NA>").any()
    # a merge rebuilds 名册 from inbox: the clerk is told the typed household is not in it now
    data = cli.json("merge", demo_campaign.root)
    assert "王小二" not in workbook_io.read_roster(demo_campaign.workbook)[Col.NAME].tolist()
    note = [n for n in data["notes"] if "名册里直接填写的 1 户（王小二）" in n]
    assert note and ".backup" in note[0] and "inbox" in note[0], data["notes"]
    assert list((demo_campaign.root / ".backup").glob("*.xlsm"))


def test_名册s_number_columns_are_text_cells_for_the_clerk_to_correct(demo_campaign, cli):
    """身份证号, 联系电话 and 银行卡号 are text columns in the shipped 名册; the cells Weiwen writes
    there carry that style themselves (a cell's own style is what Excel uses when the clerk types
    over it: a General cell turns a corrected 18-digit ID into a number without its last digits).
    Read as openpyxl, a reader we did not write, sees each cell's number format."""
    text_columns = (Col.ID, Col.PHONE, Col.CARD)
    for command in (["merge"], ["check"], ["amounts"], ["merge"]):       # written, then copied
        cli(*command, demo_campaign.root)
        ws = load_workbook(demo_campaign.workbook)[Sheet.ROSTER]
        header = [c.value for c in ws[1]]
        formats: dict[str, set[str]] = {}
        for row in ws.iter_rows(min_row=2):
            for name, cell in zip(header, row):
                if cell.value is not None:
                    formats.setdefault(name, set()).add(cell.number_format)
        assert all(formats[name] == {"@"} for name in text_columns), (command, formats)
        assert formats[Col.NAME] == {"General"} and formats[Col.SIZE] == {"General"}


def test_the_number_columns_are_text_cells_even_where_the_column_lost_its_style(demo_campaign, cli):
    """A 名册 whose columns carry no style (a workbook re-saved by another program, an older
    one): the cells of 身份证号, 联系电话 and 银行卡号 are still written as text, as the openpyxl
    and Excel writers write them."""
    import re
    import zipfile
    from weiwen.sheet_splice import sheet_paths

    path = demo_campaign.workbook
    with zipfile.ZipFile(path) as archive:
        part = sheet_paths(archive)[Sheet.ROSTER]
        parts = {i: archive.read(i.filename) for i in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == part:
                data = re.sub(rb'(<col\b[^>]*?) style="\d+"', rb"\1", data)
                assert b'style="' not in data.split(b"<sheetData")[0]
            archive.writestr(info, data)
    cli("merge", demo_campaign.root)
    ws = load_workbook(path)[Sheet.ROSTER]
    header = [c.value for c in ws[1]]
    for name in (Col.ID, Col.PHONE, Col.CARD):
        cells = [row[header.index(name)] for row in ws.iter_rows(min_row=2)]
        assert {c.number_format for c in cells if isinstance(c.value, str)} == {"@"}, name
