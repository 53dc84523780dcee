"""Visit photos: which file in CAMPAIGN/照片/ belongs to which visited household.

A photo belongs to a household when the 照片 column of 走访对象 names it, or else when its file
name contains the household's 身份证号 last 6 characters, or else its 户主姓名 (the longest name
wins: 王伟国 before 王伟; two households with the same name need the ID tail). Pure: takes the
file names (relative to 照片/), never opens a picture.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import pandas as pd

from ..names import TargetCol
from ..values import to_text

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif", ".bmp", ".gif", ".tif",
                            ".tiff", ".webp"})
ID_TAIL = 6
_SPLIT = re.compile(r"[、,，;；\n]+")
ROW = "_行"


@dataclass
class PhotoMatch:
    by_row: dict[int, list[str]] = field(default_factory=dict)     # 走访对象 Excel row → files
    missing: dict[int, list[str]] = field(default_factory=dict)    # named in 照片 but not found
    unmatched: dict[str, str] = field(default_factory=dict)        # file → reason ("" or why)


def list_photos(folder: Path) -> list[str]:
    """Picture files under `folder` (subfolders too), as posix paths relative to it, sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def photo_names(value: Any) -> list[str]:
    return [part.strip() for part in _SPLIT.split(to_text(value)) if part.strip()]


def match_photos(targets: pd.DataFrame, files: Iterable[str]) -> PhotoMatch:
    """Assign each photo file to at most one 走访对象 row (see the module docstring)."""
    files = list(files)
    result = PhotoMatch()
    lookup: dict[str, str] = {}                 # lower-cased path or file name → the file
    for f in files:
        lookup.setdefault(f.lower(), f)
        lookup.setdefault(Path(f).name.lower(), f)
    claimed: dict[str, int] = {}
    rows = [(int(r[ROW]), to_text(r[TargetCol.NAME]), to_text(r[TargetCol.ID]).upper(),
             photo_names(r[TargetCol.PHOTOS])) for _, r in targets.iterrows()]
    for row, _name, _id, listed in rows:              # 1. the 照片 column
        for entry in listed:
            found = lookup.get(entry.lower()) or lookup.get(Path(entry).name.lower())
            if found is None:
                result.missing.setdefault(row, []).append(entry)
            elif found not in claimed:
                claimed[found] = row
    for f in files:
        if f in claimed:
            continue
        stem = Path(f).stem.upper()
        by_tail = [row for row, _n, id_, _l in rows if len(id_) >= ID_TAIL and id_[-ID_TAIL:] in stem]
        if len(by_tail) == 1:                         # 2. the ID tail
            claimed[f] = by_tail[0]
            continue
        by_name = [(len(n), row) for row, n, _i, _l in rows if len(n) >= 2 and n.upper() in stem]
        longest = max((n for n, _ in by_name), default=0)
        best = [row for n, row in by_name if n == longest]
        if len(by_tail) > 1:
            result.unmatched[f] = "（身份证号后6位与多户相同）"
        elif len(best) == 1:                          # 3. the household's name
            claimed[f] = best[0]
        elif len(best) > 1:
            result.unmatched[f] = "（文件名中的姓名有重名，请加身份证号后6位）"
        else:
            result.unmatched[f] = ""
    for f, row in claimed.items():
        result.by_row.setdefault(row, []).append(f)
    for row in result.by_row:
        result.by_row[row].sort()
    return result
