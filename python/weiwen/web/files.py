"""The campaign's files as the page offers them: an ID per file, uploads into inbox/.

A file is downloaded or previewed only by an ID from the list this module built by walking the
campaign's own folders (outbox/, output/, inbox/); a path in a request is never opened. An upload
is one file per request, its name reduced to a plain file name (no folders, no leading dots, no
characters Windows forbids), its type one the readers take, its size capped while it streams; it
is written beside its final place and appears there whole, never over an existing file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from collections.abc import AsyncIterator

from ..campaign import Campaign
from ..intake.readers import CSV_SUFFIXES, EXCEL_SUFFIXES, list_inbox

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_SUFFIXES = frozenset(EXCEL_SUFFIXES | CSV_SUFFIXES)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
SKIP = re.compile(r"^(~\$|\.)")


class UploadRefused(Exception):
    """str() is the Chinese line the page shows; `status` the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FileEntry:
    id: str
    path: Path
    folder: str          # outbox / output / inbox
    relname: str         # shown to the clerk, relative to its folder
    size: int
    modified: dt.datetime

    @property
    def kind(self) -> str:
        return self.path.suffix.lower().lstrip(".")


class FileIndex:
    """ID → file, rebuilt from the folders on every listing; IDs are stable for a path (an HMAC
    of it with the server's secret), so a link stays valid while the file exists."""

    FOLDERS = ("output", "outbox", "inbox")

    def __init__(self, campaign: Campaign, secret: str) -> None:
        self.campaign = campaign
        self.secret = secret.encode()
        self._by_id: dict[str, FileEntry] = {}

    def _id(self, folder: str, relname: str) -> str:
        return hmac.new(self.secret, f"{folder}/{relname}".encode(), hashlib.sha256).hexdigest()[:20]

    def scan(self) -> list[FileEntry]:
        entries: list[FileEntry] = []
        for folder in self.FOLDERS:
            base = self.campaign.root / folder
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if not path.is_file() or path.is_symlink() or SKIP.match(path.name):
                    continue
                if any(SKIP.match(part) for part in path.relative_to(base).parts[:-1]):
                    continue
                st = path.stat()
                relname = path.relative_to(base).as_posix()
                entries.append(FileEntry(self._id(folder, relname), path, folder, relname,
                                         st.st_size, dt.datetime.fromtimestamp(st.st_mtime)))
        self._by_id = {e.id: e for e in entries}
        return entries

    def get(self, file_id: str) -> FileEntry | None:
        """The file with this ID, if it is in the list and still there."""
        if not self._by_id or file_id not in self._by_id:
            self.scan()
        entry = self._by_id.get(file_id)
        if entry is None or not entry.path.is_file():
            return None
        return entry

    def find(self, folder: str, relname: str) -> FileEntry | None:
        return self.get(self._id(folder, relname))


def inbox_files(campaign: Campaign) -> list[Path]:
    """The returned files the merge would read (the readers' own listing)."""
    paths, _ = list_inbox(campaign.inbox)
    return paths


# --- uploads ---------------------------------------------------------------------------------

def clean_name(name: str) -> str:
    """A plain file name from what the browser sent: "../../x.xlsx" → "x.xlsx"."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _FORBIDDEN.sub("_", name).strip().lstrip(".~$ ").rstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem[:120] or "回收表"
    if stem.lower() in _RESERVED:
        stem = f"_{stem}"
    return f"{stem}.{suffix}" if suffix else stem


def _place(tmp: Path, folder: Path, name: str) -> Path:
    """Move the finished upload to `name` in `folder`, or 名（2）.xlsx … when that is taken (an
    upload never replaces a file: the merge itself picks the newest version of a unit's list).
    A hard link appears whole or not at all; where links are not supported (some shared drives)
    the name is taken empty first and the file moved over it."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 1000):
        target = folder / (name if n == 1 else f"{stem}（{n}）{suffix}")
        try:
            os.link(tmp, target)
            return target
        except FileExistsError:
            continue
        except OSError:
            try:
                os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                continue
            os.replace(tmp, target)
            return target
    raise UploadRefused(f"inbox 里同名文件太多（{name}），没有保存。", 409)


async def save_upload(campaign: Campaign, raw_name: str, chunks: AsyncIterator[bytes], *,
                      declared_size: int | None = None, limit: int = MAX_UPLOAD_BYTES) -> Path:
    """Stream one uploaded file into inbox/; UploadRefused with the reason in Chinese."""
    name = clean_name(raw_name)
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        allowed = "、".join(sorted(UPLOAD_SUFFIXES))
        raise UploadRefused(f"“{name}”不是可以合并的表格文件（{suffix or '无扩展名'}）。"
                            f"请上传 {allowed} 文件。", 415)
    if declared_size is not None and declared_size > limit:
        raise UploadRefused(_too_big(name, limit), 413)
    inbox = campaign.inbox.resolve()
    inbox.mkdir(exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~tmp-", suffix=suffix, dir=inbox)
    tmp = Path(tmp_name)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadRefused(_too_big(name, limit), 413)
                out.write(chunk)
        if size == 0:
            raise UploadRefused(f"“{name}”是空文件，没有保存。", 400)
        if (inbox / name).resolve().parent != inbox:   # never anywhere but inbox/ itself
            raise UploadRefused("文件名不合法，没有保存。", 400)
        return _place(tmp, inbox, name)
    finally:
        if tmp.exists():
            tmp.unlink()


def _too_big(name: str, limit: int) -> str:
    return (f"“{name}”超过 {limit // (1024 * 1024)} MB，没有保存。回收表通常只有几百 KB；"
            f"请确认文件是否正确，或直接复制到活动文件夹的 inbox 里。")
