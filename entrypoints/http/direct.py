"""What direct routes share: reading the body and headers, and FastAPI's own error shapes.

A direct route (ADR 0015) must answer every request exactly as its FastAPI twin would, hostile
ones included; these helpers reproduce FastAPI's reading of a JSON body and the locations of
its validation errors, and tests/integration/test_direct_routes.py holds them to it.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope


class BodyInvalid(Exception):
    """The body is not what the route needs, in FastAPI's error format (``loc`` from "body")."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid body")
        self.errors = errors


MISSING_BODY = [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
NO_BODY = object()  # an empty body: FastAPI reports it missing only when validating the body


async def read_body(receive: Receive) -> bytes:
    """The whole request body (the edge has already bounded its size)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def parse_json(raw: bytes) -> Any:
    """The body's JSON as FastAPI reads it, before anything else: malformed JSON is a
    ``json_invalid`` error (400 malformed_json), undecodable bytes a plain 400; an empty body
    is ``NO_BODY`` (see ``require_body``)."""
    if not raw:
        return NO_BODY
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BodyInvalid(
            [{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error"}]
        ) from None
    except ValueError:  # not UTF-8/16/32
        raise HTTPException(400, "There was an error parsing the body") from None


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (lower-case ``name``), as FastAPI's Header reads it."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def located(source: str, exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors with their location prefixed by where the value came from."""
    return [{**err, "loc": (source, *err["loc"])} for err in exc.errors()]


def require_body(document: Any) -> Any:
    """The parsed body, or the ``missing`` error FastAPI gives when validating an empty one."""
    if document is NO_BODY:
        raise BodyInvalid(MISSING_BODY)
    return document
