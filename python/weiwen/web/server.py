"""`weiwen serve`: listen on 127.0.0.1, print the address with its token, open the browser.

The socket is bound here (a free port when the preferred one is taken) and handed to uvicorn, so
the Guard knows the real port before the first request. Uvicorn's access log stays off: the
workbench logs only what it did (steps, refusals), never an address with a token or a name in it.
"""
from __future__ import annotations

import logging
import socket
import sys
import threading
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable

from .. import logfile
from ..campaign import Campaign
from .jobs import LOG_FILE
from .security import new_token

DEFAULT_PORT = 8765
LOCAL = "127.0.0.1"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or on a free port when that one is taken (port 0: free)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in ([port, 0] if port else [0]):
        sock = socket.socket(family, socket.SOCK_STREAM)
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError:
            sock.close()
            continue
        sock.listen(64)
        sock.set_inheritable(True)
        return sock
    raise OSError(f"无法在 {host} 上监听端口")


def allowed_hosts(host: str) -> tuple[str, ...]:
    if host in (LOCAL, "localhost"):
        return (LOCAL, "localhost")
    if host == "::1":
        return ("[::1]", "localhost")
    return (f"[{host}]" if ":" in host else host,)


@dataclass
class Served:
    """A running workbench (tests start one in a thread and stop it)."""
    url: str
    port: int
    token: str
    server: Any
    thread: threading.Thread | None
    bench: Any

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


def prepare(campaign: Campaign, *, host: str = LOCAL, port: int = 0, token: str | None = None,
            allow_origins: tuple[str, ...] = (), **options: Any) -> tuple[Served, socket.socket]:
    """Build the app and bind its socket; nothing is served until the server runs."""
    import uvicorn

    from .app import create_app
    token = token or new_token()
    sock = bind(host, port)
    real_port = sock.getsockname()[1]
    app, bench = create_app(campaign, token=token, port_of=lambda: real_port,
                            hosts=allowed_hosts(host), allow_origins=allow_origins, **options)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=3)
    url = f"http://{allowed_hosts(host)[0]}:{real_port}/?token={token}"
    return Served(url, real_port, token, uvicorn.Server(config), None, bench), sock


def start(campaign: Campaign, **kwargs: Any) -> Served:
    """A workbench running in a background thread (tests, screenshots)."""
    served, sock = prepare(campaign, **kwargs)
    served.thread = threading.Thread(target=served.server.run, kwargs={"sockets": [sock]},
                                     name="weiwen-serve", daemon=True)
    served.thread.start()
    end = time.monotonic() + 15
    while not served.server.started and time.monotonic() < end:
        time.sleep(0.02)
    return served


def setup_logging() -> None:
    handler = logfile.handler(LOG_FILE)
    logger = logging.getLogger("weiwen.web")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def serve(directory: Path | str, *, host: str = LOCAL, port: int = DEFAULT_PORT,
          open_browser: bool = True, say: Callable[[str], None] = print) -> None:
    """What `weiwen serve` does: blocks until Ctrl+C."""
    campaign = Campaign.open(directory)
    setup_logging()
    served, sock = prepare(campaign, host=host, port=port)
    say(f"走访慰问工作台：{campaign.root}")
    say(f"请在浏览器中打开（这个地址只给本机的您使用，不要发给别人）：\n    {served.url}")
    if host not in (LOCAL, "localhost", "::1"):
        say(f"注意：工作台监听在 {host} 上，其他电脑也能连接；只在确有需要时这样做。")
    say("用完后在这个窗口按 Ctrl+C 关闭工作台。")
    if open_browser:
        threading.Timer(0.8, lambda: webbrowser.open(served.url)).start()
    served.server.run(sockets=[sock])
