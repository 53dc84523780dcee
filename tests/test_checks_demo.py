"""End to end on the demo campaign: every planted mistake found, nothing else 错误, the total
equals an independent sum over the standards; `weiwen check`; 100k rows stay fast."""
from __future__ import annotations

import time

import pandas as pd
import pytest

from weiwen import problems as P
from weiwen import workbook_io
from weiwen.campaign import Campaign
from weiwen.names import (PROBLEM_COLUMNS, PROBLEM_KINDS_SHEET, Col, ProblemCol, Severity,
                          Status)

EXPECTED = {
    "duplicate_unit": "checks.duplicate_id", "duplicate_category": "checks.duplicate_category",
    "id_lost_digits": "checks.id_lost_digits", "id_checksum": "checks.id_invalid",
    "missing_phone": "checks.phone_missing", "age_condition": "checks.condition_failed",
    "unknown_category": "checks.unknown_category", "superseded_file": "intake.superseded",
    "shared_card": "checks.shared_card", "two_units_addresses": "checks.two_units_addresses",
    "not_returned": "intake.not_returned",
}
ERROR_KINDS = {"id_lost_digits", "id_checksum", "unknown_category"}


@pytest.fixture(scope="module")
def demo_run(demo_built):
    """The session's demo, read only: its plan, the JSON report of its `weiwen run`, the roster
    and the problems written."""
    root, plan, report = demo_built
    campaign = Campaign.open(root)
    roster = workbook_io.read_roster(campaign.workbook)
    problems = workbook_io.read_problems(campaign.workbook)
    return plan, report, roster, problems, campaign


def _kind(code: str) -> str:
    return P.code_info(code).kind


@pytest.mark.slow
def test_every_planted_mistake_is_found_and_nothing_else_is_an_error(demo_run):
    plan, report, roster, problems, _ = demo_run
    at = {(f, r): set(k) for (f, r), k in
          problems.groupby([ProblemCol.FILE, ProblemCol.ROW], dropna=False)[ProblemCol.KIND]}
    for planted in plan.planted:
        kind = _kind(EXPECTED[planted.kind])
        if planted.kind == "not_returned":            # one line for the unit, no row
            lines = problems[problems[ProblemCol.UNIT] == planted.unit]
            assert lines[ProblemCol.KIND].tolist() == [kind], planted
            continue
        if planted.kind == "superseded_file":
            assert kind in at.get((planted.file, pd.NA), set()) or \
                (problems[ProblemCol.FILE] == planted.file).any(), planted
            continue
        if planted.kind == "duplicate_category":
            # paid once at the highest tier: the 重复 row may be the planted one or its twin
            row = roster[(roster[Col.SRC_FILE] == planted.file) & (roster[Col.SRC_ROW] == planted.row)]
            same = roster[roster[Col.ID] == row[Col.ID].iloc[0]]
            assert sorted(same[Col.STATUS]) == ["有效", "重复"], planted
            flagged = same[same[Col.STATUS] == "重复"].iloc[0]
            assert kind in at[(flagged[Col.SRC_FILE], flagged[Col.SRC_ROW])], planted
            continue
        assert kind in at.get((planted.file, planted.row), set()), planted
    errors = problems[problems[ProblemCol.SEVERITY] == Severity.ERROR]
    planted_errors = {(p.file, p.row) for p in plan.planted if p.kind in ERROR_KINDS}
    assert set(zip(errors[ProblemCol.FILE], errors[ProblemCol.ROW])) == planted_errors
    error_rows = roster[roster[Col.STATUS] == Status.ERROR]
    assert set(zip(error_rows[Col.SRC_FILE], error_rows[Col.SRC_ROW])) == planted_errors
    assert (roster[Col.STATUS] == Status.DUPLICATE).sum() == 5
    # 待核: the age condition, the two households on one card, the household of two addresses
    review = roster[roster[Col.STATUS] == Status.REVIEW]
    planted_review = {(p.file, p.row) for p in plan.planted
                      if p.kind in ("age_condition", "shared_card", "two_units_addresses")}
    assert set(zip(review[Col.SRC_FILE], review[Col.SRC_ROW])) == planted_review
    assert len(review) == 4


@pytest.mark.slow
def test_demo_total_equals_an_independent_sum_over_the_standards(demo_run):
    _, report, roster, _, campaign = demo_run
    settings = workbook_io.read_settings(campaign.workbook)
    total = 0.0
    for category, size in zip(roster.loc[roster[Col.STATUS] == "有效", Col.CATEGORY],
                              roster.loc[roster[Col.STATUS] == "有效", Col.SIZE]):
        total += settings.standard(category).amount_for(int(size))
    assert report["total_amount"] == pytest.approx(total)
    assert report["households_paid"] == (roster[Col.STATUS] == "有效").sum()
    assert roster[Col.BASIS].notna().all() and (roster[Col.BASIS] != "").all()


@pytest.mark.slow
def test_problem_sheet_sorted_with_a_summary_by_kind(demo_run):
    _, report, _, problems, campaign = demo_run
    header = workbook_io.read_sheets(campaign.workbook, ["问题"])["问题"][0]
    assert tuple(v for v in header if v) == PROBLEM_COLUMNS
    units = problems[ProblemCol.UNIT].fillna("").tolist()
    assert units == sorted(units)
    kinds = workbook_io.read_sheets(campaign.workbook, [PROBLEM_KINDS_SHEET])[PROBLEM_KINDS_SHEET]
    counts = {row[1]: row[2] for row in kinds[1:] if row[0] != "合计"}
    assert counts == problems[ProblemCol.KIND].value_counts().to_dict()
    assert kinds[-1][0] == "合计" and kinds[-1][2] == len(problems)


@pytest.mark.slow
def test_check_command_re_checks_the_roster_without_the_inbox(demo_campaign, cli):
    campaign = demo_campaign                           # `weiwen demo` ran the whole campaign
    roster = workbook_io.read_roster(campaign.workbook)
    problems = workbook_io.read_problems(campaign.workbook)
    for f in campaign.inbox.iterdir():
        f.unlink()                                     # the inbox is not read again
    cli.json("check", campaign.root)
    again = workbook_io.read_roster(campaign.workbook)
    assert again[Col.STATUS].tolist() == roster[Col.STATUS].tolist()
    assert again[Col.AMOUNT].isna().all()
    after = workbook_io.read_problems(campaign.workbook)
    assert sorted(after[ProblemCol.KIND]) == sorted(problems[ProblemCol.KIND])
    cli.json("amounts", campaign.root)
    paid = workbook_io.read_roster(campaign.workbook)
    assert paid[Col.AMOUNT].tolist() == roster[Col.AMOUNT].tolist()


@pytest.mark.slow
def test_checks_and_amounts_on_100k_rows_are_fast():
    from checks_helpers import make_id, office_settings
    from weiwen.amounts import compute_amounts
    from weiwen.checks import run_checks
    from weiwen.names import Internal
    import numpy as np
    rng = np.random.default_rng(1)
    n = 100_000
    cats = ["低保", "残疾户", "大重病患者", "失地困难农民家庭", "70岁以上特困独居老人", "重点优抚对象"]
    surnames, given = list("王李张刘陈杨赵黄周吴"), list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞")
    ids = [make_id(birth=f"19{rng.integers(20, 99)}0{rng.integers(1, 9)}1{rng.integers(0, 9)}",
                   seq=f"{i % 1000:03d}", region=("330106", "330105", "330102", "110105")[i % 4]) for i in range(n)]
    ids[500:600] = ids[:100]                                           # 100 duplicates
    frame = pd.DataFrame({
        Col.SEQ: range(1, n + 1), Col.UNIT: [f"单位{i % 40}" for i in range(n)],
        Col.NAME: [rng.choice(surnames) + rng.choice(given) + rng.choice(given) for _ in range(n)],
        Col.ID: ids, Col.CATEGORY: rng.choice(cats, n), Col.SIZE: rng.integers(1, 6, n),
        Col.PHONE: [f"13{rng.integers(0, 10)}{rng.integers(10**7, 10**8)}" for _ in range(n)],
        Col.CARD: "", Col.ADDRESS: [f"文一路{rng.integers(1, 300)}号{rng.integers(1, 30)}幢"
                                    for _ in range(n)],
        Col.AMOUNT: None, Col.PAYMENT: None, Col.BASIS: None, Col.STATUS: "有效",
        Col.ISSUES: "", Col.SRC_FILE: [f"单位{i % 40}.xlsx" for i in range(n)],
        Col.SRC_ROW: [i // 40 + 4 for i in range(n)], Col.NOTE: "",
        Internal.ID_FROM_NUMBER: False})
    settings = office_settings()
    started = time.perf_counter()
    checked, problems = run_checks(frame, settings)
    out, _ = compute_amounts(checked, settings)
    elapsed = time.perf_counter() - started
    print(f"checks + amounts on {n} rows: {elapsed:.1f}s, {len(problems)} problems")
    assert (checked[Col.STATUS] == "重复").sum() >= 100
    assert elapsed < 60


@pytest.mark.slow
def test_feedback_tells_a_community_what_to_write_not_the_clerks_sheets(demo_run):
    _, _, _, problems, campaign = demo_run
    sent = {}                                  # 问题 → 请这样修改, over every unit's file
    for path in (campaign.output / "退回修改").glob("*.xlsx"):
        rows = workbook_io.read_sheets(path)["退回修改"]
        header = next(r for r in rows if "请这样修改" in r)
        for r in rows[rows.index(header) + 1:]:
            sent.setdefault(r[header.index("问题")], []).append(r[header.index("请这样修改")])
    texts = [t for ts in sent.values() for t in ts]
    # a community has no 标准 or 参数 sheet and keeps no rows of a roster it never sees
    assert not [t for t in texts if "“标准”表" in t or "“参数”表" in t or "只保留该行" in t]
    (category,) = sent[_kind("checks.unknown_category")]
    assert category.startswith("类别“困难户”不是本次慰问的类别，请改为以下类别之一：低保、")
    assert all("请删去本行" in t and "请核对并改正身份证号" in t
               for t in sent[_kind("checks.duplicate_id")])
    # the clerk's 问题 sheet keeps its own words
    clerk = problems[problems[ProblemCol.CODE] == "checks.unknown_category"]
    assert clerk[ProblemCol.MESSAGE].str.contains("不在“标准”表中").all()


def test_a_shared_phone_is_told_to_a_community_without_the_parameter_sheet():
    from weiwen.checks.money import SHARED_PHONE
    from weiwen.outputs.feedback import community_text
    problem = P.make(SHARED_PHONE, unit="东湖社区", file="东湖.xlsx", row=5, phone="13800000000",
                     n=4, key="同一电话最多户数", limit=3, others="西湖社区“西湖.xlsx”第9行等")
    assert "“参数”表" in problem.message
    assert community_text(problem) == (
        "联系电话13800000000共有4户在用（还有西湖社区“西湖.xlsx”第9行等），请核实；"
        "不是本人或家人电话的，请改填本户能联系上的电话。")
