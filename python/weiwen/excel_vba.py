"""The workbook's VBA project: an Excel-made base project with our one module added.

`project_bin(xlsm)` returns `xl/vbaProject.bin` for a workbook whose workbook.xml and sheets carry
their codeNames (ThisWorkbook, Sheet1 … SheetN, written by workbook.py through openpyxl):

- pyopenvba gives the workbook the project Excel itself makes for a first macro: its Excel-made
  blank project (code page 1252, 64-bit SYSKIND, references stdole and Office, the PROJECT stream's
  ID/CMG/DPB/GC lines) with a document module for the workbook and one per sheet, named after the
  codeNames; then our module `Weiwen` (excel_src/Weiwen.bas, ASCII, CRLF line ends) is added.
- Every module is written as source only, and `_VBA_PROJECT` is reduced to the 7-byte header
  MS-OVBA asks a writer for (§2.3.4.1: Version 0xFFFF, no performance cache; §1.6: "to be
  interoperable, this version number MUST be set to 0xFFFF"). Excel then compiles the project from
  source on open, as it does for xlwings' own xlwings.xlam, whose header is the same 7 bytes.

No LibreOffice is needed, and the same input gives the same bytes. tests/vba_records.py compares the
result record by record with xlwings.xlam; docs/excel.md lists the differences we expect.
"""
from __future__ import annotations

import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from pyopenvba import ExcelFile, VBAModuleKind
from pyopenvba.cfb import CFB

VBA_PART = "xl/vbaProject.bin"
MODULE_NAME = "Weiwen"
#: [MS-OVBA] 2.3.4.1 / 3.1.1: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 0x0001
INTEROPERABLE_VBA_PROJECT = bytes.fromhex("cc61ffff000100")
#: the code page of the Excel-made base project, kept (see docs/excel.md "Code page")
CODE_PAGE = 1252


def module_source(bas_text: str) -> str:
    """The .bas text as VBA stores it: CRLF line ends, ASCII only (the project's code page is 1252)."""
    bas_text.encode("ascii")   # raises on a non-ASCII character: messages live in defined names
    return bas_text.replace("\r\n", "\n").replace("\n", "\r\n")


def project_bin(xlsm: bytes, bas_text: str) -> bytes:
    """`xl/vbaProject.bin` for the workbook bytes `xlsm` (no project yet), holding our module."""
    with tempfile.TemporaryDirectory(prefix="weiwen-vba-") as tmp:
        source, target = Path(tmp) / "in.xlsm", Path(tmp) / "out.xlsm"
        source.write_bytes(xlsm)
        with ExcelFile(source) as book:
            project = book.add_vba_project()
            if project.code_page != CODE_PAGE:
                raise RuntimeError(f"pyopenvba's base project has code page {project.code_page}")
            for module in project.modules:       # the document modules: source only, no p-code
                module.body = module.body
            project.add_module(MODULE_NAME, module_source(bas_text), kind=VBAModuleKind.standard)
            book.save(target)
        with zipfile.ZipFile(BytesIO(target.read_bytes())) as saved:
            binary = saved.read(VBA_PART)
    cfb = CFB.from_bytes(binary)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", INTEROPERABLE_VBA_PROJECT)
    data: bytes = cfb.to_bytes()   # pyopenvba ships no type information
    return data
