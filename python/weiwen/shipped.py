"""Files that ship with weiwen: the clerk's workbook and the templates a clerk may restyle.

The repository keeps them at its top level (workbook/Weiwen.xlsm, templates/*.xlsx — DESIGN.md
fixes that layout); an installed wheel carries the same files as package data under
weiwen/_shipped/ (pyproject.toml, force-include). `path()` returns the file for either way of
running: from the installed package when it has them, else from the source checkout.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGED = "_shipped"


def path(relative: str) -> Path:
    """The shipped file `relative` (e.g. "workbook/Weiwen.xlsm", "templates/回收模板.xlsx")."""
    packaged = resources.files("weiwen") / PACKAGED
    for part in relative.split("/"):
        packaged = packaged / part
    if isinstance(packaged, Path) and packaged.is_file():
        return packaged
    return REPO_ROOT / relative
