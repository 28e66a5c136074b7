"""Pure ASGI rate limiting of /v1: per principal (user + org) when authenticated, else per IP.

The counters live behind the RateLimiter port (PostgreSQL), so every API process sharing the
database enforces one limit (ADR 0007). A verified principal is left in the request state so
the ``CurrentPrincipal`` dependency does not verify the token twice.
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.errors import RateLimited
from application.ports import RateDecision
from domain.errors import StockroomError
from entrypoints.container import Runtime
from entrypoints.http.dependencies import PRINCIPAL_STATE, bearer_token
from entrypoints.http.errors import error_response

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
TOO_MANY = "too many requests; slow down"


def client_ip(scope: Scope) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers to make it real)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _headers(decision: RateDecision) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_after),
    }


class RateLimitMiddleware:
    """Counts each /v1 request in a fixed one-minute window and answers 429 past the limit."""

    def __init__(self, app: ASGIApp, *, limit_per_minute: int, prefix: str) -> None:
        self.app = app
        self.limit = limit_per_minute
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        runtime: Runtime = scope["app"].state.runtime
        key = await self._key(scope, runtime)
        try:
            decision = await runtime.rate_limiter.hit(
                key, limit=self.limit, window_seconds=WINDOW_SECONDS
            )
        except StockroomError as exc:
            # Fail open: a database outage must not turn every request into a 429/503 here;
            # the request itself fails or succeeds on its own merits.
            log.warning("rate limiter unavailable (%s); request let through", exc.code)
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            error = RateLimited(TOO_MANY, retry_after=decision.reset_after, limit=decision.limit)
            await error_response(error, scope["path"])(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _headers(decision).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _key(self, scope: Scope, runtime: Runtime) -> str:
        token = bearer_token(Headers(scope=scope).get("authorization"))
        if token is not None:
            try:
                principal = await runtime.token_verifier.verify(token)
            except StockroomError:
                pass  # counted per IP; the endpoint's dependency answers 401/503 as usual
            else:
                scope.setdefault("state", {})[PRINCIPAL_STATE] = principal
                return f"api:user:{principal.org_id or '-'}:{principal.user_id}"
        return f"api:ip:{client_ip(scope)}"
