"""The hostile corpus: files from outside that once crashed, hung or blew up the merge, made by code
(and a few tiny real files from other projects' test suites, tests/files/README.md).

Each `Hostile` case writes one file into an inbox and says what a correct run does with it:
merge its `rows`, or name it in 问题 with `problem` (and a reason containing `reason`), or —
for fuzzed files, whose fate depends on which bytes broke — merely account for it (merged, or
named in 问题, never lost and never fatal).

Used by tests/test_reliability_hostile.py. `python tests/hostile.py DIR` writes the corpus;
`python tests/hostile.py --measure` runs each case alone through `weiwen run --json` in a fresh
process and prints outcome, time and peak memory per case, then the totals a closing
note quotes (exits other than 0, tracebacks, files not accounted for, English reasons, max peak, slowest).
"""
from __future__ import annotations

import codecs
import io
import random
import re
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable

sys.path.insert(0, str(Path(__file__).parent))
from corpus import HEADER, People, _title, write_raw_xlsx, write_return  # noqa: E402

FILES = Path(__file__).parent / "files"
ROWS = 6


@dataclass(frozen=True)
class Hostile:
    key: str
    label: str
    filename: str
    make: Callable[[Path, Hostile, People], None]
    rows: int = 0                  # rows that must reach 名册
    problem: str | None = None     # the problem code that must name the file
    reason: str = ""               # words its message must contain
    fuzzed: bool = False           # any outcome is fine as long as the file is accounted for
    slow: bool = False
    needs: str = ""

    @property
    def unit(self) -> str:
        """The unit a return belongs to: the file name up to 名单 (e.g. 远格村)."""
        return self.filename.split("名单")[0]


# --- building blocks ----------------------------------------------------------------------------

def _rows(case: Hostile, people: People, n: int = ROWS) -> list[list[Any]]:
    return people.rows(case.unit, n)


def _xlsx_bytes(case: Hostile, people: People, n: int = ROWS) -> bytes:
    buf = io.BytesIO()
    write_return(buf, case.unit, _rows(case, people, n))
    return buf.getvalue()


def _xls_bytes(case: Hostile, people: People, n: int = ROWS, far: bool = False) -> bytes:
    import xlwt
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    text = xlwt.easyxf(num_format_str="@")
    sheet.write(0, 0, _title(case.unit))
    for c, name in enumerate(HEADER):
        sheet.write(1, c, name)
    for r, row in enumerate(_rows(case, people, n), start=2):
        for c, value in enumerate(row):
            sheet.write(r, c, value, text if isinstance(value, str) else xlwt.Style.default_style)
    if far:
        sheet.write(65535, 255, "x")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, part: str, change: Callable[[bytes], bytes],
             extra: dict[str, bytes] | None = None) -> bytes:
    """The zip `data` with `part` changed (and `extra` parts added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == part else body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


SHEET1 = "xl/worksheets/sheet1.xml"


# --- damaged real files ----------------------------------------------------------------------------

def truncated(kind: str, percent: int) -> Callable[[Path, Hostile, People], None]:
    def make(path: Path, case: Hostile, people: People) -> None:
        data = _xlsx_bytes(case, people, 40) if kind == "xlsx" else _xls_bytes(case, people, 40)
        path.write_bytes(data[: len(data) * percent // 100])
    return make


def flipped(kind: str, seed: int) -> Callable[[Path, Hostile, People], None]:
    def make(path: Path, case: Hostile, people: People) -> None:
        data = bytearray(_xlsx_bytes(case, people) if kind == "xlsx" else _xls_bytes(case, people))
        rng = random.Random(seed)
        for _ in range(24):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
    return make


# --- far cells, huge dimensions, many sheets and columns ------------------------------------------

def far_cell(ref: str) -> Callable[[Path, Hostile, People], None]:
    def make(path: Path, case: Hostile, people: People) -> None:
        wb = write_return(path, case.unit, _rows(case, people))
        wb["名单"][ref] = "x"
        wb.save(path)
    return make


def make_far_xls(path: Path, case: Hostile, people: People) -> None:
    path.write_bytes(_xls_bytes(case, people, far=True))


def make_declared_dimension(path: Path, case: Hostile, people: People) -> None:
    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        return xml.replace(b"<sheetViews>", b'<dimension ref="A1:XFD1048576"/><sheetViews>', 1)
    path.write_bytes(_rewrite(_xlsx_bytes(case, people), SHEET1, change))


def make_far_xlsb(path: Path, case: Hostile, people: People) -> None:
    """calamine's date.xlsb with its last cell moved to XFD1048576 (row header and column patched):
    python-calamine asks for 549 GB and aborts the process."""
    src = zipfile.ZipFile(FILES / "calamine-date.xlsb")
    sheet = bytearray(src.read("xl/worksheets/sheet1.bin"))
    records, pos = [], 0
    while pos < len(sheet):
        start = pos
        kind, pos = _varint(sheet, pos, 2)
        size, pos = _varint(sheet, pos, 4)
        records.append((kind, start, pos))
        pos += size
    last_row = [r for r in records if r[0] == 0][-1]
    struct.pack_into("<I", sheet, last_row[2], 1048575)
    cell = [r for r in records if 1 <= r[0] <= 11 and r[1] > last_row[1]][-1]
    struct.pack_into("<I", sheet, cell[2], 16383)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, bytes(sheet) if info.filename.endswith("sheet1.bin")
                         else src.read(info))


def _varint(data: bytearray, pos: int, most: int) -> tuple[int, int]:
    value = 0
    for i in range(most):
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, pos + i + 1
    return value, pos + most


def make_many_sheets(path: Path, case: Hostile, people: People) -> None:
    """10,000 sheets: the list on the first, 9,999 empty ones after it."""
    write_raw_xlsx(path, [[_title(case.unit)], HEADER, *_rows(case, people)])
    n = 10_000
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    sheets = "".join(f'<sheet name="{"名单" if i == 1 else f"Sheet{i}"}" sheetId="{i}" r:id="rId{i}"/>'
                     for i in range(1, n + 1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, n + 1))
    types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.'
                    f'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(2, n + 1))
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body = re.sub(rb"<sheets>.*</sheets>", f"<sheets>{sheets}</sheets>".encode(), body)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">{rels}</Relationships>'.encode()
            elif info.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", types.encode() + b"</Types>")
            dst.writestr(info.filename, body)
        empty = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData/></worksheet>'
        for i in range(2, n + 1):
            dst.writestr(f"xl/worksheets/sheet{i}.xml", empty)


def make_wide_title(path: Path, case: Hostile, people: People) -> None:
    """A first row filled across all 16,384 columns (A1:XFD1), the list below it."""
    wide = [f"{_title(case.unit)}{i}" if i == 0 else "·" for i in range(16_384)]
    write_raw_xlsx(path, [wide, HEADER, *_rows(case, people)])


# --- bombs -------------------------------------------------------------------------------------

def make_zip_bomb(path: Path, case: Hostile, people: People) -> None:
    """A 1.2 MB .xlsx whose sheet XML unzips to 1.2 GB (blanks inside sheetData)."""
    data = _xlsx_bytes(case, people)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        xml = src.read(SHEET1)
    head, tail = xml.split(b"<sheetData>", 1)
    block = b" " * (64 << 20)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SHEET1:
                dst.writestr(info.filename, src.read(info))
        with dst.open(SHEET1, "w", force_zip64=True) as f:
            f.write(head + b"<sheetData>")
            for _ in range(19):
                f.write(block)
            f.write(tail)


def make_entity_expansion(path: Path, case: Hostile, people: People) -> None:
    """A "billion laughs" DTD at the top of the sheet XML, its entity used in a cell."""
    lol = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)) + b"]>"

    def change(xml: bytes) -> bytes:
        xml = lol + xml if not xml.startswith(b"<?xml") else xml.replace(b"?>", b"?>" + lol, 1)
        return xml.replace(b"<c r=\"B3\"", b"<c r=\"J3\" t=\"inlineStr\"><is><t>&lol9;</t></is></c><c r=\"B3\"", 1)
    path.write_bytes(_rewrite(_xlsx_bytes(case, people), SHEET1, change))


def make_forged_sst(path: Path, case: Hostile, people: People) -> None:
    """sharedStrings.xml claims 4 billion strings: calamine reserves room for them and aborts."""
    def change(xml: bytes) -> bytes:
        return re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', xml)
    path.write_bytes(_rewrite(_xlsx_bytes(case, people), "xl/sharedStrings.xml", change))


def long_line(megabytes: int) -> Callable[[Path, Hostile, People], None]:
    def make(path: Path, case: Hostile, people: People) -> None:
        with open(path, "wb") as f:
            f.write(",".join(HEADER).encode("utf-8") + b"\r\n")
            f.write(b"x" * (megabytes << 20) + b"\r\n")
    return make


# --- every format a unit may send -----------------------------------------------------------------

def make_xls(path: Path, case: Hostile, people: People) -> None:
    path.write_bytes(_xls_bytes(case, people))


def make_xlsx_as(path: Path, case: Hostile, people: People) -> None:
    path.write_bytes(_xlsx_bytes(case, people))


def make_xltx(path: Path, case: Hostile, people: People) -> None:
    wb = write_return(path, case.unit, _rows(case, people))
    wb.template = True
    wb.save(path)


def make_ods(path: Path, case: Hostile, people: People) -> None:
    import subprocess
    import tempfile
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "return.xlsx"
        src.write_bytes(_xlsx_bytes(case, people))
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", "ods", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=120)
        shutil.move(str(Path(tmp) / "return.ods"), path)


def make_xlm_macro_sheet(path: Path, case: Hostile, people: People) -> None:
    """Our return with an Excel-4 macro sheet added (as old .xlsm files carry them)."""
    data = _xlsx_bytes(case, people)
    rel = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"

    def book(xml: bytes) -> bytes:
        return xml.replace(b"</sheets>", b'<sheet name="Macro1" sheetId="9" r:id="rIdM"/></sheets>')

    def rels(xml: bytes) -> bytes:
        return xml.replace(b"</Relationships>", f'<Relationship Id="rIdM" Type="{rel}" '
                           f'Target="macrosheets/sheet1.xml"/></Relationships>'.encode())

    def types(xml: bytes) -> bytes:
        return xml.replace(b"</Types>", b'<Override PartName="/xl/macrosheets/sheet1.xml" '
                           b'ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>')
    macro = (b'<?xml version="1.0" encoding="UTF-8"?><xm:macrosheet xmlns="http://schemas.'
             b'openxmlformats.org/spreadsheetml/2006/main" xmlns:xm="http://schemas.microsoft.com/'
             b'office/excel/2006/main"><sheetData><row r="1"><c r="A1" t="str"><f>HALT()</f>'
             b'<v>TRUE</v></c></row></sheetData></xm:macrosheet>')
    data = _rewrite(data, "xl/workbook.xml", book, {"xl/macrosheets/sheet1.xml": macro})
    data = _rewrite(data, "xl/_rels/workbook.xml.rels", rels)
    path.write_bytes(_rewrite(data, "[Content_Types].xml", types))


def make_biff2(path: Path, case: Hostile, people: People) -> None:
    """An Excel 2.1 worksheet (BIFF2, the oldest .xls) with a GBK code page, written record by
    record: BOF, CODEPAGE 936, DIMENSIONS, LABEL / NUMBER cells, EOF."""
    rows = [[_title(case.unit)], HEADER, *_rows(case, people)]
    out = bytearray()

    def record(kind: int, body: bytes) -> None:
        out.extend(struct.pack("<HH", kind, len(body)) + body)
    record(0x0009, struct.pack("<HH", 0x0002, 0x0010))
    record(0x0042, struct.pack("<H", 936))
    record(0x0000, struct.pack("<HHHH", 0, len(rows), 0, len(HEADER)))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value in (None, ""):
                continue
            if isinstance(value, (int, float)):
                record(0x0003, struct.pack("<HH3sd", r, c, b"\0\0\0", float(value)))
            else:
                text = str(value).encode("gbk")
                record(0x0004, struct.pack("<HH3sB", r, c, b"\0\0\0", len(text)) + text)
    record(0x000A, b"")
    path.write_bytes(bytes(out))


def text_file(encoding: str, sep: str) -> Callable[[Path, Hostile, People], None]:
    def make(path: Path, case: Hostile, people: People) -> None:
        lines = [sep.join(HEADER)] + [sep.join("" if v is None else str(v) for v in row)
                                      for row in _rows(case, people)]
        body = "\r\n".join(lines) + "\r\n"
        if encoding == "utf-16":
            path.write_bytes(codecs.BOM_UTF16_LE + body.encode("utf-16-le"))
        else:
            path.write_bytes(body.encode(encoding))
    return make


def make_gb18030_rare(path: Path, case: Hostile, people: People) -> None:
    """GB18030 with a four-byte character (a rare surname outside GBK) in one name."""
    rows = _rows(case, people)
    rows[0][1] = "𠮷" + rows[0][1][1:]
    lines = [",".join(HEADER)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def make_html_xls(path: Path, case: Hostile, people: People) -> None:
    cells = "".join(f"<td>{h}</td>" for h in HEADER)
    path.write_bytes(f"<html><head><meta charset='utf-8'></head><body><table><tr>{cells}</tr>"
                     f"</table></body></html>".encode())


def make_xml2003(path: Path, case: Hostile, people: People) -> None:
    path.write_bytes(b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
                     b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="1">'
                     b"</Worksheet></Workbook>")


def make_docx(path: Path, case: Hostile, people: People) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


def copy(name: str) -> Callable[[Path, Hostile, People], None]:
    def make(path: Path, case: Hostile, people: People) -> None:
        shutil.copyfile(FILES / name, path)
    return make


# --- the corpus ----------------------------------------------------------------------------------

U, NH, SK = "intake.unreadable", "intake.no_header", "intake.sheet_skipped"

CASES: tuple[Hostile, ...] = (
    *(Hostile(f"trunc_xlsx_{p}", f".xlsx 截断到 {p}%", f"截断{p}村名单.xlsx", truncated("xlsx", p),
              problem=U, reason="不完整") for p in (10, 50, 90)),
    *(Hostile(f"trunc_xls_{p}", f".xls 截断到 {p}%", f"旧表截断{p}村名单.xls", truncated("xls", p),
              fuzzed=True) for p in (10, 50, 90)),
    *(Hostile(f"flip_xlsx_{s}", f".xlsx 翻转 24 个位（种子 {s}）", f"翻转{s}村名单.xlsx",
              flipped("xlsx", s), fuzzed=True) for s in (1, 2, 3)),
    *(Hostile(f"flip_xls_{s}", f".xls 翻转 24 个位（种子 {s}）", f"旧表翻转{s}村名单.xls",
              flipped("xls", s), fuzzed=True) for s in (1, 2, 3)),
    Hostile("far_H1048576", "名单 + H1048576 里一个值", "远格村名单.xlsx", far_cell("H1048576"), rows=ROWS),
    Hostile("far_XFD1048576", "名单 + XFD1048576 里一个值", "最远格村名单.xlsx", far_cell("XFD1048576"),
            rows=ROWS),
    Hostile("far_xls", ".xls 名单 + IV65536 里一个值", "旧表远格村名单.xls", make_far_xls, rows=ROWS),
    Hostile("far_xlsb", ".xlsb 的一个值在 XFD1048576（calamine 会中止进程）", "远格二进制.xlsb",
            make_far_xlsb, problem=U, reason="内存"),
    Hostile("declared_dimension", "声明范围 A1:XFD1048576", "大范围村名单.xlsx",
            make_declared_dimension, rows=ROWS),
    Hostile("sheets_10000", "10,000 个工作表", "万表村名单.xlsx", make_many_sheets, rows=ROWS, slow=True),
    Hostile("columns_16384", "第一行填满 16,384 列", "满列村名单.xlsx", make_wide_title, rows=ROWS),
    Hostile("zip_bomb", "1 MB 的 .xlsx 解压后 1.2 GB", "炸弹村名单.xlsx", make_zip_bomb, problem=U,
            reason="解压后超过", slow=True),
    Hostile("entity_expansion", "XML 实体膨胀（billion laughs）", "实体村名单.xlsx",
            make_entity_expansion, problem=U, reason="不安全"),
    Hostile("forged_sst", "共享字符串数量伪造为 40 亿", "伪造村名单.xlsx", make_forged_sst, rows=ROWS),
    Hostile("csv_line_100mb", "CSV 一行 100 MB", "长行村名单.csv", long_line(100), problem=U,
            reason="超过", slow=True),
    Hostile("csv_line_2mb", "CSV 一行 2 MB", "长行短村名单.csv", long_line(2), problem=U, reason="超过"),
    Hostile("xls_xor", "XOR 加密的 .xls（Apache POI）", "异或加密.xls", copy("poi-xor-encryption-abc.xls"),
            problem=U, reason="密码"),
    Hostile("xls_rc4", "RC4 加密的 .xls（Apache POI）", "RC4加密.xls", copy("poi-password.xls"),
            problem=U, reason="密码"),
    Hostile("biff2", "Excel 2.1 名单（BIFF2，GBK）", "二代村名单.xls", make_biff2, rows=ROWS),
    Hostile("biff3", "Excel 3.0 工作表（Apache POI）", "三代表.xls", copy("poi-testEXCEL_3.xls"),
            problem=NH),
    Hostile("biff4", "Excel 4.0 工作表（Apache POI）", "四代表.xls", copy("poi-testEXCEL_4.xls"),
            problem=NH),
    Hostile("xlsm_xlm", "带 Excel-4 宏表的名单 .xlsm", "宏表村名单.xlsm", make_xlm_macro_sheet, rows=ROWS),
    Hostile("xlsm_xlm_poi", "带 Excel-4 宏表的 .xlsm（Apache POI）", "宏表.xlsm", copy("poi-xlmmacro.xlsm"),
            problem=NH),
    Hostile("xlsb_chart", "带图表工作表的 .xlsb（calamine）", "图表.xlsb", copy("calamine-any_sheets.xlsb"),
            problem=NH),
    Hostile("xlsb_panic", "calamine 会 panic 的 .xlsb（Apache POI）", "崩溃.xlsb", copy("poi-Simple.xlsb"),
            problem=U, reason="已损坏"),
    Hostile("ods_dos", ".ods 重复单元格要 170 亿格（calamine）", "重复格.ods",
            copy("calamine-issue_594_dos.ods"), problem=U, reason="一亿格"),
    Hostile("ods_real", "LibreOffice 的 .ods（calamine）", "日期.ods", copy("calamine-date.ods"), problem=NH),
    Hostile("ods", "名单另存为 .ods", "开放村名单.ods", make_ods, rows=ROWS, needs="soffice"),
    Hostile("et_biff8", "WPS .et（BIFF8）", "金山村名单.et", make_xls, rows=ROWS),
    Hostile("et_ooxml", "WPS .et（OOXML）", "金山新村名单.et", make_xlsx_as, rows=ROWS),
    Hostile("xltx", "存成模板 .xltx", "模板村名单.xltx", make_xltx, rows=ROWS),
    Hostile("xlsx_named_xls", ".xlsx 改名为 .xls", "改名村名单.xls", make_xlsx_as, rows=ROWS),
    Hostile("tsv_named_xls", "制表符分隔的文本，扩展名 .xls（系统导出）", "导出村名单.xls",
            text_file("utf-8", "\t"), rows=ROWS),
    Hostile("utf16_txt", "Unicode 文本（UTF-16，制表符）", "统一码村名单.txt", text_file("utf-16", "\t"),
            rows=ROWS),
    Hostile("gb18030_csv", "GB18030 CSV（含四字节字符）", "国标村名单.csv", make_gb18030_rare, rows=ROWS),
    Hostile("html_xls", "网页格式，扩展名 .xls", "网页村名单.xls", make_html_xls, problem=U, reason="网页"),
    Hostile("xml2003_xls", "Excel 2003 XML，扩展名 .xls", "XML村名单.xls", make_xml2003, problem=U,
            reason="2003"),
    Hostile("docx_named_xlsx", "Word 文档改名为 .xlsx", "文档村名单.xlsx", make_docx, problem=U, reason="Word"),
)


def has_soffice() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


def available(cases=CASES, *, slow: bool = True) -> list[Hostile]:
    return [c for c in cases if (slow or not c.slow) and (c.needs != "soffice" or has_soffice())]


def write(inbox: Path, cases, seed: int = 12) -> list[Hostile]:
    inbox.mkdir(parents=True, exist_ok=True)
    people = People(seed)
    for case in cases:
        case.make(inbox / case.filename, case, people)
    return list(cases)


if __name__ == "__main__":  # pragma: no cover - by hand
    if "--measure" in sys.argv:
        from test_reliability_hostile import measure_all
        measure_all()
    else:
        target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
        for c in write(target, available()):
            print(f"{c.key:20} {c.filename}")
