"""Print settings shared by every printable output: A4, one page wide, titles on every page.

Signature sheets, the finance summary, the audit list, the feedback files and the leaders' visit
lists are all printed and handed around; they get the same page setup from here.
"""
from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

#: "第 N 页 共 M 页" in Excel's header/footer codes
FOOTER = "第 &P 页 共 &N 页"
FOOTER_FONT = "宋体,Regular"      # the one font of every printed output (outputs.layout.FONT)


def print_setup(ws: Worksheet, *, title_rows: str | None = None, landscape: bool = True,
                footer_left: str = "") -> None:
    """A4, fitted to one page wide (as many pages tall as needed), `title_rows` (e.g. "1:3")
    repeated on every page, page numbers in the footer, centred horizontally."""
    fit, footer = ws.sheet_properties.pageSetUpPr, ws.oddFooter
    assert fit is not None and footer is not None       # openpyxl gives every sheet both
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    fit.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    footer.center.text = FOOTER
    footer.center.font = FOOTER_FONT
    footer.center.size = 9
    if footer_left:
        footer.left.text = footer_left
        footer.left.font = FOOTER_FONT
        footer.left.size = 8
