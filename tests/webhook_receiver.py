"""A real HTTP receiver on 127.0.0.1 that verifies Standard Webhooks signatures.

It answers each request with the next scripted reply (status, delay), or 204 once the script
runs out, and keeps what it received: the headers, the body, and whether the signature
verified with the ``standardwebhooks`` package and the secret it was given.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    status: int | None = None  # what it was answered (None: the sender gave up first)

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Reply:
    status: int = 204
    delay: float = 0.0  # seconds before answering; a long delay outlasts the sender's timeout


@dataclass
class Receiver:
    """``url(path)`` to send to; ``script`` the replies to give, in order."""

    port: int = 0
    secrets: dict[str, str] = field(default_factory=dict)  # path -> whsec_ secret
    script: list[Reply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answered(self, status: int = 204) -> list[Received]:
        """What was received and answered with ``status``."""
        return [r for r in self.received if r.status == status]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            reply = self.script.pop(0) if self.script else Reply()
            received = Received(path, headers, body, self._verify(path, headers, body))
            self.received.append(received)
            self.arrived.set()
            if reply.delay:
                await asyncio.sleep(reply.delay)
            received.status = reply.status
            writer.write(
                f"HTTP/1.1 {reply.status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode()
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _verify(self, path: str, headers: dict[str, str], body: bytes) -> bool:
        secret = self.secrets.get(path)
        if secret is None:
            return False
        try:
            Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True


@contextlib.asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    """A receiver listening on a free port of 127.0.0.1 for the duration of the block."""
    receiver = Receiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)
