"""The committed workbook/Weiwen.xlsm is exactly what the build script makes from the sources."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from weiwen.names import (PARAM_COLUMNS, STANDARD_COLUMNS, UNIT_COLUMNS, WORKBOOK_SHEETS, Sheet)
from weiwen.workbook import DEFAULT_OUTPUT, build_bytes


def _contents(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data), keep_vba=True)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {
            "values": [list(r) for r in ws.iter_rows(values_only=True)],
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "validations": sorted((dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation),
        }
    return out


def test_committed_workbook_equals_the_build():
    built = build_bytes()
    committed = DEFAULT_OUTPUT.read_bytes()
    assert _contents(built) == _contents(committed), \
        "workbook/Weiwen.xlsm is stale: run `python -m weiwen.workbook` and commit it"
    assert built == committed, "same contents but different bytes: rebuild and commit"


def test_build_is_repeatable():
    assert build_bytes() == build_bytes()


def test_sheets_headers_freeze_and_dropdowns():
    wb = load_workbook(io.BytesIO(build_bytes()), keep_vba=True)
    assert tuple(wb.sheetnames[:len(WORKBOOK_SHEETS)]) == WORKBOOK_SHEETS
    for sheet, header in ((Sheet.PARAMS, PARAM_COLUMNS), (Sheet.UNITS, UNIT_COLUMNS),
                          (Sheet.STANDARDS, STANDARD_COLUMNS)):
        ws = wb[sheet]
        assert tuple(c.value for c in ws[1][:len(header)]) == header
        assert ws.freeze_panes == "A2"
    dropdowns = [dv.formula1 for dv in wb[Sheet.STANDARDS].data_validations.dataValidation]
    assert '"银行打卡,现金"' in dropdowns and '"按户,按人,按户人数分档"' in dropdowns
    types = wb[Sheet.UNITS].data_validations.dataValidation
    assert [dv.formula1 for dv in types] == ['"社区,村,企业,事业单位,机关,科室"']
    assert types[0].errorStyle == "warning"       # the office may add types (参数 单位类型)
    assert [dv.formula1 for dv in wb[Sheet.REFERENCES].data_validations.dataValidation] == [
        '"必须在,不能在"']
    guide = "\n".join(str(r[0]) for r in wb[Sheet.GUIDE].iter_rows(values_only=True) if r[0])
    order = [guide.index(b) for b in ("生成下发模板", "合并回收表", "计算金额", "生成签字表",
                                      "生成汇总表", "抽取抽查名单")]
    assert order == sorted(order)
