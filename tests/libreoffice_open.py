"""LibreOffice as the reader at the other end of an email: open an encrypted output with a password.

    python tests/libreoffice_open.py FILE PASSWORD [PASSWORD ...]

Prints JSON: for each password, the workbook's sheet names and its first sheet's A1 as LibreOffice
reads them, or null when LibreOffice does not open the file with it. Finance or a community may
open `output/加密发送/` in LibreOffice or WPS, not Excel; whether they can is not for our own
decryption (protect.py, msoffcrypto-tool) to say. Runs under the system Python (uno).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from libreoffice_vba import _prop, office, with_uno


def open_with(path: Path, passwords: list[str]) -> dict[str, dict | None]:
    out: dict[str, dict | None] = {}
    with office() as ctx:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for password in passwords:
            try:
                doc = desktop.loadComponentFromURL(path.as_uri(), "_blank", 0, (
                    _prop("Hidden", True), _prop("Password", password)))
            except Exception:             # a wrong password: LibreOffice refuses the URL
                doc = None
            if doc is None:
                out[password] = None
                continue
            try:
                out[password] = {"sheets": list(doc.Sheets.ElementNames),
                                 "A1": doc.Sheets.getByIndex(0).getCellRangeByName("A1").String}
            finally:
                doc.close(True)
    return out


def main() -> None:
    with_uno(__file__)
    print(json.dumps(open_with(Path(sys.argv[1]), sys.argv[2:]), ensure_ascii=False))


if __name__ == "__main__":
    main()
