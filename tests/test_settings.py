"""The settings loader: typed objects from 参数 / 单位 / 标准, and a clear problem for each bad value."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from weiwen import workbook_io
from weiwen.defaults import DEFAULT_STANDARDS
from weiwen.names import Method, Param, Payment, Sheet, StdCol, UnitCol
from weiwen.settings import load_settings, parse_conditions


def _sheets(**overrides):
    """The shipped workbook's settings sheets as rows, with some rows replaced."""
    from weiwen.workbook import DEFAULT_OUTPUT
    sheets = workbook_io.read_sheets(DEFAULT_OUTPUT, (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS))
    sheets[Sheet.UNITS] = sheets[Sheet.UNITS][:1] + [
        ["330106001", "东湖社区", "社区", "王丽", "0571-1", "a@b.cn"],
        ["330106002", "西湖社区", "社区", "", "", ""],
    ]
    sheets.update(overrides)
    return sheets


def _codes(settings):
    return [(p.code, p.row, p.column) for p in settings.problems]


def test_shipped_defaults_load_without_problems():
    settings = load_settings(_sheets())
    assert settings.problems == []
    assert settings.params.title == "2027年春节走访慰问"
    assert settings.params.start == dt.date(2027, 1, 20)
    assert settings.params.audit_ratio == pytest.approx(0.10)
    assert settings.params.budget == 1_500_000
    assert [u.code for u in settings.units] == ["330106001", "330106002"]
    assert len(settings.standards) == len(DEFAULT_STANDARDS) == 13


def test_office_plan_amounts():
    settings = load_settings(_sheets())
    dibao = settings.standard("低保")
    assert dibao.method == Method.BY_SIZE and dibao.payment == Payment.CARD
    assert [dibao.amount_for(n) for n in (1, 2, 3, 6)] == [550, 900, 1100, 1100]
    disabled = settings.standard("残疾户")
    assert (disabled.amount_for(4), disabled.payment, disabled.group) == (700, Payment.CASH, "低保边缘")
    elderly = settings.standard("70岁以上特困独居老人")
    assert [(c.field, c.op, c.value) for c in elderly.conditions] == [("年龄", ">=", 70)]
    assert 600 <= settings.standard("精简老职工").amount_for(1) <= 800
    assert settings.standard("重点优抚对象").method == Method.PER_PERSON


def test_amount_that_is_not_a_number_names_sheet_row_column():
    sheets = _sheets()
    std = [list(r) for r in sheets[Sheet.STANDARDS]]
    header = std[0]
    std[3][header.index(StdCol.AMOUNT)] = "七百块"
    settings = load_settings(dict(sheets, **{Sheet.STANDARDS: std}))
    assert _codes(settings) == [("settings.not_number", 4, StdCol.AMOUNT)]
    message = settings.problems[0].message
    assert "标准" in message and "第4行" in message and "金额" in message and "七百块" in message
    assert settings.standard(std[3][0]) is None          # the bad row is left out …
    assert settings.standard("低保") is not None          # … the rest stays usable


def test_amount_with_yuan_and_full_width_digits_is_accepted():
    sheets = _sheets()
    std = [list(r) for r in sheets[Sheet.STANDARDS]]
    std[3][std[0].index(StdCol.AMOUNT)] = "７００元"
    settings = load_settings(dict(sheets, **{Sheet.STANDARDS: std}))
    assert settings.problems == [] and settings.standard(std[3][0]).amount == 700


def test_duplicated_category():
    sheets = _sheets()
    std = [list(r) for r in sheets[Sheet.STANDARDS]]
    std.append(list(std[2]))
    settings = load_settings(dict(sheets, **{Sheet.STANDARDS: std}))
    assert _codes(settings) == [("settings.duplicate", len(std), StdCol.CATEGORY)]
    assert "与第3行重复" in settings.problems[0].message


def test_missing_unit_code_and_duplicate_unit_name():
    sheets = _sheets()
    units = [sheets[Sheet.UNITS][0], ["", "东湖社区", "社区"], ["330106009", "西湖社区", "村"],
             ["330106010", "西湖社区", "村"]]
    settings = load_settings(dict(sheets, **{Sheet.UNITS: units}))
    assert _codes(settings) == [("settings.missing_value", 2, UnitCol.CODE),
                                ("settings.duplicate", 4, UnitCol.NAME)]
    assert "单位" in settings.problems[0].message and "第2行" in settings.problems[0].message
    assert [u.name for u in settings.units] == ["西湖社区"]


def test_bad_choice_bad_date_bad_ratio_bad_condition():
    sheets = _sheets()
    params = [list(r) for r in sheets[Sheet.PARAMS]]
    keys = [r[0] for r in params]
    params[keys.index(Param.START)][1] = "春节前"
    params[keys.index(Param.AUDIT_RATIO)][1] = "150%"
    std = [list(r) for r in sheets[Sheet.STANDARDS]]
    std[2][std[0].index(StdCol.PAYMENT)] = "支付宝"
    std[2][std[0].index(StdCol.CONDITION)] = "年纪大"
    settings = load_settings(dict(sheets, **{Sheet.PARAMS: params, Sheet.STANDARDS: std}))
    codes = {c for c, _, _ in _codes(settings)}
    assert codes == {"settings.not_date", "settings.bad_ratio", "settings.bad_choice",
                     "settings.bad_condition"}
    choice = next(p for p in settings.problems if p.code == "settings.bad_choice")
    assert "银行打卡" in choice.message and "现金" in choice.message and "支付宝" in choice.message
    assert settings.params.audit_ratio == pytest.approx(0.10)   # falls back to the default


def test_missing_sheet_is_a_problem_not_an_exception():
    sheets = _sheets()
    del sheets[Sheet.STANDARDS]
    settings = load_settings(sheets)
    assert _codes(settings) == [("settings.missing_sheet", None, "")]
    assert settings.standards == []


def test_ratio_typed_as_ten_means_ten_percent():
    sheets = _sheets()
    params = [list(r) for r in sheets[Sheet.PARAMS]]
    keys = [r[0] for r in params]
    params[keys.index(Param.AUDIT_RATIO)][1] = 10
    settings = load_settings(dict(sheets, **{Sheet.PARAMS: params}))
    assert settings.problems == [] and settings.params.audit_ratio == pytest.approx(0.10)


@pytest.mark.parametrize("text,expected", [
    ("年龄>=70", [("年龄", ">=", 70)]),
    ("年龄 ≥ 70", [("年龄", ">=", 70)]),
    ("年龄>=60；家庭人口<=1", [("年龄", ">=", 60), ("家庭人口", "<=", 1)]),
    ("", []),
])
def test_conditions(text, expected):
    assert [(c.field, c.op, c.value) for c in parse_conditions(text)] == expected


def test_loader_reads_what_the_clerk_typed_in_the_workbook(campaign):
    wb = load_workbook(campaign.workbook, keep_vba=True)
    ws = wb[Sheet.STANDARDS]
    ws.cell(row=2, column=6).value = "abc"     # 2人户 of 低保
    wb.save(campaign.workbook)
    settings = workbook_io.read_settings(campaign.workbook)
    bad = [p for p in settings.problems if p.code == "settings.not_number"]
    assert [(p.row, p.column) for p in bad] == [(2, StdCol.SIZE2)]
