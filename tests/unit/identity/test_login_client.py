"""The login client's protocol with BetterAuth, against a scripted fake server."""

from __future__ import annotations

import httpx
import pytest

from adapters.betterauth.login import BetterAuthLoginClient
from application.errors import IdentityProviderUnavailable, InvalidCredentials, RateLimited

BASE = "http://auth.test"
TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJpYXQiOjEwMCwiZXhwIjo0MDB9.c2ln"  # iat 100, exp 400


class FakeBetterAuth:
    """Answers the calls a login makes and records them; ``status`` overrides sign-in."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[tuple[str, str, str | None, str | None]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/auth")
        cookie = request.headers.get("cookie")
        self.calls.append((request.method, path, request.headers.get("origin"), cookie))
        if path == "/sign-in/email":
            user = request.read().decode()
            headers = {"set-cookie": f"better-auth.session_token={hash(user)}; Path=/; HttpOnly"}
            return httpx.Response(self.status, json={"token": "s"}, headers=headers)
        replies = {"/organization/list": [{"id": "org-1"}], "/token": {"token": TOKEN}}
        return httpx.Response(200, json=replies.get(path, {}))


def _client(fake: FakeBetterAuth) -> BetterAuthLoginClient:
    return BetterAuthLoginClient(BASE, transport=httpx.MockTransport(fake.handle))


async def test_a_login_signs_in_selects_the_org_fetches_a_token_and_signs_out() -> None:
    fake = FakeBetterAuth()
    issued = await _client(fake).login("a@example.com", "pw", None)
    assert (issued.access_token, issued.expires_in) == (TOKEN, 300)
    paths = [(method, path) for method, path, _, _ in fake.calls]
    assert paths == [
        ("POST", "/sign-in/email"),
        ("GET", "/organization/list"),
        ("POST", "/organization/set-active"),
        ("GET", "/token"),
        ("POST", "/sign-out"),
    ]
    assert all(origin == BASE for _, _, origin, _ in fake.calls)  # BetterAuth's CSRF check
    assert all(cookie for _, path, _, cookie in fake.calls if path != "/sign-in/email")


async def test_sessions_of_two_logins_never_mix() -> None:
    fake = FakeBetterAuth()
    client = _client(fake)
    await client.login("a@example.com", "pw", "org-1")
    await client.login("b@example.com", "pw", "org-1")
    cookies = [cookie for method, path, _, cookie in fake.calls if path == "/token"]
    assert len(set(cookies)) == 2
    sign_ins = [cookie for _, path, _, cookie in fake.calls if path == "/sign-in/email"]
    assert sign_ins == [None, None]  # the second sign-in carries no cookie from the first


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_rejected_credentials_are_invalid_credentials(status: int) -> None:
    with pytest.raises(InvalidCredentials, match="invalid email or password"):
        await _client(FakeBetterAuth(status)).login("a@example.com", "pw", None)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_trouble_is_unavailability(status: int) -> None:
    with pytest.raises(IdentityProviderUnavailable):
        await _client(FakeBetterAuth(status)).login("a@example.com", "pw", None)


async def test_betterauths_own_limit_is_a_rate_limit_with_its_retry_after() -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={}, headers={"X-Retry-After": "42"})

    client = BetterAuthLoginClient(BASE, transport=httpx.MockTransport(limited))

    with pytest.raises(RateLimited) as refused:
        await client.login("a@example.com", "pw", None, "198.51.100.7")
    assert (refused.value.retry_after, refused.value.limit) == (42, None)


@pytest.mark.parametrize(
    ("forward", "client_ip", "sent"),
    [
        (True, "198.51.100.7", "198.51.100.7"),
        (True, "2001:db8::1", "2001:db8::1"),
        (True, "unknown", None),
        (True, None, None),
        (False, "198.51.100.7", None),
    ],
)
async def test_the_client_address_reaches_betterauth_only_where_it_trusts_us(
    forward: bool, client_ip: str | None, sent: str | None
) -> None:
    seen: list[str | None] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-forwarded-for"))
        return FakeBetterAuth().handle(request)

    client = BetterAuthLoginClient(
        BASE, transport=httpx.MockTransport(record), forward_client_ip=forward
    )
    await client.login("a@example.com", "pw", "org-1", client_ip)

    assert set(seen) == {sent}
