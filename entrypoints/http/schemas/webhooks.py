"""Webhook bodies: create, partial update, the endpoint as admins see it, its deliveries."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.webhooks import ports
from application.webhooks.manage import CreateWebhook
from domain import webhooks
from domain.events import EventType
from domain.webhooks import MAX_URL, WebhookChanges
from entrypoints.http.schemas.common import Description, ListPage, Request, Timestamp

_URL = r"^https?://[^\x00\s]+$"
Types = Field(min_length=1, max_length=len(EventType), description="Event types to receive.")


class WebhookCreate(Request):
    """An endpoint for the org's events of ``types``; it receives what commits from now on."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://erp.example.com/hooks/stockroom",
                    "types": ["stock_level.low", "stock_level.out"],
                    "description": "Reorder alerts",
                }
            ]
        }
    )

    url: str = Field(min_length=1, max_length=MAX_URL, pattern=_URL)
    types: list[EventType] = Types
    description: Description | None = None

    def to_command(self) -> CreateWebhook:
        return CreateWebhook(
            url=self.url, types=frozenset(self.types), description=self.description
        )


class WebhookUpdate(Request):
    """Any of ``url``, ``types``, ``description`` (null clears it), ``enabled``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": True}]})

    url: str | None = Field(None, min_length=1, max_length=MAX_URL, pattern=_URL)
    types: list[EventType] | None = Field(None, min_length=1, max_length=len(EventType))
    description: Description | None = None
    enabled: bool | None = None

    def to_changes(self) -> WebhookChanges:
        return WebhookChanges(
            url=self.url,
            types=None if self.types is None else frozenset(self.types),
            description=self.description,
            set_description="description" in self.model_fields_set,
            enabled=self.enabled,
        )


class Webhook(BaseModel):
    """An endpoint; ``disabled_reason`` says why delivery stopped (410 Gone, a day of failures)."""

    id: UUID
    url: str
    types: list[EventType]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    version: int = Field(description="Bumped on every change; sent as the ETag.")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, webhook: webhooks.Webhook) -> Webhook:
        return cls(
            id=webhook.id,
            url=webhook.url,
            types=sorted(webhook.types),
            description=webhook.description,
            enabled=webhook.enabled,
            disabled_reason=webhook.disabled_reason,
            version=webhook.version,
            created_at=webhook.created_at,
            updated_at=webhook.updated_at,
        )


class WebhookWithSecret(Webhook):
    """The endpoint and its signing secret, shown only in this answer: keep it now."""

    secret: str = Field(examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])


class WebhookPage(ListPage[Webhook]):
    """Endpoints, oldest first."""


class DeliveryAttempt(BaseModel):
    """One try: when, the receiver's status (null: no answer), how long it took, what failed."""

    attempted_at: Timestamp
    status_code: int | None
    duration_ms: int
    error: str | None

    @classmethod
    def of(cls, attempt: ports.Attempt) -> DeliveryAttempt:
        return cls(
            attempted_at=attempt.attempted_at,
            status_code=attempt.status_code,
            duration_ms=attempt.duration_ms,
            error=attempt.error,
        )


class TestResult(DeliveryAttempt):
    """The answer to a test ping; ``delivered`` when the receiver answered 2xx."""

    __test__ = False  # not a pytest class

    delivered: bool


class Delivery(BaseModel):
    """One event sent to one endpoint (``manual``: asked for again by an admin)."""

    id: UUID
    event_id: UUID = Field(description="Sent as `webhook-id`; the same on every retry.")
    event_type: str
    status: str = Field(description="`pending` (retrying), `delivered` or `failed`.")
    manual: bool
    created_at: Timestamp
    attempts: list[DeliveryAttempt]

    @classmethod
    def of(cls, delivery: ports.Delivery) -> Delivery:
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status,
            manual=delivery.manual,
            created_at=delivery.created_at,
            attempts=[DeliveryAttempt.of(a) for a in delivery.attempts],
        )


class DeliveryPage(ListPage[Delivery]):
    """Deliveries, newest first."""
