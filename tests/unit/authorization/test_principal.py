"""Principal.from_claims: BetterAuth's role claim becomes one role and its permissions."""

from __future__ import annotations

import pytest

from application.errors import PermissionDenied
from application.principal import ROLE_PERMISSIONS, Permission, Principal
from tests.unit.conftest import principal


@pytest.mark.parametrize(
    ("raw", "role"),
    [
        ("admin,member", "admin"),
        ("member, owner", "owner"),
        (" Member ", "member"),
        ("viewer,member", "member"),
        ("viewer", None),
        ("", None),
        (None, None),
    ],
)
def test_the_strongest_known_role_in_the_claim_wins(raw: str | None, role: str | None) -> None:
    assert Principal.from_claims(user_id="u", org_id="o", raw_role=raw).role == role


def test_admin_and_member_claim_gets_admin_permissions() -> None:
    who = Principal.from_claims(user_id="u", org_id="o", raw_role="admin,member")

    assert who.permissions == ROLE_PERMISSIONS["admin"]
    assert Permission.MANAGE_CATALOG in who.permissions


def test_a_member_may_read_move_reserve_and_count_but_not_adjust_or_manage() -> None:
    assert ROLE_PERMISSIONS["member"] == {
        Permission.READ,
        Permission.MOVE_STOCK,
        Permission.RESERVE,
        Permission.COUNT_STOCK,
    }
    assert ROLE_PERMISSIONS["admin"] == ROLE_PERMISSIONS["owner"] == set(Permission)


def test_an_unknown_role_has_no_permissions() -> None:
    who = principal("org_a", "viewer")

    assert (who.role, who.permissions) == (None, frozenset())
    with pytest.raises(PermissionDenied):
        who.require(Permission.READ)


def test_a_principal_without_an_org_has_no_role_and_no_permissions() -> None:
    who = Principal.from_claims(user_id="u", org_id=None, raw_role="owner")

    assert (who.role, who.permissions) == (None, frozenset())
    with pytest.raises(PermissionDenied):
        who.require(Permission.READ)


def test_require_returns_the_org_the_permission_applies_to() -> None:
    assert principal("org_a", "member").require(Permission.READ) == "org_a"
