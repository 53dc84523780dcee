"""The clerk's desktop: show a folder in Explorer / Finder / the file manager (never in Excel
or WPS). Used by the ribbon buttons' 打开活动文件夹, in Excel and in WPS alike."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def open_folder(path: Path) -> None:
    """Show the folder in Explorer / Finder / the desktop's file manager."""
    if sys.platform.startswith("win"):
        os.startfile(str(path))  # noqa: S606 - a folder, not a document
    elif sys.platform == "darwin":
        subprocess.Popen(["open", str(path)])
    else:
        subprocess.Popen(["xdg-open", str(path)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
