"""The add-in's server started at login, for one user, without admin rights.

Linux (UOS, 麒麟 and other XDG desktops): an XDG autostart entry, ~/.config/autostart/
weiwen-wps.desktop — the desktop session starts it at login with the session's environment (so
打开活动文件夹 can open the file manager); removing the file undoes it. Chosen over a systemd user
service: nothing to enable with systemctl, and it runs inside the graphical session.
Windows: a value under HKCU\\...\\CurrentVersion\\Run (pythonw.exe, no console window); removing
the value undoes it. Chosen over a scheduled task: writing one can be refused without admin rights.

The texts are pure functions (tested on any system); `WindowsRunKey` is the one part that needs
Windows, and install.py takes any object with the same three methods.
"""
from __future__ import annotations

import subprocess
from pathlib import PurePath, PureWindowsPath
from typing import Protocol
from collections.abc import Callable, Sequence

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "WeiwenWPS"
#: characters that make the Desktop Entry spec quote an Exec argument
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def server_argv(python: str) -> list[str]:
    """The command that runs the add-in's server with this Python."""
    return [python, "-m", "weiwen", "wps", "serve"]


def windows_python(python: str, exists: Callable[[PurePath], bool]) -> str:
    """pythonw.exe beside python.exe when there is one: no console window at login."""
    path = PureWindowsPath(python)
    if path.name.lower() == "python.exe":
        quiet = path.with_name("pythonw.exe")
        if exists(quiet):
            return str(quiet)
    return python


def windows_command(argv: Sequence[str]) -> str:
    """The Run value: the command line as Windows parses it."""
    return subprocess.list2cmdline(list(argv))


def desktop_exec(argv: Sequence[str]) -> str:
    """An Exec= line's value (Desktop Entry spec: quote arguments with reserved characters,
    escape " ` $ \\ inside the quotes; a literal % is written %%)."""
    out = []
    for arg in argv:
        arg = arg.replace("%", "%%")
        if any(ch in _RESERVED for ch in arg) or not arg:
            escaped = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
            arg = f'"{escaped}"'
        out.append(arg)
    return " ".join(out)


def desktop_entry(argv: Sequence[str]) -> str:
    """The XDG autostart file that starts the server at login."""
    return ("[Desktop Entry]\n"
            "Type=Application\n"
            "Name=走访慰问 WPS 服务\n"
            "Comment=WPS 表格里“慰问”选项卡的按钮由它完成（weiwen wps install 安装，weiwen wps uninstall 删除）\n"
            f"Exec={desktop_exec(argv)}\n"
            "Terminal=false\n"
            "NoDisplay=true\n"
            "X-GNOME-Autostart-enabled=true\n")


class RunKey(Protocol):
    def get(self) -> str | None: ...
    def set(self, command: str) -> None: ...
    def delete(self) -> None: ...


class WindowsRunKey:
    """HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\WeiwenWPS (Windows only)."""

    def __init__(self) -> None:
        import winreg                    # noqa: PLC0415 - exists on Windows only
        self.winreg = winreg

    def get(self) -> str | None:
        w = self.winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY) as key:
                return str(w.QueryValueEx(key, RUN_VALUE)[0])
        except FileNotFoundError:
            return None

    def set(self, command: str) -> None:
        w = self.winreg
        with w.CreateKeyEx(w.HKEY_CURRENT_USER, RUN_KEY, 0, w.KEY_SET_VALUE) as key:
            w.SetValueEx(key, RUN_VALUE, 0, w.REG_SZ, command)

    def delete(self) -> None:
        w = self.winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY, 0, w.KEY_SET_VALUE) as key:
                w.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            pass
