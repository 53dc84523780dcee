"""The system Firefox (Debian's firefox-esr) driven through its own Marionette protocol, stdlib only:
Playwright's Firefox is a patched build it cannot download here, and no geckodriver is packaged.
Enough for a page test: open an address, run a script, wait for a condition, take a screenshot."""
from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from collections.abc import Iterator


def firefox_missing() -> str | None:
    if not shutil.which("firefox") and not shutil.which("firefox-esr"):
        return "Firefox is not installed (apt-get install firefox-esr; .ci/run does it)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Firefox:
    """One Marionette session: `call(command, **params)` → the command's result."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
                break
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.2)
        self._buf, self._n = b"", 0
        self._read()                                            # the server's greeting
        self.call("WebDriver:NewSession", capabilities={})

    def _read(self) -> Any:
        while b":" not in self._buf:
            self._buf += self._sock.recv(65536)
        head, rest = self._buf.split(b":", 1)
        while len(rest) < int(head):
            rest += self._sock.recv(1 << 20)
        self._buf = rest[int(head):]
        return json.loads(rest[:int(head)])

    def call(self, command: str, **params: Any) -> Any:
        self._n += 1
        data = json.dumps([0, self._n, command, params]).encode()
        self._sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            message = self._read()
            if message[0] == 1 and message[1] == self._n:
                if message[2]:
                    raise RuntimeError(f"{command}: {message[2]}")
                return message[3]

    def goto(self, url: str) -> None:
        self.call("WebDriver:Navigate", url=url)

    def run(self, script: str) -> Any:
        """The value of `script` (a function body: `return …`) in the page."""
        return self.call("WebDriver:ExecuteScript", script=script, args=[])["value"]

    def wait_for(self, script: str, timeout: float = 30) -> Any:
        end = time.monotonic() + timeout
        while True:
            value = self.run(script)
            if value:
                return value
            assert time.monotonic() < end, f"Firefox: not true within {timeout} s: {script}"
            time.sleep(0.2)


@contextlib.contextmanager
def firefox(width: int = 1366, height: int = 768) -> Iterator[Firefox]:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="weiwen-firefox-") as profile:
        Path(profile, "user.js").write_text(f'user_pref("marionette.port", {port});\n')
        exe = shutil.which("firefox") or shutil.which("firefox-esr")
        process = subprocess.Popen([str(exe), "--headless", "--marionette", "--no-remote", "--profile",
                                    profile, f"--window-size={width},{height}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield Firefox(port)
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
