"""The WPS ribbon, made from the Excel ribbon (excel_src/customUI.xml): one source of truth.

WPS reads the same customUI 2006 form. What differs is only the callbacks: every button calls
main.js's OnAction (WPS hands it the control, whose Tag is the operation, as Excel hands the tag
to the VBA callback), and the ribbon's onLoad is OnAddinLoad. The text is changed, not rebuilt,
so the groups, buttons, labels, tips and icons stay exactly the Excel ones.

    python -m weiwen.wps.ribbon      # rewrite addin/ribbon.xml after changing customUI.xml
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import excel_parts

ADDIN = Path(__file__).resolve().parent / "addin"
RIBBON = ADDIN / "ribbon.xml"
ON_ACTION = "OnAction"
ON_LOAD = "OnAddinLoad"
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_HEADER = ("<!-- The 慰问 tab inside WPS 表格. Made from python/weiwen/excel_src/customUI.xml by\n"
           "     weiwen.wps.ribbon (python -m weiwen.wps.ribbon): do not edit here. Every button\n"
           "     calls main.js's OnAction with its control; the control's Tag is the operation. -->\n")


def wps_ribbon(excel_xml: str | None = None) -> str:
    """The WPS ribbon.xml text for the Excel ribbon `excel_xml` (the shipped one by default)."""
    text = excel_parts.RIBBON_SOURCE.read_text(encoding="utf-8") if excel_xml is None else excel_xml
    callback = f'onAction="{excel_parts.CALLBACK}"'
    if callback not in text:
        raise ValueError(f"the Excel ribbon has no {callback}")
    text = text.replace(callback, f'onAction="{ON_ACTION}"')
    text = _COMMENT.sub("", text, count=1)
    declaration, _, rest = text.partition("?>")
    rest = rest.lstrip("\n")
    rest = re.sub(r"(<customUI\b[^>]*?)>", rf'\1 onLoad="{ON_LOAD}">', rest, count=1)
    return f"{declaration}?>\n{_HEADER}{rest}"


def main() -> None:
    RIBBON.write_text(wps_ribbon(), encoding="utf-8", newline="\n")
    print(f"wrote {RIBBON}")


if __name__ == "__main__":
    main()
