"""Application-level errors (authorization, idempotency, infrastructure), each with a stable code."""

from __future__ import annotations

from domain.errors import Conflict, StockroomError


class Unauthenticated(StockroomError):
    """No valid credential: missing, malformed, forged or expired token."""

    code = "unauthenticated"


class InvalidCredentials(Unauthenticated):
    """Login failed; never says whether the email exists."""

    code = "invalid_credentials"


class PermissionDenied(StockroomError):
    """The principal is authenticated but its role lacks the permission, or it has no org."""

    code = "forbidden"


class IdempotencyKeyReused(StockroomError):
    """The Idempotency-Key was already used with a different request body."""

    code = "idempotency_key_reused"


class RequestInProgress(Conflict):
    """A request with the same Idempotency-Key is still being processed."""

    code = "request_in_progress"


class RateLimited(StockroomError):
    """Too many requests; ``retry_after`` seconds until the window frees a slot. ``limit``:
    the window's size, when it is ours to tell (None for the identity provider's own)."""

    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: int, limit: int | None) -> None:
        super().__init__(detail, retry_after=retry_after, limit=limit)
        self.retry_after = retry_after
        self.limit = limit


class StorageUnavailable(StockroomError):
    """The database cannot be reached or the pool is exhausted; safe to retry later."""

    code = "storage_unavailable"


class IdentityProviderUnavailable(StockroomError):
    """The identity provider (JWKS, login) cannot be reached; fail closed."""

    code = "identity_unavailable"


class CursorExpired(StockroomError):
    """A feed cursor older than the event retention: events after it may have been purged."""

    code = "cursor_expired"


class DestinationRefused(StockroomError):
    """A webhook URL that may not be called: not https in production, or an address on
    loopback, a private or link-local network, or a cloud metadata service."""

    code = "destination_refused"
