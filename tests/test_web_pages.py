"""What the workbench's pages say about a campaign (HTTP, no browser): the command itself, which
outputs are stale after 名册 changes, units 逾期 after the deadline, previews without LibreOffice."""
from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import unquote

import pandas as pd
import pytest

pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

from weiwen import workbook_io  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from weiwen.names import RETURN_COLUMNS, ParamCol, Sheet, UnitCol  # noqa: E402
from weiwen.web import ops, preview  # noqa: E402
from weiwen.web.app import create_app  # noqa: E402
from weiwen.web.security import cookie_name  # noqa: E402
from web_helpers import small_campaign, write_returns  # noqa: E402

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def merged(tmp_path):
    campaign = small_campaign(tmp_path / "活动")
    write_returns(campaign.inbox)
    return campaign


def client_for(campaign) -> TestClient:
    app, _ = create_app(campaign, token="t" * 24, port_of=lambda: PORT, cache=campaign.root.parent / "c")
    client = TestClient(app, base_url=BASE, follow_redirects=False)
    client.cookies.set(cookie_name(PORT), "t" * 24)
    return client


def step(campaign, tag: str) -> ops.Outcome:
    time.sleep(1.1)          # backups are named to the second: one write per second, as a clerk
    return ops.perform(tag, campaign, progress=lambda _m: None)


def row_state(page: str, label: str) -> str:
    match = re.search(rf"<td>{label}</td><td><span class=\"[a-z]*\">([^<]*)</span>", page)
    assert match, label
    return match.group(1)


@pytest.mark.slow
def test_outputs_made_before_the_roster_changed_are_marked_stale(merged):
    client = client_for(merged)
    for tag in ("merge", "amounts", "signoff", "summary"):
        step(merged, tag)
    page = client.get("/").text
    assert row_state(page, "签字确认表") == "与当前名册一致"
    assert row_state(page, "汇总表") == "与当前名册一致"
    step(merged, "check")                       # 名册 rewritten: amounts cleared
    page = client.get("/").text
    assert row_state(page, "签字确认表") == "名册已更新，需要重新生成"
    assert "未计算" in page
    outputs = client.get("/outputs").text
    assert "名册已更新，需要重新生成" in outputs and "与当前名册一致" not in outputs
    step(merged, "amounts")
    step(merged, "signoff")
    page = client.get("/").text
    assert row_state(page, "签字确认表") == "与当前名册一致"
    # the same amounts again: 名册 is what 汇总表 was made from (the same 名册校验码 on both)
    assert row_state(page, "汇总表") == "与当前名册一致"


@pytest.mark.slow
def test_units_are_overdue_after_the_return_deadline(merged):
    rows = workbook_io.read_sheets(merged.workbook, (Sheet.PARAMS,))[Sheet.PARAMS]
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    frame.loc[frame[ParamCol.KEY] == "回收截止日期", ParamCol.VALUE] = dt.datetime(2020, 1, 10)
    workbook_io.write_frames(merged.workbook, merged.root, {Sheet.PARAMS: frame})
    client = client_for(merged)
    page = client.get("/").text
    assert page.count("<span>逾期</span>") == 3 and "逾期 3" in page
    (merged.inbox / "青山村慰问名单.xlsx").unlink()
    step(merged, "merge")
    page = client.get("/").text
    assert page.count("<span>逾期</span>") == 1 and "已交回 2 / 3" in page


def test_a_unit_that_sent_an_empty_list_has_returned_and_one_added_later_has_not(merged):
    """已交回 follows the returns the merge saw, not the rows that reached 名册."""
    book = Workbook()
    book.active.append(list(RETURN_COLUMNS))
    book.save(merged.inbox / "青山村慰问名单.xlsx")          # nothing to report this year
    step(merged, "merge")
    units = workbook_io.read_sheets(merged.workbook, (Sheet.UNITS,))[Sheet.UNITS]
    frame = pd.DataFrame(units[1:], columns=units[0])
    frame.loc[len(frame)] = {UnitCol.CODE: "330106102", UnitCol.NAME: "后加村", UnitCol.TYPE: "村"}
    workbook_io.write_frames(merged.workbook, merged.root, {Sheet.UNITS: frame})
    page = client_for(merged).get("/").text
    assert unit_state(page, "青山村") == "已交回"
    assert unit_state(page, "后加村") == "未交回"
    assert "已交回 3 / 4" in page
    files = client_for(merged).get("/files").text
    assert re.search(r'id="not-returned".*后加村（未交回）', files)
    assert "青山村（" not in files.split('id="not-returned"')[1]


def test_the_banks_results_are_imported_from_the_steps_page(merged):
    """导入代发结果 is a button of the page as of the ribbon (WPS/Excel) and the command line."""
    for tag in ("merge", "amounts", "summary"):
        step(merged, tag)
    assert 'data-tag="payments"' in client_for(merged).get("/steps").text
    outcome = step(merged, "payments")
    assert outcome.message.startswith("代发结果：应发 ")
    assert any("代发结果" in n and "没有银行的代发结果文件" in n for n in outcome.notes)
    assert Sheet.PAYMENT_RESULTS in workbook_io.read_sheets(merged.workbook, (Sheet.PAYMENT_RESULTS,))


def unit_state(page: str, unit: str) -> str:
    match = re.search(rf"<b>{unit}</b><span>([^<·]*)", page)
    assert match, unit
    return match.group(1).strip()


@pytest.mark.slow
def test_the_returned_files_page_tells_each_file_apart(merged):
    client = client_for(merged)
    step(merged, "merge")
    time.sleep(1.1)
    (merged.inbox / "后来收到.xlsx").write_bytes(b"not yet merged")
    page = client.get("/files").text
    assert "西湖社区慰问名单.xlsx" in page and "已合并 12 行" in page
    assert re.search(r"后来收到\.xlsx</td><td>（未识别）</td><td><span class=\"warn\">尚未合并", page)
    assert "/download/" in page.split("退回修改")[-1]          # 西湖社区's file to send back
    os.utime(merged.inbox / "东湖社区慰问名单.xlsx")                 # the clerk saved it again
    page = client.get("/files").text
    assert "合并后又改过（名册里是旧的 12 行），请重新合并" in page


@pytest.mark.slow
def test_a_preview_without_libreoffice_is_the_sheet_as_a_table(merged, monkeypatch):
    for tag in ("merge", "amounts", "summary"):
        step(merged, tag)
    monkeypatch.setattr(preview, "find_soffice", lambda: None)
    client = client_for(merged)
    outputs = client.get("/outputs").text
    href = re.search(r'href="(/preview/[0-9a-f]{20})"[^>]*>预览</a></td></tr>',
                     outputs.split("汇总表.xlsx")[1]).group(1)
    page = client.get(href).text
    assert "本机没有安装 LibreOffice" in page and '<table class="xl">' in page
    assert "合计" in page and "东湖社区" in page


@pytest.mark.slow
def test_a_preview_that_takes_long_says_so_at_once(merged, monkeypatch):
    """With LibreOffice, a page not yet rendered answers at once with “正在生成预览”, whose
    script asks for the rendering; a second look at the same file is the pages at once."""
    for tag in ("merge", "amounts", "summary"):
        step(merged, tag)
    made: list[str] = []

    def pages(self, entry, folder):
        made.append(entry.path.name)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "page-0001.png").write_bytes(b"\x89PNG")
        return [folder / "page-0001.png"]
    monkeypatch.setattr(preview.Previewer, "available", staticmethod(lambda: True))
    monkeypatch.setattr(preview.Previewer, "_pages", pages)
    client = client_for(merged)
    href = re.search(r'href="(/preview/[0-9a-f]{20})"[^>]*>预览</a></td></tr>',
                     client.get("/outputs").text.split("汇总表.xlsx")[1]).group(1)
    waiting = client.get(href).text
    assert "正在生成预览" in waiting and f'data-next="{href}?render=1"' in waiting and not made
    rendered = client.get(href + "?render=1").text
    assert made == ["汇总表.xlsx"] and "共 1 页" in rendered and "正在生成预览" not in rendered
    assert "共 1 页" in client.get(href).text and made == ["汇总表.xlsx"]


@pytest.mark.slow
def test_the_problems_page_opens_on_a_files_errors_without_internal_codes(merged):
    """回收表's error count of a file links to 问题 with that file and 错误 chosen; the page
    shows no 代码 column and keeps the workbook's full-width punctuation."""
    client = client_for(merged)
    step(merged, "merge")
    files = client.get("/files").text
    link = re.search(r'<a class="bad" href="(/problems\?[^"]+)"', files).group(1).replace("&amp;", "&")
    page = client.get(link).text
    assert "<option selected>西湖社区慰问名单.xlsx</option>" in page
    assert "<option selected>错误</option>" in page
    rows = client.post("/api/problems", json={"file": "西湖社区慰问名单.xlsx", "severity": "错误"},
                       headers={"origin": BASE}).json()
    assert rows["total"] == 1 and "代码" not in rows["columns"]
    assert "（校验位不对，" in rows["rows"][0][-1], rows["rows"][0]


def test_a_unit_whose_files_could_not_be_used_is_not_shown_as_done(merged):
    """A unit that sent a list and also files the merge could not use (a damaged workbook, a photo
    renamed .xlsx): 概况 says how many, in the warning colour, and opens 问题 on that unit;
    回收表 says of each such file to ask the unit to send it again."""
    (merged.inbox / "青山村慰问名单（损坏）.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    (merged.inbox / "青山村名单照片.xlsx").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 200)
    step(merged, "merge")
    client = client_for(merged)
    page = client.get("/").text
    card = re.search(r'<a class="unit (\w+)" href="/problems\?unit=([^"]+)"[^>]*><b>青山村</b>'
                     r"<span>([^<]*)</span>", page)
    assert card, re.search(r"<b>青山村</b>.{0,80}", page).group(0)
    assert card.group(1) == "warn" and unquote(card.group(2)) == "青山村"
    assert card.group(3) == "已交回 · 12 行 · 2 个文件无法使用"
    assert unit_state(page, "东湖社区") == "已交回" and '<div class="unit ok"><b>东湖社区</b>' in page
    files = client.get("/files").text
    for name in ("青山村慰问名单（损坏）.xlsx", "青山村名单照片.xlsx"):
        row = re.search(rf"<td>{re.escape(name)}</td><td>([^<]*)</td><td><span class=\"(\w+)\">([^<]*)", files)
        assert row and row.groups() == ("青山村", "bad", "无法使用（原因见错误），请让该单位重新发送"), name


def test_the_outputs_are_listed_in_the_clerks_order(merged):
    """输出文件 lists 第二组 before 第十一组, the units in the order of the 单位 sheet with the
    departments after them, and not 输出清单.json (the program's own note)."""
    made = {"走访安排": ("第三组", "第十一组", "第一组", "走访安排总表", "第二组"),
            "签字确认表": ("妇联", "青山村", "社会事务科", "东湖社区", "签字确认表（全部单位）", "西湖社区")}
    for folder, stems in made.items():
        (merged.output / folder).mkdir(parents=True)
        for stem in stems:
            (merged.output / folder / f"{stem}.xlsx").write_bytes(b"PK")
    (merged.output / "输出清单.json").write_text("{}", encoding="utf-8")
    page = client_for(merged).get("/outputs").text
    listed = {title: re.findall(r"<tr><td>([^<]+)</td>", part)
              for title, part in re.findall(r"<h3>output / (\S+)</h3>(.*?)</table>", page, re.S)}
    assert listed["走访安排"] == ["走访安排总表.xlsx", "第一组.xlsx", "第二组.xlsx", "第三组.xlsx",
                                  "第十一组.xlsx"]
    assert listed["签字确认表"] == ["签字确认表（全部单位）.xlsx", "东湖社区.xlsx", "西湖社区.xlsx", "青山村.xlsx",
                                    "社会事务科.xlsx", "妇联.xlsx"]   # 标准: 低保 (社会事务科) before 妇联
    assert "输出清单.json" not in page


@pytest.mark.slow
def test_weiwen_serve_prints_the_address_and_answers_it(merged):
    process = subprocess.Popen([sys.executable, "-m", "weiwen", "serve", str(merged.root), "--port", "0",
                                "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    try:
        url = None
        for _ in range(20):
            line = process.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line)
            if found:
                url = found.group(0)
                break
        assert url, "no address printed"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(url, timeout=20) as response:    # the redirect sets the cookie
            assert response.status == 200 and response.url == url.split("?")[0]
            assert "走访慰问工作台" in response.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url.split("?")[0], timeout=20)   # no token, no cookie
        assert refused.value.code == 403
    finally:
        process.terminate()
        process.wait(10)


def test_a_folder_that_is_not_a_campaign_is_one_line(tmp_path, cli):
    result = cli("serve", str(tmp_path / "没有"), "--no-browser", ok=False)
    assert result.exit_code == 2 and "找不到活动文件夹" in result.output
