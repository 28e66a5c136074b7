"""FastAPI dependencies: the caller's principal, the service, and request preconditions.

Routers declare what they need with the ``Annotated`` aliases below; every failure raises a
StockroomError that ``errors.py`` turns into a problem response.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from application.errors import Unauthenticated
from application.integrations import Integrations
from application.principal import Principal
from application.service import StockroomService
from application.use_cases.log_in import LogInHandler
from domain.errors import VersionMismatch
from entrypoints.container import Runtime
from entrypoints.http.edge import bearer_token, current_principal_or_error

MISSING = "a bearer token is required (Authorization: Bearer <token>)"
_IF_MATCH = re.compile(r'^(?:W/)?"(\d{1,18})"$')


def runtime(request: Request) -> Runtime:
    """The providers the app resolved at startup."""
    value: Runtime = request.app.state.runtime
    return value


# Declares the bearer scheme in OpenAPI (and /docs' Authorize button); parsing stays ours so
# every failure is a problem response rather than FastAPI's own 403.
_BEARER_SCHEME = HTTPBearer(auto_error=False, description="A BetterAuth (or dev issuer) JWT.")


async def current_principal(
    request: Request,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER_SCHEME)] = None,
) -> Principal:
    """The verified caller; 401 (with ``WWW-Authenticate: Bearer``) when missing or invalid.

    The edge has verified any presented token already; this only reads its verdict (and
    verifies itself when the app runs without the edge's services, as before startup)."""
    verified = current_principal_or_error(request.scope.get("state", {}))
    if isinstance(verified, Principal):
        return verified
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Unauthenticated(MISSING)
    return await runtime(request).token_verifier.verify(token)


async def get_service(request: Request) -> StockroomService:
    """The use cases, built once per process."""
    return runtime(request).service


async def get_integrations(request: Request) -> Integrations:
    """The feed and webhook use cases, built once per process."""
    value: Integrations = request.app.state.integrations
    return value


async def get_log_in(request: Request) -> LogInHandler:
    """The sign-in use case."""
    return runtime(request).log_in


async def if_match(request: Request) -> int | None:
    """The version an ``If-Match: "<version>"`` header demands; None when absent or ``*``.

    A weak tag (``W/"3"``) is accepted. Anything else cannot equal the ETag we sent, so the
    precondition is false and the answer is 412 version_mismatch (RFC 9110 section 13.1.1).
    """
    raw = request.headers.get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    match = _IF_MATCH.match(raw.strip())
    if match is None:
        raise VersionMismatch('If-Match must be one entity tag as sent in ETag, like "3"')
    return int(match.group(1))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Service = Annotated[StockroomService, Depends(get_service)]
LogInUseCase = Annotated[LogInHandler, Depends(get_log_in)]
IntegrationsService = Annotated[Integrations, Depends(get_integrations)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Replays the first result of this key (<= 255)"),
]
IfMatch = Annotated[int | None, Depends(if_match)]
