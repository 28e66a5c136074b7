"""Pure ASGI middleware: request ids, security headers, and the last-resort 500 problem.

Order, outermost first: request id + security headers, CORS (only when origins are
configured), unhandled-error catcher, rate limit, body limits, then FastAPI. Everything
inside the request-id layer therefore carries ``X-Request-ID`` and the security headers,
even a 500.
"""

from __future__ import annotations

import logging
import re
import uuid

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.errors import problem
from entrypoints.http.middleware_limits import BodyLimitMiddleware
from entrypoints.http.middleware_rate_limit import RateLimitMiddleware
from entrypoints.settings import Settings

log = logging.getLogger(__name__)

REQUEST_ID = "X-Request-ID"
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
API_PREFIX = "/v1/"
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def request_id_of(scope: Scope) -> str:
    """The id RequestIdMiddleware gave this request ('-' outside it)."""
    return str(scope.get("state", {}).get("request_id", "-"))


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _WELL_FORMED_ID.fullmatch(text) else None
    return None


class RequestIdMiddleware:
    """Accepts a well-formed client ``X-Request-ID`` or makes one; adds security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        api = scope["path"].startswith(API_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID] = request_id
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if api:  # API answers are per caller: never stored by shared caches
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class UnhandledErrorMiddleware:
    """Turns any exception nothing else handled into a 500 problem with no internals."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error (request id %s)", request_id_of(scope))
            if started:  # too late for a problem body; the server closes the connection
                raise
            response = problem(
                500,
                "internal_error",
                f"internal server error (request id {request_id_of(scope)})",
                instance=scope["path"],
            )
            await response(scope, receive, send)


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Add the middleware stack (add_middleware wraps: the last added is the outermost)."""
    app.add_middleware(
        BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes, prefix=API_PREFIX
    )
    app.add_middleware(
        RateLimitMiddleware, limit_per_minute=settings.rate_limit_per_minute, prefix=API_PREFIX
    )
    app.add_middleware(UnhandledErrorMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
            expose_headers=[
                REQUEST_ID,
                "ETag",
                "Retry-After",
                "Idempotent-Replayed",
                *RATE_HEADERS,
            ],
            max_age=600,
        )
    app.add_middleware(RequestIdMiddleware)
