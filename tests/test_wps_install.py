"""`weiwen wps install` / `uninstall` for one user, on Linux with a temporary HOME: publish.xml
keeps every other add-in and comes back byte for byte, install twice changes nothing, the server
starts (now and at login) and uninstall stops it. Windows places and texts as pure functions."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path, PureWindowsPath

import pytest

from weiwen.wps import autostart, publish
from weiwen.wps.install import answering, install, read_config, uninstall
from weiwen.wps.places import places

OTHERS = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<jsplugins>\r\n'
          '  <jspluginonline name="EtOAAssist" url="http://oa.example/EtOAAssist/" type="et" enable="true"/>\r\n'
          "  <jsplugin name='wps-zotero' type='wps' url='http://127.0.0.1:3889/' version='0.1'>\r\n"
          "    <ribbon file='x'/>\r\n  </jsplugin>\r\n"
          "</jsplugins>\r\n")


def linux(home: Path):
    return places("linux", {"HOME": str(home)})


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- places and texts (Windows as logic) -----------------------------------------------------------

def test_places_on_linux_and_windows(tmp_path):
    p = places("linux", {"HOME": "/home/张三"})
    assert str(p.publish_xml) == "/home/张三/.local/share/Kingsoft/wps/jsaddons/publish.xml"
    assert str(p.config_file) == "/home/张三/.config/weiwen/wps.json"
    assert str(p.autostart) == "/home/张三/.config/autostart/weiwen-wps.desktop"
    assert str(places("linux", {"HOME": "/h", "XDG_CONFIG_HOME": "/c"}).config_file) == "/c/weiwen/wps.json"
    w = places("win32", {"APPDATA": r"C:\Users\张三\AppData\Roaming"})
    assert w.windows and w.autostart is None
    assert str(w.publish_xml) == r"C:\Users\张三\AppData\Roaming\kingsoft\wps\jsaddons\publish.xml"
    assert str(w.addin_dir("0.1.0")) == r"C:\Users\张三\AppData\Roaming\kingsoft\wps\jsaddons\weiwen_0.1.0"
    assert str(w.config_file) == r"C:\Users\张三\AppData\Roaming\weiwen\wps.json"


def test_windows_login_start_is_one_run_value(tmp_path):
    python = r"C:\Program Files\Python312\python.exe"
    quiet = autostart.windows_python(python, lambda p: p == PureWindowsPath(python).with_name("pythonw.exe"))
    assert quiet == r"C:\Program Files\Python312\pythonw.exe"
    assert autostart.windows_python(python, lambda p: False) == python
    command = autostart.windows_command(autostart.server_argv(quiet))
    assert command == r'"C:\Program Files\Python312\pythonw.exe" -m weiwen wps serve'

    class FakeRunKey:
        value = None
        def get(self): return self.value
        def set(self, command): self.value = command
        def delete(self): self.value = None

    from weiwen.wps.install import _autostart_step
    key = FakeRunKey()
    where = places("win32", {"APPDATA": r"C:\Users\u\AppData\Roaming"})
    record = _autostart_step(where, autostart.server_argv(quiet), key)
    assert record == {"kind": "run-key", "value": "WeiwenWPS", "command": command}
    assert key.value == command


def test_the_desktop_entry_quotes_as_the_spec_says():
    argv = autostart.server_argv("/home/张 三/venv $1/bin/python")
    assert autostart.desktop_exec(argv) == '"/home/张 三/venv \\$1/bin/python" -m weiwen wps serve'
    assert autostart.desktop_exec(["/usr/bin/python3", "50%"]) == "/usr/bin/python3 50%%"
    text = autostart.desktop_entry(autostart.server_argv("/usr/bin/python3"))
    assert "Exec=/usr/bin/python3 -m weiwen wps serve\n" in text and text.startswith("[Desktop Entry]\n")


# --- publish.xml ---------------------------------------------------------------------------------

LINE = publish.entry(version="0.1.0", url="file:///h/jsaddons/weiwen_0.1.0/")


@pytest.mark.parametrize("original", [OTHERS, "\ufeff" + OTHERS.replace("\r\n", "\n"),
                                      '<?xml version="1.0"?><jsplugins><jsplugin name="a" url="u"/></jsplugins>',
                                      "<jsplugins/>", None, ""])
def test_publish_edit_is_idempotent_keeps_others_and_undoes(original):
    once = publish.add(original, LINE)
    assert publish.add(once, LINE) == once
    assert publish.ours(once) == [publish.ours(once)[0]] and LINE in once
    names = [e.get("name") for e in publish.check(once)]
    assert names[-1] == "weiwen" and names[:-1] == [e.get("name") for e in publish.check(original or publish.EMPTY)]
    if original and "<jsplugins/>" not in original and "><jsplugin " not in original:
        assert publish.remove(once) == original           # byte for byte
    assert [e.get("name") for e in publish.check(publish.remove(once))] == names[:-1]


def test_publish_replaces_an_older_weiwen_entry_and_refuses_what_is_not_a_list():
    old = publish.add(OTHERS, publish.entry(version="0.0.9", url="file:///old/"))
    new = publish.add(old, LINE)
    assert publish.ours(new) == ["  " + LINE + "\r\n"] and "0.0.9" not in new
    paired = OTHERS.replace("</jsplugins>", '<jsplugin name="weiwen" url="x"></jsplugin>\r\n</jsplugins>')
    assert publish.remove(paired) == OTHERS
    for bad in ("<jsplugins><jsplugin name='a'></jsplugins>", "<html/>", "不是 XML"):
        with pytest.raises(publish.PublishError):
            publish.add(bad, LINE)


# --- install and uninstall on Linux ----------------------------------------------------------------

def test_install_twice_then_uninstall_restores_everything(tmp_path):
    where = linux(tmp_path)
    jsaddons = Path(where.jsaddons)
    jsaddons.mkdir(parents=True)
    (jsaddons / "publish.xml").write_bytes(OTHERS.encode("utf-8"))
    (jsaddons / "wps-zotero_0.1").mkdir()
    before = snapshot(tmp_path)
    said: list[str] = []
    record = install(where=where, python="/usr/bin/python3", start=False, say=said.append)
    text = (jsaddons / "publish.xml").read_text(encoding="utf-8")
    assert "EtOAAssist" in text and "wps-zotero" in text and publish.ours(text)
    backups = list(jsaddons.glob("publish.xml.weiwen-*.bak"))
    assert [b.read_bytes() for b in backups] == [OTHERS.encode("utf-8")]
    addin = Path(record["addin_dir"])
    assert sorted(p.name for p in addin.iterdir()) == ["config.js", "index.html", "main.js", "ribbon.xml"]
    config_js = (addin / "config.js").read_text(encoding="utf-8")
    assert f'"token": "{record["token"]}"' in config_js and '"port": 18765' in config_js
    assert (addin / "config.js").stat().st_mode & 0o077 == 0
    assert Path(where.config_file).stat().st_mode & 0o077 == 0
    desktop = Path(where.autostart).read_text(encoding="utf-8")
    assert "Exec=/usr/bin/python3 -m weiwen wps serve" in desktop
    assert "重新打开 WPS" in said[0] and "信任" in said[0] and "weiwen wps uninstall" in said[0]

    installed = snapshot(tmp_path)
    again = install(where=where, python="/usr/bin/python3", start=False, say=said.append)
    assert again == record and snapshot(tmp_path) == installed   # idempotent: not one byte moved

    assert uninstall(where=where, say=said.append) is True
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in jsaddons.iterdir()) == ["publish.xml", "wps-zotero_0.1"]
    assert "恢复成安装前的样子" in said[-1]
    assert uninstall(where=where, say=said.append) is False and "没有找到" in said[-1]


def test_uninstall_after_wps_changed_the_list_removes_only_weiwen(tmp_path):
    where = linux(tmp_path)
    install(where=where, python="/usr/bin/python3", start=False, say=lambda s: None)
    path = Path(where.publish_xml)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("</jsplugins>", '  <jsplugin name="later" url="u" type="et"/>\n</jsplugins>'),
                    encoding="utf-8")
    uninstall(where=where, say=lambda s: None)
    left = path.read_text(encoding="utf-8")
    assert [e.get("name") for e in publish.check(left)] == ["later"]
    assert not Path(where.config_file).exists() and not Path(where.autostart).exists()


def test_a_new_version_replaces_only_weiwens_own_folder(tmp_path):
    where = linux(tmp_path)
    record = install(where=where, python="/usr/bin/python3", start=False, say=lambda s: None)
    old = Path(where.jsaddons) / "weiwen_0.0.1"
    old.mkdir()
    (old / "main.js").write_text("old")
    record["addin_dir"] = str(old)
    Path(where.config_file).write_text(json.dumps(record), encoding="utf-8")
    install(where=where, python="/usr/bin/python3", start=False, say=lambda s: None)
    assert not old.exists() and Path(read_config(where)["addin_dir"]).is_dir()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _weiwen(*args: str, home: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(home)}
    env.pop("XDG_CONFIG_HOME", None)
    return subprocess.run([sys.executable, "-m", "weiwen", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_the_commands_install_start_the_server_and_uninstall_stops_it(tmp_path):
    port = _free_port()
    done = _weiwen("wps", "install", "--port", str(port), home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "本机服务现在已经在运行" in done.stdout, done.stdout
    record = read_config(linux(tmp_path))
    assert answering(port, record["token"])
    assert not answering(port, "wrong-token")
    done = _weiwen("wps", "uninstall", home=tmp_path)
    assert done.returncode == 0 and "本机服务已停止" in done.stdout, done.stdout
    end = time.monotonic() + 10
    while answering(port, record["token"]) and time.monotonic() < end:
        time.sleep(0.2)
    assert not answering(port, record["token"])
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.slow
def test_serve_before_install_says_what_to_do(tmp_path):
    done = _weiwen("wps", "serve", home=tmp_path)
    assert done.returncode == 2 and "请先运行 weiwen wps install" in (done.stdout + done.stderr)


@pytest.mark.slow
def test_serve_on_a_taken_port_says_so(tmp_path):
    _weiwen("wps", "install", "--no-start", home=tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = _weiwen("wps", "serve", "--port", str(port), home=tmp_path)
    assert done.returncode == 2 and "可能已经在运行" in (done.stdout + done.stderr)
