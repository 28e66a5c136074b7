"""Drives a test BetterAuth server over its HTTP API the way a real client would."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

PASSWORD = "correct-horse-battery-staple"
ROTATION_SECONDS = 2  # the server's JWKS rotation: short, so rotation shows within seconds


@dataclass(frozen=True)
class User:
    """A signed-up user and the bearer session token BetterAuth gave it."""

    id: str
    email: str
    session: str


class BetterAuthAdmin:
    """Sign-ups, organizations, memberships and token fetches against one BetterAuth server."""

    def __init__(self, base_url: str, secret: str) -> None:
        self.base_url = base_url
        self._secret = secret
        # Bearer session tokens, not cookies, so one client serves many users safely.
        self._http = httpx.Client(base_url=f"{base_url}/api/auth", timeout=10)

    def __enter__(self) -> BetterAuthAdmin:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._http.close()

    def _call(self, method: str, path: str, user: User | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {user.session}"} if user else {}
        response = self._http.request(method, path, headers=headers, **kw)
        assert response.status_code == 200, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json()

    def sign_up(self, name: str) -> User:
        """A new user with a unique email and the shared test password."""
        email = f"{name}-{secrets.token_hex(4)}@example.com"
        body = self._call(
            "POST", "/sign-up/email", json={"email": email, "password": PASSWORD, "name": name}
        )
        return User(id=body["user"]["id"], email=email, session=body["token"])

    def create_org(self, owner: User, name: str) -> str:
        """An organization owned by ``owner`` (BetterAuth also makes it the session's active one)."""
        slug = f"{name.lower()}-{secrets.token_hex(4)}"
        return str(
            self._call("POST", "/organization/create", owner, json={"name": name, "slug": slug})[
                "id"
            ]
        )

    def add_member(self, user: User, org_id: str, role: str) -> None:
        """Add ``user`` to ``org_id`` through the harness's secret-guarded admin route."""
        response = httpx.post(
            f"{self.base_url}/test-admin/add-member",
            headers={"x-admin-secret": self._secret},
            json={"userId": user.id, "organizationId": org_id, "role": role},
            timeout=10,
        )
        assert response.status_code == 200, response.text

    def set_active(self, user: User, org_id: str | None) -> None:
        """Select the session's active organization (None clears it)."""
        self._call("POST", "/organization/set-active", user, json={"organizationId": org_id})

    def token(self, user: User) -> str:
        """A JWT for the session's current state, from GET /api/auth/token."""
        return str(self._call("GET", "/token", user)["token"])

    def jwks(self) -> dict[str, Any]:
        """The server's current JWKS document."""
        return dict(self._call("GET", "/jwks"))
