"""Done when: on the demo, pressing each button of the 慰问 tab through the fake WPS 表格 (main.js,
real HTTP to a real add-in server) leaves the same sheet contents as the command line, cell by
cell — dates as dates, ID numbers as text —, and never touches the workbook file on disk."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from weiwen import pipeline
from weiwen.campaign import Campaign
from weiwen.names import Sheet
from weiwen.web.wps import BUTTONS, start
from wps_helpers import comparable, node, press_in_node, sheets_of, workbook_json

pytestmark = [pytest.mark.skipif(node() is None, reason="Node.js is not installed"),
              pytest.mark.slow]
STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
TOKEN = "demo-test-token-0123456789abcdef"
#: the ribbon's order; guide and open_folder have no command: they change no sheet
ORDER = ["templates", "merge", "check", "amounts", "signoff", "signatures", "visits", "summary",
         "payments", "audit", "guide", "open_folder"]


def test_each_button_leaves_what_the_command_line_leaves(demo_campaign, tmp_path):
    assert sorted(ORDER) == sorted(BUTTONS)
    wps = Campaign(shutil.copytree(demo_campaign.root, tmp_path / "wps"))
    cli = demo_campaign
    on_disk = wps.workbook.read_bytes()
    revealed: list[Path] = []
    running = start(port=0, token=TOKEN, reveal=revealed.append)
    try:
        steps = press_in_node(workbook_json(wps.workbook), running.port, TOKEN, ORDER,
                              tmp_path / "steps.json")
    finally:
        running.stop()
    expected = {n: _untimed(rows) for n, rows in sheets_of(workbook_json(cli.workbook)).items()}
    for step in steps:
        tag = step["tag"]
        assert step["ok"], (tag, step["alerts"])
        assert step["screen"] is True, tag
        assert [h.get("preflight") or h.get("status") for h in step["http"]] == [204, 200], tag
        if tag in ("guide", "open_folder"):
            assert step["alerts"] == [], tag
        else:
            report = pipeline.on_disk(tag, cli)
            expected = {n: _untimed(rows) for n, rows in sheets_of(workbook_json(cli.workbook)).items()}
            assert step["alerts"] == [pipeline.box_message(report)] or \
                step["alerts"][0].split("\n")[0] == report.outcome, (tag, step["alerts"])
        got = {name: _comparable(rows) for name, rows in step["sheets"].items()
               if name != "xlwings.conf"}
        assert sorted(got) == sorted(expected), tag
        for name in expected:
            assert got[name] == expected[name], (tag, name, _first_difference(got[name], expected[name]))
    assert steps[ORDER.index("guide")]["active"] == Sheet.GUIDE
    assert revealed == [wps.root]
    assert wps.workbook.read_bytes() == on_disk, "the workbook file is never touched"
    for folder in ("outbox", "output"):
        made = sorted(p.relative_to(wps.root / folder) for p in (wps.root / folder).rglob("*.xlsx"))
        assert made == sorted(p.relative_to(cli.root / folder) for p in (cli.root / folder).rglob("*.xlsx"))


def _comparable(rows):
    return _untimed(comparable([[tuple(cell) for cell in row] for row in rows]))


def _untimed(rows):
    """The minute a sheet was made (汇总's 据名册生成 line) differs between two runs."""
    return [[STAMP.sub("<时间>", v) if isinstance(v, str) else v for v in row] for row in rows]


def _first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i + 1, x, y
    return len(a), len(b)
