"""The 慰问 ribbon against Microsoft's rules: the customUI schema and the published icon names.

docs/excel.md ("The ribbon") says where the rules come from and why Microsoft's files are not shipped.
Two optional inputs re-check against Microsoft's own files when they are on the machine:
WEIWEN_CUSTOMUI_XSD (customUI.xsd) and WEIWEN_OFFICE_CONTROL_IDS (a checkout of
OfficeDev/office-fluent-ui-command-identifiers).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import xmlschema

from weiwen import excel_parts

RULES = excel_parts.SRC / "customUI_rules.xsd"
IMAGES = excel_parts.SRC / "image_mso.txt"
RIBBON = excel_parts.RIBBON_SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(RULES))


def _allowed_images() -> dict[str, str]:
    lines = [ln for ln in IMAGES.read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    return dict(ln.split("\t", 1) for ln in lines)


def test_ribbon_validates_against_the_customui_rules(schema):
    errors = [str(e.reason) for e in schema.iter_errors(RIBBON)]
    assert errors == []


@pytest.mark.parametrize("change, why", [
    (('label="生成下发模板"', 'label="' + "长" * 1025 + '"'), "label over 1024 characters"),
    (('size="large"', 'size="huge"'), "size not normal/large"),
    (('id="weiwenCheck"', 'id="weiwenMerge"'), "id not unique"),
    (('onAction="OnWeiwenButton"', 'onAction="OnWeiwenButton" colour="red"'), "unknown attribute"),
    (('<group id="weiwenHelp"', '<menu id="weiwenMenu"/><group id="weiwenHelp"'), "element not allowed"),
    (('tag="merge"', 'tag=""'), "empty tag"),
])
def test_the_rules_refuse_what_office_refuses(schema, change, why):
    old, new = change
    assert old in RIBBON
    assert not schema.is_valid(RIBBON.replace(old, new, 1)), why


@pytest.mark.skipif(not os.environ.get("WEIWEN_CUSTOMUI_XSD"),
                    reason="Microsoft's customUI.xsd not on this machine (WEIWEN_CUSTOMUI_XSD)")
def test_ribbon_validates_against_microsofts_schema():
    microsoft = xmlschema.XMLSchema(os.environ["WEIWEN_CUSTOMUI_XSD"])
    assert [str(e.reason) for e in microsoft.iter_errors(RIBBON)] == []


def test_every_icon_is_a_published_excel_control_id():
    used = [b.image for b in excel_parts.ribbon_buttons()]
    allowed = _allowed_images()
    assert used and all(used)
    assert [name for name in used if name not in allowed] == []
    assert "GroupOrganizationChart" not in allowed   # in none of Microsoft's lists: no icon


def test_the_icon_list_has_no_stale_names():
    assert set(_allowed_images()) == {b.image for b in excel_parts.ribbon_buttons()}


@pytest.mark.skipif(not os.environ.get("WEIWEN_OFFICE_CONTROL_IDS"),
                    reason="office-fluent-ui-command-identifiers not on this machine")
def test_icon_list_against_microsofts_lists():
    from openpyxl import load_workbook
    lists = sorted(Path(os.environ["WEIWEN_OFFICE_CONTROL_IDS"]).rglob("excelcontrols.xlsx"))
    assert len(lists) >= 6
    for path in lists:
        ws = load_workbook(path, read_only=True).worksheets[0]
        names = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
        assert set(_allowed_images()) <= names, path
