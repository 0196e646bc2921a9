"""The service's edge: request body caps and security headers, before any route runs.

Two pure ASGI middlewares, installed by `install_edge(app, settings)` (from `create_app`), with
the access log's secret redaction (`api.redaction`):

- `BodyLimit`: each route family has a body cap (`body_cap`): the file imports the documented
  cap of their file plus room for the multipart framing, every other request
  `Settings.max_body_bytes`. A declared Content-Length above it is refused at once (413, the
  app is never called: no parsing, no authentication, nothing spooled to disk); a chunked or
  longer body is counted while it streams in and refused as soon as the count passes the cap.
  The answer is `{"detail": {"code": "body_too_large", "message"}}` (French, English on
  request), a short HTML page under the pages (`/o`, `/p`, `/catalogue` but its API), with
  `Connection: close` (the rest of the body is never read).
- `SecurityHeaders`: on every response `Referrer-Policy: no-referrer` (a personal link never
  leaks through Referer), `X-Content-Type-Options: nosniff`, no framing (`frame-ancestors
  'none'`, `X-Frame-Options: DENY`; the printable agenda may be framed by its own site, the
  page prints it through an iframe), HSTS on requests that came over HTTPS, and on HTML a
  Content-Security-Policy without inline script (`PAGE_POLICY`; inline style stays allowed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import DomainError
from api.i18n import gettext, request_language
from api.profiles.formats import MAX_FILE_BYTES as PROFILES_FILE_BYTES
from api.redaction import install_access_log_redaction
from api.salons.importers import MAX_BYTES as PARTICIPANT_FILE_BYTES
from api.salons.importers import MAX_SALON_BYTES
from api.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

MEGABYTE = 1024 * 1024
UPLOAD_ALLOWANCE = 64 * 1024
"""Bytes a file upload's body may hold beyond its file: multipart framing, the form's fields."""

SALON_FILE_ROUTES = re.compile(r"^/(?:salons/import|o/import)/?$")
PARTICIPANT_FILE_ROUTES = re.compile(
    r"^/(?:salons/[^/]+/(?:participants|wishes)/import|o/salons/[^/]+/(?:participants|wishes))/?$"
)
"""Participant and wish files (CSV, XLSX): the importers' 10 MB."""
PROFILES_FILE_ROUTES = re.compile(r"^/o/salons/[^/]+/profiles/import/?$")
"""profiles/v1 files (their images inside): 20 MB (api.profiles.formats.MAX_FILE_BYTES)."""
PAGE_PREFIXES = ("/o/", "/p/", "/catalogue/", "/assets/")
API_UNDER_PAGES = "/catalogue/api/"
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
FRAMED_BY_SELF = re.compile(r"^/p/[^/]+/agenda/print/?$")

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The pages' policy: scripts only from the site's files (templates/static), no inline script
nor `on...=` handler nor `javascript:` URL; inline style allowed (the printable documents embed
their stylesheet, some templates a `<style>` block); QR codes are `data:` images."""


# ------------------------------------------------------------------ body caps


@dataclass(frozen=True)
class BodyCap:
    """The largest body of a request (bytes) and, for a file import, its file's own cap."""

    limit: int
    file_limit: int | None = None


def route_path(scope: Scope) -> str:
    """The path the routes see (without the app's root path)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def body_cap(path: str, settings: Settings) -> BodyCap:
    """The cap of the route family of `path`: salon/v1 imports, participant files, the rest."""
    if SALON_FILE_ROUTES.match(path):
        return BodyCap(MAX_SALON_BYTES + UPLOAD_ALLOWANCE, MAX_SALON_BYTES)
    if PARTICIPANT_FILE_ROUTES.match(path):
        return BodyCap(PARTICIPANT_FILE_BYTES + UPLOAD_ALLOWANCE, PARTICIPANT_FILE_BYTES)
    if PROFILES_FILE_ROUTES.match(path):
        return BodyCap(PROFILES_FILE_BYTES + UPLOAD_ALLOWANCE, PROFILES_FILE_BYTES)
    return BodyCap(settings.max_body_bytes)


def size_text(size: int, language: str) -> str:
    """1048576 -> '1 Mo' (French) or '1 MB'; below a megabyte in ko / KB."""
    if size >= MEGABYTE:
        amount, unit = size / MEGABYTE, ("Mo", "MB")
    else:
        amount, unit = size / 1024, ("ko", "KB")
    number = f"{amount:.1f}".removesuffix(".0")
    if language == "fr":
        number = number.replace(".", ",")
    return f"{number} {unit[0] if language == 'fr' else unit[1]}"


def body_too_large(cap: BodyCap, language: str) -> DomainError:
    if cap.file_limit is not None:
        message = "Fichier trop volumineux : {limit} au plus."
        return DomainError(
            "body_too_large", message, status=413, limit=size_text(cap.file_limit, language)
        )
    message = "Requête trop volumineuse : {limit} au plus."
    return DomainError("body_too_large", message, status=413, limit=size_text(cap.limit, language))


def is_page(path: str) -> bool:
    return path.startswith(PAGE_PREFIXES) and not path.startswith(API_UNDER_PAGES)


def too_large_response(scope: Scope, cap: BodyCap) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of the 413: the error shape, or a short page under the pages."""
    language = request_language(Request(scope))
    error = body_too_large(cap, language)
    if is_page(route_path(scope)):
        title = escape(gettext(language, "Requête refusée"))
        text = escape(error.render(language))
        body = (
            f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{title} — salon</title>\n<link rel="stylesheet" href="/assets/pages.css">\n'
            f'</head>\n<body>\n<main id="main">\n<h1>{title}</h1>\n'
            f'<p class="notice error" role="alert">{text}</p>\n</main>\n</body>\n</html>\n'
        ).encode()
        kind = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"detail": error.detail(language)}, ensure_ascii=False).encode()
        kind = b"application/json"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    return 413, headers, body


class BodyTooLargeError(Exception):
    """Raised to the app by `receive` once the body passed its cap (the app stops reading)."""


def declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class BodyLimit:
    """Refuse a request whose body passes its route family's cap (413), before the app reads it."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = body_cap(route_path(scope), self.settings)
        length = declared_length(scope)
        if length is not None and length > cap.limit:
            await send_too_large(scope, send, cap)
            return
        await _LimitedRequest(self.app, scope, receive, send, cap).run()


async def send_too_large(scope: Scope, send: Send, cap: BodyCap) -> None:
    status, headers, body = too_large_response(scope, cap)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _LimitedRequest:
    """One request whose body is counted as the app receives it."""

    def __init__(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, cap: BodyCap):
        self.app, self.scope, self._receive, self._send, self.cap = app, scope, receive, send, cap
        self.received = 0
        self.exceeded = False
        self.started = False

    async def run(self) -> None:
        try:
            await self.app(self.scope, self.receive, self.send)
        except Exception:  # ours, or what a layer made of it (wrapped, grouped): the 413 below
            if not self.exceeded:
                raise
        if self.exceeded and not self.started:
            self.started = True
            await send_too_large(self.scope, self._send, self.cap)

    async def receive(self) -> Message:
        if self.exceeded:
            raise BodyTooLargeError
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.cap.limit:
                self.exceeded = True
                raise BodyTooLargeError
        return message

    async def send(self, message: Message) -> None:
        if self.exceeded:
            return  # what the app answers to the interrupted body is replaced by the 413
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


# ------------------------------------------------------------------ headers


def over_https(scope: Scope) -> bool:
    """The request came over HTTPS: its scheme, which uvicorn's proxy headers set from a
    trusted proxy's X-Forwarded-Proto (FORWARDED_ALLOW_IPS, by default 127.0.0.1 only)."""
    return scope.get("scheme") in ("https", "wss")


def security_headers(scope: Scope, response_headers: MutableHeaders, settings: Settings) -> None:
    """Add the edge's headers to a response (those the route set itself are kept)."""
    path = route_path(scope)
    framed_by_self = bool(FRAMED_BY_SELF.match(path))
    ancestors = "frame-ancestors 'self'" if framed_by_self else "frame-ancestors 'none'"
    html = response_headers.get("content-type", "").startswith("text/html")
    if html and path not in DOCS_PATHS:
        policy = PAGE_POLICY.replace("frame-ancestors 'none'", ancestors)
    else:  # JSON, files; the API's docs load Swagger UI from its CDN with an inline script
        policy = ancestors
    added = {
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN" if framed_by_self else "DENY",
        "Content-Security-Policy": policy,
    }
    if settings.hsts_seconds > 0 and over_https(scope):
        added["Strict-Transport-Security"] = f"max-age={settings.hsts_seconds}"
    for name, value in added.items():
        if name not in response_headers:
            response_headers[name] = value


class SecurityHeaders:
    """Security headers on every HTTP response (`security_headers`)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                security_headers(scope, MutableHeaders(scope=message), self.settings)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_edge(app: FastAPI, settings: Settings) -> None:
    """The edge around the app (outermost: headers, then body caps) and the access log's
    secret redaction."""
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    install_access_log_redaction()
