"""What a new campaign workbook ships with: the office's plan as default settings.

The build script writes these rows into 参数 / 标准; the settings loader uses the specs to know
each parameter's type. All values stay editable by the clerk in the workbook.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .names import (DEFAULT_ALLOWED_RELATIONS, DEFAULT_OFFICE, DEFAULT_PHONE_LIMIT,
                    DEFAULT_UNIT_TYPES, DIBAO, EDGE_CATEGORIES, OWN_UNIT, PARAM_ALLOWED_RELATIONS,
                    PARAM_LAST_CAMPAIGN, PARAM_NOTICE, PARAM_OFFICE, PARAM_PHONE_LIMIT, PARAM_REFERENCE, PARAM_UNIT_TYPES,
                    STANDARD_COLUMNS, Group, Method, Param, Payment, StdCol, VisitParam)


#: leader visits: the minimum households per contact point, the categories proposed first
DEFAULT_MIN_PER_POINT = 4
DEFAULT_PREFERRED = "大重病患者、70岁以上特困独居老人"


@dataclass(frozen=True)
class ParamSpec:
    key: str
    kind: str          # text | date | number | ratio | int
    default: Any
    help: str
    required: bool = True


PARAM_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec(Param.TITLE, "text", "2027年春节走访慰问", "印在模板、签字表和汇总表的标题上"),
    ParamSpec(Param.START, "date", dt.date(2027, 1, 20), "慰问开始日期；年龄按这一天计算"),
    ParamSpec(Param.END, "date", dt.date(2027, 2, 5), "慰问结束日期"),
    ParamSpec(Param.RETURN_DEADLINE, "date", dt.date(2027, 1, 10), "各社区/村交回名单的截止日期"),
    ParamSpec(Param.SIGNOFF_DEADLINE, "date", dt.date(2027, 2, 10), "签字确认表交回民政办的日期"),
    ParamSpec(Param.BUDGET, "number", 1_500_000, "本次慰问金预算（元）；超出时提示"),
    ParamSpec(Param.AUDIT_RATIO, "ratio", 0.10, "节后电话回访的抽查比例，每个单位按此比例抽取"),
    ParamSpec(Param.SEED, "int", 20270101, "抽查用的随机种子；种子相同，抽出的名单相同"),
    # checks: optional; blank = no coverage check
    ParamSpec(PARAM_REFERENCE, "text", "",
              "（可选）民政系统导出的低保户名单：活动文件夹里的文件名（如 低保名单.xlsx）或本工作簿中的工作表名；"
              "用来查出名单上没有任何单位报送的户，以及报为低保却不在名单上的户", required=False),
    # leader visits: optional rows, older workbooks without them use these defaults
    ParamSpec(VisitParam.MIN_PER_POINT, "int", DEFAULT_MIN_PER_POINT, "领导走访：每个组在每个联系点至少走访的户数",
              required=False),
    ParamSpec(VisitParam.PREFERRED, "text", DEFAULT_PREFERRED,
              "领导走访：自动安排走访对象时优先选择的类别，用顿号分隔", required=False),
    # signature check: optional; older workbooks without the row use the default list
    ParamSpec(PARAM_ALLOWED_RELATIONS, "text", "、".join(DEFAULT_ALLOWED_RELATIONS),
              "核对签字：可以代户主签收的与户主关系，用顿号分隔；其他关系算代签", required=False),
    # 不漏户、不错发: optional rows, older workbooks without them use these defaults
    ParamSpec(PARAM_UNIT_TYPES, "text", "、".join(DEFAULT_UNIT_TYPES),
              "“单位”表“类型”列可以填的类型，用顿号分隔；需要时可以添加（如 学校、医院）", required=False),
    ParamSpec(PARAM_LAST_CAMPAIGN, "text", "",
              "（可选）上次活动的 Weiwen.xlsm（或名册文件）的位置，如 ..\\2026中秋慰问\\Weiwen.xlsm；"
              "填了就列出上次慰问过、这次没有报的户，以及新增户、类别或金额有变化的户（“对比”表）",
              required=False),
    ParamSpec(PARAM_PHONE_LIMIT, "int", DEFAULT_PHONE_LIMIT,
              "同一个联系电话最多用于几户；超过的各户标为待核（防止冒领）", required=False),
    ParamSpec(PARAM_OFFICE, "text", DEFAULT_OFFICE,
              "经办这次活动的部门，印在签字表、走访名单的签名栏（街道一般是民政办；机关可填工会等）",
              required=False),
    ParamSpec(PARAM_NOTICE, "text", "否",
              "填“是”时，生成签字表的同时为每个单位生成一份公示名单（output/公示名单），"
              "只有姓名、类别、家庭人口、金额，不含身份证号、电话、银行卡号、地址；"
              "要隐去姓名中的一个字（印成 张*明）填“是（隐去一字）”", required=False),
)


#: how returns word each category of the plan (标准.别名): the returned value is read as the
#: category and kept visible in 名册.填报类别
DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    DIBAO: ("低保户", "城乡低保", "城市低保", "农村低保", "城镇低保", "最低生活保障", "最低生活保障对象",
            "最低生活保障家庭", "城乡居民最低生活保障", "城市居民最低生活保障", "农村居民最低生活保障",
            "低保对象", "低保家庭", "低保人员", "城市低保户", "农村低保户"),
    "台胞/少数民族困难家庭": ("台胞困难家庭", "少数民族困难家庭", "台胞家庭", "少数民族家庭"),
    "大重病患者": ("大病患者", "重病患者", "大重病", "重特大疾病患者", "重大疾病患者", "大病重病患者"),
    "残疾户": ("残疾人家庭", "残疾家庭", "残疾人", "残疾", "困难残疾人", "重度残疾人", "一户多残", "视力残疾",
            "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"),
    "困难学生家庭": ("困难学生", "贫困学生", "家庭经济困难学生", "困难学生户"),
    "70岁以上特困独居老人": ("特困独居老人", "独居老人", "高龄独居老人", "特困老人"),
    "失地困难农民家庭": ("失地农民", "失地困难农民", "失地农民家庭"),
    "妇联慰问对象": ("妇联", "困难妇女", "贫困母亲", "单亲困难母亲"),
    "低收入困难家庭": ("低收入家庭", "低收入户", "低收入", "低收入困难户", "低收入人口"),
    "重点优抚对象": ("优抚对象", "重点优抚", "伤残军人", "残疾军人", "烈属", "烈士遗属", "因公牺牲军人遗属",
               "病故军人遗属", "三属", "三属人员", "在乡复员军人", "带病回乡退伍军人", "伤残人员"),
    "参战涉核人员": ("参战人员", "涉核人员", "参试人员", "参战参试人员", "参战涉核", "参战退役人员", "参战",
               "参试", "涉核"),
    "精简老职工": ("精减老职工", "精简退职老职工", "精简下放职工", "精简职工"),
    "大屠杀幸存者": ("南京大屠杀幸存者", "幸存者"),
}


#: who pays each category (the street plan's 责任分解): 低保 by 社会事务科 with 财政所 by bank card,
#: the 低保边缘 groups by each 社区/村 in cash (所在单位), the others by the body in charge of them
DEFAULT_DEPARTMENTS: dict[str, str] = {
    DIBAO: "社会事务科", "妇联慰问对象": "妇联", "重点优抚对象": "退役军人服务站",
    "参战涉核人员": "退役军人服务站", "精简老职工": "社会事务科", "大屠杀幸存者": "社会事务科",
}


def _std(category: str, group: str, method: str, *, amount: float | None = None,
         sizes: tuple[float | None, float | None, float | None] = (None, None, None),
         priority: int, payment: str, condition: str = "") -> dict[str, Any]:
    return {
        StdCol.CATEGORY: category, StdCol.GROUP: group, StdCol.METHOD: method,
        StdCol.AMOUNT: amount, StdCol.SIZE1: sizes[0], StdCol.SIZE2: sizes[1],
        StdCol.SIZE3: sizes[2], StdCol.PRIORITY: priority, StdCol.PAYMENT: payment,
        StdCol.CONDITION: condition, StdCol.ALIASES: "、".join(DEFAULT_ALIASES.get(category, ())),
        StdCol.DEPARTMENT: DEFAULT_DEPARTMENTS.get(category, OWN_UNIT),
    }


#: the office's plan (DESIGN.md "Rules from the office's own plans")
DEFAULT_STANDARDS: tuple[dict[str, Any], ...] = (
    _std(DIBAO, Group.DIBAO, Method.BY_SIZE, sizes=(550, 900, 1100), priority=1,
         payment=Payment.CARD),
    *(
        _std(c, Group.EDGE, Method.PER_HOUSEHOLD, amount=700, priority=2, payment=Payment.CASH,
             condition="年龄>=70" if c == "70岁以上特困独居老人" else "")
        for c in EDGE_CATEGORIES
    ),
    _std("重点优抚对象", Group.OTHER, Method.PER_PERSON, amount=800, priority=3, payment=Payment.CASH),
    _std("参战涉核人员", Group.OTHER, Method.PER_PERSON, amount=800, priority=3, payment=Payment.CASH),
    _std("精简老职工", Group.OTHER, Method.PER_PERSON, amount=600, priority=3, payment=Payment.CASH),
    _std("大屠杀幸存者", Group.OTHER, Method.PER_PERSON, amount=800, priority=3, payment=Payment.CASH),
)

assert all(tuple(row) == STANDARD_COLUMNS for row in DEFAULT_STANDARDS)
