"""Sign in with email and password at the BetterAuth server; get a bearer token back."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from application.use_cases.log_in import LogIn
from entrypoints.http.dependencies import LogInUseCase
from entrypoints.http.edge import client_ip
from entrypoints.http.schemas.problems import problem_responses

router = APIRouter(prefix="/v1/auth", tags=["identity"])


class LoginRequest(BaseModel):
    """Credentials; ``organization_id`` selects the org to act in (default: the only one)."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024, repr=False)
    organization_id: str | None = Field(None, min_length=1, max_length=255)


class LoginResponse(BaseModel):
    """A bearer token for the API."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 -- a scheme, not a secret
    expires_in: int


@router.post(
    "/login",
    summary="Sign in and get an access token",
    responses=problem_responses(
        401,
        403,
        422,
        429,
        503,
        descriptions={
            401: "Invalid email or password; never says which (`invalid_credentials`).",
            403: "Not a member of that organization (`forbidden`).",
            429: "Too many attempts from this address or for this email (`rate_limited`).",
            503: "The identity provider is unavailable or not configured.",
        },
    ),
)
async def login(body: LoginRequest, request: Request, log_in: LogInUseCase) -> LoginResponse:
    """Rate-limited per client address and per email; errors never reveal whether an email exists."""
    issued = await log_in(
        LogIn(
            email=body.email,
            password=body.password,
            organization_id=body.organization_id,
            client_ip=client_ip(request.scope),
        )
    )
    return LoginResponse(access_token=issued.access_token, expires_in=issued.expires_in)
