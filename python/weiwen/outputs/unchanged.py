"""Output files that need not be written again: made from the same inputs by the same code, and
untouched since (CAMPAIGN/.cache/outputs.json).

A re-merge after one unit's corrected file changes the 退回修改 list of that unit (and of the
units it shares a household with), not the other 199: each file is recorded with a digest of
what it was made from (the rows it shows, the code version of intake/cache.py) and the size and
modification time it had when written. A file whose digest is the same and which nobody opened,
saved, replaced or removed since is kept as it is. The manifest holds digests, sizes and times
only; a damaged one is ignored (everything is written again).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..fileio import Resolver, atomic_write_bytes
from ..intake.cache import CACHE_DIR, code_version

MANIFEST = "outputs.json"


def inputs_digest(*parts: Any) -> str:
    """A digest of what an output file is made from (values with a stable repr: text, numbers,
    dates, lists and tuples of them) and of the code that makes it."""
    return hashlib.sha256(repr((code_version(), parts)).encode()).hexdigest()


class Unchanged:
    """The manifest of a campaign's output files (see the module docstring)."""

    def __init__(self, campaign_root: Path) -> None:
        self.root = Path(campaign_root)
        self.path = self.root / CACHE_DIR / MANIFEST
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries: dict[str, list] = entries if isinstance(entries, dict) else {}
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False
        self._resolve = Resolver()
        self._root = os.path.join(self._resolve(self.root), "")

    def _key(self, path: Path) -> str:
        resolved = self._resolve(path)
        if resolved.startswith(self._root):
            return Path(resolved[len(self._root):]).as_posix()
        return resolved

    @staticmethod
    def _stat(path: Path) -> list[int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    def current(self, path: Path, digest: str) -> bool:
        """`path` exists as we wrote it from inputs with this digest."""
        entry = self.entries.get(self._key(path))
        return bool(entry) and entry[0] == digest and entry[1:] == self._stat(path)

    def record(self, path: Path, digest: str) -> None:
        stat = self._stat(path)
        if stat is not None:
            self.entries[self._key(path)] = [digest, *stat]
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        present = {k: v for k, v in self.entries.items() if (self.root / k).exists()}
        try:
            atomic_write_bytes(self.path, json.dumps(present, ensure_ascii=False).encode("utf-8"))
        except OSError:                      # only costs a rewrite next time
            pass
        self.changed = False
