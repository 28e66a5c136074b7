"""Admins manage webhook endpoints: create (the secret shown once), update, delete, rotate."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.ports import UnitOfWork
from application.principal import Permission, Principal
from application.use_cases.base import Deps, UseCase
from application.webhooks.ports import Destinations, SecretBox
from domain.errors import NotFound, VersionMismatch
from domain.events import EventType
from domain.webhooks import Webhook, WebhookChanges


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateWebhook:
    """An endpoint that receives the org's events of ``types`` from now on."""

    url: str
    types: frozenset[EventType]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookWithSecret:
    """An endpoint and its signing secret (``whsec_...``): shown only when made."""

    webhook: Webhook
    secret: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateWebhook:
    """A partial update, applied only if the endpoint is still at one of ``expected_versions``."""

    webhook_id: UUID
    changes: WebhookChanges
    expected_versions: frozenset[int] | None = None


class WebhookUseCase(UseCase):
    """What the endpoint use cases share: the secret box and the destination rules."""

    def __init__(self, deps: Deps, secrets: SecretBox, destinations: Destinations) -> None:
        super().__init__(deps)
        self.secrets = secrets
        self.destinations = destinations


async def _locked(
    uow: UnitOfWork, webhook_id: UUID, expected_versions: frozenset[int] | None
) -> Webhook:
    """The endpoint locked for a change, if it is still at one of ``expected_versions``
    (If-Match lists them; None: no If-Match, or ``*``)."""
    webhook = await uow.webhooks.get(webhook_id, for_update=True)
    if webhook is None:
        raise NotFound(f"webhook {webhook_id} not found", resource="webhook")
    if expected_versions is not None and webhook.version not in expected_versions:
        raise VersionMismatch(
            f"the current version is {webhook.version}, not one that If-Match names",
            current_version=webhook.version,
        )
    return webhook


class CreateWebhookHandler(WebhookUseCase):
    """Create a webhook endpoint (admin, owner). Its destination must pass the SSRF rules."""

    async def __call__(self, principal: Principal, command: CreateWebhook) -> WebhookWithSecret:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        now = self.deps.clock.now()
        webhook = Webhook.create(
            id=self.deps.ids.new_id(),
            url=command.url,
            types=command.types,
            description=command.description,
            now=now,
        )
        await self.destinations.check(webhook.url)
        secret = self.secrets.new_secret()
        async with self.deps.uow(org_id) as uow:
            await uow.webhooks.add(webhook, self.secrets.seal(secret))
            await uow.commit()
        return WebhookWithSecret(webhook, secret)


class UpdateWebhookHandler(WebhookUseCase):
    """Change an endpoint's url, types, description or enabled flag (admin, owner)."""

    async def __call__(self, principal: Principal, command: UpdateWebhook) -> Webhook:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        now = self.deps.clock.now()
        if command.changes.url is not None:
            await self.destinations.check(command.changes.url.strip())
        async with self.deps.uow(org_id) as uow:
            webhook = await _locked(uow, command.webhook_id, command.expected_versions)
            updated = webhook.update(command.changes, now)
            await uow.webhooks.save(updated)
            await uow.commit()
            return updated


class DeleteWebhookHandler(WebhookUseCase):
    """Delete an endpoint and its delivery history (admin, owner)."""

    async def __call__(
        self,
        principal: Principal,
        webhook_id: UUID,
        expected_versions: frozenset[int] | None = None,
    ) -> None:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        async with self.deps.uow(org_id) as uow:
            await _locked(uow, webhook_id, expected_versions)
            await uow.webhooks.delete(webhook_id)
            await uow.commit()


class RotateWebhookSecretHandler(WebhookUseCase):
    """Give an endpoint a new secret (shown once); deliveries are signed with it from now on."""

    async def __call__(self, principal: Principal, webhook_id: UUID) -> WebhookWithSecret:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        now = self.deps.clock.now()
        secret = self.secrets.new_secret()
        async with self.deps.uow(org_id) as uow:
            webhook = await _locked(uow, webhook_id, None)
            rotated = webhook.update(WebhookChanges(), now)  # a new version: the secret changed
            await uow.webhooks.save(rotated)
            await uow.webhooks.set_secret(webhook_id, self.secrets.seal(secret))
            await uow.commit()
        return WebhookWithSecret(rotated, secret)
