"""The one ASGI layer in front of the API: what every request gets, in a single pass.

Request ids and security headers, body limits (413, 415), the bearer token verified once and
left in the scope, rate limits (429 with RateLimit headers), the access log line and metrics,
and a problem+json 500 for anything nothing else handled. Seven nested middlewares used to do
this, each wrapping ``send``; one layer costs a fraction (ADR 0015). Direct routes (the hot
reads) are answered here, without FastAPI's routing and dependency solving; every other
request goes on to FastAPI.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from application.errors import RateLimited
from application.ports import RateDecision, RateLimiter, TokenVerifier
from domain.errors import StockroomError
from entrypoints.http.errors import error_response, problem
from entrypoints.http.exchange import Exchange, limited_body, too_large
from entrypoints.http.observability import Metrics

log = logging.getLogger(__name__)
access_log = structlog.get_logger("stockroom.access")

API_PREFIX = "/v1/"
PRINCIPAL = "principal"  # scope["state"] key of the verified caller
AUTH_ERROR = "auth_error"  # ... and of why a presented token was refused
WINDOW_SECONDS = 60
TOO_MANY = "too many requests; slow down"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_CONTEXT = "stockroom.edge"  # scope key: this request's parsed headers and response side

# A direct route: (scope, receive, send) like any ASGI app, with the scope's state already
# holding the request id and, when a valid token came, the principal.
DirectRoute = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class EdgeServices:
    """What the edge needs from the running service (resolved at startup)."""

    token_verifier: TokenVerifier
    rate_limiter: RateLimiter


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def is_json(content_type: str | None) -> bool:
    """``application/json`` or any ``application/*+json``, parameters ignored."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def client_ip(scope: Scope) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers to make it real)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class _Headers:
    """The few request headers the edge reads, from one pass over the raw list."""

    __slots__ = ("authorization", "chunked", "content_length", "content_type", "request_id")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.authorization: str | None = None
        self.content_length: str | None = None
        self.content_type: str | None = None
        self.request_id: str | None = None
        self.chunked = False
        for name, value in raw:
            if name == b"authorization":
                self.authorization = value.decode("latin-1")
            elif name == b"content-length":
                self.content_length = value.decode("latin-1")
            elif name == b"content-type":
                self.content_type = value.decode("latin-1")
            elif name == b"x-request-id":
                self.request_id = value.decode("latin-1")
            elif name == b"transfer-encoding":
                self.chunked = True


class Edge:
    """Wraps the FastAPI app; ``services`` are set once the app has started."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        rate_limit_per_minute: int,
        cors_origins: list[str] | None = None,
        direct: dict[tuple[str, str], DirectRoute] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body_bytes
        self.limit = rate_limit_per_minute
        self.direct = direct or {}
        self.services: EdgeServices | None = None
        self._access: Any = None  # the access logger, resolved on the first request
        # CORS (only for configured origins) answers preflights before any limit applies.
        self._inner: ASGIApp = (
            _cors(self._dispatch, cors_origins) if cors_origins else self._dispatch
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan
            return
        started = time.perf_counter()
        headers = _Headers(scope["headers"])
        incoming = headers.request_id
        request_id = (
            incoming if incoming and _WELL_FORMED_ID.fullmatch(incoming) else os.urandom(16).hex()
        )
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        path: str = scope["path"]
        exchange = Exchange(send, request_id.encode("latin-1"), path.startswith(API_PREFIX))
        scope[_CONTEXT] = (headers, exchange)
        try:
            await self._inner(scope, receive, exchange.send)
        except Exception:
            log.exception("unhandled error (request id %s)", request_id)
            if not exchange.started:
                await problem(
                    500,
                    "internal_error",
                    f"internal server error (request id {request_id})",
                    instance=path,
                )(scope, receive, exchange.send)
        finally:
            self._record(scope, state, exchange, time.perf_counter() - started)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if not path.startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers, exchange = scope[_CONTEXT]
        services = self.services
        if services is not None:
            key = await self._authenticate(scope, headers, services.token_verifier)
            decision = await self._count(key, services.rate_limiter)
            if decision is not None:
                if not decision.allowed:
                    error = RateLimited(
                        TOO_MANY, retry_after=decision.reset_after, limit=decision.limit
                    )
                    await error_response(error, path)(scope, receive, send)
                    return
                exchange.rate = decision
        refusal = self._body_refusal(scope["method"], headers, path)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if headers.chunked:
            receive = limited_body(receive, self.max_body, exchange, scope, path)
        route = self.direct.get((scope["method"], path))
        if route is not None:
            await route(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _body_refusal(self, method: str, headers: _Headers, path: str) -> ASGIApp | None:
        length = headers.content_length
        declared = int(length) if length and length.isdigit() else None
        if declared is not None and declared > self.max_body:
            return too_large(self.max_body, path)
        has_body = (declared or 0) > 0 or headers.chunked
        if method in BODY_METHODS and has_body and not is_json(headers.content_type):
            return problem(
                415,
                "unsupported_media_type",
                "send the body as application/json",
                instance=path,
                headers={"Accept-Post": "application/json"},
            )
        return None

    async def _authenticate(self, scope: Scope, headers: _Headers, verifier: TokenVerifier) -> str:
        """Verify a presented token once; return the rate-limit key of the caller."""
        token = bearer_token(headers.authorization)
        if token is not None:
            try:
                principal = await verifier.verify(token)
            except StockroomError as exc:
                scope["state"][AUTH_ERROR] = exc  # the route answers 401/503 as it would
            else:
                scope["state"][PRINCIPAL] = principal
                return f"api:user:{principal.org_id or '-'}:{principal.user_id}"
        return f"api:ip:{client_ip(scope)}"

    async def _count(self, key: str, limiter: RateLimiter) -> RateDecision | None:
        try:
            return await limiter.hit(key, limit=self.limit, window_seconds=WINDOW_SECONDS)
        except StockroomError as exc:
            # Fail open: a database outage must not turn every request into a 429/503 here;
            # the request itself fails or succeeds on its own merits.
            log.warning("rate limiter unavailable (%s); request let through", exc.code)
            return None

    def _record(
        self, scope: Scope, state: dict[str, Any], exchange: Exchange, elapsed: float
    ) -> None:
        route = getattr(scope.get("route"), "path", None) or (
            scope["path"] if (scope["method"], scope["path"]) in self.direct else None
        )
        self.metrics.record(
            scope["method"], route, exchange.status, elapsed, exchange.replayed, exchange.code
        )
        log = self._access
        if log is None:  # resolved once: the lazy proxy costs a lookup per attribute
            log = self._access = access_log.bind()
        if not log.is_enabled_for(logging.INFO):
            return  # below the level nothing is written: nor is the line built
        principal = state.get(PRINCIPAL)
        log.info(
            "request",
            request_id=state["request_id"],
            org=getattr(principal, "org_id", None),
            user=getattr(principal, "user_id", None),
            method=scope["method"],
            route=route or "<unmatched>",
            status=exchange.status,
            duration_ms=round(elapsed * 1000, 2),
        )


def _cors(app: ASGIApp, origins: list[str]) -> ASGIApp:
    return CORSMiddleware(
        app,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
        expose_headers=[
            "X-Request-ID",
            "ETag",
            "Retry-After",
            "Idempotent-Replayed",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ],
        max_age=600,
    )


def current_principal_or_error(state: dict[str, Any]) -> Any:
    """The principal the edge verified, or the error that refused its token, or None."""
    principal = state.get(PRINCIPAL)
    if principal is not None:
        return principal
    error = state.get(AUTH_ERROR)
    if isinstance(error, StockroomError):
        raise error
    return None
