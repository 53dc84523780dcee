"""The Excel parts of Weiwen.xlsm: the 慰问 ribbon, the VBA project and the xlwings settings.

Sources live in `excel_src/`: `customUI.xml` (the ribbon, 2006/01 schema) and `Weiwen.bas` (the
one ASCII VBA module). The workbook build calls:

- `add_conf_sheet(wb)` on the openpyxl workbook: the hidden `xlwings.conf` sheet and the hidden
  defined names holding the VBA module's Chinese messages; `set_code_names(wb)`: the codeNames
  the VBA project's document modules are named after (ThisWorkbook, Sheet1 … in sheet order);
- `add_parts(data)` on the saved bytes (workbook.build_bytes): the ribbon part and its root
  relationship, the VBA project built by `excel_vba.project_bin` (Excel-made base project plus
  our module), its relationship and content types (a macro-enabled workbook).

Both are pure and repeatable: the same input gives the same bytes.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook

from .excel_kept import REL_NS, RIBBON_PART, RIBBON_REL_TYPE, VBA_PART
from .excel_vba import project_bin
from .names import Sheet

SRC = Path(__file__).resolve().parent / "excel_src"
RIBBON_SOURCE = SRC / "customUI.xml"
VBA_SOURCE = SRC / "Weiwen.bas"

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
VBA_REL_TYPE = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RIBBON_REL_ID = "rIdWeiwenRibbon"
VBA_REL_ID = "rIdWeiwenVba"
CALLBACK = "OnWeiwenButton"

#: rows of the hidden xlwings.conf sheet (key in A, value in B, as xlwings reads it; C explains).
#: Only keys with values: xlwings reads column A down to the first blank cell and a key present
#: with an empty value overrides the clerk's own setting (an empty PYTHONPATH row would hide the
#: one set in the xlwings ribbon). `weiwen excel-setup` adds INTERPRETER_WIN / INTERPRETER_MAC.
#: The campaign folder holds returned files, not code, so it is not put on the Python path.
XLWINGS_CONF: tuple[tuple[str, str, str], ...] = (
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False",
     "活动文件夹里只有数据文件，不把它加入 Python 路径，以免同名文件干扰程序"),
)

#: Chinese messages the ASCII VBA module reads from hidden defined names (see Weiwen.bas Text()).
VBA_TEXTS: dict[str, str] = {
    "WeiwenText_Title": "走访慰问",
    "WeiwenText_NoAddin": ("未能启动 Python：请确认已安装 Python 和 weiwen，并已在命令提示符中运行 "
                           "xlwings addin install，然后重新打开 Excel（详见 README“六、在 Excel 里使用“慰问”选项卡”）。"),
    "WeiwenText_Detail": "出错信息：",
}


@dataclass(frozen=True)
class RibbonButton:
    group: str
    label: str
    tag: str
    on_action: str
    image: str
    screentip: str


def ribbon_buttons(xml: bytes | str | None = None) -> list[RibbonButton]:
    """The buttons of the ribbon source (or of the given customUI XML), in order."""
    root = ET.fromstring(RIBBON_SOURCE.read_bytes() if xml is None else xml)
    ns = {"c": CUSTOMUI_NS}
    out = []
    for group in root.iterfind(".//c:group", ns):
        for button in group.iterfind("c:button", ns):
            out.append(RibbonButton(group.get("label", ""), button.get("label", ""),
                                    button.get("tag", ""), button.get("onAction", ""),
                                    button.get("imageMso", ""), button.get("screentip", "")))
    return out


# --- the openpyxl side -------------------------------------------------------------------------

def add_conf_sheet(wb: Workbook) -> None:
    """The hidden xlwings.conf sheet and the hidden defined names with the VBA messages."""
    ws = wb.create_sheet(Sheet.XLWINGS_CONF)
    for key, value, note in XLWINGS_CONF:
        ws.append([key, value, note])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["C"].width = 80
    ws.sheet_state = "hidden"
    add_texts(wb)


def add_texts(wb: Workbook) -> None:
    """The hidden defined names holding the VBA module's Chinese messages."""
    for name, text in VBA_TEXTS.items():
        constant = '"' + text.replace('"', '""') + '"'
        wb.defined_names[name] = DefinedName(name, attr_text=constant, hidden=True)


#: the codeName of the workbook, as Excel names it; sheets are Sheet1 … SheetN in sheet order
WORKBOOK_CODE_NAME = "ThisWorkbook"


def set_code_names(wb: Workbook) -> None:
    """codeNames on the workbook and each sheet, as Excel gives them with a first macro.

    The VBA project holds one document module per codeName (excel_vba.project_bin names them
    from these); with both in place Excel invents nothing on open. openpyxl keeps codeNames on save.
    """
    wb.code_name = WORKBOOK_CODE_NAME
    for place, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = f"Sheet{place}"


# --- the zip side ------------------------------------------------------------------------------

def _add_relationship(rels: bytes, rel_id: str, rel_type: str, target: str) -> bytes:
    if rel_type.encode() in rels:
        return rels
    element = (f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>').encode()
    return rels.replace(b"</Relationships>", element + b"</Relationships>", 1)


def _content_types(types: bytes) -> bytes:
    types = types.replace(XLSX_MAIN.encode(), XLSM_MAIN.encode())
    if b'PartName="/' + VBA_PART.encode() + b'"' not in types:
        override = (f'<Override PartName="/{VBA_PART}" ContentType="{VBA_CONTENT_TYPE}"/>').encode()
        types = types.replace(b"</Types>", override + b"</Types>", 1)
    return types


def add_parts(data: bytes) -> bytes:
    """The workbook bytes with the ribbon and the VBA project added (called by workbook.build_bytes)."""
    vba = project_bin(data, VBA_SOURCE.read_text(encoding="ascii"))
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            if name in (VBA_PART, RIBBON_PART):
                continue
            body = src.read(name)
            if name == "[Content_Types].xml":
                body = _content_types(body)
            elif name == "_rels/.rels":
                body = _add_relationship(body, RIBBON_REL_ID, RIBBON_REL_TYPE, RIBBON_PART)
            elif name == "xl/_rels/workbook.xml.rels":
                body = _add_relationship(body, VBA_REL_ID, VBA_REL_TYPE, "vbaProject.bin")
            dst.writestr(name, body)
        dst.writestr(VBA_PART, vba)
        dst.writestr(RIBBON_PART, RIBBON_SOURCE.read_bytes())
    return out.getvalue()


def _relationships(z: zipfile.ZipFile, name: str) -> list[tuple[str, str]]:
    """(type, target without a leading /) of each relationship in a .rels part."""
    if name not in z.namelist():
        return []
    root = ET.fromstring(z.read(name))
    return [(r.get("Type", ""), r.get("Target", "").lstrip("/"))
            for r in root.iterfind(f"{{{REL_NS}}}Relationship")]


def parts_report(data: bytes) -> dict[str, bool]:
    """Which of our parts an .xlsm holds (tests check this after every openpyxl round trip)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = set(z.namelist())
    types = ET.fromstring(z.read("[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType")
                 for o in types.iterfind(f"{{{CT_NS}}}Override")}
    return {
        "ribbon_part": RIBBON_PART in names,
        "ribbon_relationship": (RIBBON_REL_TYPE, RIBBON_PART) in _relationships(z, "_rels/.rels"),
        "vba_part": VBA_PART in names,
        "vba_relationship": (VBA_REL_TYPE, "vbaProject.bin")
        in [(t, tg.removeprefix("xl/")) for t, tg in _relationships(z, "xl/_rels/workbook.xml.rels")],
        "macro_enabled": overrides.get("/xl/workbook.xml") == XLSM_MAIN,
    }
