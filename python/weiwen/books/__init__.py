"""Workbook sources and sinks: where an operation reads its sheets and writes its results.

One small protocol, `Book`: it knows its campaign folder, reads named sheets as rows (header
first; a missing sheet is left out) and takes `Writes` — result frames written under a header
row, raw sheets written from A1 — under the one writer contract of cells.py. Implementations:

- `FileBook` (file_book.py): the campaign's Weiwen.xlsm on disk — calamine reads, zip-splice
  writes with a backup and an atomic replace (openpyxl as the fallback). The CLI and the page.
- `XlwingsBook` (xlwings_book.py): the open workbook in Excel through xlwings, bulk range reads
  and writes whose number of calls does not grow with rows. The ribbon buttons.
- `MemoryBook` (memory_book.py): sheets given as rows, writes applied to them and recorded, to
  be handed back (a WPS add-in posts its open workbook's sheets and gets the writes back; tests).

The pipeline (pipeline/) runs every operation over a Book; adapters only choose the book.
"""
from __future__ import annotations

from .base import (Book, Rows, Writes, read_frame, read_problems, read_roster,
                   read_settings)
from .file_book import FileBook
from .memory_book import MemoryBook
from .xlwings_book import XlwingsBook

__all__ = ["Book", "FileBook", "MemoryBook", "Rows", "Writes", "XlwingsBook", "read_frame",
           "read_problems", "read_roster", "read_settings"]
