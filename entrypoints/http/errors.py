"""The only map from errors to HTTP: statuses, headers and RFC 9457 problem bodies."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from application.errors import IdentityProviderUnavailable, RateLimited, StorageUnavailable
from domain.errors import StockroomError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5  # for 503s: the pool or identity provider usually recovers quickly

# Every StockroomError code (domain/errors.py, application/errors.py) and its status.
# tests/integration/test_errors.py proves no code is missing.
STATUS_BY_CODE: dict[str, int] = {
    "validation_failed": 422,
    "not_found": 404,
    "conflict": 409,
    "insufficient_stock": 409,
    "reserved_stock_conflict": 409,
    "count_mismatch": 409,
    "quantity_out_of_range": 409,
    "invalid_reservation_state": 409,
    "invalid_transfer_state": 409,
    "invalid_count_state": 409,
    "already_reversed": 409,
    "not_reversible": 409,
    "lot_expired": 409,
    "serial_limit": 409,
    "tracking_locked": 409,
    "lots_not_supported": 422,
    "request_in_progress": 409,
    "version_mismatch": 412,
    "unauthenticated": 401,
    "invalid_credentials": 401,
    "forbidden": 403,
    "idempotency_key_reused": 422,
    "rate_limited": 429,
    "storage_unavailable": 503,
    "identity_unavailable": 503,
    "cursor_expired": 410,
    "destination_refused": 422,
}
# Starlette's own errors (unknown route, wrong method, ...) by status.
CODE_BY_STATUS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def status_for(error: StockroomError) -> int:
    """The status of ``error``: its own code's, else the nearest base class's, else 500."""
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in STATUS_BY_CODE:
            return STATUS_BY_CODE[code]
    return 500


def problem(
    status: int,
    code: str,
    detail: str,
    /,
    *,
    instance: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """An ``application/problem+json`` response; ``extra`` members follow the standard ones."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if k not in body})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def headers_for(error: StockroomError, status: int) -> dict[str, str]:
    """Headers a status obliges us to send (RFC 9110, RFC 6750, RateLimit fields)."""
    if status == 401:
        return {"WWW-Authenticate": 'Bearer realm="stockroom"'}
    if isinstance(error, RateLimited):
        retry = {"Retry-After": str(error.retry_after)}
        if error.limit is None:  # not our window (the identity provider's): only when to retry
            return retry
        return {
            **retry,
            "RateLimit-Limit": str(error.limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(error.retry_after),
        }
    if isinstance(error, StorageUnavailable | IdentityProviderUnavailable):
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {}


def error_response(error: StockroomError, instance: str) -> JSONResponse:
    """The problem response for a StockroomError."""
    status = status_for(error)
    if status == 500:
        log.error("no HTTP status mapped for error code %r", error.code)
        return problem(500, "internal_error", "internal server error", instance=instance)
    extra = {k: v for k, v in error.extra.items() if k != "retry_after"}
    return problem(
        status,
        error.code,
        error.detail,
        instance=instance,
        headers=headers_for(error, status),
        **extra,
    )


def validation_problem(errors: Sequence[Any], instance: str) -> JSONResponse:
    """The 400 (malformed JSON) or 422 problem for pydantic-style validation errors, whose
    ``loc`` starts with where the value came from (``body``, ``query``, ...)."""
    listed = _validation_errors(errors)
    if any(err["type"] == "json_invalid" for err in listed):
        return problem(
            400, "malformed_json", "the request body is not valid JSON", instance=instance
        )
    return problem(
        422,
        "validation_failed",
        "the request is invalid; see errors",
        instance=instance,
        errors=listed,
    )


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Never the input, nor a part of it: a rejected body may hold a password or a token, and
    # whatever a client sends must not come back (no unknown names, tags or values).
    out: list[dict[str, Any]] = []
    for err in errors:
        loc, message = _located_message(err)
        field = ".".join(loc[1:] if loc and loc[0] in {"body", "query", "path", "header"} else loc)
        entry = {"loc": loc, "field": field, "message": message, "type": err["type"]}
        if entry not in out:  # several unknown fields of one object read alike
            out.append(entry)
    return out


def _located_message(err: Any) -> tuple[list[str], str]:
    """Where the error is and what is wrong, in our words only."""
    kind: str = err["type"]
    loc = [str(part) for part in err.get("loc", ())]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":  # the last part is the unknown name the client sent
        return loc[:-1], "unknown field: only the documented fields are accepted"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = str(ctx.get("discriminator", "")).strip("'\"")
        expected = ctx.get("expected_tags")
        told = f"must be one of {expected}" if expected else "is required"
        return [*loc, discriminator] if discriminator else loc, told
    if kind.startswith("uuid_"):  # pydantic quotes the offending character
        return loc, "Input should be a valid UUID"
    message = str(err.get("msg", ""))
    value = err.get("input")
    if isinstance(value, str) and len(value) >= 3 and value in message:
        return loc, f"the value is not accepted here ({kind})"
    return loc, message


async def _on_stockroom_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StockroomError)  # noqa: S101 -- registered for this class only
    return error_response(exc, request.url.path)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 -- registered for this class
    return validation_problem(exc.errors(), request.url.path)


async def _on_unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette answers with this, then re-raises; the edge logs it with the request id.
    request_id = request.scope.get("state", {}).get("request_id", "-")
    return problem(
        500,
        "internal_error",
        f"internal server error (request id {request_id})",
        instance=request.url.path,
    )


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)  # noqa: S101 -- registered for this class
    return http_problem(exc, request.url.path)


def http_problem(exc: HTTPException, instance: str) -> JSONResponse:
    """The problem for one of Starlette's own errors (unknown route, wrong method, ...)."""
    status = exc.status_code
    code = CODE_BY_STATUS.get(status, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if status == 404 and detail == HTTPStatus(404).phrase:
        detail = "no such route"
    headers = dict(exc.headers) if exc.headers else None
    return problem(status, code, detail, instance=instance, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every known error through the problem+json map (unknown ones: see middleware)."""
    app.add_exception_handler(StockroomError, _on_stockroom_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unhandled_error)
