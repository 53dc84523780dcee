"""The real-header corpus (tests/header_corpus_forms.py) turned into messy returns and read back.

Every form becomes one returned file of its own unit: the source's title rows (or a title naming
the unit), its header exactly as the source has it (two-row headers with merged cells), fake
households from Faker zh_CN with valid ID numbers, a blank row, a 合计 row, the source's footer and
the notes a filler adds ("填表人：… | 联系电话：…"). The real `weiwen merge` reads the whole inbox;
`measure` compares 名册 with what was written, row by row:

- households read right: a 名册 row with the head's ID and name in the right unit;
- non-household rows merged: 名册 rows that come from a title, footer, note, 合计 or family-member
  row, or repeat a household already there;
- forms read: forms with at least one household read right;
- categories found: forms with a category-like column (or whose title names a category) whose
  households all got a 类别.

`python tests/header_corpus.py [DIR]` writes the campaign to DIR (a temporary folder if omitted),
runs the merge and prints the figures, for the whole corpus and per batch (tests/header_corpus_forms.py:
the second and third batches were collected after the reader was written).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from faker import Faker
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from stdnum import luhn
from stdnum.cn import ric

sys.path.insert(0, str(Path(__file__).resolve().parent))
from header_corpus_forms import FORMS as FIRST_BATCH  # noqa: E402
from header_corpus_forms import SECOND_BATCH, THIRD_BATCH, Form  # noqa: E402

from weiwen import workbook_io  # noqa: E402
from weiwen.campaign import init  # noqa: E402
from weiwen.names import UNIT_COLUMNS, Sheet, UnitCol  # noqa: E402

_PLACES = ("东湖 西溪 青山 红星 光明 和平 幸福 胜利 建设 新华 翠苑 古荡 文新 蒋村 留下 转塘 九莲 "
           "嘉绿 紫荆 金桥 银湖 松涛 竹林 梅园 兰亭 桂花 荷塘 柳浪 桃源 杏坛 枫林 槐树 樟树 芦荟 "
           "白沙 黄龙 赤岸 碧波 丹枫 绿野 石门 铜鼓 铁岭 玉泉 珠江 宝塔 龙井 凤起 鹤鸣 鹿港 "
           "麒麟 狮山 虎跑 象山 马塍 牛首 羊坝 鸡鸣 燕归 雁荡 鸥鹭 鹭洲 云栖 雾岭 霞湾 虹桥 "
           "星河 月湖 日晖 春晓 夏禹 秋涛 冬青 晨光 暮云 溪口 泉井").split()
_AREAS = ("330106", "330105", "330102", "330110", "330108", "330127")
_BANKS = ("中国农业银行", "中国工商银行杭州文新支行", "中国邮政储蓄银行", "杭州联合农村商业银行",
          "中国建设银行", "浙江农商银行")
_TEXTS = ("因病", "因残", "缺劳动力", "正常", "集中供养", "分散供养", "农业", "非农业", "已婚", "小学",
          "群众", "无业", "健康", "完全丧失", "城乡居民医保")
_RELATIONS = ("配偶", "子", "女", "孙子", "母亲")
FORMS: tuple[Form, ...] = (*FIRST_BATCH, *SECOND_BATCH, *THIRD_BATCH)


def unit_names(n: int) -> list[str]:
    return [p + ("村" if i % 3 == 2 else "社区") for i, p in enumerate(_PLACES[:n])]


@dataclass
class Person:
    name: str
    id: str
    birth: dt.date

    @property
    def sex(self) -> str:
        return "男" if int(self.id[16]) % 2 else "女"

    def age(self) -> int:
        return 2027 - self.birth.year


class People:
    """Fake people (Faker zh_CN names), ID numbers valid and unique across the corpus."""

    def __init__(self, seed: int) -> None:
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.serial = 0

    def person(self, *, old: bool = False) -> Person:
        self.serial += 1
        birth = dt.date(1925 if old else 1945, 1, 1) + dt.timedelta(
            days=(self.serial * 37) % (20 * 365 if old else 50 * 365))
        body = (self.rng.choice(_AREAS) + birth.strftime("%Y%m%d")
                + f"{self.serial % 1000:03d}")
        name = self.fake.name()
        return Person(name, body + ric.calc_check_digit(body + "0"), birth)

    def phone(self) -> str:
        return "1" + self.rng.choice("3578") + "".join(self.rng.choice("0123456789")
                                                        for _ in range(9))

    def card(self) -> str:
        body = "62" + "".join(self.rng.choice("0123456789") for _ in range(16))
        return body + luhn.calc_check_digit(body)


@dataclass
class Household:
    head: Person
    members: list[Person]             # the others
    category: str
    rows: list[int] = field(default_factory=list)   # Excel rows written for it
    head_row: int = 0


@dataclass
class Written:
    """One form written as one returned file."""
    form: Form
    unit: str
    file: str
    households: list[Household]
    row_kind: dict[int, str]          # Excel row → title/header/data/blank/total/footer/note


def _value(role: str, form: Form, hh: Household, who: Person, i: int, people: People,
           unit: str) -> Any:
    rng = people.rng
    size = 1 + len(hh.members)
    if role == "seq":
        return i
    if role in ("name", "hname"):
        return hh.head.name
    if role in ("id", "hid"):
        return hh.head.id
    if role == "pname":
        return who.name
    if role == "pid":
        return who.id
    if role == "rel":
        return "户主" if who is hh.head else rng.choice(_RELATIONS)
    if role == "cat":
        return hh.category
    if role == "size":
        return size
    if role == "phone":
        return people.phone()
    if role == "card":
        return people.card()
    if role == "bank":
        return rng.choice(_BANKS)
    if role == "holder":
        return hh.head.name
    if role == "addr":
        return f"{unit}{rng.randint(1, 30)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
    if role == "unit":
        return unit
    if role == "region":
        return rng.choice(("浙江省", "杭州市", "西湖区", "文新街道"))
    if role == "sex":
        return who.sex
    if role == "age":
        return who.age()
    if role == "birth":
        return who.birth.isoformat()
    if role == "nation":
        return "汉族"
    if role in ("money", "income"):
        return float(rng.choice((550, 700, 800, 900, 1100, 1260.5)))
    if role == "date":
        return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if role == "month":
        return f"{rng.randint(2015, 2024)}年{rng.randint(1, 12)}月"
    if role == "text":
        return rng.choice(_TEXTS)
    if role == "num":
        return rng.randint(0, 3)
    if role == "yesno":
        return rng.choice(("是", "否"))
    if role == "code":
        return "3301" + "".join(rng.choice("0123456789") for _ in range(8))
    if role == "mname":
        return people.person().name
    if role == "mid":
        return people.person().id
    if role == "mnames":
        return "、".join(m.name for m in hh.members)
    if role == "mids":
        return "、".join(m.id for m in hh.members)
    if role == "mrel":
        return rng.choice(_RELATIONS)
    if role == "employer":
        return people.fake.company()
    if role == "note":
        return rng.choice(("", "", "", "独居", "已核实"))
    if role in ("sign", "blank"):
        return None
    raise ValueError(f"unknown role {role!r} in form {form.key}")


def build(form: Form, index: int, unit: str, people: People) -> tuple[list[list[Any]], Written]:
    """The rows of one messy return of `form` for `unit` (Excel row r = list index r-1)."""
    rng = people.rng
    roles = form.role_list
    width = len(roles)
    rows: list[list[Any]] = []
    kinds: dict[int, str] = {}

    def add(row, kind: str) -> int:
        rows.append(list(row) + [None] * (width - len(row)) if len(row) < width else list(row))
        kinds[len(rows)] = kind
        return len(rows)

    titles = [[(v.format(unit=unit) if isinstance(v, str) else v) for v in r] for r in form.title]
    if not titles and "{unit}" not in form.file:
        titles = [[f"{unit}名单"]]
    for r in titles:
        add(r, "title")
    for r in form.header:
        add(r, "header")
    old = form.key in ("nc_elderly", "village_elderly")
    households = []
    for h in range(4 if form.persons else 5):
        head = people.person(old=old)
        n_members = rng.choice((0, 1, 2, 3)) if form.persons else rng.choice((0, 1, 2))
        members = [people.person() for _ in range(n_members)]
        category = form.categories[(index + h) % len(form.categories)] if form.categories else ""
        households.append(Household(head, members, category))
    seq = 0
    for h, hh in enumerate(households):
        if h == 2:
            add([], "blank")                      # a blank line between households
        persons = [hh.head, *hh.members] if form.persons else [hh.head]
        if form.persons and len(persons) > 2 and h % 2 and ("hid" in roles or "hname" in roles):
            persons = [persons[1], persons[0], *persons[2:]]   # head not always first
        if form.extra.get("head_listed") == "odd" and h % 2 == 0:
            if not hh.members:                   # a list of members only, not the head
                hh.members.append(people.person())
            persons = list(hh.members)
        for who in persons:
            seq += 1
            r = add([_value(role, form, hh, who, seq, people, unit) for role in roles], "data")
            hh.rows.append(r)
            if who is hh.head:
                hh.head_row = r
    add(["合计", f"{len(households)}户"], "total")
    for r in form.footer:
        add([(v.format(unit=unit) if isinstance(v, str) else v) for v in r], "footer")
    if index % 2 == 0:
        add(["填表人：王丽", None, "联系电话：0571-88001234", None, "填报日期：2027年1月8日"], "note")
    else:
        add(["注：身份证号请以文本格式填写，家庭人口填数字。"], "note")
    suffix = ".xls" if index % 7 == 3 and width <= 250 else ".csv" if index % 10 == 6 else ".xlsx"
    file = form.file.format(unit=unit).rsplit(".", 1)[0] + suffix
    return rows, Written(form, unit, file, households, kinds)


def _merges(rows: list[list[Any]], kinds: dict[int, str], width: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges as a unit's spreadsheet has them: titles across the table, a two-row
    header's single cells down, its group labels across their sub-columns."""
    out = []
    header = [r for r, k in kinds.items() if k == "header"]
    for r, k in kinds.items():
        row = rows[r - 1]
        if k == "title" and sum(v is not None for v in row) == 1 and row[0] is not None:
            out.append((r, 1, r, width))
    if len(header) == 2:
        top, sub = rows[header[0] - 1], rows[header[1] - 1]
        for c in range(width):
            if top[c] is not None and sub[c] is None:
                out.append((header[0], c + 1, header[1], c + 1))
            elif top[c] is not None:
                end = c
                while end + 1 < width and top[end + 1] is None and sub[end + 1] is not None:
                    end += 1
                if end > c:
                    out.append((header[0], c + 1, header[0], end + 1))
    return out


def write(path: Path, rows: list[list[Any]], written: Written) -> None:
    width = len(written.form.role_list)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        buf = io.StringIO()
        csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
        path.write_bytes(buf.getvalue().encode("utf-8-sig"))
        return
    if path.suffix == ".xls":
        import xlwt
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet(written.form.sheet[:31])
        merged = {(r, c) for r0, c0, r1, c1 in _merges(rows, written.row_kind, width)
                  for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
        for r0, c0, r1, c1 in _merges(rows, written.row_kind, width):
            ws.merge(r0 - 1, r1 - 1, c0 - 1, c1 - 1)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is not None and (r + 1, c + 1) not in merged:
                    ws.write(r, c, v)
        wb.save(str(path))
        return
    wb = Workbook()
    ws = wb.active
    ws.title = written.form.sheet[:31]
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v is None:
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str):
                cell.data_type = "s"
    for r0, c0, r1, c1 in _merges(rows, written.row_kind, width):
        ws.merge_cells(f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}")
    wb.save(path)


def make_campaign(root: Path, *, seed: int = 20) -> tuple[Any, list[Written]]:
    """A campaign with one unit per form and one messy return per form in its inbox."""
    campaign = init(root)
    units = unit_names(len(FORMS))
    frame = pd.DataFrame([{UnitCol.CODE: f"3301060{i:02d}", UnitCol.NAME: u,
                           UnitCol.TYPE: "村" if u.endswith("村") else "社区", UnitCol.CONTACT: "",
                           UnitCol.PHONE: "", UnitCol.EMAIL: ""} for i, u in enumerate(units)],
                         columns=list(UNIT_COLUMNS))
    workbook_io.write_frames(campaign.workbook, campaign.root, {Sheet.UNITS: frame})
    people = People(seed)
    out = []
    for i, (form, unit) in enumerate(zip(FORMS, units)):
        rows, written = build(form, i, unit, people)
        write(campaign.inbox / written.file, rows, written)
        out.append(written)
    return campaign, out


@dataclass
class FormResult:
    key: str
    batch: int
    file: str
    households: int
    right: int
    non_household: int
    has_category: bool
    category_found: bool
    category_mapped: int
    households_written: list[Household] = field(default_factory=list, repr=False)


def measure(written: list[Written], roster: pd.DataFrame, categories: set[str]) -> list[FormResult]:
    results = []
    for w in written:
        mine = roster[roster["来源文件"].astype(str) == w.file]
        by_row = {r: hh for hh in w.households for r in hh.rows}
        seen: set[int] = set()
        right = non_household = mapped = 0
        categories_ok = True
        for _, row in mine.iterrows():
            hh = by_row.get(int(row["来源行"]))
            if hh is None or id(hh) in seen:
                non_household += 1
                continue
            if (str(row["单位"]), str(row["户主姓名"]), str(row["身份证号"])) == (
                    w.unit, hh.head.name, hh.head.id):
                seen.add(id(hh))
                right += 1
                category = str(row["类别"] or "")
                categories_ok &= category not in ("", "None", "nan")
                mapped += category in categories
        has_category = "cat" in w.form.role_list or bool(w.form.title_category)
        results.append(FormResult(w.form.key, w.form.extra.get("batch", 1), w.file,
                                  len(w.households), right, non_household,
                                  has_category, has_category and right > 0 and categories_ok,
                                  mapped, w.households))
    return results


def totals(results: list[FormResult]) -> dict[str, Any]:
    households = sum(r.households for r in results)
    right = sum(r.right for r in results)
    with_category = [r for r in results if r.has_category]
    return {
        "forms": len(results),
        "households": households,
        "households_read_right": right,
        "households_read_right_pct": round(100 * right / households, 1) if households else 0.0,
        "non_household_rows_merged": sum(r.non_household for r in results),
        "forms_read": sum(r.right > 0 for r in results),
        "forms_with_category": len(with_category),
        "categories_found": sum(r.category_found for r in with_category),
        "households_in_a_standard_category": sum(r.category_mapped for r in results),
    }


def run(root: Path) -> tuple[list[FormResult], dict[str, Any], dict[str, Any]]:
    """Write the corpus campaign under `root`, run the real `weiwen merge`, measure."""
    from typer.testing import CliRunner
    from weiwen.cli import app
    campaign, written = make_campaign(root)
    result = CliRunner().invoke(app, ["merge", str(campaign.root), "--json"],
                                catch_exceptions=False)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    roster = workbook_io.read_roster(campaign.workbook)
    settings = workbook_io.read_settings(campaign.workbook)
    results = measure(written, roster, set(settings.categories))
    summary = totals(results)
    for batch in (1, 2, 3):
        summary[f"batch_{batch}"] = totals([r for r in results if r.batch == batch])
    return results, summary, report


def main(argv: list[str]) -> None:
    root = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp()) / "corpus"
    results, summary, report = run(root)
    for r in results:
        flag = "" if r.right == r.households and not r.non_household else "  <--"
        print(f"{r.batch} {r.key:22s} {r.right}/{r.households} right, {r.non_household} non-household, "
              f"category {'-' if not r.has_category else 'found' if r.category_found else 'MISSING'}"
              f"{flag}")
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    print("merge report:", {k: report.get(k) for k in ("files_read", "rows_read", "roster_rows",
                                                        "rejected_rows", "members_folded")})
    print("campaign:", root)


if __name__ == "__main__":
    main(sys.argv)
