"""Replace a step's whole set of output files at once: all or nothing, and nothing stale left.

Each file is first written under a temporary name beside its target; only when every one is
written are they moved into place, and then the files of the set that were not made this time
(a unit no longer in the roster, a PDF of an .xlsx just rewritten without --pdf) are removed.
If writing fails half-way, the temporary files are dropped and the old set stays as it was.
A file that cannot be removed because it is open in Excel is reported, not fatal.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Callable, Iterable

if TYPE_CHECKING:
    from .unchanged import Unchanged

from ..fileio import TEMP_PREFIX, Resolver, remove_stale_temps


class OutputSet:
    """with OutputSet(folder, patterns=("*.xlsx", "*.pdf")) as out: out.write(path, writer)"""

    def __init__(self, folder: Path, *, patterns: Iterable[str] = (), keep: Iterable[str] = (),
                 unchanged: Unchanged | None = None):
        self.folder = Path(folder)
        self.unchanged = unchanged              # files already made from the same inputs
        self.digests: dict[Path, str] = {}
        self.patterns = tuple(patterns)         # which existing files belong to the set
        self.keep = set(keep)                   # names in the folder that are not part of it
        self.staged: list[tuple[Path, Path]] = []
        self.written: list[Path] = []
        self.not_removed: list[Path] = []

    def write(self, path: Path, write: Callable[[Path], None], *, digest: str = "") -> Path:
        """Stage `path` made by write(tmp); with a `digest` of what it is made from, a file
        already made from the same (and untouched since) is kept as it is."""
        path = Path(path)
        if digest and self.unchanged is not None:
            self.digests[path] = digest
            if self.unchanged.current(path, digest):
                # confirmed current by this run: its time says so too (the workbench page and
                # the clerk judge an output's freshness by when it was last made)
                try:
                    os.utime(path)
                    self.unchanged.record(path, digest)
                except OSError:
                    pass
                self.written.append(path)
                return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        self.staged.append((tmp, path))
        write(tmp)
        return path

    def stage_file(self, made: Path, path: Path) -> Path:
        """An already written file (e.g. a PDF) joins the set under `path`."""
        return self.write(path, lambda tmp: os.replace(made, tmp))

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            for tmp, _ in self.staged:
                tmp.unlink(missing_ok=True)
            return
        for tmp, path in self.staged:
            os.replace(tmp, path)
            self.written.append(path)
            if path in self.digests and self.unchanged is not None:
                self.unchanged.record(path, self.digests[path])
        if self.unchanged is not None:
            self.unchanged.save()
        resolve = Resolver()
        current = {resolve(p) for p in self.written}
        for pattern in self.patterns:
            for old in self.folder.glob(pattern):
                if resolve(old) in current or old.name in self.keep or old.name.startswith(("~$", TEMP_PREFIX)):
                    continue
                try:
                    old.unlink()
                except OSError:                 # open in Excel on Windows: leave it, say so
                    self.not_removed.append(old)
        remove_stale_temps({self.folder, *(path.parent for _, path in self.staged)})

