"""The workbench through a clerk's sequences in a real browser (Playwright driving Debian's
chromium): what the page says about the outputs after 名册 is changed in the workbook while the
page is open, and what it says about a workbook it cannot write."""
from __future__ import annotations

import stat
from typing import Any

import pytest
from openpyxl import load_workbook

from weiwen import lock, workbook_io
from web_helpers import browser, chromium_missing, served, small_campaign, write_returns

missing = chromium_missing()
pytestmark = pytest.mark.skipif(missing is not None, reason=str(missing))
STEP_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def _open(chromium, server) -> tuple[Any, list[str], str]:
    """A page at the served URL (its token set), the script errors it raises, and the home
    address without the token."""
    page = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    return page, errors, server.url.split("/?", 1)[0]


def _click_step(page, home: str, tag: str) -> str:
    """Click a step's button on 步骤 and wait for its one line."""
    page.goto(home + "/steps")
    before = page.evaluate("() => { const o = document.querySelector('#outcome');"
                           " return o ? o.dataset.job : ''; }")
    page.click(f'button[data-tag="{tag}"]')
    page.wait_for_function("before => { const o = document.querySelector('#outcome');"
                           " return o && o.dataset.job !== before && !document.querySelector('.spinner'); }",
                           arg=before, timeout=STEP_TIMEOUT_MS)
    return page.inner_text("#outcome")


def _said_about(page, home: str, folder: str) -> set[str]:
    """What 输出文件 says (与名册) about each file of one output folder."""
    page.goto(home + "/outputs")
    rows = page.locator("section", has_text="文件").locator("h3", has_text=folder).locator(
        "xpath=following-sibling::table[1]").locator("tbody tr")
    return {rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())}


def _overview_line(page, home: str, label: str) -> str:
    page.goto(home + "/")
    return page.locator("table.plain tr", has_text=label).locator("td").nth(1).inner_text()


@pytest.mark.slow
def test_outputs_are_current_by_the_roster_they_were_made_from(chromium, tmp_path):
    """合并 → 计算金额 → 生成签字表 on the page, then an amount changed in 名册 (saved by
    WPS/Excel, which keeps no backup) a few seconds later: the signature sheets print the old
    amount, so the page must call them stale, as the 名册校验码 on them says. 退回修改 is the
    merge's, made before amounts on purpose (README): computing amounts does not make it stale."""
    campaign = small_campaign(tmp_path / "活动")
    write_returns(campaign.inbox)
    with served(campaign) as server:
        page, errors, home = _open(chromium, server)
        assert _click_step(page, home, "merge").startswith("合并完成")
        assert _click_step(page, home, "amounts").startswith("金额计算完成")
        # 退回修改 lists what the units must change in their files; 金额 is not in it
        assert _said_about(page, home, "退回修改") == {"合并时生成"}
        assert "需要重新生成" not in _overview_line(page, home, "退回修改")
        assert _click_step(page, home, "signoff").startswith("签字确认表")
        assert _said_about(page, home, "签字确认表") == {"与当前名册一致"}

        # the clerk corrects one household's amount in the workbook and saves it
        book = load_workbook(campaign.workbook, keep_vba=True)
        sheet = book["名册"]
        header = [c.value for c in sheet[1]]
        paid_row = next(r for r in range(2, sheet.max_row + 1)
                        if sheet.cell(r, header.index("状态") + 1).value == "有效")
        sheet.cell(paid_row, header.index("金额") + 1).value = 7000
        book.save(campaign.workbook)
        assert 7000 in workbook_io.read_roster(campaign.workbook)["金额"].tolist()

        assert _said_about(page, home, "签字确认表") == {"名册已更新，需要重新生成"}
        assert _overview_line(page, home, "签字确认表") == "名册已更新，需要重新生成"
        # in the warning colour, as 尚未合并 is: black read like any other cell
        colour = "e => getComputedStyle(e).color"
        assert page.locator("span.stale").first.evaluate(colour) == \
            page.evaluate("() => { const s = document.createElement('span'); s.className = 'warn';"
                          " document.body.appendChild(s); return getComputedStyle(s).color; }")
        # made again from this 名册: current again
        assert _click_step(page, home, "signoff").startswith("签字确认表")
        assert _said_about(page, home, "签字确认表") == {"与当前名册一致"}
        assert _overview_line(page, home, "签字确认表") == "与当前名册一致"
        assert not errors, errors


@pytest.mark.slow
def test_a_read_only_workbook_is_said_so_not_taken_for_open_in_wps(chromium, tmp_path, monkeypatch):
    """A workbook marked read-only (属性 → 只读, as a finished campaign is frozen): Windows, and
    Linux for anyone but root, refuse to open it for writing. The page said “请先在 WPS/Excel 中
    关闭”, which closing WPS never cures; it must say what the command line says (README)."""
    campaign = small_campaign(tmp_path / "活动")
    write_returns(campaign.inbox)
    real_open = open

    def os_open(path, mode="r", *args, **kwargs):      # what the OS does for a non-root clerk
        if "+" in mode and not campaign.workbook.stat().st_mode & stat.S_IWUSR:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, mode, *args, **kwargs)
    monkeypatch.setattr(lock, "open", os_open, raising=False)
    before = campaign.workbook.read_bytes()
    campaign.workbook.chmod(0o444)
    try:
        with served(campaign) as server:
            page, _, home = _open(chromium, server)
            page.goto(home + "/steps")
            shown = page.inner_text("#in-use")
            said = _click_step(page, home, "merge")
            for text in (shown, said):
                assert "Weiwen.xlsm 是只读文件" in text and "取消“只读”" in text, text
                assert "关闭" not in text, text
        assert campaign.workbook.read_bytes() == before
    finally:
        campaign.workbook.chmod(0o644)


@pytest.mark.slow
def test_a_return_copied_in_after_the_merge_is_said_not_merged_whatever_its_time(chromium, tmp_path):
    """A unit's list copied into inbox after 合并回收表 with the time the unit saved it (a USB
    stick, Explorer keep it): 回收表 said “没有行进入名册（原因见错误）” in red with 0 errors, and
    概况 was all green with the unit 未交回, so the clerk would chase the unit instead of merging."""
    import datetime as dt
    import os

    campaign = small_campaign(tmp_path / "活动")
    east, west, _ = write_returns(tmp_path / "附件")
    for path in (east, west):
        path.rename(campaign.inbox / path.name)
    (campaign.inbox / "Thumbs.db").write_bytes(b"\x00" * 64)     # Windows' own, passed over by the merge
    (campaign.inbox / "desktop.ini").write_text("[.ShellClassInfo]")
    with served(campaign) as server:
        page, _, home = _open(chromium, server)
        assert _click_step(page, home, "merge").startswith("合并完成")
        page.goto(home + "/")
        assert page.locator("#pending").count() == 0
        page.goto(home + "/files")
        assert "Thumbs.db" not in page.inner_text("#inbox-table")
        late = campaign.inbox / "青山村慰问名单.xlsx"
        (tmp_path / "附件" / late.name).rename(late)
        two_days_ago = (dt.datetime.now() - dt.timedelta(days=2)).timestamp()
        os.utime(late, (two_days_ago, two_days_ago))

        page.goto(home + "/files")
        row = page.locator("#inbox-table tr", has_text=late.name).inner_text()
        assert "尚未合并" in row and "没有行进入名册" not in row, row
        page.goto(home + "/")
        assert "1 个文件还没有合并进名册" in page.inner_text("#pending")
        assert "合并回收表" in page.inner_text("#pending")

        assert _click_step(page, home, "merge").startswith("合并完成")
        page.goto(home + "/files")
        assert "已合并 12 行" in page.locator("#inbox-table tr", has_text=late.name).inner_text()
        page.goto(home + "/")
        assert page.locator("#pending").count() == 0


@pytest.mark.slow
def test_a_number_shown_on_request_is_the_households_on_that_row_after_a_save(chromium, tmp_path):
    """名册 open on the page while the clerk deletes a household in WPS and saves: 显示 on the
    page's first row showed the next household's whole 身份证号 beside the first one's name (the
    row was named by its place in 名册). It must refuse and ask for a refresh; after it, each
    row's number is its own."""
    campaign = small_campaign(tmp_path / "活动")
    write_returns(campaign.inbox, rows_per_unit=4)
    from weiwen import pipeline
    pipeline.on_disk("merge", campaign)
    first, second = workbook_io.read_roster(campaign.workbook).iloc[[0, 1]].to_dict("records")
    with served(campaign) as server:
        page, errors, home = _open(chromium, server)
        page.goto(home + "/roster")
        page.wait_for_selector(".vt-row:not(.loading)")
        row = page.locator(".vt-row >> nth=0")
        assert first["户主姓名"] in row.inner_text()

        book = load_workbook(campaign.workbook, keep_vba=True)
        book["名册"].delete_rows(2)                      # the first household, deleted in WPS
        book.save(campaign.workbook)

        row.locator(".eye >> nth=0").click()
        page.wait_for_function("id => { const r = document.querySelector('.vt-row');"
                               " return r.querySelector('.eye').textContent === '请刷新页面'"
                               " || r.textContent.includes(id); }", arg=second["身份证号"])
        text = page.inner_text(".vt-row >> nth=0")
        assert second["身份证号"] not in text and first["身份证号"] not in text, text
        assert page.inner_text(".vt-row .eye >> nth=0") == "请刷新页面"
        assert "名册已经更新" in page.locator(".vt-row .eye >> nth=0").get_attribute("title")

        page.reload()
        page.wait_for_selector(".vt-row:not(.loading)")
        assert second["户主姓名"] in page.inner_text(".vt-row >> nth=0")
        page.locator(".vt-row >> nth=0").locator(".eye >> nth=0").click()
        page.wait_for_function("id => document.querySelector('.vt-row').textContent.includes(id)",
                               arg=second["身份证号"])
        assert not errors, errors
