"""The workbench's guard, as Jupyter does it: a random token, the Host and the Origin.

Every request must carry the token: in the opening URL once (`/?token=…`, answered with a cookie
and a redirect that drops it from the address bar), then in the cookie, or in the
`X-Weiwen-Token` header (scripts, and the WPS add-in later). The Host header must name this
server (a DNS-rebinding page reaches 127.0.0.1 under its own host name), and a browser's Origin
must be this server's or one explicitly allowed (a page in another tab gets nothing). A request
that changes something and authenticates by cookie must come from this server's own pages.
Allowed extra origins (`allow_origins`) get CORS answers, preflight included; none by default.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from http.cookies import SimpleCookie
from typing import Any
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]                 # the ASGI types, as Starlette spells them
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
log = logging.getLogger("weiwen.web")

TOKEN_HEADER = "x-weiwen-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: nothing from elsewhere: scripts, styles, images and fetches from this server only
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'self'")
REFUSED = ("<!doctype html><meta charset=utf-8><title>走访慰问工作台</title>"
           "<p>拒绝访问：{reason}</p>"
           "<p>请使用启动工作台时显示的完整地址（含 token）打开；如已关闭窗口，"
           "请重新运行 <code>weiwen serve</code>。</p>")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(port: int) -> str:
    """Cookies are shared by every port of a host: one name per server port."""
    return f"weiwen_token_{port}"


class Guard:
    """ASGI middleware in front of the whole app (pages, API, downloads, static assets)."""

    def __init__(self, app: ASGIApp, *, token: str, hosts: Iterable[str],
                 allow_origins: Iterable[str] = (), port_of: Callable[[], int]) -> None:
        self.app = app
        self.token = token
        self.hosts = {h.lower() for h in hosts}
        self.allow_origins = {o.rstrip("/").lower() for o in allow_origins}
        self.port_of = port_of        # the real port (known only once the server listens)

    # --- what is allowed ------------------------------------------------------------------

    def _host_ok(self, host: str) -> bool:
        port = self.port_of()
        return host.lower() in {f"{h}:{port}" for h in self.hosts}

    def _own_origins(self) -> set[str]:
        port = self.port_of()
        return {f"http://{h}:{port}" for h in self.hosts}

    def _token_ok(self, value: str | None) -> bool:
        if not value:                         # no header, no cookie, or an empty one
            return False
        return hmac.compare_digest(value.encode(), self.token.encode())

    # --- the middleware -------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":          # no websockets here
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        method = scope.get("method", "GET")
        if not self._host_ok(headers.get("host", "")):
            await _refuse(send, 403, "地址中的主机名不是本机工作台")
            return
        origin = headers.get("origin", "").rstrip("/").lower()
        own = self._own_origins()
        cors = origin in self.allow_origins and origin not in own
        foreign = bool(origin) and origin not in own and not cors     # includes "null"
        if foreign or (headers.get("sec-fetch-site") == "cross-site" and not cors):
            log.info("refused a request from origin %r", origin[:80])   # never the path or query
            await _refuse(send, 403, "请求来自其他网站")
            return
        if method == "OPTIONS" and cors:      # preflight: no credentials are sent with it
            await _preflight(send, origin,
                             headers.get("access-control-request-private-network") == "true")
            return

        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        from_query = query.get("token")
        if from_query is not None and method in ("GET", "HEAD"):
            if not self._token_ok(from_query):
                await _refuse(send, 403, "地址中的 token 不正确")
                return
            # remember it in a cookie and drop it from the address bar and the history
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            path = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
            location = path.decode("latin-1") + (f"?{rest}" if rest else "")
            await _redirect_with_cookie(send, location, cookie_name(self.port_of()), self.token)
            return

        by_header = self._token_ok(headers.get(TOKEN_HEADER))
        by_cookie = self._token_ok(_cookie(headers.get("cookie", ""), cookie_name(self.port_of())))
        if not (by_header or by_cookie):
            # an allowed origin may read why (the WPS add-in then says to reinstall)
            await _refuse(send, 403, "缺少或错误的访问令牌（token）", origin if cors else None)
            return
        if method not in SAFE_METHODS and by_cookie and not by_header:
            # a change made with the cookie alone must come from our own page
            if origin not in own and not _referer_ok(headers.get("referer", ""), own):
                await _refuse(send, 403, "请求来自其他网站")
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"SAMEORIGIN"),
                         (b"content-security-policy", CSP.encode()),
                         (b"cross-origin-opener-policy", b"same-origin")]
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                if cors:
                    extra += [(b"access-control-allow-origin", origin.encode()),
                              (b"vary", b"Origin")]
                message = dict(message, headers=[*message.get("headers", []), *extra])
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cookie(header: str, name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def _referer_ok(referer: str, own: set[str]) -> bool:
    return any(referer == o or referer.startswith(o + "/") for o in own)


async def _refuse(send: Send, status: int, reason: str, cors_origin: str | None = None) -> None:
    body = REFUSED.format(reason=reason).encode("utf-8")
    headers = [(b"content-type", b"text/html; charset=utf-8"),
               (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
    if cors_origin:
        headers += [(b"access-control-allow-origin", cors_origin.encode()), (b"vary", b"Origin")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _redirect_with_cookie(send: Send, location: str, name: str, token: str) -> None:
    cookie = f"{name}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode()),
        (b"content-length", b"0"), (b"cache-control", b"no-store"),
        (b"referrer-policy", b"no-referrer")]})
    await send({"type": "http.response.body", "body": b""})


async def _preflight(send: Send, origin: str, private_network: bool = False) -> None:
    headers = [
        (b"access-control-allow-origin", origin.encode()),
        (b"access-control-allow-methods", b"GET, POST"),
        (b"access-control-allow-headers", f"content-type, {TOKEN_HEADER}, x-file-name".encode()),
        (b"access-control-max-age", b"600"), (b"vary", b"Origin"), (b"content-length", b"0")]
    if private_network:   # Chromium's private-network preflight, for an allowed origin only
        headers.append((b"access-control-allow-private-network", b"true"))
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
