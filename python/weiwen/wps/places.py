"""Where the WPS add-in and its server's settings go for one user, without admin rights.

Pure functions of the platform and the environment, so the Windows places are tested on Linux too:
- WPS's per-user add-in folder `jsaddons` (publish.xml lists the add-ins WPS loads):
  Windows %APPDATA%\\kingsoft\\wps\\jsaddons\\, Linux ~/.local/share/Kingsoft/wps/jsaddons/;
- Weiwen's per-user settings (wps.json: port, token, what install did):
  Windows %APPDATA%\\weiwen\\, Linux $XDG_CONFIG_HOME/weiwen (~/.config/weiwen);
- Linux only: the XDG autostart entry that starts the server at login
  (~/.config/autostart/weiwen-wps.desktop); Windows uses the HKCU Run key instead (autostart.py).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from collections.abc import Mapping

ADDIN_NAME = "weiwen"
#: the server's port unless `weiwen wps install --port` says otherwise (the workbench uses 8765)
DEFAULT_PORT = 18765
CONFIG_FILE = "wps.json"
DESKTOP_FILE = "weiwen-wps.desktop"


@dataclass(frozen=True)
class Places:
    windows: bool
    jsaddons: PurePath
    config_dir: PurePath
    autostart: PurePath | None        # Linux: the .desktop file; Windows: None (the Run key)

    @property
    def publish_xml(self) -> PurePath:
        return self.jsaddons / "publish.xml"

    @property
    def config_file(self) -> PurePath:
        return self.config_dir / CONFIG_FILE

    def addin_dir(self, version: str) -> PurePath:
        """WPS loads an offline add-in from jsaddons/<name>_<version>/."""
        return self.jsaddons / f"{ADDIN_NAME}_{version}"


def places(platform: str | None = None, env: Mapping[str, str] | None = None) -> Places:
    """The places for `platform` (sys.platform by default) and environment `env`."""
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    windows = platform.startswith("win")
    native = windows == (os.name == "nt")
    kind: type[PurePath]
    if windows:
        kind = Path if native else PureWindowsPath
        appdata = env.get("APPDATA") or str(kind(env.get("USERPROFILE", "C:\\Users\\Default"))
                                             / "AppData" / "Roaming")
        root = kind(appdata)
        return Places(True, root / "kingsoft" / "wps" / "jsaddons", root / "weiwen", None)
    kind = Path if native else PurePosixPath
    home = kind(env.get("HOME") or str(Path.home()))
    config = kind(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    return Places(False, home / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons",
                  config / "weiwen", config / "autostart" / DESKTOP_FILE)
