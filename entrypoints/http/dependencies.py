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
from application.principal import Principal
from application.service import StockroomService
from application.use_cases.log_in import LogInHandler
from domain.errors import VersionMismatch
from entrypoints.container import Stockroom
from entrypoints.http.edge import bearer_token, current_principal_or_error

MISSING = "a bearer token is required (Authorization: Bearer <token>)"
# #entity-tag (RFC 9110 sections 5.6.1 and 8.8.3): tags separated by commas, empty elements allowed.
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
_ENTITY_TAG_LIST = re.compile(rf"[ \t,]*{_ENTITY_TAG}(?:[ \t]*,[ \t,]*{_ENTITY_TAG})*[ \t,]*")
_TAG = re.compile(r'(?:W/)?"([^"]*)"')
_VERSION = re.compile(r"[1-9][0-9]{0,18}")


def stockroom(request: Request) -> Stockroom:
    """What the app started with (``open_stockroom`` in its lifespan)."""
    value: Stockroom = request.app.state.stockroom
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
    return await stockroom(request).token_verifier.verify(token)


async def get_service(request: Request) -> StockroomService:
    """The use cases, built once per process."""
    return stockroom(request).service


async def get_log_in(request: Request) -> LogInHandler:
    """The sign-in use case."""
    return stockroom(request).service.log_in


async def if_match(request: Request) -> frozenset[int] | None:
    """The versions an ``If-Match`` header names; None when absent or ``*`` (any version).

    RFC 9110 section 13.1.1: a list of entity tags matches when any of them does. Tags that are
    not one of our versions (``"3"``) can never match and are left out; a weak tag (``W/"3"``)
    is accepted as its version, as before. A header that is not a list of entity tags cannot
    equal the ETag we sent: 412 version_mismatch.
    """
    raw = request.headers.get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    if not _ENTITY_TAG_LIST.fullmatch(raw):
        raise VersionMismatch('If-Match must list entity tags as sent in ETag, like "3"')
    return frozenset(int(tag) for tag in _TAG.findall(raw) if _VERSION.fullmatch(tag))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Service = Annotated[StockroomService, Depends(get_service)]
LogInUseCase = Annotated[LogInHandler, Depends(get_log_in)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Replays the first result of this key (<= 255)"),
]
IfMatch = Annotated[frozenset[int] | None, Depends(if_match)]
