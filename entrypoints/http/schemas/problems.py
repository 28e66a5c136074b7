"""The RFC 9457 problem body every error response carries, for the OpenAPI document."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_REF = "#/components/schemas/Problem"


class FieldError(BaseModel):
    """One invalid input of a 422 validation problem."""

    loc: list[str] = Field(examples=[["body", "lines", "0", "quantity"]])
    field: str = Field(examples=["lines.0.quantity"])
    message: str
    type: str


class Problem(BaseModel):
    """An error (``application/problem+json``); ``code`` is stable and machine-readable.

    Some codes add members: ``errors`` (validation_failed), ``lines`` with requested and
    available per line (insufficient_stock), ``current_version`` (version_mismatch).
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Conflict",
                    "status": 409,
                    "detail": "requested 5, available 2",
                    "instance": "/v1/movements",
                    "code": "insufficient_stock",
                    "lines": [
                        {
                            "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                            "location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                            "requested": 5,
                            "available": 2,
                        }
                    ],
                }
            ]
        },
    )

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldError] | None = None


_WHEN = {
    400: "The body is not valid JSON (`malformed_json`).",
    401: "Missing, malformed, forged or expired token (`unauthenticated`).",
    403: "The token's role lacks the permission, or it names no organization (`forbidden`).",
    404: "No such resource in the caller's organization (`not_found`).",
    409: "Conflicts with the current state (`conflict`, `insufficient_stock`, ...).",
    410: "The feed cursor is older than the event retention (`cursor_expired`): start again.",
    412: "`If-Match` names a version that is not current (`version_mismatch`); nothing changed.",
    413: "The body is larger than the configured limit.",
    415: "The body is not `application/json`.",
    422: "Invalid input (`validation_failed` with `errors`, or `idempotency_key_reused`).",
    429: "Rate limited; see `Retry-After` and `RateLimit-*` (`rate_limited`).",
    503: "The database is unavailable; retry after `Retry-After` seconds.",
}


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "integer"}}


_RETRY_AFTER = {"Retry-After": _header("Seconds to wait before retrying.")}
# The headers a status always carries (entrypoints/http/errors.py, headers_for).
_HEADERS: dict[int, dict[str, Any]] = {
    429: {
        **_RETRY_AFTER,
        "RateLimit-Limit": _header("Requests allowed per window."),
        "RateLimit-Remaining": _header("Requests left in this window (0)."),
        "RateLimit-Reset": _header("Seconds until the window resets."),
    },
    503: _RETRY_AFTER,
}


def problem_responses(
    *statuses: int, descriptions: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting problem+json errors for ``statuses``, with the
    headers they carry; ``descriptions`` replaces the generic text of some statuses."""
    told = descriptions or {}
    return {
        status: {
            "description": f"{HTTPStatus(status).phrase}. {told.get(status, _WHEN[status])}",
            "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}},
            **({"headers": _HEADERS[status]} if status in _HEADERS else {}),
        }
        for status in statuses
    }


def problem_components() -> dict[str, Any]:
    """The component schemas ``problem_responses`` refers to."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "Problem": schema}
