"""Safe file writing: temp file in the same folder then replace, and backups of the workbook.

A crash half-way through a write leaves the original file untouched (os.replace is atomic on the
same file system). Before the campaign workbook is replaced, a copy goes to CAMPAIGN/.backup/.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from collections.abc import Callable, Iterable

from .names import BACKUP_DIR
from .values import to_text

BACKUPS_KEPT = 10
_FORBIDDEN_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
#: the longest file-name stem made from a name, in UTF-8 bytes (40 Chinese characters): file
#: systems take 255 bytes a name, and Windows 260 characters a path
_MAX_STEM_BYTES = 120


def safe_file_stem(name: str, default: str = "未命名单位") -> str:
    """A file name from a unit or group name: characters Windows forbids become _. A name too
    long for a file name (a paragraph pasted into 单位) is cut, and a digest of the whole name
    added, so that two long names that begin alike still make two files."""
    stem = _FORBIDDEN_IN_NAMES.sub("_", to_text(name)).strip(" .") or default
    if len(stem.encode("utf-8")) <= _MAX_STEM_BYTES:
        return stem
    digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8]
    cut = stem.encode("utf-8")[:_MAX_STEM_BYTES - 9].decode("utf-8", "ignore").rstrip(" .")
    return f"{cut}_{digest}"


TEMP_PREFIX = ".~tmp-"
#: a temporary file older than this was left by a run that was killed (window closed, power cut);
#: a younger one may be another process writing right now, so it is never touched
STALE_TEMP_SECONDS = 3600


def remove_stale_temps(folders: Iterable[Path], *, older_than: float = STALE_TEMP_SECONDS) -> None:
    """Remove the `.~tmp-*` files a killed run left in `folders` (on Windows they show beside the
    real files, some of 0 bytes); only those older than `older_than` seconds."""
    cutoff = time.time() - older_than
    for folder in folders:
        for tmp in Path(folder).glob(f"{TEMP_PREFIX}*"):
            try:
                if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:                     # gone already, or held open: try next time
                pass


class Resolver:
    """Path.resolve() (os.path.realpath) of many files in a few folders, as text, each folder
    resolved once: resolving looks at every part of the path (a system call each), and a
    re-merge asks it of 200 units' files two or three times each. A file that is itself a link
    is resolved whole."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str | os.PathLike[str]) -> str:
        path = os.fspath(path)
        folder, name = os.path.split(path)
        if name in ("", ".", "..") or os.path.islink(path):
            return os.path.realpath(path)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call write(tmp) for a temp path beside `path`, then move it over `path` (what write returns
    is not used: `wb.save`, `Path.write_bytes` and `shutil.copyfile` all fit)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def backup(path: Path, campaign_root: Path) -> Path | None:
    """Copy `path` into campaign_root/.backup/ with a timestamp; keep the newest BACKUPS_KEPT."""
    path = Path(path)
    if not path.exists():
        return None
    folder = Path(campaign_root) / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    atomic_write(target, lambda tmp: shutil.copy2(path, tmp))   # never a half-copied backup
    olds = sorted(folder.glob(f"{path.stem}-*{path.suffix}"))
    for old in olds[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return target
