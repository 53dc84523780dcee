"""The WPS add-in's JavaScript tests (tests/wps/*.test.js, Node's own test runner) as part of the
Python suite: a real add-in server is started here (127.0.0.1, a free port) on a small campaign,
and `node --test` runs against it. Node comes from Debian (.ci/run installs nodejs, and
node-acorn for the ES2018 check)."""
from __future__ import annotations

import json
import re

import pytest

from weiwen.web.wps import start
from web_helpers import small_campaign, write_returns
from wps_helpers import NODE_DIR, node, run_node, workbook_json

pytestmark = pytest.mark.skipif(node() is None, reason="Node.js is not installed (apt-get install nodejs; .ci/run does it)")
TOKEN = "node-test-token-0123456789abcdef"


@pytest.mark.slow
def test_the_node_tests_pass_against_a_real_server(tmp_path):
    campaign = small_campaign(tmp_path / "活动")
    write_returns(campaign.inbox)
    fixture = tmp_path / "book.json"
    fixture.write_text(json.dumps(workbook_json(campaign.workbook), ensure_ascii=False),
                       encoding="utf-8")
    before = campaign.workbook.read_bytes()
    running = start(port=0, token=TOKEN, reveal=lambda path: None)
    try:
        files = sorted(p.name for p in NODE_DIR.glob("*.test.js"))
        done = run_node(["--test", *files], env={
            "WEIWEN_WPS_PORT": str(running.port), "WEIWEN_WPS_TOKEN": TOKEN,
            "WEIWEN_WPS_FIXTURE": str(fixture)})
    finally:
        running.stop()
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    counts = dict(re.findall(r"^# (pass|fail|skipped|todo|cancelled) (\d+)$", done.stdout, re.M))
    assert counts.get("fail") == "0" and counts.get("skipped") == "0", output[-3000:]
    assert int(counts["pass"]) >= 13, counts
    assert campaign.workbook.read_bytes() == before, "the workbook on disk is never touched"
