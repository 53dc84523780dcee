"""The workbench's routes: seven pages, a small JSON API, downloads and previews by file ID.

`create_app(campaign, token=…)` builds the Starlette app behind the Guard (token, Host, Origin).
Pages are rendered on the server (Jinja2, autoescaped); the one script (static/app.js) adds the
upload area, the step buttons' progress and the scrolling tables. Every asset is in the package.
"""
from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..campaign import Campaign
from . import ops, tables, views
from .files import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, FileIndex, UploadRefused, save_upload
from .jobs import Runner
from .preview import Previewer
from .security import Guard, new_token
from .state import CampaignState, Snapshot

HERE = Path(__file__).parent
log = logging.getLogger("weiwen.web")
NAV = (("/", "概况"), ("/files", "回收表"), ("/steps", "步骤"), ("/problems", "问题"),
       ("/roster", "名册"), ("/outputs", "输出文件"), ("/settings", "设置"))
#: the package's assets, listed once at start: served by name from this list only
STATIC = {p.name: p for p in (HERE / "static").iterdir() if p.is_file()}
#: 显示 on a row of a 名册 that has been saved again since the page drew it
ROSTER_CHANGED = "名册已经更新（在 WPS/Excel 里改过并保存，或刚运行过一步），这一行可能已不是原来那一户。请刷新页面后再点“显示”。"
MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png"}


class Workbench:
    """Everything one served campaign needs; the routes are its methods."""

    def __init__(self, campaign: Campaign, *, token: str, cache: Path,
                 upload_limit: int = MAX_UPLOAD_BYTES,
                 perform: Callable[..., ops.Outcome] = ops.perform) -> None:
        self.campaign = campaign
        self.token = token
        self.state = CampaignState(campaign)
        self.files = FileIndex(campaign, secret=token)
        self.runner = Runner(campaign, perform=perform, on_done=lambda _job: self.warm())
        self.previewer = Previewer(cache)
        self.upload_limit = upload_limit
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(("html",)))
        self.env.filters["money"] = lambda v: f"{v:,.2f}" if isinstance(v, (int, float)) else ""

    def warm(self) -> None:
        """Read the workbook and prepare the tables now (at start, after each step) so that the
        next page does not wait for a large 名册 to be read."""
        def work() -> None:
            try:
                self._table("roster")
                self._table("problems")
                views.overview(self.state, self.files, self.runner)
                views.outputs_page(self.state, self.files)
            except Exception:        # the page that needs it will say what is wrong
                log.info("warm-up skipped", exc_info=True)
        threading.Thread(target=work, name="weiwen-warm", daemon=True).start()

    # --- pages ------------------------------------------------------------------------------

    def render(self, request: Request, name: str, **context: Any) -> HTMLResponse:
        template = self.env.get_template(name)
        page = template.render(nav=NAV, path=request.url.path, campaign=self.campaign,
                               title=self.state.snapshot().settings.params.title or self.campaign.root.name,
                               busy=self.runner.busy(), **context)
        return HTMLResponse(page)

    async def overview(self, request: Request) -> Response:
        return self.render(request, "overview.html",
                           **views.overview(self.state, self.files, self.runner))

    async def returned(self, request: Request) -> Response:
        return self.render(request, "files.html", **views.returned_files(self.state, self.files),
                           limit_mb=self.upload_limit // (1024 * 1024),
                           accept=",".join(sorted(UPLOAD_SUFFIXES)))

    async def steps(self, request: Request) -> Response:
        return self.render(request, "steps.html", **views.steps(self.state, self.runner))

    async def problems(self, request: Request) -> Response:
        preset = {k: request.query_params.get(k, "")[:200] for k in ("unit", "severity", "kind", "file")}
        return self.render(request, "problems.html", **views.problems_page(self.state, preset))

    async def roster(self, request: Request) -> Response:
        return self.render(request, "roster.html", **views.roster_page(self.state))

    async def outputs(self, request: Request) -> Response:
        return self.render(request, "outputs.html", **views.outputs_page(self.state, self.files))

    async def settings(self, request: Request) -> Response:
        return self.render(request, "settings.html", **views.settings_page(self.state))

    async def preview(self, request: Request) -> Response:
        entry = self.files.get(request.path_params["file_id"])
        if entry is None:
            return self.render(request, "missing.html")
        if "render" not in request.query_params and not self.previewer.ready(entry):
            # a page saying it is working at once; its script then asks for the rendering
            return self.render(request, "preview.html", entry=entry, pages=0, sheet_html="",
                               note="", waiting=f"/preview/{entry.id}?render=1")
        rendered = await run_in_threadpool(self.previewer.render, entry)   # other tabs go on
        return self.render(request, "preview.html", entry=entry, pages=len(rendered.pages),
                           sheet_html=rendered.html, note=rendered.note, waiting="")

    async def preview_page(self, request: Request) -> Response:
        entry = self.files.get(request.path_params["file_id"])
        if entry is None:
            return Response(status_code=404)
        pages = (await run_in_threadpool(self.previewer.render, entry)).pages
        n = request.path_params["n"]
        if not 1 <= n <= len(pages):
            return Response(status_code=404)
        return FileResponse(pages[n - 1], media_type="image/png")

    async def download(self, request: Request) -> Response:
        entry = self.files.get(request.path_params["file_id"])
        if entry is None:
            return self.render(request, "missing.html")
        return FileResponse(entry.path, filename=entry.path.name,
                            media_type="application/octet-stream")

    async def static(self, request: Request) -> Response:
        path = STATIC.get(request.path_params["name"])
        if path is None:
            return Response(status_code=404)
        return FileResponse(path, media_type=MEDIA.get(path.suffix, "application/octet-stream"),
                            headers={"cache-control": "no-cache"})

    # --- API ----------------------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        raw = unquote(request.headers.get("x-file-name", ""))
        try:
            declared = int(request.headers["content-length"])
        except (KeyError, ValueError):
            declared = None
        try:
            saved = await save_upload(self.campaign, raw, request.stream(), declared_size=declared,
                                      limit=self.upload_limit)
        except UploadRefused as exc:
            log.info("upload refused (%s)", exc.status)
            return JSONResponse({"ok": False, "message": str(exc)}, status_code=exc.status)
        log.info("upload saved")
        return JSONResponse({"ok": True, "name": saved.name,
                             "message": f"已保存到 inbox：{saved.name}"})

    async def run(self, request: Request) -> Response:
        body = await _json(request)
        tag, options = body.get("tag"), body.get("options")
        job, why = self.runner.start(tag if isinstance(tag, str) else "",
                                     options if isinstance(options, dict) else {})
        if job is None:
            return JSONResponse({"ok": False, "message": why}, status_code=409)
        return JSONResponse({"ok": True, "job": job.view()}, status_code=202)

    async def job(self, request: Request) -> Response:
        job = self.runner.current or self.runner.last
        return JSONResponse({"job": job.view() if job else None, "busy": self.runner.busy()})

    async def roster_rows(self, request: Request) -> Response:
        query = tables.Query.from_json(await _json(request))
        snap = self.state.snapshot()
        table = self._table("roster", snap)
        index = tables.roster_rows(table, query)
        return JSONResponse({**tables.page(table, index, tables.ROSTER_VIEW, query),
                             "version": _version(snap)})

    async def reveal(self, request: Request) -> Response:
        """One whole number of the row the page drew. The row is named by its place in 名册 as the
        page read it: once 名册 is saved again (a row deleted or the sheet sorted in WPS) that place
        holds another household, whose number would show beside this one's name — refused, and
        the page asks to be refreshed."""
        body = await _json(request)
        snap = self.state.snapshot()
        if body.get("version") != _version(snap):
            return JSONResponse({"ok": False, "message": ROSTER_CHANGED}, status_code=409)
        value = tables.reveal(snap.roster, body.get("row"), body.get("column"))
        if value is None:
            return JSONResponse({"ok": False}, status_code=404)
        return JSONResponse({"ok": True, "value": value})

    async def problem_rows(self, request: Request) -> Response:
        query = tables.Query.from_json(await _json(request))
        snap = self.state.snapshot()
        table = self._table("problems", snap)
        index = tables.problem_rows(table, query)
        return JSONResponse({**tables.page(table, index, tables.PROBLEM_VIEW, query),
                             "version": _version(snap)})

    def _table(self, which: str, snap: Snapshot | None = None) -> tables.Table:
        snap = snap or self.state.snapshot()
        return snap.cached(f"table-{which}", lambda: tables.roster_table(snap.roster)
                           if which == "roster" else tables.problem_table(snap.problems))

    def routes(self) -> list[Route]:
        return [
            Route("/", self.overview), Route("/files", self.returned), Route("/steps", self.steps),
            Route("/problems", self.problems), Route("/roster", self.roster),
            Route("/outputs", self.outputs), Route("/settings", self.settings),
            Route("/preview/{file_id:str}", self.preview),
            Route("/preview/{file_id:str}/page/{n:int}", self.preview_page),
            Route("/download/{file_id:str}", self.download),
            Route("/static/{name:str}", self.static),
            Route("/api/upload", self.upload, methods=["POST"]),
            Route("/api/run", self.run, methods=["POST"]),
            Route("/api/job", self.job),
            Route("/api/roster", self.roster_rows, methods=["POST"]),
            Route("/api/roster/reveal", self.reveal, methods=["POST"]),
            Route("/api/problems", self.problem_rows, methods=["POST"]),
        ]


def _version(snap: Snapshot) -> str:
    """The workbook version the rows came from, as the page sends it back."""
    return "-".join(str(v) for v in snap.version)


async def _json(request: Request) -> dict[str, Any]:
    """A small JSON object from the body ({} for anything else, or for more than 64 KB)."""
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > 64 * 1024:
            return {}
    try:
        body = json.loads(data or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _plain(message: str, status: int) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handler(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"ok": False, "message": message}, status_code=status)
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>走访慰问工作台</title>"
                            f"<p>{message}</p><p><a href=\"/\">回到概况</a></p>", status_code=status)
    return handler


async def _failed(request: Request, exc: Exception) -> Response:
    """A bug of ours: one Chinese line on the page, the details in the workbench's log."""
    log.error("page %s failed", request.url.path, exc_info=exc)
    message = "工作台内部出错，详细信息已记录在日志里（weiwen-web.log），请把它发给技术支持。"
    return await _plain(message, 500)(request, exc)


def create_app(campaign: Campaign, *, token: str | None = None, port_of: Callable[[], int],
               hosts: tuple[str, ...] = ("127.0.0.1", "localhost"), allow_origins: tuple[str, ...] = (),
               cache: Path | None = None, **options: Any) -> tuple[Guard, Workbench]:
    """The guarded app and its Workbench (tests reach the runner and state through it)."""
    token = token or new_token()
    cache = cache or Path(tempfile.mkdtemp(prefix="weiwen-web-"))
    bench = Workbench(campaign, token=token, cache=cache, **options)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        bench.warm()
        yield
        shutil.rmtree(cache, ignore_errors=True)      # previews: nobody's business after us

    app = Starlette(routes=bench.routes(), lifespan=lifespan, exception_handlers={
        404: _plain("没有这个页面。请从页面上方的标签进入。", 404),
        405: _plain("不支持这种请求。", 405),
        Exception: _failed})
    return Guard(app, token=token, hosts=hosts, allow_origins=allow_origins, port_of=port_of), bench
