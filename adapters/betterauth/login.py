"""Signs users in at a BetterAuth server and returns a JWT for the chosen organization."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from typing import Any

import httpx
import jwt

from application.errors import (
    IdentityProviderUnavailable,
    InvalidCredentials,
    PermissionDenied,
    RateLimited,
)
from application.ports import IssuedToken, LoginClient

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "invalid email or password"  # same text whether or not the email exists
NOT_A_MEMBER = "you are not a member of that organization"
UNAVAILABLE = "the identity provider is unavailable"
TOO_MANY = "too many sign-in attempts; try again later"


class BetterAuthLoginClient(LoginClient):
    """Email/password sign-in, organization selection and token fetch over BetterAuth's API."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
        forward_client_ip: bool = False,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout)
        self._transport = transport
        # BetterAuth limits sign-ins per client address, which it reads from X-Forwarded-For
        # (its default ipAddressHeaders). Sent only where BetterAuth trusts us as its proxy
        # (BETTER_AUTH_FORWARD_CLIENT_IP); else every user of the API is one client to it.
        self._forward_client_ip = forward_client_ip

    async def login(
        self, email: str, password: str, organization_id: str | None, client_ip: str | None = None
    ) -> IssuedToken:
        # A client per login: its cookie jar holds exactly one user's session, never shared.
        # BetterAuth refuses cookie-carrying POSTs without an Origin it trusts.
        headers = {"Origin": self._base, "Accept": "application/json"}
        forwarded = _address(client_ip) if self._forward_client_ip else None
        if forwarded is not None:
            headers["X-Forwarded-For"] = forwarded  # one value: ours, never one a client sent
        async with httpx.AsyncClient(
            base_url=f"{self._base}/api/auth",
            timeout=self._timeout,
            transport=self._transport,
            headers=headers,
            follow_redirects=False,
        ) as client:
            try:
                return await self._login(client, email, password, organization_id)
            except httpx.HTTPError as exc:
                log.warning("BetterAuth login failed: %s", type(exc).__name__)
                raise IdentityProviderUnavailable(UNAVAILABLE) from None

    async def _login(
        self, client: httpx.AsyncClient, email: str, password: str, organization_id: str | None
    ) -> IssuedToken:
        signed_in = await client.post("/sign-in/email", json={"email": email, "password": password})
        if signed_in.status_code in (400, 401, 403, 422):
            raise InvalidCredentials(BAD_CREDENTIALS)
        if signed_in.status_code == 429:  # BetterAuth's own limit: the client waits, as for ours
            raise RateLimited(TOO_MANY, retry_after=_retry_after(signed_in), limit=None)
        _ok(signed_in)
        try:
            issued = await self._token_for(client, organization_id)
        except httpx.TransportError:
            raise  # unreachable: signing out would only wait for another timeout
        except Exception:
            await _sign_out(client)
            raise
        # The JWT does not depend on the session: drop it so logins leave no residue behind.
        await _sign_out(client)
        return issued

    async def _token_for(
        self, client: httpx.AsyncClient, organization_id: str | None
    ) -> IssuedToken:
        await self._select_organization(client, organization_id)
        fetched = await client.get("/token")
        _ok(fetched)
        body = _json(fetched)
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise IdentityProviderUnavailable(UNAVAILABLE)
        return IssuedToken(access_token=token, expires_in=_expires_in(token))

    async def _select_organization(
        self, client: httpx.AsyncClient, organization_id: str | None
    ) -> None:
        if organization_id is None:
            listed = await client.get("/organization/list")
            _ok(listed)
            orgs = _json(listed)
            # Only an unambiguous membership is picked for the user; several orgs -> none,
            # so a write can never land in an org the user did not choose.
            if not isinstance(orgs, list) or len(orgs) != 1 or not isinstance(orgs[0], dict):
                return
            organization_id = str(orgs[0].get("id", ""))
        chosen = await client.post(
            "/organization/set-active", json={"organizationId": organization_id}
        )
        if chosen.status_code in (400, 403, 404):  # unknown org and non-member read alike
            raise PermissionDenied(NOT_A_MEMBER)
        _ok(chosen)


def _address(client_ip: str | None) -> str | None:
    """``client_ip`` if it is an IP address (the peer may be a name, or unknown)."""
    try:
        return str(ipaddress.ip_address(client_ip or ""))
    except ValueError:
        return None


def _retry_after(response: httpx.Response) -> int:
    # BetterAuth says when in X-Retry-After (seconds); a minute when it does not.
    raw = response.headers.get("x-retry-after") or response.headers.get("retry-after") or ""
    return max(1, int(raw)) if raw.strip().isdigit() else 60


def _ok(response: httpx.Response) -> None:
    if response.status_code != 200:
        log.warning("BetterAuth %s answered %s", response.request.url.path, response.status_code)
        raise IdentityProviderUnavailable(UNAVAILABLE)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise IdentityProviderUnavailable(UNAVAILABLE) from None


def _expires_in(token: str) -> int:
    # The token is ours to hand out, not to trust: read exp/iat only to tell the client.
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return max(0, int(claims["exp"]) - int(claims["iat"]))
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return 900  # BetterAuth's default lifetime


async def _sign_out(client: httpx.AsyncClient) -> None:
    # Best effort: if this fails the session expires on BetterAuth's own schedule.
    with contextlib.suppress(httpx.HTTPError):
        await client.post("/sign-out", json={})
