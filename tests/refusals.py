"""The system refusing a write, as fileio meets it: os.replace onto one path raises what a full
disk or a program holding the file open raises."""
from __future__ import annotations

import os
from pathlib import Path

from weiwen import fileio


def refuse_replace(monkeypatch, path: Path, error: OSError) -> None:
    """Every os.replace onto `path` raises `error`; onto any other path it goes through."""
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == Path(path):
            raise error
        return real_replace(src, dst)
    monkeypatch.setattr(fileio.os, "replace", replace)
