"""One ASGI middleware in front of every route: the host name, the login, the CSRF cookie and
the Origin of unsafe requests, and the security headers of every response.

Checks that need the form's body (the CSRF field of a form) are done by the route, with
`form_token_ok()`; the upload route checks the first field of its multipart body while it
streams (uploads.Receiver). A request whose X-CSRF-Token header matches the cookie (the page's
own script) is marked `csrf_header_ok` here.
"""
from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import quote

from starlette.datastructures import Headers, MutableHeaders

from . import security as S

PUBLIC = ("/dang-nhap", "/tinh/")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-src 'self'; "
                               "frame-ancestors 'self'; form-action 'self'; base-uri 'none'",
    "Cache-Control": "no-store",
}


def cookies(headers: Headers) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 – a malformed cookie header is no cookie
        return {}
    return {k: v.value for k, v in jar.items()}


def set_cookie(name: str, value: str, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


class Guard:
    def __init__(self, app, *, sessions: S.Sessions, password, loopback_only: bool, render_error):
        self.app = app
        self.sessions = sessions
        self.password = password            # callable → the stored hash, or None (no login)
        self.loopback_only = loopback_only  # bound to 127.0.0.1: refuse other host names (DNS rebinding)
        self.render_error = render_error    # (scope, status, message) → a Response

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        state = scope.setdefault("state", {})
        jar = cookies(headers)
        path = scope.get("path", "/")
        host = headers.get("host", "")
        if self.loopback_only and not S.is_loopback(_hostname(host)):
            return await self._error(scope, receive, send, 400, "Tên máy trong địa chỉ không hợp lệ: trang này "
                                     "chỉ mở bằng http://127.0.0.1 hoặc http://localhost trên máy này.", [])
        new_cookies = []
        token = jar.get(S.CSRF_COOKIE, "")
        if len(token) < 32:
            token = S.new_token()
            new_cookies.append(set_cookie(S.CSRF_COOKIE, token))
        state["csrf"] = token
        state["csrf_header_ok"] = S.same_token(headers.get(S.CSRF_HEADER), jar.get(S.CSRF_COOKIE))
        needs_login = self.password() is not None
        state["login"] = needs_login
        state["session"] = jar.get(S.SESSION_COOKIE) if needs_login else None
        state["logged_in"] = needs_login and self.sessions.valid(state["session"])
        if scope["method"] in UNSAFE:
            origin = headers.get("origin")
            if origin and origin != "null" and origin.rstrip("/") != f"{scope.get('scheme', 'http')}://{host}":
                return await self._error(scope, receive, send, 403, "Yêu cầu từ một trang web khác bị từ chối "
                                                                    "(bảo vệ chống giả mạo yêu cầu).", new_cookies)
        if needs_login and not path.startswith(PUBLIC) and not state["logged_in"]:
            if scope["method"] in ("GET", "HEAD"):
                query = scope.get("query_string", b"").decode("latin-1")
                target = path + (f"?{query}" if query else "")
                return await self._redirect(scope, receive, send, f"/dang-nhap?tiep={quote(target, safe='')}",
                                            new_cookies)
            return await self._error(scope, receive, send, 401, "Cần đăng nhập trước.", new_cookies)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    if k not in h:
                        h[k] = v
                for c in new_cookies:
                    h.append("set-cookie", c)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _error(self, scope, receive, send, status, message, new_cookies):
        response = self.render_error(scope, status, message)
        for c in new_cookies:
            response.headers.append("set-cookie", c)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        await response(scope, receive, send)

    async def _redirect(self, scope, receive, send, url, new_cookies):
        from starlette.responses import RedirectResponse

        response = RedirectResponse(url, status_code=303)
        for c in new_cookies:
            response.headers.append("set-cookie", c)
        await response(scope, receive, send)


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
