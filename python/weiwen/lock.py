"""One command at a time on a campaign: a lock file beside the workbook.

`campaign_lock(root, command)` is a context manager the CLI (cli._run) and the Excel buttons
both use. The lock file CAMPAIGN/.weiwen.lock is created with O_EXCL (atomic on local disks and
on SMB shares) and holds who took it: pid, computer, user, command, time. A second command
while it is held raises errors.CampaignBusy with one Chinese line saying who is working and what
to do. A lock left behind by a killed process is released: on the same computer when its pid is
no longer alive, and on any computer when it is older than STALE_AFTER.

A lock taken on another computer is NOT released just because the host differs: a campaign
folder on a shared drive may really be in use over there, and its pid cannot be checked from
here. It is released once it is older than STALE_AFTER, and the message tells the clerk which
file to delete if they know that computer is not working on it.

Nested use in the same process (a button that locks, then calls an operation that locks) is
allowed and counted.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
import stat
import sys
import threading
from pathlib import Path
from typing import Any
from collections.abc import Iterator

from .errors import CampaignBusy

LOCK_FILE = ".weiwen.lock"
#: a lock older than this is stale whoever holds it (the longest real run takes minutes)
STALE_AFTER = dt.timedelta(hours=2)

_held: dict[Path, int] = {}
_held_guard = threading.Lock()


def lock_path(root: Path | str) -> Path:
    return Path(root) / LOCK_FILE


def _host() -> str:
    return socket.gethostname()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service account, container)
        return ""


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this computer."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    """A killed child its parent has not reaped yet is a zombie: dead for our purpose."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def read_lock(root: Path | str) -> dict[str, Any] | None:
    """What the lock file says, or None when there is no lock. A damaged file reads as {}."""
    try:
        text = lock_path(root).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        info = json.loads(text)
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def _started(info: dict[str, Any], path: Path) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(info["started"]))
    except (KeyError, ValueError):
        try:
            return dt.datetime.fromtimestamp(path.stat().st_mtime)
        except OSError:
            return dt.datetime.now()


def is_stale(info: dict[str, Any], path: Path, *, now: dt.datetime | None = None) -> bool:
    """A lock nobody holds any more: its process died here, or it is older than STALE_AFTER."""
    now = now or dt.datetime.now()
    if now - _started(info, path) > STALE_AFTER:
        return True
    if info.get("host") == _host():
        try:
            return not pid_alive(int(info.get("pid", 0)))
        except (TypeError, ValueError):
            return True
    return False


def busy_message(info: dict[str, Any], path: Path) -> str:
    who = info.get("host") or "另一台电脑"
    if info.get("user"):
        who += f"（{info['user']}）"
    what = info.get("command") or "一个命令"
    since = _started(info, path).strftime("%H:%M")
    return (f"另一个操作正在处理这个活动：{who} 于 {since} 开始的“{what}”还没有结束。"
            f"请等它完成后再试；如确认没有程序在运行，可删除 {path} 后重试。")


def _write_new(path: Path, command: str) -> bool:
    """Create the lock file if it does not exist; False when someone else has it."""
    info = {"pid": os.getpid(), "host": _host(), "user": _user(), "command": command,
            "started": dt.datetime.now().isoformat(timespec="seconds")}
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(info, f, ensure_ascii=False)
    return True


def acquire(root: Path | str, command: str = "") -> Path:
    """Take the campaign's lock or raise CampaignBusy; releases a stale lock first."""
    path = lock_path(root)
    for _ in range(3):
        if _write_new(path, command):
            return path
        info = read_lock(root)
        if info is None:
            continue                       # released between our two looks: try again
        if not info and _age(path) < dt.timedelta(seconds=5):
            # being written right now by its owner (created, not yet filled)
            raise CampaignBusy(busy_message({}, path))
        if info and not is_stale(info, path):
            raise CampaignBusy(busy_message(info, path))
        _remove_stale(path, info)
    raise CampaignBusy(busy_message(read_lock(root) or {}, path))


def _age(path: Path) -> dt.timedelta:
    try:
        return dt.datetime.now() - dt.datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return dt.timedelta(0)


def _remove_stale(path: Path, seen: dict[str, Any]) -> None:
    """Remove the stale lock we looked at (not one a third process has just taken)."""
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    try:
        now_there = json.loads(aside.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        now_there = {}
    if seen and now_there and now_there != seen:
        # someone replaced the stale lock with a live one between our look and the move
        with contextlib.suppress(OSError):
            os.replace(aside, path)
        return
    aside.unlink(missing_ok=True)


def release(root: Path | str) -> None:
    """Remove the lock if this process holds it."""
    path = lock_path(root)
    info = read_lock(root)
    if info and info.get("pid") == os.getpid() and info.get("host") == _host():
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def campaign_lock(root: Path | str, command: str = "") -> Iterator[Path]:
    """Hold the campaign's lock for the duration of the block.

    >>> with campaign_lock(campaign.root, "run"):
    ...     pipeline.run(campaign)
    """
    key = Path(root).resolve()
    with _held_guard:
        depth = _held.get(key, 0)
        if depth == 0:
            acquire(key, command)
        _held[key] = depth + 1
    try:
        yield lock_path(key)
    finally:
        with _held_guard:
            _held[key] -= 1
            if _held[key] == 0:
                del _held[key]
                release(key)


# --- the workbook open in Excel, WPS or LibreOffice ---------------------------------------------

def owner_files(workbook: Path) -> list[Path]:
    """The owner files Excel / WPS (~$), LibreOffice (.~lock.…#) and WPS on Linux (.~) leave
    beside an open workbook."""
    name = workbook.name
    return [workbook.with_name(f"~${name}"), workbook.with_name(f".~lock.{name}#"),
            workbook.with_name(f".~{name}")]


def in_use_message(workbook: Path, again: str, *, probe: bool = True) -> str | None:
    """Why the workbook must not be written now, or None. Written while open in WPS on Linux or
    LibreOffice (which hold no lock), the program's next save would silently put the old sheets
    back; on Windows Excel holds it deny-write, which `probe` tries before anything starts (a
    write finds it anyway: the replace is refused and said so). `again`: what the clerk does
    after closing it."""
    name = workbook.name
    for owner in owner_files(workbook):
        if owner.exists():
            return (f"请先在 WPS/Excel 中关闭 {name}，{again}（活动文件夹里有 {owner.name}，"
                    f"说明它正被打开）。如果确实已经关闭仍然这样提示，可以删除 {owner}。")
    if not probe:
        return None
    if read_only(workbook):
        return read_only_message(workbook, again)
    try:
        with open(workbook, "r+b"):     # Windows: Excel holds an open workbook deny-write
            pass
    except PermissionError:
        return f"请先在 WPS/Excel 中关闭 {name}（文件正被其他程序占用，无法写入），{again}。"
    except OSError:
        pass
    return None


def read_only(workbook: Path) -> bool:
    """The file is marked read-only (Windows' 只读 too): the OS refuses to open it for writing,
    which must not be taken for Excel or WPS holding it."""
    try:
        return not os.stat(workbook).st_mode & stat.S_IWUSR
    except OSError:
        return False


def read_only_message(workbook: Path, again: str) -> str:
    """Why a read-only workbook is not written, and how to undo the mark; `again`: what the clerk
    does after (再点按钮, 再运行一次). Closing WPS would not help, so the words must not say so."""
    return (f"没有写入工作簿：{workbook.name} 是只读文件（可能是有意设为只读，防止改动）。确实要修改，"
            f"请先去掉只读（右键 → 属性，取消“只读”），{again}。")
