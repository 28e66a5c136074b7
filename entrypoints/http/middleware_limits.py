"""Pure ASGI body checks: 413 over the size limit (declared or streamed), 415 for non-JSON."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.errors import problem

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def is_json(content_type: str | None) -> bool:
    """``application/json`` or any ``application/*+json``, parameters ignored."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class BodyLimitMiddleware:
    """Refuses bodies over ``max_body_bytes`` and bodies that are not JSON, before parsing."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, prefix: str) -> None:
        self.app = app
        self.max = max_body_bytes
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        declared = int(length) if length and length.isdigit() else None
        if declared is not None and declared > self.max:
            await self._too_large(scope, receive, send)
            return
        has_body = (declared or 0) > 0 or chunked
        json_body = is_json(_header(scope, b"content-type"))
        if scope["method"] in BODY_METHODS and has_body and not json_body:
            response = problem(
                415,
                "unsupported_media_type",
                "send the body as application/json",
                instance=scope["path"],
                headers={"Accept-Post": "application/json"},
            )
            await response(scope, receive, send)
            return
        await self._counting(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "payload_too_large",
            f"the request body exceeds {self.max} bytes",
            instance=scope["path"],
            max_body_bytes=self.max,
        )
        await response(scope, receive, send)

    async def _counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A body streamed without (or lying about) Content-Length is counted as it arrives;
        # past the limit we answer 413 ourselves and tell the app the client went away.
        received = 0
        refused = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max:
                    refused = True
                    if not started:
                        await self._too_large(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # our 413 already went out; drop whatever the app answers
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
