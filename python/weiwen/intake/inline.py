"""Which returned files may be read in this process rather than in a reader process (pool.py).

A reader process costs about 0.1 s of CPU to start and, on a busy PC, much of a second before
its first file; a street office's dozen returns of 20 KB each are read here in about 0.06 s.
The readers exist because a file from outside may make the reading library panic, abort, eat
memory or never finish, so a file read here must leave none of that possible:
- the batch is small (at most SMALL_BATCH bytes on disk, each file at most SMALL_FILE): a
  district's hundreds of files still go to the readers and keep both cores busy;
- and each file is either read by our own Python code alone (delimited text, an empty file, a
  file that is plainly no table), bounded by its size;
- or is an OOXML workbook (xlsx and kin) checked before calamine sees it: every zip member
  unzips, within SMALL_UNZIPPED bytes in all, to exactly what the zip directory declares (size
  and CRC, checked by Python's zipfile), no member is encrypted, doubled or holds a DTD, the
  shared-string count is honest and the sheets' grids together stay under SMALL_GRID cells
  (ooxml.measure). calamine then parses only bytes already checked, and what it allocates (and
  what the cells take here) is bounded by those grids.
Everything else — xls, xlsb, ods, a damaged, far-flung or larger file — goes to the readers.
Light module (stdlib only).
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from collections.abc import Iterable

from . import ooxml
from . import reasons as R
from .sniff import sniff

SMALL_FILE = 256 << 10           # bytes on disk of one file read here
SMALL_BATCH = 1 << 20            # bytes on disk of all the files read here together
SMALL_UNZIPPED = 8 << 20         # bytes of one workbook's zip members, unzipped
SMALL_MEMBERS = 200              # zip members of one workbook
SMALL_GRID = 500_000             # cells of calamine's grids (A1 to the farthest cell), all sheets


def split(paths: Iterable[Path], batch: int = SMALL_BATCH) -> tuple[list[Path], list[Path]]:
    """(files to read here, files for the reader processes), each list in the given order.
    Nothing is read here when the files together exceed `batch` bytes."""
    paths = list(paths)
    sizes: list[int] = []
    for path in paths:
        try:
            sizes.append(Path(path).stat().st_size)
        except OSError:
            return [], paths
    if sum(sizes) > batch:
        return [], paths
    here = [p for p, size in zip(paths, sizes) if size <= SMALL_FILE and safe_here(p)]
    chosen = set(here)
    return here, [p for p in paths if p not in chosen]


def safe_here(path: Path) -> bool:
    """Whether `path` (already known to be small) may be read in this process."""
    try:
        kind = sniff(path)
    except R.ReadFailure:
        return True           # no table (a PDF, a web page): refused by Python code alone
    except OSError:
        return True           # locked or gone: formats.read_any says so without a library
    if kind in ("empty", "text"):
        return True
    return kind == "zip" and _checked_ooxml(path)


def _checked_ooxml(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {info.filename.lower() for info in infos}
            if (len(infos) > SMALL_MEMBERS or len(names) != len(infos)
                    or "xl/workbook.xml" not in names
                    or sum(info.file_size for info in infos) > SMALL_UNZIPPED):
                return False
            for info in infos:
                if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                                     zipfile.ZIP_DEFLATED):
                    return False
                data = z.read(info)           # zipfile checks the size and the CRC
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    return False
            if ooxml.calamine_safe(z):
                return False
            budget = ooxml.Budget(SMALL_UNZIPPED)
            parts, _ = ooxml.sheet_parts(z, budget)
            grid = 0
            for part in parts:
                if part.kind not in ("worksheet", ""):
                    continue
                if not ooxml.has_member(z, part.part):
                    return False
                extent = ooxml.measure(z, part.part, budget, exact_over=SMALL_GRID - grid)
                grid += extent.dense
                if extent.absurd or grid > SMALL_GRID:
                    return False
    except Exception:         # damaged in any way: the readers find out how, in isolation
        return False
    return True
