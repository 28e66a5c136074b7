"""BetterAuthLoginClient signs in at a real BetterAuth server and selects the organization."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from adapters.betterauth.jwks import RemoteJwks
from adapters.betterauth.login import BetterAuthLoginClient
from adapters.betterauth.verifier import BetterAuthTokenVerifier
from application.errors import IdentityProviderUnavailable, InvalidCredentials, PermissionDenied
from tests.interop.betterauth_admin import PASSWORD, BetterAuthAdmin, User

pytestmark = pytest.mark.interop


@pytest.fixture
async def verifier(betterauth: BetterAuthAdmin) -> AsyncIterator[BetterAuthTokenVerifier]:
    base = betterauth.base_url
    keys = RemoteJwks(f"{base}/api/auth/jwks")
    yield BetterAuthTokenVerifier(keys, issuer=base, audience=base)
    await keys.aclose()


@pytest.fixture
def client(betterauth: BetterAuthAdmin) -> BetterAuthLoginClient:
    return BetterAuthLoginClient(betterauth.base_url)


@pytest.fixture
def two_orgs(betterauth: BetterAuthAdmin) -> tuple[User, str, str]:
    """A user who owns one org and is a plain member of another."""
    owner, gina = betterauth.sign_up("owner"), betterauth.sign_up("gina")
    theirs = betterauth.create_org(owner, "Theirs")
    hers = betterauth.create_org(gina, "Hers")
    betterauth.add_member(gina, theirs, "member")
    return gina, theirs, hers


async def test_login_with_an_org_returns_a_token_for_that_org(
    client: BetterAuthLoginClient,
    verifier: BetterAuthTokenVerifier,
    two_orgs: tuple[User, str, str],
) -> None:
    gina, theirs, hers = two_orgs
    issued = await client.login(gina.email, PASSWORD, theirs)
    assert issued.expires_in == 900
    principal = await verifier.verify(issued.access_token)
    assert (principal.user_id, principal.org_id, principal.role) == (gina.id, theirs, "member")
    own = await verifier.verify((await client.login(gina.email, PASSWORD, hers)).access_token)
    assert (own.org_id, own.role) == (hers, "owner")


async def test_login_without_an_org_picks_the_only_one(
    betterauth: BetterAuthAdmin, client: BetterAuthLoginClient, verifier: BetterAuthTokenVerifier
) -> None:
    hank = betterauth.sign_up("hank")
    org = betterauth.create_org(hank, "Solo")
    principal = await verifier.verify((await client.login(hank.email, PASSWORD, None)).access_token)
    assert (principal.org_id, principal.role) == (org, "owner")


async def test_login_without_an_org_never_guesses_among_several(
    client: BetterAuthLoginClient,
    verifier: BetterAuthTokenVerifier,
    two_orgs: tuple[User, str, str],
) -> None:
    gina, _, _ = two_orgs
    principal = await verifier.verify((await client.login(gina.email, PASSWORD, None)).access_token)
    assert (principal.user_id, principal.org_id) == (gina.id, None)


async def test_wrong_password_and_unknown_email_fail_alike(
    betterauth: BetterAuthAdmin, client: BetterAuthLoginClient
) -> None:
    ivan = betterauth.sign_up("ivan")
    with pytest.raises(InvalidCredentials) as wrong_password:
        await client.login(ivan.email, "not-the-password", None)
    with pytest.raises(InvalidCredentials) as unknown_email:
        await client.login("nobody-here@example.com", PASSWORD, None)
    assert wrong_password.value.detail == unknown_email.value.detail


async def test_an_org_the_user_is_not_in_is_refused(
    client: BetterAuthLoginClient, two_orgs: tuple[User, str, str], betterauth: BetterAuthAdmin
) -> None:
    gina, _, _ = two_orgs
    stranger = betterauth.create_org(betterauth.sign_up("stranger"), "Elsewhere")
    for org in (stranger, "no-such-org"):
        with pytest.raises(PermissionDenied):
            await client.login(gina.email, PASSWORD, org)


async def test_an_unreachable_server_is_unavailable_not_unauthorized() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(IdentityProviderUnavailable):
        await BetterAuthLoginClient(f"http://127.0.0.1:{port}").login("a@b.c", "pw", None)
