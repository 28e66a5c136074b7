"""The response side of one request at the edge, and the body limit on its request side.

``Exchange`` wraps ``send``: it adds the request id, security headers, ``Cache-Control:
no-store`` on API answers and the RateLimit headers, and remembers the status (and a 409's
problem code) for the access log and metrics. ``limited_body`` counts a streamed body.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.ports import RateDecision
from entrypoints.http.errors import problem

_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_NO_STORE = (b"cache-control", b"no-store")


class Exchange:
    """The response side of one request: adds the edge's headers, remembers what was sent."""

    __slots__ = (
        "_api",
        "_downstream",
        "_request_id",
        "code",
        "dropping",
        "rate",
        "replayed",
        "started",
        "status",
    )

    def __init__(self, downstream: Send, request_id: bytes, api: bool) -> None:
        self._downstream = downstream
        self._request_id = request_id
        self._api = api
        self.status = 500
        self.started = False
        self.dropping = False  # a 413 went out mid-body: whatever the app answers is dropped
        self.replayed = False
        self.code: bytes | None = None  # the problem code of a 409 (for the oversell counter)
        self.rate: RateDecision | None = None

    async def send(self, message: Message) -> None:
        if self.dropping:
            return
        kind = message["type"]
        if kind == "http.response.start":
            self.started = True
            self.status = message["status"]
            message["headers"] = self._headers(message.get("headers") or [])
        elif kind == "http.response.body" and self.status == 409 and self.code is None:
            self.code = _problem_code(message.get("body", b""))
        await self._downstream(message)

    def _headers(self, raw: Any) -> list[tuple[bytes, bytes]]:
        # One pass over the app's headers (a handful), then the edge's own; every response
        # goes through here, so no per-header set or second list.
        headers: list[tuple[bytes, bytes]] = []
        security = _SECURITY_HEADERS
        for header in raw:
            name = header[0].lower()
            if name == b"cache-control" and self._api:
                continue  # replaced by no-store below
            if name in _SECURITY_NAMES:
                security = tuple(h for h in security if h[0] != name)  # the app's own wins
            elif name == b"idempotent-replayed":
                self.replayed = True
            headers.append(header)
        headers.append((b"x-request-id", self._request_id))
        headers.extend(security)
        if self._api:  # API answers are per caller: never stored by shared caches
            headers.append(_NO_STORE)
        rate = self.rate
        if rate is not None:
            headers.append((b"ratelimit-limit", _number(rate.limit)))
            headers.append((b"ratelimit-remaining", _number(rate.remaining)))
            headers.append((b"ratelimit-reset", _number(rate.reset_after)))
        return headers


_SECURITY_NAMES = frozenset(name for name, _ in _SECURITY_HEADERS)
_NUMBERS = [str(n).encode() for n in range(4096)]


def _number(value: int) -> bytes:
    """A header's decimal value (the small ones, nearly all of them, from a table)."""
    return _NUMBERS[value] if 0 <= value < 4096 else str(value).encode()


_CODE = re.compile(rb'"code"\s*:\s*"([a-z_]+)"')


def _problem_code(body: bytes) -> bytes | None:
    match = _CODE.search(body[:4096])
    return match.group(1) if match else None


def too_large(limit: int, path: str) -> ASGIApp:
    return problem(
        413,
        "payload_too_large",
        f"the request body exceeds {limit} bytes",
        instance=path,
        max_body_bytes=limit,
    )


def limited_body(
    receive: Receive, limit: int, exchange: Exchange, scope: Scope, path: str
) -> Receive:
    """A body streamed without Content-Length is counted as it arrives; past the limit we
    answer 413 ourselves and tell the app the client went away."""
    received = 0
    refused = False

    async def limited_receive() -> Message:
        nonlocal received, refused
        if refused:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                refused = True
                if not exchange.started:
                    await too_large(limit, path)(scope, receive, exchange.send)
                exchange.dropping = True
                return {"type": "http.disconnect"}
        return message

    return limited_receive
