"""The one place that owns Weiwen's canonical names.

Sheet names, result columns of 名册 / 问题, settings keys, categories and their groups, statuses,
severities and payment methods are defined here once. Every other module imports them; a Chinese
header string written anywhere else is a bug.
"""
from __future__ import annotations

from enum import StrEnum


class Sheet(StrEnum):
    GUIDE = "说明"
    PARAMS = "参数"
    UNITS = "单位"
    STANDARDS = "标准"
    ROSTER = "名册"
    PROBLEMS = "问题"
    PROBLEM_KINDS = "问题分类"     # counts of 问题 by 级别 and 问题类型
    SUMMARY = "汇总"
    XLWINGS_CONF = "xlwings.conf"
    REFERENCES = "对照名单"      # settings: lists the roster is checked against (必须在 / 不能在)
    COMPARISON = "对比"          # result: this campaign against the previous one (参数 上次活动)
    PAYMENT_RESULTS = "发放结果"  # result: the bank's payment results matched to 银行代发


#: the settings sheets read by every operation (对照名单 is optional: older workbooks lack it)
SETTINGS_SHEETS = (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS, Sheet.REFERENCES)
#: the order of sheets in the workbook the build script makes
WORKBOOK_SHEETS = (Sheet.GUIDE, Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS, Sheet.REFERENCES,
                   Sheet.ROSTER, Sheet.PROBLEMS, Sheet.PROBLEM_KINDS, Sheet.SUMMARY,
                   Sheet.COMPARISON, Sheet.PAYMENT_RESULTS)


class Col(StrEnum):
    """Columns of the 名册 sheet and of the roster DataFrame (same names, same order)."""
    SEQ = "序号"
    UNIT = "单位"
    NAME = "户主姓名"
    ID = "身份证号"
    CATEGORY = "类别"
    REPORTED_CATEGORY = "填报类别"    # what the unit wrote, when 类别 was read from it by 标准.别名
    SIZE = "家庭人口"
    PHONE = "联系电话"
    CARD = "银行卡号"
    BANK = "开户银行"                 # optional: the receiving bank, carried to 银行代发
    ADDRESS = "地址"
    AMOUNT = "金额"
    PAYMENT = "发放方式"
    BASIS = "计发依据"
    STATUS = "状态"
    ISSUES = "问题"
    SRC_FILE = "来源文件"
    SRC_ROW = "来源行"
    NOTE = "备注"


ROSTER_COLUMNS: tuple[str, ...] = tuple(Col)

#: what a community fills in its return (the template's columns, in order)
RETURN_COLUMNS: tuple[str, ...] = (
    Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.PHONE, Col.CARD, Col.ADDRESS, Col.NOTE,
)
#: a return row without these cannot be paid
REQUIRED_COLUMNS: tuple[str, ...] = (Col.NAME, Col.ID, Col.CATEGORY)
#: kept as text everywhere: Excel would turn them into floats and lose digits
TEXT_COLUMNS: tuple[str, ...] = (Col.ID, Col.PHONE, Col.CARD)


class Internal(StrEnum):
    """Working columns carried between steps, never written to 名册 (they start with '_')."""
    UNIT_CODE = "_单位编码"
    AGE = "_年龄"
    ID_FROM_NUMBER = "_身份证号来自数字"   # the cell held a number, not text: digits may be lost
    CARD_FROM_NUMBER = "_银行卡号来自数字"  # the same for 银行卡号 (16–19 digits: some are lost)
    KEY = "_键"                           # stable key: unit + ID + category (fallback: name)
    # a list with one row per family member (姓名 + 与户主关系 / 户主姓名 / 户主身份证号)
    HEAD_NAME = "_户主姓名"
    HEAD_ID = "_户主身份证号"
    RELATION = "_与户主关系"


class ProblemCol(StrEnum):
    """Columns of the 问题 sheet."""
    SEVERITY = "级别"
    UNIT = "单位"
    FILE = "来源文件"
    ROW = "来源行"
    NAME = "户主姓名"
    ID = "身份证号"
    KIND = "问题类型"
    MESSAGE = "说明"
    CODE = "代码"           # the problem's stable code (problems.py); the stage is its prefix


PROBLEM_COLUMNS: tuple[str, ...] = tuple(ProblemCol)


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"


class Status(StrEnum):
    VALID = "有效"
    DUPLICATE = "重复"
    ERROR = "错误"
    REVIEW = "待核"


class Payment(StrEnum):
    CARD = "银行打卡"
    CASH = "现金"


class Method(StrEnum):
    """计发方式 in 标准."""
    PER_HOUSEHOLD = "按户"            # 金额 once per household row
    PER_PERSON = "按人"               # 金额 per listed person (the row is the person cared for)
    BY_SIZE = "按户人数分档"           # 1人户 / 2人户 / 3人及以上户


class UnitType(StrEnum):
    """The unit types the shipped workbook offers; 参数 单位类型 may list more (PARAM_UNIT_TYPES)."""
    COMMUNITY = "社区"
    VILLAGE = "村"
    ENTERPRISE = "企业"
    INSTITUTION = "事业单位"
    ORGAN = "机关"
    SECTION = "科室"


#: 参数 row (optional): the unit types 单位.类型 accepts, 、 separated; the office may add its own
PARAM_UNIT_TYPES = "单位类型"
DEFAULT_UNIT_TYPES: tuple[str, ...] = tuple(t.value for t in UnitType)
#: how outputs name the units of a street office (all 社区 / 村) and of anyone else
UNIT_WORD_STREET = "社区/村"
UNIT_WORD_OTHER = "单位"


class StdCol(StrEnum):
    """Columns of the 标准 sheet."""
    CATEGORY = "类别"
    GROUP = "类别组"
    METHOD = "计发方式"
    AMOUNT = "金额"
    SIZE1 = "1人户"
    SIZE2 = "2人户"
    SIZE3 = "3人及以上户"
    PRIORITY = "优先级"
    PAYMENT = "发放方式"
    CONDITION = "条件"
    ALIASES = "别名"                  # other wordings of the category in returns (、 separated)
    DEPARTMENT = "责任部门"           # who pays the category (责任分解); 所在单位 = the household's unit


STANDARD_COLUMNS: tuple[str, ...] = tuple(StdCol)


class UnitCol(StrEnum):
    """Columns of the 单位 sheet."""
    CODE = "单位编码"
    NAME = "单位名称"
    TYPE = "类型"
    CONTACT = "联系人"
    PHONE = "电话"
    EMAIL = "邮箱"


UNIT_COLUMNS: tuple[str, ...] = tuple(UnitCol)


#: 标准.责任部门 meaning "the unit that listed the household pays it" (also a blank cell)
OWN_UNIT = "所在单位"


class ParamCol(StrEnum):
    """Columns of the 参数 sheet: one setting per row."""
    KEY = "项目"
    VALUE = "值"
    HELP = "说明"


PARAM_COLUMNS: tuple[str, ...] = tuple(ParamCol)


class Param(StrEnum):
    """Keys of the 参数 sheet."""
    TITLE = "活动名称"
    START = "开始日期"
    END = "结束日期"
    RETURN_DEADLINE = "回收截止日期"
    SIGNOFF_DEADLINE = "签字表上交日期"
    BUDGET = "预算"
    AUDIT_RATIO = "抽查比例"
    SEED = "随机种子"


class Group(StrEnum):
    """类别组: the three groups of the office's plan (a bureau campaign may add its own)."""
    DIBAO = "低保"
    EDGE = "低保边缘"
    OTHER = "其他"


#: the office's plan; 标准 ships with these rows (see defaults.py for the amounts)
DIBAO = "低保"
EDGE_CATEGORIES: tuple[str, ...] = (
    "台胞/少数民族困难家庭", "大重病患者", "残疾户", "困难学生家庭", "70岁以上特困独居老人",
    "失地困难农民家庭", "妇联慰问对象", "低收入困难家庭",
)
OTHER_CATEGORIES: tuple[str, ...] = ("重点优抚对象", "参战涉核人员", "精简老职工", "大屠杀幸存者")
DEFAULT_CATEGORIES: tuple[str, ...] = (DIBAO, *EDGE_CATEGORIES, *OTHER_CATEGORIES)

#: words in the condition column of 标准 (条件), e.g. "年龄>=70"
CONDITION_AGE = "年龄"

#: file names under CAMPAIGN/
WORKBOOK_FILE = "Weiwen.xlsm"
INBOX_DIR = "inbox"
OUTBOX_DIR = "outbox"
OUTPUT_DIR = "output"
BACKUP_DIR = ".backup"


# --- leader visits (走访安排 / 走访对象, `weiwen visits`) ---------------------------------------

class VisitSheet(StrEnum):
    """The two sheets of the visits step (settings-like: the clerk edits both)."""
    PLAN = "走访安排"        # one row per group (or per group and contact point)
    TARGETS = "走访对象"     # one row per visited household, keyed by 身份证号


VISIT_SHEETS = (VisitSheet.PLAN, VisitSheet.TARGETS)


class PlanCol(StrEnum):
    """Columns of 走访安排."""
    GROUP = "组别"
    LEADER = "带队领导"
    STAFF = "陪同人员"
    POINTS = "联系点"          # unit names from 单位, several separated by 、
    DATE = "计划日期"


PLAN_COLUMNS: tuple[str, ...] = tuple(PlanCol)


class TargetCol(StrEnum):
    """Columns of 走访对象."""
    GROUP = "组别"
    UNIT = "单位"
    NAME = "户主姓名"
    ID = "身份证号"
    REPORTED = "已备案"        # the household's situation was reported to 民政办 (是 / √)
    VISIT_DATE = "走访日期"
    PHOTOS = "照片"            # photo file names; filled by the tool when found in 照片/


TARGET_COLUMNS: tuple[str, ...] = tuple(TargetCol)


class VisitParam(StrEnum):
    """Keys of 参数 read by the visits step (optional rows)."""
    MIN_PER_POINT = "每个联系点最少走访户数"
    PREFERRED = "走访优先类别"


#: marks accepted in 走访对象.已备案 as "reported"
REPORTED_MARKS: tuple[str, ...] = ("是", "√", "✓", "✔", "已备案", "已", "Y", "YES", "1", "TRUE")
PHOTO_DIR = "照片"               # CAMPAIGN/照片/ (subfolders allowed)
VISITS_OUTPUT_DIR = "走访安排"    # CAMPAIGN/output/走访安排/<组别>.xlsx
VISITS_OVERVIEW_FILE = "走访安排总表.xlsx"


# --- outputs: signature sheets, finance summary, bank list, audit sample -----------------------
SIGNOFF_DIR = "签字确认表"                    # CAMPAIGN/output/签字确认表/<单位>.xlsx (+ .pdf)
SIGNOFF_BATCH_FILE = "签字确认表（全部单位）.xlsx"  # one sheet per unit, for batch printing
SIGNOFF_TEMPLATE_FILE = "签字确认表.xlsx"      # the layout: CAMPAIGN/templates/ first, then repo templates/
TEMPLATES_DIR = "templates"
SIGNED_DIR = "回收签字"                       # CAMPAIGN/回收签字/: filled signature sheets returned by units
SUMMARY_FILE = "汇总表.xlsx"
SUMMARY_VISITS_SHEET = "领导走访"   # second sheet of 汇总表.xlsx: visits per leader group
BANK_FILE = "银行代发.xlsx"
#: the card-paid households without a card number: for the clerk, never sent to the bank
BANK_NO_CARD_FILE = "银行代发缺卡号.xlsx"
AUDIT_FILE = "抽查名单.xlsx"
AUDIT_FOLLOWUP_FILE = "回访未确认名单.xlsx"


class SignCol(StrEnum):
    """Columns of the 签字确认表 (the template's header row; matched by these names)."""
    SEQ = "序号"
    NAME = "户主姓名"
    ID = "身份证号"
    CATEGORY = "类别"
    SIZE = "家庭人口"
    AMOUNT = "金额"
    SIGNATURE = "领取人签字"
    RELATION = "与户主关系"
    PHONE = "联系电话"
    DATE = "领取日期"
    NOTE = "备注"


SIGNOFF_COLUMNS: tuple[str, ...] = tuple(SignCol)


class BankCol(StrEnum):
    """Columns of 银行代发.xlsx (what a bank's batch-payment upload expects)."""
    SEQ = "序号"
    HOLDER = "户名"
    CARD = "银行卡号"
    BANK = "开户银行"
    AMOUNT = "金额"
    MEMO = "摘要"


BANK_COLUMNS: tuple[str, ...] = tuple(BankCol)


class AuditCol(StrEnum):
    """Columns of 抽查名单.xlsx; the last four are filled by whoever makes the calls."""
    SEQ = "序号"
    UNIT = "单位"
    NAME = "户主姓名"
    ID = "身份证号"
    CATEGORY = "类别"
    AMOUNT = "金额"
    PAYMENT = "发放方式"
    PHONE = "联系电话"
    ADDRESS = "地址"
    METHOD = "回访方式"
    RESULT = "回访结果"
    CALLER = "回访人"
    DATE = "回访日期"
    NOTE = "备注"


AUDIT_COLUMNS: tuple[str, ...] = tuple(AuditCol)
AUDIT_FILLED_COLUMNS: tuple[str, ...] = (AuditCol.METHOD, AuditCol.RESULT, AuditCol.CALLER,
                                         AuditCol.DATE, AuditCol.NOTE)


class CallResult(StrEnum):
    """回访结果 drop-down of 抽查名单."""
    RECEIVED = "已收到"
    NOT_RECEIVED = "未收到"
    WRONG_AMOUNT = "金额不符"
    UNREACHABLE = "联系不上"


CALL_METHODS: tuple[str, ...] = ("电话", "上门")

#: 参数 row (optional): who may sign for the household (与户主关系); anyone else is 代签
PARAM_ALLOWED_RELATIONS = "允许领取关系"
DEFAULT_ALLOWED_RELATIONS: tuple[str, ...] = (
    "本人", "户主", "配偶", "夫", "妻", "丈夫", "妻子", "子", "女", "儿子", "女儿", "父", "母",
    "父亲", "母亲", "儿媳", "女婿", "孙子", "孙女", "外孙", "外孙女", "兄", "弟", "姐", "妹",
    "兄弟", "姐妹", "祖父", "祖母", "家庭成员",
)
#: marks the clerk may type in 名册.备注 for a household whose paper sheet came back signed
SIGNED_MARKS: tuple[str, ...] = ("已签字", "已签", "已领", "√", "✓", "✔")


# --- checks and amounts ---------------------------------------------------------------------------
#: 参数 row (optional): the reference list to check coverage against — a file (path relative to the
#: campaign folder) or a sheet of Weiwen.xlsm, e.g. the 低保 roll exported from the civil-affairs system
PARAM_REFERENCE = "低保名单"
#: result sheet: the 问题 sheet's rows counted by 级别 and 问题类型
PROBLEM_KINDS_SHEET = Sheet.PROBLEM_KINDS
PROBLEM_KINDS_COLUMNS: tuple[str, ...] = ("级别", "问题类型", "条数")
#: optional return column: ID numbers of the household's other members (、 or , separated)
MEMBER_IDS = "家庭成员身份证号"
#: 备注 starting with one of these: the clerk verified a 待核 row, it stays 有效
REVIEWED_MARKS: tuple[str, ...] = ("已核实", "核实无误", "已核")


# --- 不漏户、不错发: reference lists, the previous campaign, money-safety, bank results, 公示 -----
#: 参数 rows (optional)
PARAM_LAST_CAMPAIGN = "上次活动"        # the previous campaign's Weiwen.xlsm (or a roster file)
PARAM_PHONE_LIMIT = "同一电话最多户数"   # more households than this on one phone: 待核
PARAM_NOTICE = "公示"                   # 是: also print the 公示名单 per unit
PARAM_OFFICE = "经办部门"               # who runs the campaign (民政办; a bureau's 工会 …), on paper
DEFAULT_OFFICE = "民政办"
DEFAULT_PHONE_LIMIT = 2
YES_MARKS: tuple[str, ...] = ("是", "√", "✓", "✔", "Y", "YES", "1", "TRUE", "要", "公示")


class RefCol(StrEnum):
    """Columns of the 对照名单 sheet: one reference list per row."""
    LIST = "名单"              # a file in the campaign folder, or a sheet of Weiwen.xlsm
    RULE = "规则"              # RefRule
    CATEGORIES = "适用类别"     # categories or 类别组 (、 separated); blank = every household
    NOTE = "说明"              # what a hit means, shown in 问题 (e.g. 已故，请核实)


REF_COLUMNS: tuple[str, ...] = tuple(RefCol)


class RefRule(StrEnum):
    MUST = "必须在"            # the households (of 适用类别) must be on the list; list entries no unit sent: 漏报
    MUST_NOT = "不能在"        # a household on the list is 待核 (a death list, a list of the already paid)


class CompareCol(StrEnum):
    """Columns of the 对比 sheet (this campaign against 参数 上次活动)."""
    CHANGE = "变化"
    UNIT = "单位"
    NAME = "户主姓名"
    ID = "身份证号"
    LAST_UNIT = "上次单位"
    LAST_CATEGORY = "上次类别"
    CATEGORY = "本次类别"
    LAST_AMOUNT = "上次金额"
    AMOUNT = "本次金额"
    NOTE = "说明"


COMPARE_COLUMNS: tuple[str, ...] = tuple(CompareCol)


class Change(StrEnum):
    """变化 in 对比."""
    MISSING = "本次未报"        # paid last time, not listed now
    NEW = "新增"
    CATEGORY = "类别变化"
    AMOUNT = "金额变化"


class PayCol(StrEnum):
    """Columns of the 发放结果 sheet: one row per household of 银行代发, then unmatched bank rows."""
    SEQ = "序号"
    UNIT = "单位"
    NAME = "户主姓名"
    ID = "身份证号"
    CARD = "银行卡号"
    DUE = "应发金额"
    PAID = "实发金额"
    RESULT = "结果"
    REASON = "失败原因"
    FILE = "结果文件"
    ROW = "结果行"
    NOTE = "说明"


PAY_COLUMNS: tuple[str, ...] = tuple(PayCol)


class PayResult(StrEnum):
    """结果 in 发放结果."""
    PAID = "实发"              # the bank says 成功
    FAILED = "失败"
    PENDING = "未返回"          # in 银行代发, in no result file yet
    UNMATCHED = "未匹配"        # a row of a result file that is no household of 银行代发


PAYMENT_RESULTS_DIR = "代发结果"            # CAMPAIGN/代发结果/: the bank's result files, any names
REISSUE_FILE = "重新发放名单.xlsx"          # output/: failed payments, to pay in cash or to a corrected card
NOTICE_DIR = "公示名单"                     # output/公示名单/<单位>.xlsx (+ .pdf)
