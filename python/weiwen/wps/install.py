"""`weiwen wps install` / `weiwen wps uninstall`: the 慰问 tab in WPS 表格 for one user, no admin.

install, each step recorded in wps.json (places.py) so that uninstall undoes exactly it:
1. the add-in (addin/: ribbon.xml, index.html, main.js) copied to jsaddons/weiwen_<version>/,
   with config.js holding the local server's port and token;
2. Weiwen's entry added to WPS's publish.xml (publish.py: every other add-in kept, the file as
   it was backed up once beside it);
3. the server (`weiwen wps serve`) started at login (autostart.py) — and now;
4. one Chinese paragraph: restart WPS, accept the 信任 prompt once.
Running it again changes nothing (the same token, the same entry, no second backup); a new
version or port replaces Weiwen's own pieces only.

How the add-in learns the token: install writes it into the installed add-in's config.js (and the
server reads it from wps.json), both readable by this user only. Nothing to copy by hand, the
token never travels in a URL, and the tab appears even when the server is not running — a button
then says how to start it. (Serving the add-in from the server instead would hide the whole tab
whenever the server is down.)

uninstall stops the server, removes the autostart entry, Weiwen's publish.xml entry (the file
comes back byte for byte when nothing else changed it meanwhile, or is removed when install
created it), the add-in folder and wps.json.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any
from collections.abc import Callable

from ..errors import WeiwenError
from ..fileio import atomic_write_bytes
from ..web.security import TOKEN_HEADER, new_token
from . import autostart, publish
from .places import ADDIN_NAME, DEFAULT_PORT, Places, places as default_places

ADDIN_SOURCE = Path(__file__).resolve().parent / "addin"
ADDIN_FILES = ("ribbon.xml", "index.html", "main.js")
#: the add-in's origin as WPS loads it from jsaddons (a local page: the browser's "null")
DEFAULT_ORIGINS = ("null",)
Say = Callable[[str], None]


def version() -> str:
    try:
        return dist_version("weiwen")
    except PackageNotFoundError:
        return "0.1.0"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_config(where: Places) -> dict[str, Any] | None:
    """What install recorded (None when not installed)."""
    try:
        data = json.loads(Path(where.config_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("token") else None


def _private_write(path: Path, data: bytes) -> None:
    """Write a file only this user may read (its token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)
    if os.name != "nt":
        os.chmod(path, 0o600)


def config_js(port: int, token: str) -> str:
    return ("// Written by `weiwen wps install`: the local Weiwen server this add-in talks to.\n"
            f"window.WEIWEN_CONFIG = {json.dumps({'port': port, 'token': token})};\n")


def _missing_dirs(*paths: Path) -> list[str]:
    """The folders install is about to create for `paths` (uninstall removes them when empty)."""
    out: list[str] = []
    for path in paths:
        for folder in [path, *path.parents]:
            if folder.exists():
                break
            if str(folder) not in out:
                out.append(str(folder))
    return out


def _copy_addin(target: Path, port: int, token: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if os.name != "nt":
        os.chmod(target, 0o700)
    for name in ADDIN_FILES:
        data = (ADDIN_SOURCE / name).read_bytes()
        if not (target / name).is_file() or (target / name).read_bytes() != data:
            atomic_write_bytes(target / name, data)
    script = config_js(port, token).encode("utf-8")
    if not (target / "config.js").is_file() or (target / "config.js").read_bytes() != script:
        _private_write(target / "config.js", script)


def _remove_addin(folder: str | None, where: Places) -> None:
    """Remove an add-in folder install made (only jsaddons/weiwen_<version>)."""
    if not folder:
        return
    path = Path(folder)
    if path.parent == Path(where.jsaddons) and path.name.startswith(f"{ADDIN_NAME}_") \
            and path.is_dir():
        shutil.rmtree(path)


# --- the server now -----------------------------------------------------------------------------

def answering(port: int, token: str, timeout: float = 1.0) -> bool:
    """Whether our server answers on the port with this token."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/wps/hello",
                                     headers={TOKEN_HEADER: token})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:   # noqa: S310 - local
            return json.loads(response.read()).get("ok") is True
    except (OSError, ValueError, urllib.error.URLError):
        return False


def stop_server(port: int, token: str) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/wps/stop", data=b"{}",
                                     method="POST", headers={TOKEN_HEADER: token,
                                                             "content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=3):     # noqa: S310 - local
            return True
    except (OSError, urllib.error.URLError):
        return False


def start_server(argv: list[str], port: int, token: str, wait: float = 15.0) -> bool:
    """Start the server in the background (detached from this console); True once it answers."""
    if answering(port, token):
        return True
    options: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                               "stderr": subprocess.DEVNULL, "close_fds": True}
    if os.name == "nt":
        options["creationflags"] = (getattr(subprocess, "DETACHED_PROCESS", 0)
                                    | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
                                    | getattr(subprocess, "CREATE_NO_WINDOW", 0))
    else:
        options["start_new_session"] = True
    subprocess.Popen(argv, **options)        # noqa: S603 - our own command
    end = time.monotonic() + wait
    while time.monotonic() < end:
        if answering(port, token):
            return True
        time.sleep(0.3)
    return False


# --- install ------------------------------------------------------------------------------------

def _publish_step(where: Places, line: str, old: dict[str, Any]) -> dict[str, Any]:
    path = Path(where.publish_xml)
    before = path.read_bytes() if path.is_file() else None
    try:
        text = before.decode("utf-8") if before is not None else None
    except UnicodeDecodeError as exc:
        raise publish.PublishError(f"{path} 不是 UTF-8 编码，没有修改它。") from exc
    result = publish.add(text, line, where=path).encode("utf-8")
    record: dict[str, Any] = (dict(old) if old else
                              {"path": str(path), "created": before is None, "backup": None})
    if result != before:
        if before is not None and not (record.get("backup") and Path(record["backup"]).is_file()):
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = path.with_name(f"publish.xml.weiwen-{stamp}.bak")
            backup.write_bytes(before)
            record["backup"] = str(backup)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, result)
    record["written_sha"] = _sha(result)
    return record


def _autostart_step(where: Places, argv: list[str], run_key: autostart.RunKey | None
                    ) -> dict[str, Any]:
    if where.windows:
        key = run_key or autostart.WindowsRunKey()
        command = autostart.windows_command(argv)
        if key.get() != command:
            key.set(command)
        return {"kind": "run-key", "value": autostart.RUN_VALUE, "command": command}
    assert where.autostart is not None          # every place but Windows starts from a file
    path = Path(where.autostart)
    text = autostart.desktop_entry(argv).encode("utf-8")
    if not path.is_file() or path.read_bytes() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, text)
    return {"kind": "xdg", "path": str(path)}


def install(*, where: Places | None = None, python: str = sys.executable, port: int | None = None,
            origins: tuple[str, ...] | None = None, start: bool = True,
            run_key: autostart.RunKey | None = None, say: Say = print) -> dict[str, Any]:
    """Install (or refresh) the add-in for this user; returns what wps.json now records."""
    where = where or default_places()
    if where.windows != (os.name == "nt"):
        raise WeiwenError("只能在要使用 WPS 的这台电脑上运行 weiwen wps install。")
    old = read_config(where) or {}
    token = old.get("token") or new_token()
    port = port if port is not None else int(old.get("port") or DEFAULT_PORT)
    origins = tuple(origins or old.get("origins") or DEFAULT_ORIGINS)
    ver = version()
    addin = Path(where.addin_dir(ver))
    made = old.get("made_dirs") or _missing_dirs(
        Path(where.jsaddons), Path(where.config_dir),
        *([] if where.autostart is None else [Path(where.autostart).parent]))
    _copy_addin(addin, port, token)
    if old.get("addin_dir") and old["addin_dir"] != str(addin):
        _remove_addin(old["addin_dir"], where)        # the previous version's copy
    line = publish.entry(version=ver, url=addin.as_uri() + "/")
    record_publish = _publish_step(where, line, old.get("publish") or {})
    if where.windows:
        python = autostart.windows_python(python, lambda p: Path(p).is_file())
    argv = autostart.server_argv(python)
    record = {"port": port, "token": token, "origins": list(origins), "version": ver,
              "addin_dir": str(addin), "publish": record_publish,
              "autostart": _autostart_step(where, argv, run_key), "argv": argv,
              "made_dirs": made}
    data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
    if not Path(where.config_file).is_file() or Path(where.config_file).read_bytes() != data:
        _private_write(Path(where.config_file), data)
    running = start_server(argv, port, token) if start else None
    say(_installed_text(where, addin, port, running))
    return record


def _installed_text(where: Places, addin: Path, port: int, running: bool | None) -> str:
    lines = ["已为当前用户安装走访慰问的 WPS 加载项（不需要管理员权限）：",
             f"  加载项：{addin}",
             f"  WPS 加载项列表：{where.publish_xml}（原有的其他加载项都保留）",
             "  本机服务：登录电脑时自动启动（weiwen wps serve，只在本机 127.0.0.1:"
             f"{port} 上工作）"]
    if running is True:
        lines.append("  本机服务现在已经在运行。")
    elif running is False:
        lines.append(f"  注意：本机服务没有启动起来，可能端口 {port} 被占用。可以换一个端口重新安装："
                     f"weiwen wps install --port 18800")
    lines += ["接下来：",
              "  1. 完全退出 WPS（所有 WPS 窗口），再重新打开 WPS 表格；",
              "  2. 第一次会提示是否信任“weiwen”加载项，请选择信任（只需一次）；",
              "  3. 打开活动文件夹里的 Weiwen.xlsm，上方会出现“慰问”选项卡，按钮与 Excel 里的相同；",
              "     点按钮后结果直接写进打开的工作簿，看过后请在 WPS 里保存。",
              "不想用了：运行 weiwen wps uninstall。"]
    return "\n".join(lines)


# --- uninstall ----------------------------------------------------------------------------------

def _undo_publish(record: dict[str, Any]) -> str:
    path = Path(record.get("path", ""))
    if not path.is_file():
        return "WPS 加载项列表已经不在了。"
    data = path.read_bytes()
    backup = Path(record["backup"]) if record.get("backup") else None
    if _sha(data) == record.get("written_sha"):          # nobody changed it since install
        if record.get("created"):
            path.unlink()
            return f"已删除安装时新建的 {path}。"
        if backup is not None and backup.is_file():
            atomic_write_bytes(path, backup.read_bytes())
            backup.unlink()
            return f"已把 {path} 恢复成安装前的样子。"
    text = publish.remove(data.decode("utf-8"), where=path)
    if record.get("created") and publish.is_empty(text):
        path.unlink()
        return f"已删除安装时新建的 {path}。"
    atomic_write_bytes(path, text.encode("utf-8"))
    kept = f"（安装前的备份仍在 {backup}）" if backup is not None and backup.is_file() else ""
    return f"已从 {path} 删除走访慰问一项，其他加载项保留{kept}。"


def uninstall(*, where: Places | None = None, run_key: autostart.RunKey | None = None,
              say: Say = print) -> bool:
    """Undo what install recorded; False when nothing was installed."""
    where = where or default_places()
    record = read_config(where)
    if record is None:
        say(f"没有找到走访慰问 WPS 加载项的安装记录（{where.config_file}），没有要删除的内容。")
        return False
    stopped = stop_server(int(record.get("port") or 0), record["token"])
    auto = record.get("autostart") or {}
    if auto.get("kind") == "run-key":
        (run_key or autostart.WindowsRunKey()).delete()
    elif auto.get("path"):
        Path(auto["path"]).unlink(missing_ok=True)
    done = _undo_publish(record.get("publish") or {})
    _remove_addin(record.get("addin_dir"), where)
    Path(where.config_file).unlink(missing_ok=True)
    for folder in sorted(record.get("made_dirs") or [], key=len, reverse=True):
        try:
            Path(folder).rmdir()          # only when empty: WPS or the clerk may have added files
        except OSError:
            pass
    say("\n".join(["已删除走访慰问的 WPS 加载项：",
                   f"  {done}",
                   "  已删除加载项文件夹和登录时自动启动的设置" + ("，本机服务已停止。" if stopped else "。"),
                   "请重新启动 WPS，“慰问”选项卡就不再出现。"]))
    return True
