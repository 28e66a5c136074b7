"""Who is calling: the identity a verified token yields, and what it may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from application.errors import PermissionDenied


class Permission(StrEnum):
    """Actions guarded by role (docs/design.md §5)."""

    READ = "read"
    MOVE_STOCK = "move_stock"  # receipts, shipments, transfers
    RESERVE = "reserve"  # create/release/fulfil/extend reservations
    ADJUST_STOCK = "adjust_stock"  # adjustments, counts; count sessions opened, posted; reversals
    COUNT_STOCK = "count_stock"  # record counted quantities in an open count session
    MANAGE_CATALOG = "manage_catalog"  # create/update/archive items and locations
    MANAGE_WEBHOOKS = "manage_webhooks"  # webhook endpoints, their secrets and deliveries


_MEMBER = frozenset(
    {Permission.READ, Permission.MOVE_STOCK, Permission.RESERVE, Permission.COUNT_STOCK}
)
_ADMIN = _MEMBER | {
    Permission.ADJUST_STOCK,
    Permission.MANAGE_CATALOG,
    Permission.MANAGE_WEBHOOKS,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "member": _MEMBER,
    "admin": frozenset(_ADMIN),
    "owner": frozenset(_ADMIN),
}
ROLE_RANK = {"member": 1, "admin": 2, "owner": 3}


def strongest_role(raw: str | None) -> str | None:
    """Pick the strongest known role from BetterAuth's comma-separated list; unknown roles drop."""
    if not raw:
        return None
    known = [r.strip().lower() for r in raw.split(",") if r.strip().lower() in ROLE_RANK]
    return max(known, key=ROLE_RANK.__getitem__) if known else None


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified caller. ``org_id`` is None for tokens without an active organization."""

    user_id: str
    org_id: str | None
    role: str | None
    email: str | None = None
    permissions: frozenset[Permission] = field(default=frozenset())

    @classmethod
    def from_claims(
        cls, *, user_id: str, org_id: str | None, raw_role: str | None, email: str | None = None
    ) -> Principal:
        """Build a principal, deriving the role and its permissions from the raw role claim."""
        role = strongest_role(raw_role) if org_id else None
        perms = ROLE_PERMISSIONS.get(role, frozenset()) if role else frozenset()
        return cls(user_id=user_id, org_id=org_id, role=role, email=email, permissions=perms)

    def require(self, permission: Permission) -> str:
        """Return the org id if this principal may perform ``permission``; else PermissionDenied."""
        if self.org_id is None:
            raise PermissionDenied(
                "the token carries no organization; select one and sign in again"
            )
        if permission not in self.permissions:
            raise PermissionDenied(f"role {self.role or 'none'!r} may not {permission.value}")
        return self.org_id
