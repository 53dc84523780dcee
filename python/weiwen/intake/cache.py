"""Parsed returned files kept between merges, by content: CAMPAIGN/.cache/returns/.

A re-merge after one unit sent a corrected file should not read and parse the other 199 files
again. Two kinds of entries, each keyed by what its result depends on:

- `file`: one returned file parsed into its data tables (merge.parse_file), without its cells:
  key = the file's content (SHA-256 of its bytes) + its name in inbox/ (the tables carry it as
  来源文件) + the code version. A file whose entry exists is not read at all (no reader process).
  Each table keeps its outline (tables.OUTLINE: what the merge counts and splits by) apart
  from its parsed cells, which stay pickled bytes until a piece of it must be cleaned again
  (new settings): a re-merge that takes every piece from the cache never unpickles them.
- `piece`: one table's rows of one unit in roster columns, cleaned (merge's normalising): key =
  the file's key + the sheet + the unit + the settings (a digest of 参数 / 单位 / 标准 as read).

The code version is a digest of the weiwen package's own sources plus `SCHEMA`, the Python and
the pandas version: any change to the code, a reinstall of another version, or a different
pandas invalidates everything. Changed bytes change the key; a file's modification time is read
fresh on every merge (it decides which version of a unit is newest), never cached.

What is kept: the parsed tables and cleaned rows of the campaign's own returns — personal data
that already lives in this campaign folder, and stays in it (nothing goes to a temp or user
folder but the key below). Entries no merge used are removed after each merge.

Trust: an entry is a pickle behind an HMAC-SHA256 made with a random key kept per user outside
the campaign folder (`key_file()`). A damaged, truncated, foreign (a campaign folder copied from
another computer) or tampered entry fails the check and is ignored (and removed): the file is
then read and parsed afresh. A cache that cannot be written (read-only folder, full disk) only
costs speed. Entries are written atomically.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import os
import pickle
import sys
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable

from .. import problems as P
from ..fileio import atomic_write_bytes
from .formats import FileData
from .raw import RawFile

#: bump when the layout of an entry changes without a source change (it never should)
SCHEMA = 1
CACHE_DIR = ".cache"
RETURNS = "returns"
_MAGIC = b"WWC1"
_PACKAGE = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of every .py file of the weiwen package (path and bytes), SCHEMA, the Python and
    the pandas version: what the cached results were computed with."""
    import pandas
    digest = hashlib.sha256(f"{SCHEMA}|{sys.version_info[:2]}|{pandas.__version__}".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_file() -> Path:
    """Where this user's cache key lives: %LOCALAPPDATA%\\weiwen on Windows, $XDG_CACHE_HOME or
    ~/.cache/weiwen elsewhere. WEIWEN_CACHE_KEY names another file (tests)."""
    if os.environ.get("WEIWEN_CACHE_KEY"):
        return Path(os.environ["WEIWEN_CACHE_KEY"])
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_CACHE_HOME") \
        or Path.home() / ".cache"
    return Path(base) / "weiwen" / "cache.key"


def _secret() -> bytes | None:
    path = key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
        return path.read_bytes()
    except FileExistsError:            # another process made it just now
        try:
            return path.read_bytes()
        except OSError:
            return None
    except OSError:
        return None


class Store:
    """Pickled values under `folder`/<kind>/<digest of the key>.pkl, each behind an HMAC.

    `get` returns None for a missing, damaged or foreign entry; `put` never raises. `prune`
    removes the entries of the given kinds that were not used since the store was opened."""

    def __init__(self, folder: Path, version: str | None = None) -> None:
        self.folder = Path(folder)
        self.version = version or code_version()
        self._secret = _secret()
        self._used: set[Path] = set()

    @property
    def enabled(self) -> bool:
        return self._secret is not None

    def _path(self, kind: str, key: Iterable[str]) -> Path:
        name = hashlib.sha256("\0".join((self.version, kind, *key)).encode()).hexdigest()
        return self.folder / kind / f"{name}.pkl"

    def _mac(self, payload: bytes) -> bytes:
        assert self._secret is not None
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def get(self, kind: str, key: Iterable[str]) -> Any | None:
        payload = self.get_bytes(kind, key)
        if payload is None:
            return None
        try:
            return pickle.loads(payload)
        except Exception:          # unpicklable after all (a class that moved): recompute
            self._drop(self._path(kind, key))
            return None

    def get_bytes(self, kind: str, key: Iterable[str]) -> bytes | None:
        """The bytes an entry was put with, once its HMAC holds (None: missing, damaged, foreign)."""
        if not self.enabled:
            return None
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self._used.add(path)
        mac, payload = data[len(_MAGIC):len(_MAGIC) + 32], data[len(_MAGIC) + 32:]
        if not data.startswith(_MAGIC) or not hmac.compare_digest(mac, self._mac(payload)):
            self._drop(path)
            return None
        return payload

    def put(self, kind: str, key: Iterable[str], value: Any) -> None:
        if not self.enabled:
            return
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:          # a cache that cannot be written only costs speed
            self._used.add(self._path(kind, key))
            return
        self.put_bytes(kind, key, payload)

    def put_bytes(self, kind: str, key: Iterable[str], payload: bytes) -> None:
        if not self.enabled:
            return
        path = self._path(kind, key)
        self._used.add(path)
        try:
            atomic_write_bytes(path, _MAGIC + self._mac(payload) + payload)
        except Exception:          # a cache that cannot be written only costs speed
            pass

    def keep(self, kind: str, key: Iterable[str]) -> bool:
        """Whether the entry is there, marking it used (prune leaves it) without reading it."""
        if not self.enabled:
            return False
        path = self._path(kind, key)
        if not path.is_file():
            return False
        self._used.add(path)
        return True

    def prune(self, kinds: Iterable[str]) -> None:
        for kind in kinds:
            for path in (self.folder / kind).glob("*.pkl"):
                if path not in self._used:
                    self._drop(path)

    @staticmethod
    def _drop(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass


def settings_digest(sheets: dict[str, list[list[Any]]]) -> str:
    """A digest of the settings sheets as read (any change to 参数 / 单位 / 标准 changes it)."""
    digest = hashlib.sha256()
    for name in sorted(sheets):
        digest.update(repr((name, sheets[name])).encode())
    return digest.hexdigest()


FILE, PIECE = "file", "piece"


class _KeptCells:
    """The cells of a kept file's tables (pickled apart from their outlines), unpickled on the
    first call: a re-merge takes most pieces cleaned from the cache and never needs them."""

    def __init__(self, kept: tuple[bytes, list[bool]]) -> None:
        self._payload, self._outlined = kept
        self._frames: list[Any] | None = None

    def outlined(self, i: int) -> bool:
        return i < len(self._outlined) and self._outlined[i]

    def frame(self, i: int) -> Any:
        if self._frames is None:
            self._frames = pickle.loads(self._payload)
            self._payload = b""
        return self._frames[i]


class ReturnsCache:
    """What a merge remembers of the returned files in inbox/ (see the module docstring): the
    `known` hook of readers.read_inbox and the `parsed` / `normalised` hooks of
    merge.merge_files. `finish()` drops the entries this merge did not use."""

    def __init__(self, campaign_root: Path, inbox: Path, settings_key: str = "",
                 store: Store | None = None) -> None:
        self.store = store or Store(Path(campaign_root) / CACHE_DIR / RETURNS)
        self.inbox = Path(inbox)
        self.settings_key = settings_key      # "" until known: pieces are then not kept
        self._keys: dict[Path, tuple[str, str]] = {}
        self._parsed: dict[Path, tuple[FileData, list, list[P.Problem]]] = {}
        self.hits = 0

    def _relname(self, path: Path) -> str:
        try:
            return Path(path).relative_to(self.inbox).as_posix()
        except ValueError:
            return Path(path).name

    def _key(self, path: Path) -> tuple[str, str] | None:
        if path not in self._keys:
            try:
                self._keys[path] = (file_digest(path), self._relname(path))
            except OSError:
                return None
        return self._keys[path]

    def known(self, path: Path) -> FileData | None:
        """The file's data without its cells when the same bytes were parsed before (the reader
        processes then leave it alone), else None."""
        key = self._key(path) if self.store.enabled else None
        entry = self.store.get(FILE, key) if key else None
        if entry is None:
            return None
        try:
            light, tables, hidden, cells = entry
            kept = _KeptCells(cells)
        except (TypeError, ValueError):      # an entry of another shape: the file is read
            return None
        for i, table in enumerate(tables):
            if kept.outlined(i):
                table.cells = functools.partial(kept.frame, i)
        self._parsed[path] = (light, tables, hidden)
        self.hits += 1
        return light

    def parsed(self, raw: RawFile, parse: Callable[[RawFile], tuple[list, list[P.Problem]]]
               ) -> tuple[list, list[P.Problem]]:
        """merge.parse_file(raw), from the cache when the file is known."""
        entry = self._parsed.get(raw.path)
        if entry is not None:
            _, tables, hidden = entry
            for table in tables:
                table.raw = raw
            return tables, hidden
        tables, hidden = parse(raw)
        key = self._key(raw.path)
        if key is not None and self.store.enabled and self._unchanged(raw.path, key):
            light = FileData(sheets=[], meta=raw.meta, saved=raw.saved, notes=raw.notes)
            outlines = [t.outline() for t in tables]
            try:
                # each table's cells apart, as bytes: the next merge unpickles them only if it
                # cleans a piece of the table again (None: the table is kept whole)
                cells = pickle.dumps([None if o is None else t.frame
                                      for t, o in zip(tables, outlines)],
                                     protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:      # a cache that cannot be written only costs speed
                return tables, hidden
            kept = [dataclasses.replace(t, raw=None, cells=None, frame=t.frame if o is None else o)
                    for t, o in zip(tables, outlines)]
            self.store.put(FILE, key, (light, kept, hidden,
                                       (cells, [o is not None for o in outlines])))
        return tables, hidden

    def normalised(self, raw: RawFile, part: tuple[str, ...], make: Callable[[], Any]) -> Any:
        """make() — one piece of a file cleaned under the current settings — from the cache
        when the same file, part and settings were seen before."""
        key = self._key(raw.path)
        if key is None or not self.store.enabled or not self.settings_key:
            return make()
        full = (*key, *part, self.settings_key)
        value = self.store.get(PIECE, full)
        if value is None:
            value = make()
            self.store.put(PIECE, full, value)
        return value

    def same_as_last_merge(self) -> set[str] | None:
        """The names in inbox/ of the files whose very bytes the last merge parsed (their entries
        were found: `finish` keeps only the entries a merge used), or None when the cache cannot
        tell — it is off, or it found nothing (the first merge, another code version, a cache
        cleared or copied from another computer)."""
        if not self.store.enabled or not self.hits:
            return None
        return {self._relname(path) for path in self._parsed}

    @staticmethod
    def _unchanged(path: Path, key: tuple[str, str]) -> bool:
        """The bytes are still those the key was made from (not saved over while read)."""
        try:
            return file_digest(path) == key[0]
        except OSError:
            return False

    def finish(self) -> None:
        self.store.prune((FILE, PIECE))
