"""Webhook endpoints: where an org's events are pushed, and the rule for retrying them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from domain import rules
from domain.errors import ValidationFailed
from domain.events import EventType

MAX_URL = 2000
# Retries after about 5 s, 30 s, 2 min, 10 min, 1 h, then every 6 h; the endpoint is disabled
# once it has failed for about a day (docs/design.md §11).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
)
RETRY_EVERY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(hours=24)
JITTER = 0.2  # each delay is stretched by up to 20%: failing endpoints do not retry in step


def retry_delay(attempt: int, jitter: float) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based); ``jitter`` in [0, 1)."""
    base = RETRY_DELAYS[attempt - 1] if attempt <= len(RETRY_DELAYS) else RETRY_EVERY
    return base * (1 + JITTER * jitter)


def gives_up(failing_since: datetime, now: datetime) -> bool:
    """An endpoint failing for a day is disabled."""
    return now - failing_since >= GIVE_UP_AFTER


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    """An endpoint that receives the org's events of some types, signed with its secret."""

    id: UUID
    url: str
    types: frozenset[EventType]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        url: str,
        types: frozenset[EventType],
        description: str | None,
        now: datetime,
    ) -> Webhook:
        """A new, enabled endpoint at version 1."""
        return cls(
            id=id,
            url=_url(url),
            types=_types(types),
            description=rules.optional_text(description, "description", rules.MAX_DESCRIPTION),
            enabled=True,
            disabled_reason=None,
            version=1,
            created_at=now,
            updated_at=now,
        )

    def update(self, changes: WebhookChanges, now: datetime) -> Webhook:
        """Apply the given changes; enabling again clears the reason it was disabled."""
        enabled = self.enabled if changes.enabled is None else changes.enabled
        return replace(
            self,
            url=self.url if changes.url is None else _url(changes.url),
            types=self.types if changes.types is None else _types(changes.types),
            description=(
                self.description
                if not changes.set_description
                else rules.optional_text(changes.description, "description", rules.MAX_DESCRIPTION)
            ),
            enabled=enabled,
            disabled_reason=None if enabled else (self.disabled_reason or "disabled by an admin"),
            version=self.version + 1,
            updated_at=now,
        )

    def disable(self, reason: str, now: datetime) -> Webhook:
        """Stop delivering (the endpoint answered 410, or failed for a day)."""
        return replace(
            self, enabled=False, disabled_reason=reason, version=self.version + 1, updated_at=now
        )

    def wants(self, event_type: EventType) -> bool:
        return event_type in self.types


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookChanges:
    """A partial update of an endpoint."""

    url: str | None = None
    types: frozenset[EventType] | None = None
    description: str | None = None
    set_description: bool = False
    enabled: bool | None = None


def _url(value: str) -> str:
    url = value.strip()
    if not url or len(url) > MAX_URL or not url.lower().startswith(("http://", "https://")):
        raise ValidationFailed("url must be an http(s) URL of at most 2000 characters", field="url")
    return url


def _types(types: frozenset[EventType]) -> frozenset[EventType]:
    if not types:
        raise ValidationFailed("name at least one event type", field="types")
    return types
