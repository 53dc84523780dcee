"""Files Weiwen sends out, filled in LibreOffice Calc as a person types, and read back.

Communities, villages and clerks without Excel fill the unit template, the call-back sample and
the signature sheets in LibreOffice Calc. tests/libreoffice_fill.py opens the file Weiwen wrote
in a real headless LibreOffice whose locale is zh-CN (as a Chinese desktop's), types each text
into its cell as the keyboard does (the cell's format and the locale decide what it becomes:
a date, a number, text), and saves it with LibreOffice's own filters as .xlsx ("Calc MS Excel
2007 XML"), .ods and .xls ("MS Excel 97"). The real command then reads it back, and what it
read is compared with what Calc holds.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from libreoffice_vba import SYSTEM_PYTHON, missing
from weiwen import workbook_io
from weiwen.names import (AUDIT_FILE, AUDIT_FOLLOWUP_FILE, SIGNED_DIR, AuditCol, Col,
                          ProblemCol)

SCRIPT = Path(__file__).with_name("libreoffice_fill.py")
#: what each save is called and LibreOffice's filter for it
FORMATS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}
_EPOCH = dt.date(1899, 12, 30)


pytestmark = [pytest.mark.slow, pytest.mark.libreoffice,
              pytest.mark.skipif(bool(missing()), reason=missing() or "ready")]


def lo_fill(source: Path, sheet: str, typed: dict[str, str], saves: dict[str, Path], *,
            general: tuple[str, ...] = ()) -> dict[str, dict]:
    """Type `typed` (cell → text) into `sheet` of `source` in LibreOffice (zh-CN) and save it as
    each of `saves` (format → path); `general` cells get the General format first. Returns what
    Calc made of each cell: {"type": TEXT|VALUE, "string", "value", "format"}."""
    spec = {"source": str(source),
            "edits": [{"sheet": sheet, "cell": c, "type": t, "general": c in general}
                      for c, t in typed.items()],
            "saves": [{"path": str(p), "filter": FORMATS[f]} for f, p in saves.items()]}
    done = subprocess.run([SYSTEM_PYTHON, str(SCRIPT)], input=json.dumps(spec), text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert all(p.is_file() for p in saves.values()), done.stderr
    return {c["cell"]: c for c in json.loads(done.stdout.strip().splitlines()[-1])["cells"]}


def _date(cell: dict) -> dt.date:
    assert cell["type"] == "VALUE", cell      # Calc recognised the typed text as a date
    return _EPOCH + dt.timedelta(days=int(cell["value"]))


# --- 1. a unit's return ------------------------------------------------------------------------

UNIT = "柳营社区"
#: one household a row from row 11, as a community worker types them: 户主姓名 with characters
#: outside the basic plane, 18-digit IDs (one ending in X, one in x), a 15-digit legacy ID,
#: 类别 chosen from the list, 家庭人口, phones (mobile, landline), cards, full-width addresses
#: and 备注 with full-width punctuation
RETURN_ROWS = [
    ("王𠮷", "110101195803121018", "低保", "3", "13912345678", "6222021202041234569",
     "文三路１２号３幢５０１室", "已核实（低保证号：Ａ１２３），家中有病人！"),
    ("刘䶮", "11010119720815106X", "残疾户", "2", "0571-88001234", "", "文三路８８号",
     "备注：电话白天打；晚上不在。"),
    ("陈老伯", "110101450220101", "70岁以上特困独居老人", "1", "13600001111", "", "柳营路２号",
     "老身份证（１５位）"),
    ("赵𡈼", "31010419660708103x", "困难学生家庭", "4", "13700002222", "", "柳营路１０号", ""),
    ("孙桂英", "310104194502201016", "大重病患者", "2", "13800003333", "", "柳营路１２号",
     "单元格格式被清除后输入"),
    ("钱小红", "310104196607081013", "低保", "1", "15900004444", "6217001234567890122",
     "柳营路１４号", ""),
]
#: the ID cell whose text format the person cleared before typing: Calc keeps 15 digits
NUMBER_ID_CELL = "B15"


@pytest.fixture(scope="module")
def unit_returns(tmp_path_factory, demo_source) -> tuple[Path, dict[str, dict]]:
    """柳营社区's template (made by `weiwen templates`) filled in LibreOffice, saved three ways."""
    from typer.testing import CliRunner  # noqa: PLC0415
    from weiwen.cli import app  # noqa: PLC0415
    root = tmp_path_factory.mktemp("lo-return")
    campaign = root / "活动"
    shutil.copytree(demo_source, campaign, ignore=shutil.ignore_patterns(".cache"))
    done = CliRunner().invoke(app, ["templates", str(campaign)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    typed = {f"{col}{11 + i}": text for i, row in enumerate(RETURN_ROWS)
             for col, text in zip("ABCDEFGH", row) if text}
    saves = {f: root / "filled" / f"{UNIT}.{f}" for f in FORMATS}
    cells = lo_fill(campaign / "outbox" / f"{UNIT}.xlsx", "名单", typed, saves,
                    general=(NUMBER_ID_CELL,))
    return root, cells


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_unit_return_filled_in_libreoffice_merges_as_typed(fmt, unit_returns, tmp_path, cli):
    root, cells = unit_returns
    # Calc kept every typed ID as text in the template's text column; only the cleared cell
    # made a number of it, 15 significant digits
    assert all(cells[f"B{11 + i}"]["type"] == "TEXT" for i in range(len(RETURN_ROWS))
               if f"B{11 + i}" != NUMBER_ID_CELL)
    assert cells[NUMBER_ID_CELL]["type"] == "VALUE"
    campaign = tmp_path / "活动"
    shutil.copytree(root / "活动", campaign)
    shutil.rmtree(campaign / "inbox")
    (campaign / "inbox").mkdir()
    shutil.copyfile(root / "filled" / f"{UNIT}.{fmt}", campaign / "inbox" / f"{UNIT}.{fmt}")
    cli("merge", campaign)
    roster = workbook_io.read_roster(campaign / "Weiwen.xlsm")
    problems = workbook_io.read_problems(campaign / "Weiwen.xlsm")
    mine = roster[roster[Col.UNIT] == UNIT].set_index(Col.SRC_ROW)
    assert sorted(mine.index) == list(range(11, 11 + len(RETURN_ROWS)))     # no row lost
    for i, (name, pid, category, people, phone, card, address, note) in enumerate(RETURN_ROWS):
        row = mine.loc[11 + i]
        assert row[Col.NAME] == name
        assert row[Col.CATEGORY] == category
        assert int(row[Col.SIZE]) == int(people)
        assert str(row[Col.PHONE]) == phone
        assert (row[Col.CARD] or "") == card
        assert row[Col.ADDRESS] == address                                   # full-width kept
        assert (row[Col.NOTE] or "") == note                                 # as typed
        assert row[Col.SRC_FILE] == f"{UNIT}.{fmt}"
        if f"B{11 + i}" == NUMBER_ID_CELL:
            # the digits Calc dropped are gone; the row is kept, flagged, never paid silently
            assert row[Col.ID] == pid[:15] + "000"
            flagged = problems[(problems[ProblemCol.ROW] == 11 + i) & (problems[ProblemCol.UNIT] == UNIT)]
            assert "身份证号丢失末位" in set(flagged[ProblemCol.KIND])
            # said to whoever filled it, in LibreOffice here: which number, what to type again
            said = flagged[flagged[ProblemCol.KIND] == "身份证号丢失末位"][ProblemCol.MESSAGE].iloc[0]
            assert f"“{row[Col.ID]}”" in said and "LibreOffice" in said and "18位" in said
        elif len(pid) == 15:
            assert row[Col.ID] == "11010119450220101X"                      # 15 → 18, flagged
            assert "15位旧身份证号" in row[Col.ISSUES]
        else:
            assert row[Col.ID] == pid.upper()                                # exact, x → X
            assert row[Col.STATUS] == "有效", row[Col.ISSUES]


# --- 2. the call-back sample ------------------------------------------------------------------

#: row → (回访方式, 回访结果 chosen from the list, 回访人, 回访日期 typed as a clerk types dates,
#: 备注); the dates the zh-CN locale recognises, whatever the cell's format
CALLS = {
    4: ("电话", "未收到", "张三", "2027-2-8", "户主说没有收到，需上门核实。"),
    5: ("上门", "金额不符", "李四", "2027/2/8", "称只收到５００元（应为７００元）"),
    6: ("电话", "联系不上", "王五", "2月8日", "电话停机；邻居说已搬走"),
    7: ("电话", "已收到", "张三", "2027.2.8", ""),
    8: ("电话", "未收到", "张三", "2027年2月9日", ""),
    9: ("电话", "联系不上", "", "", "未回访"),
}


@pytest.fixture(scope="module")
def filled_samples(tmp_path_factory, demo_source) -> tuple[Path, dict[str, dict]]:
    root = tmp_path_factory.mktemp("lo-audit")
    typed = {f"{col}{r}": text for r, row in CALLS.items()
             for col, text in zip("JKLMN", row) if text}
    saves = {f: root / f"抽查名单.{f}" for f in FORMATS}
    return root, lo_fill(demo_source / "output" / AUDIT_FILE, "抽查名单", typed, saves)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_call_back_sample_filled_in_libreoffice_is_read_as_typed(fmt, filled_samples,
                                                                 demo_campaign, cli):
    root, cells = filled_samples
    output = demo_campaign.output
    blank = output / AUDIT_FILE
    if fmt == "xlsx":
        shutil.copyfile(root / AUDIT_FILE, blank)                # saved over, keeping the format
    else:
        # LibreOffice's “keep the current format?” → its own format: the filled list lands
        # beside the blank .xlsx Weiwen wrote, which stays as it was
        old = time.time() - 3600
        os.utime(blank, (old, old))
        shutil.copyfile(root / f"抽查名单.{fmt}", output / f"抽查名单.{fmt}")
    before = blank.read_bytes()
    data = cli.json("audit", demo_campaign.root)
    assert data.get("audit_followup"), data                      # read back, not drawn again
    if fmt != "xlsx":
        assert blank.read_bytes() == before
    ws = load_workbook(output / AUDIT_FOLLOWUP_FILE)["未确认"]
    assert f"据 抽查名单.{fmt} 整理" in ws["A2"].value
    header = [c.value for c in ws[3]]
    listed = {r[header.index(AuditCol.SEQ)]: dict(zip(header, r))
              for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None}
    for r, (method, result, caller, date, note) in CALLS.items():
        seq = r - 3
        if result == "已收到":
            assert seq not in listed
            continue
        row = listed[seq]
        assert row[AuditCol.METHOD] == method and row[AuditCol.RESULT] == result
        assert (row[AuditCol.CALLER] or "") == caller
        assert (row[AuditCol.NOTE] or "") == note                # full-width punctuation kept
        if date:
            shown = row[AuditCol.DATE]
            assert isinstance(shown, dt.datetime), shown         # a date, not text
            assert shown.date() == _date(cells[f"M{r}"])
            assert (shown.month, shown.day) == ((2, 9) if "9" in date else (2, 8))
        else:
            assert row[AuditCol.DATE] is None
    if fmt != "xlsx":
        # a new draw replaces the list: the filled one goes to .backup, not left beside it
        cli("audit", demo_campaign.root, "--redraw")
        assert not (output / f"抽查名单.{fmt}").exists()
        assert list((demo_campaign.root / ".backup").glob(f"抽查名单-*.{fmt}"))
        assert not cli.json("audit", demo_campaign.root).get("audit_followup")


# --- 3. a signature sheet returned electronically ----------------------------------------------

SIGN_UNIT = "东湖社区"
#: row → (领取人签字, 与户主关系, 联系电话, 领取日期, 备注) on 东湖社区's sheet (rows 5–10 are its
#: first six cash households: 刘淑英, 徐娟, 何娜, 常刚, 陈鹏, 唐桂兰)
SIGNED = {
    5: ("刘淑英", "本人", "", "2027-2-8", ""),
    6: ("徐娟", "", "", "2027/2/8", "本人签收"),
    7: ("何小娜", "女儿", "13512345678", "2月8日", "电话换了（新号）"),
    8: ("常刚", "本人", "", "2027.2.8", ""),
    9: ("王𠮷", "邻居", "", "2027年2月9日", "代领"),
    10: ("", "", "", "", "家中无人"),
}


@pytest.fixture(scope="module")
def filled_signoffs(tmp_path_factory, demo_source) -> tuple[Path, dict[str, dict]]:
    root = tmp_path_factory.mktemp("lo-sign")
    typed = {f"{col}{r}": text for r, row in SIGNED.items()
             for col, text in zip("GHIJK", row) if text}
    saves = {f: root / f"{SIGN_UNIT}.{f}" for f in FORMATS}
    return root, lo_fill(demo_source / "output" / "签字确认表" / f"{SIGN_UNIT}.xlsx", SIGN_UNIT,
                         typed, saves)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_signature_sheet_filled_in_libreoffice_is_checked_as_filled(fmt, filled_signoffs,
                                                                    demo_campaign, cli):
    root, cells = filled_signoffs
    assert all(_date(cells[f"J{r}"]) for r, row in SIGNED.items() if row[3])
    folder = demo_campaign.root / SIGNED_DIR
    folder.mkdir(exist_ok=True)
    shutil.copyfile(root / f"{SIGN_UNIT}.{fmt}", folder / f"{SIGN_UNIT}.{fmt}")
    result = cli("signatures", demo_campaign.root)
    assert f"已交回电子签字表：{SIGN_UNIT} 153 行" in result.output
    problems = workbook_io.read_problems(demo_campaign.workbook)
    mine = problems[(problems[ProblemCol.UNIT] == SIGN_UNIT) & problems[ProblemCol.FILE].astype(str).str.startswith(
        f"{SIGN_UNIT}.{fmt}")]
    kinds = {r: set(mine[mine[ProblemCol.ROW] == r][ProblemCol.KIND]) for r in SIGNED}
    assert kinds[5] == kinds[6] == kinds[7] == kinds[8] == set()   # signed, dated, in the family
    assert kinds[9] == {"代签"}                                    # a neighbour signed
    assert "王𠮷" in mine[mine[ProblemCol.ROW] == 9][ProblemCol.MESSAGE].iloc[0]     # named as typed
    assert kinds[10] == {"未签字"}
