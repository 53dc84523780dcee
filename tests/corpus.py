"""The bad-input corpus: every kind of file a clerk may drop into inbox/, made by code.

Each `Case` writes one file (or a few) into an inbox and says what a correct run must do with it:
merge its rows (`rows`), report exactly one problem of a given code, or skip it silently.
Nothing is checked in as a binary blob; the generators below make every file from scratch
(openpyxl / xlsxwriter / msoffcrypto-tool / LibreOffice for the .xls).

Used by tests/test_reliability_corpus.py; `python tests/corpus.py DIR` writes the corpus to look at.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from stdnum import luhn
from stdnum.cn import ric

from weiwen.names import DIBAO, EDGE_CATEGORIES, RETURN_COLUMNS

#: the return template's header, as the units write it (序号 first)
HEADER = ["序号", *RETURN_COLUMNS]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力鹏飞雪梅琳"
_CATEGORIES = (DIBAO, *EDGE_CATEGORIES[:4])


class People:
    """Well-formed synthetic households; ID numbers unique across the whole corpus."""

    def __init__(self, seed: int = 9) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def id_number(self) -> str:
        self.serial += 1
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=self.serial % 20000)
        body = "330106" + birth.strftime("%Y%m%d") + f"{self.serial // 20000 + 100:03d}"
        return body + ric.calc_check_digit(body + "0")

    def household(self, unit: str, i: int) -> list[Any]:
        """One template row: 序号, 户主姓名, 身份证号, 类别, 家庭人口, 联系电话, 银行卡号, 地址, 备注."""
        r = self.rng
        name = r.choice(_SURNAMES) + r.choice(_GIVEN) + (r.choice(_GIVEN) if r.random() < .6 else "")
        category = _CATEGORIES[i % len(_CATEGORIES)]
        card = ""
        if category == DIBAO:               # paid by card: a Luhn-valid bank card number
            body = "622202" + "".join(str(r.randint(0, 9)) for _ in range(12))
            card = body + luhn.calc_check_digit(body)
        return [i + 1, name, self.id_number(), category, r.choice((1, 2, 3, 4)),
                f"13{r.randint(500000000, 999999999)}", card, f"{unit}{r.randint(1, 12)}组{i + 1}号", ""]

    def rows(self, unit: str, n: int) -> list[list[Any]]:
        return [self.household(unit, i) for i in range(n)]


@dataclass(frozen=True)
class Case:
    """One corpus file and what the run must do with it."""
    key: str                       # short id used in test names and the report table
    label: str                     # what it is, in words
    filename: str                  # name inside inbox/
    unit: str | None               # the unit it belongs to (added to 单位); None: not a return
    make: Callable[[Path, Case, People], None]
    rows: int = 0                  # rows the roster must get from this file
    problem: str | None = None     # the one problem code this file must produce
    reason: str = ""               # text the problem's message must contain
    skipped: bool = False          # must vanish silently: no row, no problem
    needs: str = ""                # "soffice": skipped when LibreOffice is absent


# --- writers --------------------------------------------------------------------------------

def _title(unit: str) -> str:
    return f"2027年春节走访慰问对象名单（{unit}）"


def write_return(path: Path, unit: str, rows: list[list[Any]], *, header: list[str] = HEADER,
                 title: bool = True) -> Workbook:
    """A plain return the way the template looks: title row, header, rows. Returns the workbook
    (already saved) so a case can change it and save again."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    if title:
        ws.append([_title(unit)])
    ws.append(header)
    for row in rows:
        ws.append(row)
        for c in (3, 6, 7):   # ID, phone, card as text, as the template asks
            ws.cell(row=ws.max_row, column=c).number_format = "@"
    wb.save(path)
    return wb


def _sample_xlsx_bytes(people: People, unit: str, n: int = 5) -> bytes:
    buf = io.BytesIO()
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in people.rows(unit, n):
        ws.append(row)
    wb.save(buf)
    return buf.getvalue()


def make_empty(path: Path, case: Case, people: People) -> None:
    path.write_bytes(b"")


def make_random_bytes(path: Path, case: Case, people: People) -> None:
    path.write_bytes(random.Random(1).randbytes(4096))


def make_truncated(path: Path, case: Case, people: People) -> None:
    data = _sample_xlsx_bytes(people, case.unit or "", 40)
    path.write_bytes(data[: len(data) // 2])


def make_password(path: Path, case: Case, people: People) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile
    plain = io.BytesIO(_sample_xlsx_bytes(people, case.unit or ""))
    with open(path, "wb") as out:
        OOXMLFile(plain).encrypt("123456", out)


def make_no_header(path: Path, case: Case, people: People) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append([_title(case.unit or "")])
    ws.append(["张三", "330106194001010011", "低保", 2])   # data but no header row at all
    ws.append(["甲", "乙", "丙", "丁"])
    for i in range(5):
        ws.append([f"第{i}项", i, i * 2])
    wb.save(path)


def make_merged_header(path: Path, case: Case, people: People) -> None:
    """Title merged across the table, a two-row header whose cells are merged vertically and a
    group heading merged horizontally (联系方式 over 电话 / 银行卡), as units often draw it."""
    wb = Workbook()
    ws = wb.active
    ws.append([_title(case.unit or "")])
    ws.merge_cells("A1:I1")
    top = ["序号", "户主姓名", "身份证号", "类别", "家庭人口", "联系方式", None, "地址", "备注"]
    ws.append(top)
    ws.append([None, None, None, None, None, "联系电话", "银行卡号", None, None])
    for col in "ABCDEHI":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("F2:G2")
    for row in people.rows(case.unit or "", case.rows):
        ws.append(row)
    wb.save(path)


def make_hidden(path: Path, case: Case, people: People) -> None:
    """Rows hidden by the unit (still its data: merged) and a hidden sheet of old data (ignored)."""
    rows = people.rows(case.unit or "", case.rows)
    wb = write_return(path, case.unit or "", rows)
    ws = wb["名单"]
    for r in (4, 5, 6):
        ws.row_dimensions[r].hidden = True
    old = wb.create_sheet("去年名单")
    old.append(HEADER)
    for row in people.rows(case.unit or "", 7):
        old.append(row)
    old.sheet_state = "hidden"
    wb.save(path)


def make_two_sheets(path: Path, case: Case, people: People) -> None:
    """低保 households on one sheet, the other categories on a second one: both are merged."""
    wb = Workbook()
    first = wb.active
    first.title = "低保"
    second = wb.create_sheet("低保边缘")
    rows = people.rows(case.unit or "", case.rows)
    for ws, part in ((first, rows[: case.rows // 2]), (second, rows[case.rows // 2:])):
        ws.append([_title(case.unit or "")])
        ws.append(HEADER)
        for i, row in enumerate(part):
            ws.append([i + 1, *row[1:]])
    wb.save(path)


def make_wide(path: Path, case: Case, people: People) -> None:
    """200 columns: the template's 9 and 191 more the unit added (years, notes, blanks)."""
    extra = [f"附加{i}" for i in range(200 - len(HEADER))]
    rows = [row + [f"x{i}-{j}" if j % 7 else None for j in range(len(extra))]
            for i, row in enumerate(people.rows(case.unit or "", case.rows))]
    write_return(path, case.unit or "", rows, header=HEADER + extra)


def make_big(path: Path, case: Case, people: People) -> None:
    """60,000 rows. Written as the sheet XML directly (inline strings): openpyxl and xlsxwriter
    take 15-20 s for this many cells, the raw XML well under a second, and the reader sees a
    normal .xlsx."""
    rows = [[_title(case.unit or "")], HEADER, *people.rows(case.unit or "", case.rows)]
    write_raw_xlsx(path, rows)


def _cell_xml(ref: str, value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = escape(str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def write_raw_xlsx(path: Path, rows: list[list[Any]], *, sheet: str = "名单") -> None:
    """A minimal valid .xlsx (one sheet, inline strings) straight from rows; fast for big files."""
    letters = [get_column_letter(i) for i in range(1, max(len(r) for r in rows) + 1)]
    body = "".join(
        f'<row r="{r}">' + "".join(_cell_xml(f"{letters[c]}{r}", v) for c, v in enumerate(row)
                                   if v is not None and v != "") + "</row>"
        for r, row in enumerate(rows, start=1))
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>{body}'
            f'</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)


def make_images_comments(path: Path, case: Case, people: People) -> None:
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from PIL import Image as PILImage
    rows = people.rows(case.unit or "", case.rows)
    wb = write_return(path, case.unit or "", rows)
    ws = wb["名单"]
    png = path.with_suffix(".png.tmp")
    PILImage.new("RGB", (80, 40), (200, 30, 30)).save(png, format="PNG")
    image = Image(str(png))
    ws.add_image(image, "K2")               # the unit's stamp (公章) pasted beside the table
    ws["B3"].comment = Comment("此户已核实", "社区民政专干")
    ws["D5"].comment = Comment("类别待定", "社区民政专干")
    wb.save(path)
    png.unlink()


def make_xls(path: Path, case: Case, people: People) -> None:
    """An Excel 97-2003 .xls, converted from an .xlsx by LibreOffice headless."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (path.stem + ".xlsx")
        write_return(src, case.unit or "", people.rows(case.unit or "", case.rows))
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", "xls", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=120)
        shutil.move(str(Path(tmp) / (path.stem + ".xls")), path)


def _csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")   # what Excel writes
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def make_csv_gbk(path: Path, case: Case, people: People) -> None:
    """Excel's "CSV (逗号分隔)" on a Chinese Windows: GBK, no BOM, the header in Chinese."""
    path.write_bytes(_csv_bytes(people.rows(case.unit or "", case.rows), "gbk"))


def make_csv_utf8_bom(path: Path, case: Case, people: People) -> None:
    """Excel's "CSV UTF-8 (逗号分隔)": UTF-8 with a BOM."""
    path.write_bytes(_csv_bytes(people.rows(case.unit or "", case.rows), "utf-8-sig"))


def make_lock_file(path: Path, case: Case, people: People) -> None:
    """Excel's owner file while 名单.xlsx is open: 165 bytes, the user's name in it."""
    path.write_bytes(b"\x0bAdministrator" + b" " * 40 + b"\x00" * 111)


def make_thumbs(path: Path, case: Case, people: People) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))   # an OLE file, like Thumbs.db


def make_ds_store(path: Path, case: Case, people: People) -> None:
    path.write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(2040))


def make_formulas(path: Path, case: Case, people: People) -> None:
    """Formulas with cached values (as Excel saves them), error cells and dates as numbers.

    Row 3: 家庭人口 =1+2 (cached 3), 联系电话 =NA() (#N/A), 出生日期 a serial number, 备注 a date.
    Row 4: 身份证号 is a #REF! error (the unit deleted the column the cell pointed to): the row
    reaches 名册 with an empty ID and the checks ask for it.
    """
    import xlsxwriter
    rows = people.rows(case.unit or "", case.rows)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("名单")
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, [_title(case.unit or "")])
    ws.write_row(1, 0, [*HEADER, "出生日期"])
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None:
                ws.write_number(r, c, value)
        ws.write_number(r, len(HEADER), 20000 + r)                       # a date as a number
    ws.write_formula(2, 4, "=1+2", None, 3)
    ws.write_formula(2, 5, "=NA()", None, "#N/A")
    ws.write_number(2, 8, 46772, date_format)                            # 2028-01-20 in 备注
    ws.write_formula(3, 2, "=#REF!", None, "#REF!")
    ws.write_formula(len(rows) + 2, 0, "=\"合计\"", None, "合计")         # a computed total row
    ws.write_formula(len(rows) + 2, 4, f"=SUM(E3:E{len(rows) + 2})", None, 99)
    wb.close()


def make_unsupported(path: Path, case: Case, people: People) -> None:
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


# --- the corpus -------------------------------------------------------------------------------

BIG_ROWS = 60_000

CASES: tuple[Case, ...] = (
    Case("empty", "空文件（0 字节）", "空白村名单.xlsx", "空白村", make_empty,
         problem="intake.unreadable", reason="空"),
    Case("random_bytes", "随机字节，扩展名 .xlsx", "乱码村名单.xlsx", "乱码村", make_random_bytes,
         problem="intake.unreadable", reason="不是"),
    Case("truncated", "截断一半的 .xlsx（下载未完成）", "半截村名单.xlsx", "半截村", make_truncated,
         problem="intake.unreadable", reason="不完整"),
    Case("password", "设置了打开密码的 .xlsx", "加密村名单.xlsx", "加密村", make_password,
         problem="intake.unreadable", reason="密码"),
    Case("no_header", "没有可识别的表头", "无头村名单.xlsx", "无头村", make_no_header,
         problem="intake.no_header"),
    Case("merged_header", "表头在合并单元格里（两行表头）", "合并村名单.xlsx", "合并村",
         make_merged_header, rows=12),
    Case("hidden", "隐藏的行和隐藏的工作表", "隐藏村名单.xlsx", "隐藏村", make_hidden, rows=10),
    Case("two_sheets", "两个工作表都有数据", "两表村名单.xlsx", "两表村", make_two_sheets, rows=16),
    Case("wide", "200 列", "宽表村名单.xlsx", "宽表村", make_wide, rows=8),
    Case("big", f"{BIG_ROWS:,} 行", "大村名单.xlsx", "大村", make_big, rows=BIG_ROWS),
    Case("images_comments", "图片（公章）和批注", "图章村名单.xlsx", "图章村",
         make_images_comments, rows=9),
    Case("xls", "Excel 97-2003 .xls", "旧版村名单.xls", "旧版村", make_xls, rows=11,
         needs="soffice"),
    Case("csv_gbk", "CSV，GBK 编码，无 BOM", "石门村名单.csv", "石门村", make_csv_gbk, rows=13),
    Case("csv_utf8_bom", "CSV，UTF-8 带 BOM", "溪口村名单.csv", "溪口村", make_csv_utf8_bom, rows=14),
    Case("formulas", "公式、错误值 #N/A #REF!、以数字存的日期", "公式村名单.xlsx", "公式村",
         make_formulas, rows=6),
    Case("unsupported", "不是表格的文件（PDF）", "扫描件.pdf", None, make_unsupported,
         problem="intake.unsupported"),
    Case("excel_lock", "Excel 锁文件 ~$名单.xlsx", "~$名单.xlsx", None, make_lock_file, skipped=True),
    Case("thumbs_db", "Windows 缩略图 Thumbs.db", "Thumbs.db", None, make_thumbs, skipped=True),
    Case("ds_store", "macOS .DS_Store", ".DS_Store", None, make_ds_store, skipped=True),
)


#: units kept by small_demo: two communities (one household reported by both) and the CSV village
DEMO_KEEP = ("东湖社区", "西湖社区", "石桥村")


def small_demo(source: Path, target: Path) -> Path:
    """A copy of the demo campaign whose inbox keeps only DEMO_KEEP's files (≈ 500 rows instead
    of 2,000): every output still appears, at a quarter of the cost of the full demo."""
    shutil.copytree(source, target)
    for path in list((target / "inbox").rglob("*")):
        if path.is_file() and not path.name.startswith(DEMO_KEEP):
            path.unlink()
    shutil.rmtree(target / "output")            # the full demo's outputs would only confuse
    (target / "output").mkdir()
    return target


def has_soffice() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


def available(cases: tuple[Case, ...] = CASES) -> list[Case]:
    return [c for c in cases if c.needs != "soffice" or has_soffice()]


def write_corpus(inbox: Path, cases: list[Case] | tuple[Case, ...] = CASES, *,
                 seed: int = 9) -> list[Case]:
    """Write each available case into `inbox`; returns the cases written."""
    inbox.mkdir(parents=True, exist_ok=True)
    people = People(seed)
    written = []
    for case in cases:
        if case.needs == "soffice" and not has_soffice():
            continue
        case.make(inbox / case.filename, case, people)
        written.append(case)
    return written


if __name__ == "__main__":  # pragma: no cover - a look at the corpus by hand
    import sys
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for c in write_corpus(target):
        print(f"{c.key:16} {c.filename}")
