"""weiwen merge on the layouts civil-affairs forms really have: footers over several cells, lists
with one row per family member, category wordings and aliases, a category named only in the
title, a certificate number beside the ID, a street named like a unit. Files written the way
units write them, the real command run, 名册 / 问题 / the report read back."""
from __future__ import annotations

import pytest

from intake_helpers import kinds, merged, person, person_id, unit_campaign, write_openpyxl
from weiwen.defaults import DEFAULT_STANDARDS
from weiwen.names import Col, Sheet, StdCol
from weiwen.settings import load_standards


@pytest.fixture
def camp(tmp_path):
    return unit_campaign(tmp_path / "活动")


@pytest.mark.slow
def test_footer_over_several_cells_is_not_a_household(cli, camp):
    rows = [["东湖社区慰问对象名单"], ["户主姓名", "身份证号", "类别", "家庭人口", "联系电话"],
            person(1)[:5], person(2)[:5],
            ["制表人：", "王丽", None, "制表时间：", "2027年01月08日"],
            ["审核人：李强", None, "联系电话：0571-88001234", None, "单位（盖章）"],
            ["填表人：王丽", "填报日期：2027-01-08"]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, report = merged(cli, camp)
    assert roster[Col.SRC_ROW].tolist() == [3, 4]
    assert report["rejected_rows"] == 0 and "无法使用的行" not in kinds(problems)


@pytest.mark.slow
def test_one_row_per_family_member_becomes_one_household(cli, camp):
    """The household is the head's own row: the head's name with the head's ID, never a
    member's; members count toward 家庭人口 and are reported as folded."""
    header = ["序号", "户主姓名", "姓名", "与户主关系", "身份证号码", "联系电话", "类别"]
    head, spouse, child, alone = (person_id(n) for n in (1, 2, 3, 4))
    rows = [header,
            [1, "张三", "李芳", "配偶", spouse, "13800000001", "低保"],   # the head is not first
            [2, "张三", "张三", "户主", head, "13800000002", "低保"],
            [3, "张三", "张小明", "子", child, "", "低保"],
            [4, "王五", "王五", "本人", alone, "13800000004", "残疾户"]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, report = merged(cli, camp)
    assert roster[[Col.NAME, Col.ID, Col.SIZE, Col.SRC_ROW]].values.tolist() == [
        ["张三", head, 3, 3], ["王五", alone, 1, 5]]
    assert report["members_folded"] == 2 and report["rejected_rows"] == 0
    assert report["rows_read"] == 4
    printed = cli("merge", camp.root).output
    assert "家庭成员行" in printed and "2 行" in printed


@pytest.mark.slow
def test_members_listed_without_the_heads_own_row(cli, camp):
    """A labour-force list: the head's name and ID on every member's row, the head not listed
    as a member. The household is made from the head columns, with a 警告."""
    header = ["户主姓名", "户主身份证号", "劳动力姓名", "身份证号", "性别"]
    rows = [header, ["赵一", person_id(1), "赵二", person_id(2), "男"],
            ["赵一", person_id(1), "赵三", person_id(3), "女"]]
    write_openpyxl(camp.inbox / "西湖社区.xlsx", rows)
    roster, problems, report = merged(cli, camp)
    assert roster[[Col.NAME, Col.ID, Col.SIZE]].values.tolist() == [["赵一", person_id(1), 2]]
    assert report["members_folded"] == 1
    warning = problems[problems["问题类型"] == "户主不在名单中"]
    assert warning["来源行"].tolist() == [2] and "第2–3行" in warning["说明"].iloc[0]


@pytest.mark.slow
def test_category_wordings_are_read_by_their_aliases_and_kept_visible(cli, camp):
    rows = [["户主姓名", "身份证号", "救助类型", "家庭人口"],
            *([f"测试{n}", person_id(n), category, 2] for n, category in
              enumerate(("低保户", "城乡低保", "残疾人家庭", "低保", "火星户"), start=1))]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, _ = merged(cli, camp)
    assert roster[Col.CATEGORY].tolist() == ["低保", "低保", "残疾户", "低保", "火星户"]
    assert roster[Col.REPORTED_CATEGORY].fillna("").tolist() == [
        "低保户", "城乡低保", "残疾人家庭", "", ""]
    invalid = problems[problems["问题类型"] == "类别无效"]
    assert invalid["来源行"].tolist() == [6]


def test_the_column_whose_values_are_categories_is_used(cli, camp):
    rows = [["户主姓名", "身份证号", "人员类型", "类型"],
            ["测试1", person_id(1), "普通人员", "低保户"],
            ["测试2", person_id(2), "普通人员", "残疾户"]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[Col.CATEGORY].tolist() == ["低保", "残疾户"]


def test_a_header_that_names_a_category_gives_it_to_its_values(cli, camp):
    rows = [["姓名", "身份证件号码", "参战类别"],
            ["测试1", person_id(1), "12 中越边境自卫反击作战"]]
    write_openpyxl(camp.inbox / "青山村.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[[Col.CATEGORY, Col.REPORTED_CATEGORY]].values.tolist() == [
        ["参战涉核人员", "12 中越边境自卫反击作战"]]


def test_without_a_category_column_the_title_names_it_with_a_warning(cli, camp):
    rows = [["东湖社区2027年春节低保对象花名册"], ["户主姓名", "身份证号", "家庭人口"],
            ["测试1", person_id(1), 1], ["测试2", person_id(2), 3]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, _ = merged(cli, camp)
    assert roster[Col.CATEGORY].tolist() == ["低保", "低保"]
    warning = problems[problems["问题类型"] == "类别按标题计"]
    assert len(warning) == 1 and warning["级别"].iloc[0] == "警告"
    assert "标题写的是“低保对象”" in warning["说明"].iloc[0]


def test_a_group_name_in_the_title_is_not_a_category(cli, camp):
    rows = [["低保边缘家庭名单"], ["户主姓名", "身份证号", "家庭人口"], ["测试1", person_id(1), 1]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, problems, _ = merged(cli, camp)
    assert roster[Col.CATEGORY].fillna("").tolist() == [""]
    assert "类别按标题计" not in kinds(problems)


def test_the_id_column_beats_a_certificate_number_on_its_left(cli, camp):
    rows = [["证件号码", "户主姓名", "身份证号码", "家庭人口"],
            ["330106202300012", "测试1", person_id(1), 2],
            ["330106202300013", "测试2", person_id(2), 1]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[Col.ID].tolist() == [person_id(1), person_id(2)]


def test_a_street_named_like_a_unit_does_not_claim_the_file(cli, camp):
    """东湖街道 in the title is a street, not 东湖社区: the file name says 西湖社区."""
    rows = [["东湖街道 2027年慰问对象名单"], ["户主姓名", "身份证号", "类别"], person(1)[:3]]
    write_openpyxl(camp.inbox / "西湖社区.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[Col.UNIT].tolist() == ["西湖社区"]


def test_two_column_list_of_names_and_ids_is_read(cli, camp):
    rows = [["户主姓名", "身份证件号码"], ["测试1", person_id(1)]]
    write_openpyxl(camp.inbox / "青山村.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[[Col.NAME, Col.ID]].values.tolist() == [["测试1", person_id(1)]]


def test_an_alias_given_to_two_categories_is_reported():
    header = list(DEFAULT_STANDARDS[0])
    rows = [header, *[[r[c] for c in header] for r in DEFAULT_STANDARDS[:2]]]
    rows[2][header.index(StdCol.ALIASES)] = "低保户、大病患者"
    problems = []
    standards = load_standards(rows, problems)
    assert [(p.code, p.row, p.column) for p in problems] == [
        ("settings.duplicate_alias", 3, StdCol.ALIASES)]
    assert standards[1].aliases == ("大病患者",)
    assert "低保户" in standards[0].aliases and Sheet.STANDARDS in problems[0].message


def test_a_name_column_headed_by_whom_the_list_is_about(cli, camp):
    rows = [["申报项目", "申报职工", "身份证号", "困难类别"],
            ["春节慰问", "测试1", person_id(1), "困难职工"]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, _, _ = merged(cli, camp)
    assert roster[[Col.NAME, Col.ID, Col.CATEGORY]].values.tolist() == [
        ["测试1", person_id(1), "困难职工"]]


def test_family_members_under_the_heads_columns(cli, camp):
    """户主姓名 / 户主身份证号, then one row per 家庭成员姓名 with that member's 身份证号."""
    rows = [["户主姓名", "户主身份证号", "家庭住址", "家庭成员姓名", "身份证号"],
            ["钱一", person_id(1), "文一路1号", "钱一", person_id(1)],
            ["钱一", person_id(1), "文一路1号", "钱二", person_id(2)],
            ["孙三", person_id(3), "文一路3号", "孙四", person_id(4)]]
    write_openpyxl(camp.inbox / "东湖社区.xlsx", rows)
    roster, _, report = merged(cli, camp)
    assert roster[[Col.NAME, Col.ID, Col.SIZE]].values.tolist() == [
        ["钱一", person_id(1), 2], ["孙三", person_id(3), 1]]
    assert report["members_folded"] == 1
