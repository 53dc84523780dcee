"""LibreOffice Calc as the person's editor: open a file Weiwen sent out, type into cells, save.

    /usr/bin/python3 tests/libreoffice_fill.py < spec.json      (prints what Calc holds, as JSON)

Communities, villages and clerks fill Weiwen's files in LibreOffice Calc as often as in Excel.
This types text into cells as the keyboard does (the dispatcher's GoToCell + EnterString, what
the macro recorder records), so the cell's number format and the office's locale decide what it
becomes: a text-formatted cell keeps 18 digits as text, "2027/2/8" becomes a date, 18 digits in
a General cell become a number. The office's locale is zh-CN, set in its private profile before
Calc starts (libreoffice_clerk._profile_locale), as on a Chinese desktop. Then it saves the
document in each format asked for, with LibreOffice's own export filters. (Fills that compare
with openpyxl or with `setFormula` prove less: the formula API parses in English and ignores a
cell's text format.)

spec = {"source": path,
        "edits": [{"sheet": name, "cell": "B11", "type": "text typed",
                   "general": true (optional: the cell's format cleared to General first, as
                   when a person pastes with formatting or uses Clear Direct Formatting)}],
        "saves": [{"path": out, "filter": "Calc MS Excel 2007 XML" | "calc8" | "MS Excel 97"}]}
prints {"cells": [{"sheet", "cell", "type": "TEXT"|"VALUE"|"EMPTY"|"FORMULA", "string",
                   "value", "format"}]} — what Calc made of each typed text.

Needs `soffice` and the system Python's `uno` (Debian: libreoffice-calc-nogui, python3-uno);
re-runs itself with /usr/bin/python3 when the running Python has no `uno`.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

# same folder, run as a script; the zh-CN profile is the one the clerk's typing driver uses
from libreoffice_clerk import LOCALE, _profile_locale
from libreoffice_vba import _prop, office, with_uno

def _sheet(doc, name):
    sheets = doc.Sheets
    return sheets.getByIndex(name) if isinstance(name, int) else sheets.getByName(name)


def _type_into(doc, dispatcher, sheet, cell: str, text: str) -> None:
    """Select the cell and enter `text` as the keyboard does (what the macro recorder records).

    Not `setFormula`: that is the formula API, which parses numbers and dates in English and
    ignores a cell's text (@) format, so 18 digits typed into the template's text-formatted ID
    column would come back a number, which no person typing into that column gets.
    """
    frame = doc.CurrentController.Frame
    doc.CurrentController.setActiveSheet(sheet)
    dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (_prop("ToPoint", cell),))
    dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (_prop("StringName", text),))


def fill(spec: dict) -> dict:
    out: list = []
    # One office and one document per save, typed afresh each time, as a person saves a file
    # once: LibreOffice 7.4 crashes storing one document to a second format, or closing a
    # second document typed into through the dispatcher, in one process.
    for save in spec["saves"]:
        with tempfile.TemporaryDirectory() as tmp, office(prepare=_profile_locale) as ctx:
            copy = Path(tmp) / Path(spec["source"]).name   # its .~lock file is made there
            shutil.copyfile(spec["source"], copy)
            out = _type_and_save(ctx, copy, LOCALE, spec["edits"], save)
    return {"cells": out}


def _type_and_save(ctx, source: Path, locale: str, edits: list, save: dict) -> list:
    import uno  # noqa: PLC0415  (system Python only)
    from com.sun.star.lang import Locale  # noqa: PLC0415
    lang, _, country = locale.partition("-")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(str(Path(source).resolve())), "_blank", 0, (_prop("Hidden", True),))
    if doc is None:
        raise SystemExit(f"LibreOffice could not open {source} (a .~lock file beside it?)")
    try:
        # The document's language too, as a document made on a Chinese desktop has it.
        doc.CharLocale = Locale(lang, country, "")
        formats = doc.NumberFormats
        general = formats.getStandardFormat(0, Locale(lang, country, ""))
        dispatcher = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", ctx)
        out = []
        for edit in edits:
            sheet = _sheet(doc, edit["sheet"])
            cell = sheet.getCellRangeByName(edit["cell"])
            if edit.get("general"):
                cell.NumberFormat = general
            _type_into(doc, dispatcher, sheet, edit["cell"], edit["type"])
            fmt = formats.getByKey(cell.NumberFormat)
            out.append({"sheet": edit["sheet"], "cell": edit["cell"], "type": cell.Type.value,
                        "string": cell.String, "value": cell.Value,
                        "format": fmt.FormatString})
        target = Path(save["path"]).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        doc.storeToURL(uno.systemPathToFileUrl(str(target)),
                       (_prop("FilterName", save["filter"]), _prop("Overwrite", True)))
        return out
    finally:
        # Saved by now; LibreOffice 7.4 sometimes crashes closing a document after storing it as
        # .ods, which loses nothing, so a failed close is not this run's failure.
        with contextlib.suppress(Exception):
            doc.close(True)


def main() -> None:
    with_uno(__file__)
    print(json.dumps(fill(json.load(sys.stdin)), ensure_ascii=False))


if __name__ == "__main__":
    main()
