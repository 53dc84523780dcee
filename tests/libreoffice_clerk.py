"""LibreOffice Calc as the clerk's editor: open a workbook, type into cells, save it in place.

    /usr/bin/python3 tests/libreoffice_clerk.py Weiwen.xlsm '[["参数", "B3", "2027年1月20日"], …]'
    /usr/bin/python3 tests/libreoffice_clerk.py --through-ods Weiwen.xlsm

Each text goes into its cell the way typing does (the dispatcher's GoToCell + EnterString, in a
zh-CN LibreOffice), so "2027年1月20日" becomes a date, "1,500,000" a number and "0571-8001" text,
exactly as on a clerk's Linux desk; then the document is saved with Save (kept as .xlsm, the
format it was opened in: LibreOffice's "Keep current format"). Prints {"filter": …} as JSON.

Standalone, like libreoffice_vba.py, whose private headless LibreOffice it uses: the system
Python with `uno` (Debian: libreoffice-calc, python3-uno) runs it, without the weiwen package.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import libreoffice_vba as lo

#: the clerk's LibreOffice speaks Chinese: it reads 2027年1月20日 as a date
LOCALE = "zh-CN"


def _profile_locale(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" '
        f'oor:op="fuse"><value>{LOCALE}</value></prop></item>\n'
        '</oor:items>\n', "utf-8")


def type_and_save(xlsm: Path, edits: list[tuple[str, str, str]]) -> dict:
    import uno  # noqa: PLC0415  (system Python only)
    out: dict = {}
    with lo.office(prepare=_profile_locale) as ctx:
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(str(xlsm.resolve())),
                                           "_blank", 0, (lo._prop("Hidden", True),))
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {xlsm}")
        dispatch = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        frame = doc.CurrentController.Frame
        for sheet, cell, text in edits:
            doc.CurrentController.setActiveSheet(doc.Sheets.getByName(sheet))
            dispatch.executeDispatch(frame, ".uno:GoToCell", "", 0, (lo._prop("ToPoint", cell),))
            dispatch.executeDispatch(frame, ".uno:EnterString", "", 0,
                                     (lo._prop("StringName", text),))
        out["filter"] = next((a.Value for a in doc.getArgs() if a.Name == "FilterName"), "")
        doc.store()
        try:
            doc.close(True)
        except Exception:   # LibreOffice 7.4 headless may die closing a typed-in document;
            pass            # it is already stored, whole
    lock = xlsm.resolve().parent / f".~lock.{xlsm.name}#"
    lock.unlink(missing_ok=True)     # left by a LibreOffice that died after saving
    return out


def through_ods(xlsm: Path) -> dict:
    """What a clerk who answered LibreOffice's format question with ODF, and later saved the .ods
    as .xlsm again, leaves in place of `xlsm`."""
    import uno  # noqa: PLC0415  (system Python only)
    ods = xlsm.with_suffix(".ods")
    with lo.office(prepare=_profile_locale) as ctx:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for source, target, kind in ((xlsm, ods, "calc8"),
                                     (ods, xlsm, "Calc MS Excel 2007 VBA XML")):
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(str(source.resolve())),
                                               "_blank", 0, (lo._prop("Hidden", True),))
            doc.storeToURL(uno.systemPathToFileUrl(str(target.resolve())),
                           (lo._prop("FilterName", kind),))
            doc.close(True)
    ods.unlink()
    return {"saved": str(xlsm)}


def main() -> None:
    if sys.argv[1] == "--through-ods":
        print(json.dumps(through_ods(Path(sys.argv[2])), ensure_ascii=False))
        return
    print(json.dumps(type_and_save(Path(sys.argv[1]), json.loads(sys.argv[2])),
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
