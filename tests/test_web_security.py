"""The workbench's guard and its file handling, over HTTP (Starlette's TestClient, no browser):
token, Host, Origin, CORS, uploads that try to escape inbox/, oversize and wrong-type uploads,
files served only by the IDs the server listed, one step at a time, the workbook open elsewhere."""
from __future__ import annotations

import json
import logging
import os
import socket
import threading

import pytest

pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

from weiwen.lock import LOCK_FILE  # noqa: E402
from weiwen.web import ops  # noqa: E402
from weiwen.web.app import create_app  # noqa: E402
from weiwen.web.security import TOKEN_HEADER, cookie_name  # noqa: E402
from web_helpers import small_campaign, write_returns  # noqa: E402

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "test-token-0123456789"


def make_client(campaign, **options) -> tuple[TestClient, object]:
    app, bench = create_app(campaign, token=TOKEN, port_of=lambda: PORT, cache=campaign.root.parent / "cache",
                            **options)
    return TestClient(app, base_url=BASE, follow_redirects=False), bench


@pytest.fixture
def small(tmp_path):
    return small_campaign(tmp_path / "活动")


@pytest.fixture
def client(small):
    c, _ = make_client(small)
    c.cookies.set(cookie_name(PORT), TOKEN)
    return c


def own(**headers) -> dict:
    return {"origin": BASE, **headers}


# --- the token ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/roster", "/api/job", "/static/app.js", "/download/abc"])
def test_no_token_is_refused(small, path):
    c, _ = make_client(small)
    r = c.get(path)
    assert r.status_code == 403 and "拒绝访问" in r.text
    assert "token" not in r.headers.get("set-cookie", "")


def test_the_opening_url_sets_a_cookie_and_drops_the_token_from_the_address(small):
    c, _ = make_client(small)
    r = c.get(f"/?token={TOKEN}")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{cookie_name(PORT)}={TOKEN}") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert c.get("/").status_code == 200          # the cookie now does
    assert c.get("/?token=wrong").status_code == 403


def test_a_wrong_cookie_or_header_is_refused(small):
    c, _ = make_client(small)
    c.cookies.set(cookie_name(PORT), "guess")
    assert c.get("/").status_code == 403
    assert c.get("/api/job", headers={TOKEN_HEADER: "guess"}).status_code == 403
    assert c.get("/api/job", headers={TOKEN_HEADER: TOKEN}).status_code == 200


# --- Host and Origin -----------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1:1", "localhost"])
def test_a_foreign_host_is_refused_even_with_the_token(client, host):
    r = client.get("/", headers={"host": host})
    assert r.status_code == 403 and "主机名" in r.text
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


@pytest.mark.parametrize("origin", ["http://evil.example", f"http://127.0.0.1:{PORT + 1}", "null"])
def test_a_foreign_origin_is_refused(client, origin):
    for r in (client.get("/api/job", headers={"origin": origin}),
              client.post("/api/run", json={"tag": "merge"}, headers={"origin": origin}),
              client.options("/api/run", headers={"origin": origin,
                                                  "access-control-request-method": "POST"})):
        assert r.status_code == 403, r
    assert client.get("/api/job", headers={"sec-fetch-site": "cross-site"}).status_code == 403


def test_a_change_by_cookie_alone_must_come_from_our_own_page(client):
    r = client.post("/api/roster", json={})                 # no Origin, no Referer
    assert r.status_code == 403
    assert client.post("/api/roster", json={}, headers={"referer": BASE + "/roster"}).status_code == 200
    assert client.post("/api/roster", json={}, headers=own()).status_code == 200


def test_scripts_with_the_token_header_need_no_origin(small):
    c, _ = make_client(small)
    assert c.post("/api/roster", json={}, headers={TOKEN_HEADER: TOKEN}).status_code == 200


def test_cors_only_for_an_allowed_origin(small):
    addin = "http://127.0.0.1:18080"
    c, _ = make_client(small, allow_origins=(addin,))
    pre = c.options("/api/run", headers={"origin": addin, "access-control-request-method": "POST",
                                         "access-control-request-headers": TOKEN_HEADER})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == addin
    assert TOKEN_HEADER in pre.headers["access-control-allow-headers"]
    r = c.get("/api/job", headers={"origin": addin, TOKEN_HEADER: TOKEN})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == addin
    assert c.get("/api/job", headers={"origin": addin}).status_code == 403     # still the token
    plain, _ = make_client(small)
    assert plain.options("/api/run", headers={"origin": addin}).status_code == 403


def test_pages_forbid_anything_from_elsewhere(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    for path in ("/", "/files", "/steps", "/problems", "/roster", "/outputs", "/settings"):
        page = client.get(path).text
        assert "http://" not in page.replace(BASE, "") and "https://" not in page, path


# --- uploads -------------------------------------------------------------------------------------

def upload(client, name: str, data: bytes, **headers):
    from urllib.parse import quote
    return client.post("/api/upload", content=data,
                       headers=own(**{"x-file-name": quote(name), **headers}))


@pytest.mark.parametrize("name,saved", [
    ("../../x.xlsx", "x.xlsx"), ("..\\..\\x.xlsx", "x.xlsx"), ("/etc/cron.d/x.xlsx", "x.xlsx"),
    ("C:\\Windows\\x.xlsx", "x.xlsx"), (".hidden.xlsx", "hidden.xlsx"), ("~$锁.xlsx", "锁.xlsx"),
    ("东湖社区<1>.xlsx", "东湖社区_1_.xlsx"), ("con.csv", "_con.csv"),
])
def test_an_upload_lands_in_inbox_and_nowhere_else(client, small, tmp_path, name, saved):
    before = {p for p in tmp_path.rglob("*")}
    r = upload(client, name, b"PK\x03\x04 not really a workbook")
    assert r.status_code == 200, r.text
    assert r.json()["name"] == saved
    new = {p for p in tmp_path.rglob("*")} - before
    assert new == {small.inbox / saved}


def test_an_upload_never_replaces_a_file(client, small):
    assert upload(client, "东湖.xlsx", b"one").json()["name"] == "东湖.xlsx"
    assert upload(client, "东湖.xlsx", b"two").json()["name"] == "东湖（2）.xlsx"
    assert (small.inbox / "东湖.xlsx").read_bytes() == b"one"


def test_an_oversize_upload_is_refused_and_leaves_nothing(small):
    c, _ = make_client(small, upload_limit=1000)
    c.cookies.set(cookie_name(PORT), TOKEN)
    r = upload(c, "big.xlsx", b"x" * 1001)
    assert r.status_code == 413 and "超过" in r.json()["message"]
    # a body that does not say how long it is: stopped while it streams
    r = c.post("/api/upload", content=iter([b"x" * 600, b"x" * 600]),
               headers=own(**{"x-file-name": "big2.xlsx"}))
    assert r.status_code == 413
    assert list(small.inbox.iterdir()) == []


@pytest.mark.parametrize("name", ["run.exe", "page.html", "名单", "a.xlsx.bat"])
def test_an_upload_of_another_type_is_refused(client, small, name):
    r = upload(client, name, b"MZ")
    assert r.status_code == 415 and "不是可以合并的表格文件" in r.json()["message"]
    assert list(small.inbox.iterdir()) == []


# --- files are served by the server's own IDs ----------------------------------------------------

def test_files_are_served_by_listed_ids_only(client, small):
    (small.output / "汇总表.xlsx").write_bytes(b"summary")
    page = client.get("/outputs").text
    ids = [part.split('"')[0] for part in page.split('href="/download/')[1:]]
    assert ids and all(len(i) == 20 for i in ids)
    assert client.get(f"/download/{ids[0]}").content == b"summary"
    for path in ("/download/../Weiwen.xlsm", "/download/..%2FWeiwen.xlsm", "/download/Weiwen.xlsm",
                 "/download/" + "0" * 20, "/static/../app.py", "/static/%2e%2e%2fapp.py"):
        r = client.get(path)
        assert r.content != (small.workbook.read_bytes()) and b"summary" not in r.content, path
        assert r.status_code in (200, 404) and "Weiwen.xlsm" not in r.headers.get(
            "content-disposition", ""), path


# --- steps: one at a time, the workbook open elsewhere, another program holding the campaign ----

@pytest.mark.slow
def test_a_second_step_while_one_runs_is_refused_like_the_lock(small):
    release = threading.Event()
    started = threading.Event()

    def held(tag, campaign, *, progress, options=None):
        # the real operation, entered only once the test has tried a second click
        started.set()
        release.wait(10)
        return ops.perform(tag, campaign, progress=progress, options=options)
    c, bench = make_client(small, perform=held)
    c.cookies.set(cookie_name(PORT), TOKEN)
    write_returns(small.inbox)
    assert c.post("/api/run", json={"tag": "merge"}, headers=own()).status_code == 202
    assert started.wait(5)
    second = c.post("/api/run", json={"tag": "amounts"}, headers=own())
    assert second.status_code == 409
    assert "另一个操作正在处理这个活动" in second.json()["message"]
    release.set()
    bench.runner.wait(60)
    job = c.get("/api/job").json()["job"]
    assert job["state"] == "done" and job["message"].startswith("合并完成")


def test_a_workbook_open_in_excel_or_wps_is_not_written(client, small):
    owner = small.root / "~$Weiwen.xlsm"
    owner.write_bytes(b"\x05clerk")
    before = small.workbook.read_bytes()
    r = client.post("/api/run", json={"tag": "merge"}, headers=own())
    assert r.status_code == 409
    assert "请先在 WPS/Excel 中关闭 Weiwen.xlsm" in r.json()["message"]
    assert small.workbook.read_bytes() == before
    owner.unlink()
    (small.root / ".~lock.Weiwen.xlsm#").write_text("x")     # LibreOffice's
    assert client.post("/api/run", json={"tag": "check"}, headers=own()).status_code == 409


def test_another_program_holding_the_campaign_stops_the_step(client, small):
    lock = {"pid": os.getppid(), "host": socket.gethostname(), "user": "clerk",
            "command": "weiwen run", "started": __import__("datetime").datetime.now().isoformat()}
    (small.root / LOCK_FILE).write_text(json.dumps(lock), encoding="utf-8")
    before = small.workbook.read_bytes()
    assert client.post("/api/run", json={"tag": "merge"}, headers=own()).status_code == 202
    import time
    for _ in range(100):
        job = client.get("/api/job").json()["job"]
        if job["state"] != "running":
            break
        time.sleep(0.05)
    assert job["state"] == "failed" and "weiwen run" in job["message"]
    assert small.workbook.read_bytes() == before


# --- personal data stays out of addresses and logs ----------------------------------------------

@pytest.mark.slow
def test_searches_and_reveals_leave_no_personal_data_in_the_log(client, small, caplog):
    write_returns(small.inbox)
    from weiwen import pipeline
    from weiwen.campaign import Campaign
    pipeline.on_disk("merge", Campaign.open(small.root))
    caplog.set_level(logging.DEBUG)
    answer = client.post("/api/roster", json={"search": "王"}, headers=own()).json()
    rows, version = answer["rows"], answer["version"]         # 显示 names the 名册 it saw
    assert rows
    row_id, full = rows[0][0], None
    columns = client.post("/api/roster", json={}, headers=own()).json()["columns"]
    masked = rows[0][1 + columns.index("身份证号")]
    assert "********" in masked
    full = client.post("/api/roster/reveal", json={"row": row_id, "column": "身份证号", "version": version},
                       headers=own()).json()["value"]
    assert len(full) == 18 and full[:6] == masked[:6] and full[-4:] == masked[-4:]
    assert client.post("/api/roster/reveal", json={"row": row_id, "column": "地址", "version": version},
                       headers=own()).status_code == 404
    text = caplog.text
    assert full not in text and "王" not in text


def test_errors_are_chinese_and_say_nothing_of_the_server(client, small, monkeypatch):
    r = client.get("/没有这页")
    assert r.status_code == 404 and "没有这个页面" in r.text and "Not Found" not in r.text
    assert client.get("/api/run").json()["message"] == "不支持这种请求。"
    from weiwen.web import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom /secret/path")
    monkeypatch.setattr(views, "overview", broken)
    app, _ = create_app(small, token=TOKEN, port_of=lambda: PORT, cache=small.root.parent / "c2")
    c = TestClient(app, base_url=BASE, raise_server_exceptions=False)
    c.cookies.set(cookie_name(PORT), TOKEN)
    r = c.get("/")
    assert r.status_code == 500 and "工作台内部出错" in r.text and "boom" not in r.text
