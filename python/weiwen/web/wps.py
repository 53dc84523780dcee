"""The local server's answer to the WPS add-in: `weiwen wps serve`, started at login.

The 慰问 tab inside WPS (package weiwen.wps) reads the open workbook's sheets and posts them
here; the same operation as the Excel button runs on a MemoryBook of those sheets (campaign
folder = the workbook's folder, the campaign lock as everywhere, output files written there), and
the writes go back for the add-in to set with Value2. The workbook file on disk is never touched:
the clerk saves in WPS, as in Excel.

    GET  /api/wps/hello   the version and the buttons this server knows
    POST /api/wps/run     {operation, workbook, sheets} → {ok, message, writes, activate}
    POST /api/wps/stop    stop the server (what `weiwen wps uninstall` does first)

Behind web.security.Guard, as the workbench: the token in the X-Weiwen-Token header, Host
127.0.0.1, and an Origin that is this server's or the add-in's (CORS with preflight, for that
origin only). The server serves no file and no page.
"""
from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import logfile
from ..books import MemoryBook
from ..campaign import Campaign
from ..desktop import open_folder
from ..errors import CampaignBusy, WeiwenError
from ..lock import campaign_lock
from ..names import INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR, SETTINGS_SHEETS, Sheet
from ..pipeline import OPERATIONS, Options, box_message, perform
from .jobs import LOG_FILE as _WEB_LOG
from .security import Guard
from .wps_exchange import WireError, sheets_in, writes_out

log = logging.getLogger("weiwen.wps")
LOCAL = "127.0.0.1"
LOG_FILE = _WEB_LOG.with_name("weiwen-wps.log")
#: the ribbon's buttons: every operation that is one (the WPS ribbon's tags are these)
BUTTONS: dict[str, str] = {tag: op.label for tag, op in OPERATIONS.items() if op.excel}
#: a campaign workbook has these sheets (对照名单 is optional); any other open workbook is refused
REQUIRED_SHEETS = tuple(s for s in SETTINGS_SHEETS if s != Sheet.REFERENCES)
#: the largest body accepted: a 100,000-row 名册 as JSON is about 40 MB
MAX_BODY = 400 * 1024 * 1024
NOT_A_CAMPAIGN = ("这个工作簿不是走访慰问的活动工作簿（没有“参数”“单位”“标准”表）。"
                  "请打开活动文件夹里的 Weiwen.xlsm 再点按钮；新建活动请运行 weiwen init 文件夹。")


def version() -> str:
    try:
        return dist_version("weiwen")
    except PackageNotFoundError:
        return "0"


def campaign_of(workbook: Any) -> Campaign:
    """The campaign folder of the open workbook: the folder it is saved in (WeiwenError when it
    has not been saved to a local folder)."""
    text = workbook if isinstance(workbook, str) else ""
    if "://" in text:
        raise WeiwenError("工作簿保存在网盘或云文档里。请把活动文件夹放在本机硬盘，"
                          "从本机打开 Weiwen.xlsm 后再点按钮。")
    path = Path(text)
    if not text or not path.is_absolute():
        raise WeiwenError("工作簿还没有保存。请先把它保存到活动文件夹（与 inbox 文件夹同级），再点按钮。")
    root = path.parent
    if not root.is_dir():
        raise WeiwenError(f"找不到工作簿所在的文件夹 {root}。请确认活动文件夹还在原处，"
                          f"从那里重新打开 Weiwen.xlsm 后再点按钮。")
    return Campaign(root)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]


class AddinService:
    """The routes; `reveal` shows a folder (打开活动文件夹), `on_stop` ends the server."""

    def __init__(self, *, reveal: Callable[[Path], None] = open_folder,
                 on_stop: Callable[[], None] | None = None) -> None:
        self.reveal = reveal
        self.on_stop = on_stop

    async def hello(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "version": version(), "operations": BUTTONS})

    async def stop(self, request: Request) -> Response:
        log.info("stop requested")
        if self.on_stop is not None:
            threading.Timer(0.2, self.on_stop).start()
        return JSONResponse({"ok": True, "message": "走访慰问的 WPS 服务已停止。"})

    async def run(self, request: Request) -> Response:
        try:
            body = await _body(request)
        except WireError as exc:
            return JSONResponse({"ok": False, "message": str(exc)}, status_code=413)
        answer = await run_in_threadpool(self.perform, body)
        return JSONResponse(answer.body, status_code=answer.status)

    def perform(self, body: dict[str, Any]) -> Answer:
        """Run one button on the posted sheets; one Chinese message whatever happens."""
        tag = body.get("operation")
        if not isinstance(tag, str) or tag not in BUTTONS:
            return Answer(400, {"ok": False, "message": f"没有“{tag}”这个按钮。请重新安装加载项："
                                f"运行 weiwen wps install，然后重新启动 WPS。"})
        label = BUTTONS[tag]
        started = time.monotonic()
        try:
            sheets = sheets_in(body.get("sheets"))
            if not all(name in sheets for name in REQUIRED_SHEETS):
                raise WeiwenError(NOT_A_CAMPAIGN)
            campaign = campaign_of(body.get("workbook"))
            for name in (INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR):
                (campaign.root / name).mkdir(exist_ok=True)
            book = MemoryBook(campaign, sheets)
            with campaign_lock(campaign.root, f"WPS 按钮“{label}”"):
                report = perform(tag, book, Options())
        except CampaignBusy as exc:
            return Answer(409, {"ok": False, "message": str(exc)})
        except WeiwenError as exc:
            log.info("%s refused: %s", tag, type(exc).__name__)
            return Answer(422, {"ok": False, "message": str(exc)})
        except Exception:     # a bug of ours: one line for the clerk, the details in the log
            log.error("%s failed\n%s", tag, traceback.format_exc())
            return Answer(500, {"ok": False, "message": (
                f"运行“{label}”时程序内部出错，工作簿没有被修改。详细信息已记录在 {LOG_FILE}，"
                f"请把该文件发给技术支持。")})
        message = box_message(report)
        if report.reveal is not None:       # shown on the clerk's desktop: nothing to say
            try:
                self.reveal(report.reveal)
                message = ""
            except Exception:
                log.info("reveal failed\n%s", traceback.format_exc())
                message = f"请在文件管理器中打开活动文件夹：{report.reveal}"
        writes = writes_out(book, sheets)
        log.info("%s done in %.1f s, %d sheets written", tag, time.monotonic() - started,
                 len(writes))
        return Answer(200, {"ok": True, "label": label, "message": message, "writes": writes,
                            "activate": report.activate})

    def routes(self) -> list[Route]:
        return [Route("/api/wps/hello", self.hello),
                Route("/api/wps/run", self.run, methods=["POST"]),
                Route("/api/wps/stop", self.stop, methods=["POST"])]


async def _body(request: Request) -> dict[str, Any]:
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise WireError(f"工作簿太大（超过 {MAX_BODY // (1024 * 1024)} MB），无法通过 WPS 加载项处理。"
                            f"请关闭 WPS 后在命令行运行同名命令（例如 weiwen merge 活动文件夹）。")
    try:
        body = json.loads(bytes(data) or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise WireError("WPS 加载项发来的数据格式不对。请重新安装加载项（weiwen wps install）。")
    return body


async def _failed(request: Request, exc: Exception) -> Response:
    log.error("request %s failed", request.url.path, exc_info=exc)
    return JSONResponse({"ok": False, "message": f"走访慰问的 WPS 服务内部出错，详细信息在 {LOG_FILE}。"},
                        status_code=500)


def create_app(*, token: str, port_of: Callable[[], int], origins: tuple[str, ...] = ("null",),
               reveal: Callable[[Path], None] = open_folder,
               on_stop: Callable[[], None] | None = None) -> tuple[Guard, AddinService]:
    """The guarded app: only the add-in's origin(s) get CORS answers."""
    service = AddinService(reveal=reveal, on_stop=on_stop)
    app = Starlette(routes=service.routes(), exception_handlers={Exception: _failed})
    return Guard(app, token=token, hosts=(LOCAL, "localhost"), allow_origins=origins,
                 port_of=port_of), service


# --- the server ----------------------------------------------------------------------------------

@dataclass
class Running:
    """A running add-in server (tests start one in a thread and stop it)."""
    port: int
    token: str
    server: Any
    thread: threading.Thread | None
    service: AddinService

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port exactly (0: a free port): the add-in knows only
    the port written at install, so a taken port is an error, not a fallback."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform != "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOCAL, port))
    except OSError:
        sock.close()
        raise
    sock.listen(64)
    return sock


def prepare(*, port: int, token: str, origins: tuple[str, ...] = ("null",),
            reveal: Callable[[Path], None] = open_folder) -> tuple[Running, socket.socket]:
    import uvicorn
    sock = bind(port)
    real_port = sock.getsockname()[1]
    holder: dict[str, Any] = {}
    app, service = create_app(token=token, port_of=lambda: real_port, origins=origins,
                              reveal=reveal, on_stop=lambda: setattr(holder["server"],
                                                                      "should_exit", True))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=3)
    holder["server"] = uvicorn.Server(config)
    return Running(real_port, token, holder["server"], None, service), sock


def start(**kwargs: Any) -> Running:
    """The add-in server in a background thread (tests)."""
    running, sock = prepare(**kwargs)
    running.thread = threading.Thread(target=running.server.run, kwargs={"sockets": [sock]},
                                      name="weiwen-wps", daemon=True)
    running.thread.start()
    end = time.monotonic() + 15
    while not running.server.started and time.monotonic() < end:
        time.sleep(0.02)
    return running


def setup_logging() -> None:
    handler = logfile.handler(LOG_FILE)
    for name in ("weiwen.wps", "weiwen.web"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def serve(*, port: int, token: str, origins: tuple[str, ...] = ("null",),
          say: Callable[[str], None] = print) -> None:
    """What `weiwen wps serve` does: blocks until stopped (Ctrl+C, logout, uninstall)."""
    setup_logging()
    running, sock = prepare(port=port, token=token, origins=origins)
    say(f"走访慰问的 WPS 服务已启动：http://{LOCAL}:{running.port}（WPS 里“慰问”选项卡的按钮由它完成）。")
    log.info("serving on port %d", running.port)
    running.server.run(sockets=[sock])
