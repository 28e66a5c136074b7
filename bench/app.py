"""Bench-only ASGI app: the product app, plus a bare hello-world FastAPI app at ``/hello``.

Both live in the same process under the same server and worker count; ``/hello`` is
dispatched before the product's middleware, so it is the framework-and-server ceiling
(FastAPI + uvicorn on this machine) and the read ratio measures everything Stockroom adds:
middleware (request ids, access log, rate limiting), token verification, the use case and
PostgreSQL. Never imported by the product; uvicorn loads it with ``--factory bench.app:create``.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from application.ports import RateDecision, RateLimiter
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import load_settings

HELLO_PATH = "/hello"


def hello_app() -> FastAPI:
    """The anchor: FastAPI's hello world, nothing else."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get(HELLO_PATH)
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


class WithHello:
    """Sends ``GET /hello`` to the anchor app and everything else (lifespan too) to ``product``."""

    def __init__(self, product: ASGIApp, hello: ASGIApp) -> None:
        self.product = product
        self.hello = hello

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == HELLO_PATH:
            await self.hello(scope, receive, send)
        else:
            await self.product(scope, receive, send)


class AlwaysAllow(RateLimiter):
    """Diagnostic only (setup trials): a limiter that writes nothing, to price the real one."""

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        return RateDecision(allowed=True, limit=limit, remaining=limit, reset_after=window_seconds)


def create() -> WithHello:
    """The production app factory's app, with the hello anchor beside it."""
    settings = load_settings()
    configure_logging(settings.env, settings.log_level)  # as `stockroom serve` and the asgi factory
    container = build_container(settings)
    if os.environ.get("BENCH_DIAG_RATE_LIMITER") == "always-allow":  # never set by make bench
        container.rate_limiter.override(AlwaysAllow())  # wrapped as an Object provider
    product = create_app(container, migrate_on_startup=False)
    return WithHello(product, hello_app())
