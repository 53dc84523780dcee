"""Golden outputs: the signature sheet, the finance summary, the bank list and the clerk's list of
its households without a card made now look, cell by cell and setting by setting, like the
committed references a person checked (regenerate with `python tests/golden.py` and review the
diff)."""
from __future__ import annotations

import pytest

from golden import GOLDEN, compare, make


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return make(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", ["签字确认表-东风社区.xlsx", "汇总表.xlsx", "银行代发.xlsx",
                                  "银行代发缺卡号.xlsx"])
@pytest.mark.slow
def test_output_looks_like_its_reference(made, name):
    actual = next(p for p in made if p.name == name)
    diffs = compare(actual, GOLDEN / name)
    assert not diffs, "\n".join(diffs[:20])


def test_the_comparison_sees_a_changed_width_and_format(made, tmp_path):
    from openpyxl import load_workbook
    path = next(p for p in made if p.name == "汇总表.xlsx")
    wb = load_workbook(path)
    wb["汇总"].column_dimensions["G"].width = 5
    wb["汇总"]["G5"].number_format = "0"
    wb.save(tmp_path / "x.xlsx")
    diffs = compare(tmp_path / "x.xlsx", GOLDEN / "汇总表.xlsx")
    assert any("widths" in d for d in diffs) and any("G5" in d for d in diffs)
