"""Whether Weiwen.xlsm still holds its Excel parts: the 慰问 ribbon and the VBA project.

A LibreOffice save as .xlsm keeps both (measured with LibreOffice 7.4, tests/test_libreoffice_clerk.py),
but a workbook that went through another format on the way — saved as .ods in LibreOffice and
back as .xlsm, saved by WPS, saved as .xlsx and renamed — comes back without the ribbon (and
sometimes without the macros). The command line and the page work on it as before; only Excel's
buttons are gone, and the clerk finds out at an Excel desk, maybe days later. Every command
therefore says so, with the command that puts them back (`weiwen excel-setup`, which keeps the
settings and 名册). Only the zip's list of parts and one relationship part are read: cheap
enough for every command.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

RIBBON_PART = "customUI/customUI.xml"
VBA_PART = "xl/vbaProject.bin"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"


def missing_parts(workbook: Path) -> list[str] | None:
    """What of the Excel parts the workbook lacks, in the clerk's words ('“慰问”选项卡', '宏');
    empty when both are there; None when the file cannot be read as a zip (damage, told by
    whatever reads it next)."""
    try:
        with zipfile.ZipFile(workbook) as archive:
            names = set(archive.namelist())
            rels = ET.fromstring(archive.read("_rels/.rels")) if "_rels/.rels" in names else None
    except (OSError, zipfile.BadZipFile, ET.ParseError, KeyError):
        return None
    linked = rels is not None and any(
        r.get("Type") == RIBBON_REL_TYPE and (r.get("Target") or "").lstrip("/") == RIBBON_PART
        for r in rels.iter(f"{{{REL_NS}}}Relationship"))
    missing = []
    if RIBBON_PART not in names or not linked:
        missing.append("“慰问”选项卡")
    if VBA_PART not in names:
        missing.append("宏")
    return missing


def missing_note(workbook: Path, missing: list[str]) -> str:
    return (f"{workbook.name} 里没有{'和'.join(missing)}（工作簿可能在 LibreOffice 里存成过 .ods 格式、被 WPS 另存过，"
            f"或另存为 .xlsx 后又改回了名字）。命令行和工作台照常可用；要在 Excel 里点按钮，请运行一次 "
            f"weiwen excel-setup {workbook.parent}，它会把选项卡和宏补回，设置和名册都不变（原工作簿先备份到 .backup）。")


#: what a workbook saved in another format is called beside it (LibreOffice's “use ODF format”,
#: Excel's default “另存为” type)
_OTHER_FORMATS = (".ods", ".xlsx")


def newer_copies(workbook: Path) -> list[Path]:
    """Weiwen.ods / Weiwen.xlsx beside the workbook, saved after it: the clerk's edits went
    there, and every command reads Weiwen.xlsm only."""
    try:
        saved = workbook.stat().st_mtime
        beside = list(workbook.parent.iterdir())
    except OSError:
        return []
    out = []
    for path in sorted(beside):
        if path.stem.casefold() == workbook.stem.casefold() \
                and path.suffix.lower() in _OTHER_FORMATS:
            try:
                if path.is_file() and path.stat().st_mtime > saved:
                    out.append(path)
            except OSError:
                continue
    return out


def newer_copy_note(workbook: Path, copy: Path) -> str:
    return (f"活动文件夹里的 {copy.name} 比 {workbook.name} 保存得晚（在 LibreOffice 里保存时选了 ODF 格式，"
            f"或另存成了 .xlsx？）。程序只读 {workbook.name}，{copy.name} 里的改动这次没有用上。"
            f"请打开 {copy.name}，“另存为”选 .xlsm 格式（LibreOffice：Excel 2007-365 启用宏的工作簿），"
            f"文件名 {workbook.name}，替换原来的；再运行一次 weiwen excel-setup {workbook.parent} 补回"
            f"“慰问”选项卡和宏，然后把 {copy.name} 移出活动文件夹。")
