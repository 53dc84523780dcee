"""What a header cell means: every canonical column it could be, with a score.

The words civil-affairs forms really use (import templates and query exports of the provincial
systems, 花名册, 发放签字表, payment lists): exact wordings score highest, then the shape of the
words (…姓名, …身份证号, …类别, …地址) and the words around them: 户主 marks the household head,
成员 / 监护人 / 照料人 / 帮扶人 / 经办人 … mark somebody else (their name or ID is never the
household's), 证件号码 is weaker than 身份证号码 (it may be a 低保证 number). A trailing `*`,
brackets and units such as （人）（元）, spaces and line breaks are ignored.

`classify(text)` gives the candidates of one cell; headers.py chooses the best assignment for a
whole row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..names import Col, Internal
from ..values import to_text
from .normalize import simplify

#: a cell that names somebody else's field (a member's name, a caregiver's ID …)
OTHER = "_其他人"

_BRACKETS = re.compile(r"[（(\[【〔<《][^）)\]】〕>》]*[）)\]】〕>》]")
_JUNK = re.compile(r"[\s\u3000*＊※☆★:：;；.。、，,\"'“”‘’·_\-—~～#＃]+")
_NUMBERING = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,2})[、.．]")


@lru_cache(maxsize=8192)
def header_key(value: object) -> str:
    """"身份證號碼 (18位)*" → 身份证号码: Simplified, no spaces, marks, brackets or units."""
    text = simplify(to_text(value))
    if not text or len(text) > 40:
        return ""
    text = _NUMBERING.sub("", text.strip())
    text = _BRACKETS.sub("", text)
    return _JUNK.sub("", text).lower()


@dataclass(frozen=True)
class Candidate:
    column: str        # a Col, an Internal head/relation column, or OTHER
    score: int         # 1-100
    head: bool = False  # the word names the household head (户主…)
    subject: str = ""   # who the word is about (受助人, 收款人 …), to pair a name with its ID


# --- words ---------------------------------------------------------------------------------------

#: somebody other than the person the row is about
_OTHERS = ("成员", "家属", "亲属", "配偶", "监护人", "照料人", "照护人", "护理人", "帮扶人", "帮扶责任人",
           "责任人", "结对", "经办人", "经手人", "联系人", "填表人", "填报人", "审核人", "审批人",
           "负责人", "代理人", "代领人", "委托人", "受托人", "子女", "父亲", "母亲", "儿子", "女儿",
           "住院者", "死者", "法人", "法定代表人", "领款人", "领取人", "签收人", "签字", "签名", "签章",
           "操作员", "录入", "调查人", "走访人", "慰问人", "推荐人", "担保人", "民警", "工作人员",
           "村干部", "网格员", "包户", "驻村", "干部", "户籍员", "统计人", "制表")
#: who the row is about, when a name or ID header says so
_SUBJECTS = ("户主", "受助人", "受助对象", "救助对象", "慰问对象", "申请人", "收款人", "持卡人", "老人",
             "职工", "享受人员", "享受对象", "保障对象", "补助对象", "对象", "残疾人", "优抚对象",
             "参战人员", "困难群众", "被慰问人", "本人", "人员", "学生", "户名")
_HEAD = "户主"
#: a household member (not somebody outside the family)
_MEMBERS = ("成员", "家属", "亲属")
#: what a list says it does to the person it names (申报职工, 帮扶对象, 慰问老人)
_DOING = ("申报", "慰问", "救助", "帮扶", "补助", "资助", "享受", "困难", "走访", "保障", "供养")
_MEMBER_NUMBER = re.compile(r"(成员|家属|子女)[一二三四五六七八九十\d]|[一二三四五六七八九十\d]$")
_CERTIFICATE = ("低保", "残疾", "特困", "五保", "优待", "优抚", "军人", "军官", "退役", "供养", "救助证")

_EXACT: dict[str, tuple[str, int]] = {}


def _words(column: str, score: int, *words: str) -> None:
    for word in words:
        _EXACT[word] = (column, score)


_words(Col.SEQ, 100, "序号", "顺序号", "序")
_words(Col.SEQ, 70, "编号", "no", "排序")
_words(Col.CATEGORY, 100, "类别", "慰问类别", "对象类别", "人员类别", "困难类别", "救助类别",
       "保障类别", "享受保障类别", "慰问对象类别", "救助对象类别", "家庭类别", "户类别")
_words(Col.CATEGORY, 95, "慰问类型", "家庭类型", "救助类型", "受助类型", "低保类型", "低保种类",
       "优抚对象类别", "参战类别", "贫困类型", "贫困户类型", "困难类型", "专项救助对象", "对象类型",
       "救助对象类型", "保障类型", "户类型", "困难户类型", "帮扶类型", "享受类别")
_words(Col.CATEGORY, 85, "困难标准", "农户属性", "人员类型", "属别", "经济类型", "困难程度",
       "家庭属性", "户属性", "类型", "种类")
_words(Col.CATEGORY, 65, "慰问项目", "人员身份", "职工身份", "享受待遇", "补贴类型", "补助类型",
       "残疾类别", "残疾类型", "致困类型")
_words(Col.CATEGORY, 30, "原始类型")
_words(Col.SIZE, 100, "家庭人口", "家庭人口数", "家庭人数", "家庭人口总数", "共同生活人数",
       "家庭成员人数", "家庭成员数", "户人口", "户人口数", "户人数")
_words(Col.SIZE, 85, "人口", "人口数", "保障人口", "保障人口数", "保障人数", "享受保障人数",
       "救助人数", "享受人数", "供养人数", "慰问人数")
_words(Col.SIZE, 60, "人数")
_words(Col.PHONE, 100, "联系电话", "手机号码", "手机号", "联系电话号码", "户主电话", "户主联系电话",
       "户主联系方式", "户主手机", "户主手机号", "户主手机号码", "联系手机", "本人电话", "本人联系电话")
_words(Col.PHONE, 90, "电话", "手机", "联系方式", "电话号码", "移动电话", "家庭电话", "住宅电话",
       "老人联系方式", "收款人手机号", "收款人电话", "联系号码")
_words(Col.PHONE, 70, "固定电话", "座机")
_words(Col.CARD, 100, "银行卡号", "银行账号", "银行帐号", "开户银行账号", "开户银行帐号", "开户行账号",
       "开户行帐号", "银行卡账号", "银行卡帐号", "收款人银行账号", "收款人账号", "银行存折帐号",
       "银行存折账号", "卡号/账号", "卡号账号")
_words(Col.CARD, 90, "卡号", "账号", "帐号", "银行卡", "开户账号", "开户帐号", "收款账号", "收款帐号",
       "收方账号", "收方帐号", "存折账号", "存折帐号", "代发账号", "银行账户", "一卡通账号", "一卡通帐号",
       "一卡通", "一卡通号", "惠农卡号", "一卡通卡号", "账户号码", "帐户号码", "工资卡号", "惠民卡号")
_words(Col.CARD, 80, "社保卡号", "社会保障卡号", "社保卡账号", "社保卡", "金融社保卡号")
_words(Col.CARD, 55, "账户")
_words(Col.BANK, 100, "开户银行", "开户行", "开户银行名称", "开户行名称", "开户行全称", "收款人开户行")
_words(Col.BANK, 90, "银行名称", "收方开户行名称", "收款银行", "收款行名称", "所属银行", "发卡银行",
       "开户网点", "开户银行网点名称", "开户银行网点", "开户支行")
_words(Col.BANK, 75, "开户银行详细名称", "银行", "开户机构", "代发银行")
_words(Col.ADDRESS, 100, "家庭住址", "家庭地址", "现住址", "现居住地址", "实际居住地址", "家庭现住址",
       "居住地址", "现居住地", "现住地址")
_words(Col.ADDRESS, 90, "住址", "地址", "详细地址", "现房住址", "收款人家庭地址", "联系地址", "家庭详细地址")
_words(Col.ADDRESS, 80, "户籍地址", "户籍住址", "户口簿住址", "户口地址", "户籍所在地", "住所", "居住地",
       "通讯地址")
_words(Col.NOTE, 100, "备注", "备注说明")
_words(Col.NOTE, 60, "说明", "其他说明")
_words(Col.UNIT, 95, "社区", "村", "社区村", "村社区", "社区/村", "村/社区", "所属社区", "所属村",
       "所在社区", "所在村", "所在村社区", "所属村社区", "所属村居", "社区名称", "村名称", "村居",
       "行政村", "村组", "社区居委会", "村委会", "居委会", "村居委会")
_words(Col.UNIT, 80, "单位", "村别", "所属社", "村名", "填报单位", "所属村组", "村民委员会", "居民委员会")
_words(Col.UNIT, 55, "单位名称")
_words(Internal.RELATION, 100, "与户主关系", "与户主的关系", "与户主关系称谓", "与户主间关系",
       "户主或与户主关系")
_words(Internal.RELATION, 80, "家庭关系", "关系", "与申请人关系", "家庭成员关系")


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def _subject(prefix: str) -> str:
    return next((s for s in _SUBJECTS if s in prefix), "")


def _about_someone_else(prefix: str) -> bool:
    return _has_any(prefix, _OTHERS) or bool(_MEMBER_NUMBER.search(prefix))


def _name(key: str) -> Candidate | None:
    """户主姓名, 姓名, 受助人姓名, 老人姓名, 收款人全称, 户名 … (None when it is no name)."""
    for tail in ("姓名", "名字", "全称", "名称", "名"):
        if key.endswith(tail):
            prefix = key[: -len(tail)]
            break
    else:
        if key in (_HEAD, "户主名", "户主人"):
            return Candidate(Col.NAME, 95, head=True, subject=_HEAD)
        if key in _SUBJECTS and key not in ("人员", "本人", "对象"):
            return Candidate(Col.NAME, 75, subject=key)
        doing = next((d for d in _DOING if key.startswith(d)), "")
        subject = key[len(doing):] if doing else ""
        if subject in _SUBJECTS and subject not in ("本人", "户名"):
            return Candidate(Col.NAME, 70, subject=subject)   # 申报职工, 帮扶对象
        return None
    if tail == "名" and prefix not in ("户", "户主", "账户", "帐户", "姓"):
        return None                       # 地名, 病名 … are no names of people
    if tail == "名称" and not _subject(prefix):
        if prefix in ("", "户"):
            return Candidate(Col.NAME, 35)
        if prefix in ("账户", "帐户", "银行账户", "银行帐户", "收方账户", "收款账户"):
            return Candidate(Col.NAME, 35, subject="账户")
        return None                       # 单位名称, 银行名称, 学校名称 …
    if _about_someone_else(prefix):
        member = _has_any(prefix, _MEMBERS) and not _MEMBER_NUMBER.search(prefix)
        return Candidate(OTHER, 90, subject="成员" if member else "")
    if _HEAD in prefix and "与户主" not in prefix:
        return Candidate(Col.NAME, 100, head=True, subject=_HEAD)
    if prefix in ("", "姓"):
        return Candidate(Col.NAME, 80)
    if prefix in ("户", "开户", "收方户", "收款户", "账户", "帐户"):
        return Candidate(Col.NAME, 40, subject="账户")
    subject = _subject(prefix)
    if subject:
        return Candidate(Col.NAME, 90, subject=subject)
    return Candidate(Col.NAME, 45)         # 某某姓名: most likely the listed person


def _id(key: str) -> Candidate | None:
    """身份证号码, 户主身份证号, 公民身份号码, 证件号码 … (None for 低保证号, 证件类型 …)."""
    strong = re.search(r"身份证|身份号码|公民身份|社会保障号|社保号|身份证件", key)
    weak = re.search(r"证件号|证件编号|证件号码|证号码", key)
    if not strong and not weak:
        return None
    at = (strong or weak).start()
    prefix = key[:at]
    if not strong and _has_any(prefix, _CERTIFICATE):
        return None                       # 低保证件号码, 残疾证件号 …
    if "类型" in key or "种类" in key or "有效期" in key or "地址" in key or "照片" in key:
        return None
    if _about_someone_else(prefix):
        return Candidate(OTHER, 90)
    score = 100 if strong else 60
    if _HEAD in prefix:
        return Candidate(Col.ID, score, head=True, subject=_HEAD)
    return Candidate(Col.ID, score - (0 if not prefix or _subject(prefix) else 10),
                     subject=_subject(prefix))


def _by_shape(key: str) -> Candidate | None:
    """Columns recognised by the end of their header: …地址, …电话, …账号, …类别 …"""
    other = _about_someone_else(key)
    if re.search(r"(账号|帐号|卡号|账户号)$", key) and not _has_any(key, ("qq", "微信", "支付宝", "户号")):
        return Candidate(Col.CARD, 20 if other else 75)
    if re.search(r"(电话|手机|手机号|手机号码|联系方式)$", key) and "单位" not in key:
        return Candidate(Col.PHONE, 20 if other else 75)
    if (re.search(r"(银行|开户行|网点)(名称|全称)?$", key)
            and not _has_any(key, ("行号", "代码", "编码", "地址"))):
        return Candidate(Col.BANK, 70)
    if (re.search(r"(地址|住址|住所)$", key)
            and not _has_any(key, ("开户行", "银行", "单位", "工作", "邮箱", "网址", "电子", "学校"))):
        return Candidate(Col.ADDRESS, 20 if other else 70)
    if re.search(r"^(家庭|户|共同生活)\S*(人口|人数)(数|总数)?$", key):
        return Candidate(Col.SIZE, 80)
    if re.search(r"(类别|类型|种类|属性)$", key) and not other and not _has_any(
            key, ("证件", "户籍", "户口", "账户", "帐户", "卡", "银行", "发放", "支付", "资金", "房屋",
                  "住房", "结构", "学校", "单位", "企业", "婚姻", "文化", "血型", "政治", "民族", "劳动",
                  "健康", "参保", "医保", "保险", "变动", "审批", "业务", "申请")):
        return Candidate(Col.CATEGORY, 60)
    return None


@lru_cache(maxsize=8192)
def classify_key(key: str) -> tuple[Candidate, ...]:
    """Every column a normalised header text may name, best first."""
    if not key:
        return ()
    found: list[Candidate] = []
    if key in _EXACT:
        column, score = _EXACT[key]
        found.append(Candidate(column, score))
    for parse in (_name, _id):
        candidate = parse(key)
        if candidate is not None and (not found or candidate.column != found[0].column):
            found.append(candidate)
    if not found:
        shaped = _by_shape(key)
        if shaped is not None:
            found.append(shaped)
    for c in list(found):                  # 户主姓名 is also the head's name in a per-person list
        if c.head and c.column in (Col.NAME, Col.ID):
            found.append(Candidate(Internal.HEAD_NAME if c.column == Col.NAME else Internal.HEAD_ID,
                                   c.score, head=True, subject=_HEAD))
    return tuple(sorted(found, key=lambda c: -c.score))


def classify(value: object) -> tuple[Candidate, ...]:
    return classify_key(header_key(value))


def is_header_word(value: object) -> bool:
    """Whether a cell reads like a column header of a household list (known, or someone else's)."""
    return bool(classify(value))
