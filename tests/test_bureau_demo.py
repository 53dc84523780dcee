"""A bureau's campaign end to end (`weiwen demo --bureau`): 科室 / 事业单位 / 企业 accepted as unit
types, a flat 1,000 per household, eight leader-led groups, the planted 未交回 and shared card;
unit types the office adds in 参数 单位类型."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from coverage_helpers import add_units, set_params
from weiwen import workbook_io
from weiwen.campaign import init
from weiwen.cli import app
from weiwen.demo_bureau import GROUP_NAMES, SILENT, UNITS, make_bureau_demo
from weiwen.names import ProblemCol, VisitSheet


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    root = tmp_path_factory.mktemp("bureau") / "局"
    result = CliRunner().invoke(app, ["demo", "--bureau", str(root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_bureau_campaign_runs_whole(bureau, tmp_path):
    root, report = bureau
    plan = make_bureau_demo(tmp_path / "plan")                 # same seed: the same plan
    workbook = root / "Weiwen.xlsm"
    settings = workbook_io.read_settings(workbook)
    assert settings.problems == []                           # 科室, 事业单位, 企业 are unit types
    assert {u.type for u in settings.units} == {"科室", "事业单位", "企业"}
    assert settings.unit_word == "单位"
    assert report["not_returned"] == [SILENT]
    roster = workbook_io.read_roster(workbook)
    assert len(roster) == plan.households == report["roster_rows"]
    paid = roster[roster["状态"] == "有效"]
    assert set(pd.to_numeric(paid["金额"])) == {1000}          # flat 1,000 per household
    assert report["households_paid"] == len(paid) == plan.households - 2
    review = roster[roster["状态"] == "待核"]
    planted = {(p.file, p.row) for p in plan.planted if p.kind == "shared_card"}
    assert set(zip(review["来源文件"], review["来源行"])) == planted
    problems = workbook_io.read_problems(workbook)
    assert problems[problems[ProblemCol.KIND] == "同卡不同人"].shape[0] == 2
    assert problems[problems[ProblemCol.SEVERITY] == "错误"].empty
    groups = workbook_io.read_sheets(workbook, [VisitSheet.PLAN])[VisitSheet.PLAN][1:]
    assert [g[0] for g in groups] == list(GROUP_NAMES)
    assert sorted(p.stem for p in (root / "output" / "走访安排").glob("第*组.xlsx")) == \
        sorted(GROUP_NAMES)
    bank = workbook_io.read_sheets(root / "output" / "银行代发.xlsx")
    assert bank                                               # retired employees by card
    # sheets and titles read right for a bureau: 单位 and the union, not 社区/村 and 民政办
    signoff = root / "output" / "签字确认表"
    assert (signoff / "离退休干部科.xlsx").exists()            # 退休困难职工's 责任部门
    for path in [*signoff.glob("*.xlsx"), *(root / "output" / "走访安排").glob("*.xlsx")]:
        text = " ".join(str(c) for ws in load_workbook(path).worksheets
                        for row in ws.iter_rows(values_only=True) for c in row if c)
        assert "社区" not in text and "民政办" not in text, path.name
    CliRunner().invoke(app, ["templates", str(root), "--quiet"], catch_exceptions=False)
    for path in (root / "outbox").glob("*.xlsx"):              # the returns the units fill in
        ws = load_workbook(path)["名单"]
        text = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
        assert "社区" not in text and "街道" not in text and path.stem in text, path.name
    assert "单位、机关工会各留一份" in " ".join(
        str(c) for row in load_workbook(signoff / "办公室.xlsx").active.iter_rows(values_only=True)
        for c in row if c)
    assert len(UNITS) == 16


def test_a_unit_type_the_office_adds(tmp_path, cli):
    campaign = init(tmp_path / "活动")
    add_units(campaign, [["X1", "实验小学", "学校"], ["X2", "东湖社区", "社区"]])
    cli.json("templates", campaign.root)
    problems = workbook_io.read_problems(campaign.workbook)
    assert problems.empty                                     # templates do not write 问题
    report = cli.json("check", campaign.root)
    bad = [k for k in report["workbook_problems_by_kind"]]
    assert "单位类型无效" in bad
    message = workbook_io.read_problems(campaign.workbook).set_index(ProblemCol.KIND).loc[
        "单位类型无效", ProblemCol.MESSAGE]
    assert "“单位类型”" in message and "学校" in message
    set_params(campaign, 单位类型="社区、村、学校")
    report = cli.json("check", campaign.root)
    assert "单位类型无效" not in report["workbook_problems_by_kind"]
