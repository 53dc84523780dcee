"""The real-header corpus (tests/header_corpus_forms.py): every form's header read right, and every
form turned into a messy return and read through the real `weiwen merge`.

Figures: `python tests/header_corpus.py` prints them (households read right, non-household rows
merged, forms read, categories found, per batch).
"""
from __future__ import annotations

import pytest

from header_corpus import FORMS, run
from weiwen.intake.headers import find_header
from weiwen.names import Col, Internal


def _expected(form):
    roles = form.role_list
    name, id_ = ("pname", "pid") if form.persons else ("name", "id")
    return roles.index(name), roles.index(id_)


@pytest.mark.parametrize("form", FORMS, ids=[f.key for f in FORMS])
def test_header_of_every_form_is_read_right(form):
    """The household's (or the person's) name and ID columns, the category column when the form
    has one, and per-person lists recognised as such."""
    rows = [[(v.format(unit="东湖社区") if isinstance(v, str) else v) for v in r]
            for r in (*form.title, *form.header)]
    header = find_header(rows)
    assert header is not None, "no header found"
    assert header.index == len(form.title)
    assert header.data_start == len(form.title) + len(form.header)
    name, id_ = _expected(form)
    assert header.mapping.get(name) == Col.NAME and header.mapping.get(id_) == Col.ID
    assert header.person_level == form.persons
    roles = form.role_list
    if "cat" in roles:
        chosen = [i for i, c in header.mapping.items() if c == Col.CATEGORY]
        options = header.alternatives.get(Col.CATEGORY, ())
        assert roles.index("cat") in [*chosen, *options]
    for role, column in (("hname", Internal.HEAD_NAME), ("hid", Internal.HEAD_ID),
                         ("rel", Internal.RELATION)):
        if form.persons and role in roles:
            assert header.mapping.get(roles.index(role)) == column
    others = {i for i, r in enumerate(roles) if r in ("mname", "mid", "mnames", "mids")}
    assert not others & {i for i, c in header.mapping.items() if c in (Col.NAME, Col.ID)}


@pytest.mark.slow
def test_every_form_read_through_weiwen_merge(tmp_path):
    results, summary, report = run(tmp_path / "corpus")
    wrong = [(r.key, r.right, r.households, r.non_household) for r in results
             if r.right < r.households or r.non_household]
    assert summary["households_read_right_pct"] >= 95, wrong
    assert summary["non_household_rows_merged"] == 0, wrong
    assert summary["forms_read"] == summary["forms"], wrong
    assert summary["categories_found"] == summary["forms_with_category"], [
        r.key for r in results if r.has_category and not r.category_found]
    # every row accounted for: in 名册, in 问题 with its reason, or folded into its household
    assert report["rows_read"] == (report["roster_rows"] + report["rejected_rows"]
                                   + report["members_folded"])
    written = sum(len(hh.rows) for r in results for hh in r.households_written)
    assert report["rows_read"] == written
