"""The WPS add-in's Python side: its ribbon made from the Excel one, the wire format (Value2 in,
writes out under the writer contract) and the add-in server's answers over HTTP (Starlette's
TestClient): token, Origin, preflight, refusals in Chinese, the campaign lock, the file on disk
untouched; a WPS .et / .ett return merged through the add-in."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import pytest
import xmlschema

from weiwen import excel, excel_parts
from weiwen.books import MemoryBook, Writes
from weiwen.campaign import Campaign
from weiwen.lock import campaign_lock
from weiwen.names import Sheet
from weiwen.web.security import TOKEN_HEADER
from weiwen.web.wps import BUTTONS, create_app
from weiwen.web.wps_exchange import WireError, sheets_in, writes_out
from weiwen.wps import ribbon
from web_helpers import small_campaign, write_returns
from wps_helpers import value2, workbook_json

pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

PORT = 18765
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "wps-test-token-0123456789"
HEADERS = {TOKEN_HEADER: TOKEN, "origin": "null"}


# --- the ribbon ----------------------------------------------------------------------------------

def test_the_shipped_wps_ribbon_is_made_from_the_excel_ribbon():
    assert ribbon.RIBBON.read_text(encoding="utf-8") == ribbon.wps_ribbon(), \
        "run: python -m weiwen.wps.ribbon"


def test_the_wps_ribbon_is_valid_customui_with_the_excel_buttons_and_tags():
    text = ribbon.RIBBON.read_text(encoding="utf-8")
    schema = xmlschema.XMLSchema(str(excel_parts.SRC / "customUI_rules.xsd"))
    assert [str(e.reason) for e in schema.iter_errors(text)] == []
    wps, ours = excel_parts.ribbon_buttons(text), excel_parts.ribbon_buttons()
    strip = lambda b: (b.group, b.label, b.tag, b.image, b.screentip)     # noqa: E731
    assert [strip(b) for b in wps] == [strip(b) for b in ours]
    assert {b.on_action for b in wps} == {ribbon.ON_ACTION}
    assert {b.tag: b.label for b in wps} == BUTTONS == excel.BUTTONS
    assert f'onLoad="{ribbon.ON_LOAD}"' in text


def test_a_changed_excel_ribbon_changes_the_wps_one():
    source = excel_parts.RIBBON_SOURCE.read_text(encoding="utf-8")
    changed = ribbon.wps_ribbon(source.replace('label="检查"', 'label="复核"'))
    assert 'label="复核"' in changed and changed != ribbon.wps_ribbon()
    with pytest.raises(ValueError):
        ribbon.wps_ribbon(source.replace('onAction="OnWeiwenButton"', 'onAction="Other"'))


# --- the wire format -----------------------------------------------------------------------------

def test_sheets_in_takes_value2_rows():
    sheets = sheets_in({"参数": [["项目", "值", None], ["开始日期", 46407, ""], [None, None, None]],
                        "空": [[None]], "名册": [["序号"], [1], [True]]})
    assert sheets["参数"] == [["项目", "值"], ["开始日期", 46407.0]]
    assert isinstance(sheets["参数"][1][1], float)
    assert sheets["空"] == [] and sheets["名册"] == [["序号"], [1.0], [True]]
    for bad in (None, [], {"名册": "x"}, {"名册": [[{"a": 1}]]}, {"": [[1]]}, {"长" * 32: [[1]]}):
        with pytest.raises(WireError):
            sheets_in(bad)


def test_writes_out_keep_the_writer_contract(campaign):
    before = {Sheet.ROSTER: [["序号", "身份证号", "备注"], [1.0, "x", "旧"], [2.0, "y", None]],
              Sheet.SUMMARY: [["旧汇总"]]}
    book = MemoryBook(campaign, before)
    import pandas as pd
    frame = pd.DataFrame({"序号": [1], "身份证号": ["330106194001010018"], "备注": ["=SUM(A1)"],
                          "领取日期": [dt.date(2027, 1, 20)]})
    book.write(Writes(frames={Sheet.ROSTER: frame},
                      raw={Sheet.SUMMARY: [["合计", 1100.0], ["编制日期", dt.date(2027, 1, 21)]]}))
    out = {w["sheet"]: w for w in writes_out(book, before)}
    roster = out[Sheet.ROSTER]
    assert roster["rows"] == [["序号", "身份证号", "备注", "领取日期"],
                              [1.0, "330106194001010018", "'=SUM(A1)", 46407]]
    assert roster["clear"] == [2, 1, 2, 3] and roster["create"] is False
    assert roster["text_columns"] == [2] and roster["formats"] == [[2, 4, 1, "yyyy-mm-dd"]]
    summary = out[Sheet.SUMMARY]
    assert summary["clear_all"] is True and summary["rows"][1] == ["编制日期", 46408]
    assert summary["formats"] == [[2, 2, 1, "yyyy-mm-dd"]]


# --- the server over HTTP --------------------------------------------------------------------------

@pytest.fixture
def client():
    app, _ = create_app(token=TOKEN, port_of=lambda: PORT, reveal=lambda path: None)
    return TestClient(app, base_url=BASE)


@pytest.fixture
def small(tmp_path) -> Campaign:
    campaign = small_campaign(tmp_path / "活动")
    write_returns(campaign.inbox)
    return campaign


def posted(campaign: Campaign, operation: str = "merge", workbook: str | None = None) -> dict:
    data = workbook_json(campaign.workbook)
    return {"operation": operation, "workbook": workbook or str(campaign.workbook),
            "sheets": {s["name"]: s["values"] for s in data["sheets"]}}


def test_preflight_only_for_the_addins_origin(client):
    ask = {"access-control-request-method": "POST",
           "access-control-request-headers": "content-type, x-weiwen-token",
           "access-control-request-private-network": "true"}
    r = client.options("/api/wps/run", headers={"origin": "null", **ask})
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "null"
    assert TOKEN_HEADER in r.headers["access-control-allow-headers"]
    assert r.headers["access-control-allow-private-network"] == "true"
    r = client.options("/api/wps/run", headers={"origin": "http://evil.example", **ask})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers


def test_token_and_origin_are_checked(client, small):
    assert client.get("/api/wps/hello", headers=HEADERS).json()["operations"] == BUTTONS
    r = client.post("/api/wps/run", json=posted(small), headers={**HEADERS, TOKEN_HEADER: "guess"})
    assert r.status_code == 403 and r.headers["access-control-allow-origin"] == "null"
    r = client.post("/api/wps/run", json=posted(small),
                    headers={**HEADERS, "origin": "http://evil.example"})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    r = client.post("/api/wps/run", json=posted(small), headers={**HEADERS, "host": "evil.example"})
    assert r.status_code == 403
    assert not (small.root / ".weiwen.lock").exists() and not list(small.output.iterdir())


@pytest.mark.slow
def test_a_button_runs_on_the_posted_sheets_not_on_the_file(client, small):
    before = small.workbook.read_bytes()
    r = client.post("/api/wps/run", json=posted(small), headers=HEADERS)
    body = r.json()
    assert r.status_code == 200 and body["ok"] and body["label"] == "合并回收表"
    assert body["message"].startswith("合并完成：读取 3 个文件、36 行")
    assert [w["sheet"] for w in body["writes"]] == [Sheet.ROSTER, Sheet.PROBLEMS, Sheet.PROBLEM_KINDS]
    assert len(body["writes"][0]["rows"]) == 37 and body["activate"] == Sheet.ROSTER
    assert small.workbook.read_bytes() == before
    assert (small.output / "退回修改").is_dir()       # output files go to the campaign folder
    assert not (small.root / ".weiwen.lock").exists()


@pytest.mark.parametrize("change, status, words", [
    (lambda b: b.update(operation="format_disk"), 400, "没有“format_disk”这个按钮"),
    (lambda b: b.update(workbook="工作簿1"), 422, "工作簿还没有保存"),
    (lambda b: b.update(workbook="https://kdocs.cn/l/abc"), 422, "网盘或云文档"),
    (lambda b: b["sheets"].pop(Sheet.STANDARDS), 422, "不是走访慰问的活动工作簿"),
    (lambda b: b.update(sheets={"参数": "x"}), 422, "加载项发来的数据格式不对"),
])
@pytest.mark.slow
def test_refusals_are_one_chinese_sentence(client, small, change, status, words):
    body = posted(small)
    change(body)
    r = client.post("/api/wps/run", json=body, headers=HEADERS)
    assert r.status_code == status and r.json()["ok"] is False and words in r.json()["message"]
    assert not list(small.output.iterdir())


def test_a_random_workbook_in_another_folder_is_left_alone(client, tmp_path):
    folder = tmp_path / "下载"
    folder.mkdir()
    body = {"operation": "merge", "workbook": str(folder / "报表.xlsx"), "sheets": {"Sheet1": [["x"]]}}
    r = client.post("/api/wps/run", json=body, headers=HEADERS)
    assert r.status_code == 422 and "不是走访慰问的活动工作簿" in r.json()["message"]
    assert list(folder.iterdir()) == []                 # no inbox/outbox/output made there


def test_the_campaign_lock_is_shared_with_the_command_line(client, small):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom weiwen.lock import campaign_lock\n"
         "with campaign_lock(sys.argv[1], 'weiwen run'):\n"
         "    print('locked', flush=True); time.sleep(60)", str(small.root)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        r = client.post("/api/wps/run", json=posted(small), headers=HEADERS)
    finally:
        holder.kill()
        holder.wait()
    assert r.status_code == 409 and "weiwen run" in r.json()["message"]
    with campaign_lock(small.root, "check"):
        pass                                            # released: nothing left behind


def test_a_bug_is_one_line_and_the_details_go_to_the_log(client, small, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("模拟的内部错误")
    from weiwen.pipeline import ops_roster
    monkeypatch.setattr(ops_roster, "merge_files", broken)
    r = client.post("/api/wps/run", json=posted(small), headers=HEADERS)
    assert r.status_code == 500 and "程序内部出错" in r.json()["message"]
    assert "Traceback" not in r.json()["message"] and "模拟" not in r.json()["message"]


@pytest.mark.slow
def test_wps_et_and_ett_returns_are_merged_through_the_addin(client, small, tmp_path):
    """WPS saves .et / .ett as OOXML or as BIFF8 inside: both merge (the readers, not the add-in)."""
    xlwt = pytest.importorskip("xlwt")
    returned = sorted(small.inbox.iterdir())
    shutil.move(returned[0], small.inbox / "东湖社区.et")                    # OOXML inside
    from openpyxl import load_workbook
    rows = list(load_workbook(returned[1]).active.iter_rows(values_only=True))
    returned[1].unlink()
    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                sheet.write(i, j, v)
    book.save(str(small.inbox / "西湖社区.ett"))                            # BIFF8 inside
    body = client.post("/api/wps/run", json=posted(small), headers=HEADERS).json()
    assert body["ok"] and body["message"].startswith("合并完成：读取 3 个文件、36 行")
    roster_header = body["writes"][0]["rows"][0]
    sources = {row[roster_header.index("来源文件")] for row in body["writes"][0]["rows"][1:]}
    assert {"东湖社区.et", "西湖社区.ett"} <= sources


def test_value2_of_dates_is_the_excel_serial():
    assert value2(dt.date(2027, 1, 20)) == 46407
    assert value2(dt.datetime(2027, 1, 20, 12)) == 46407.5
