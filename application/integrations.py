"""The use cases integrations call (the event feed, webhooks), built once over shared ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.ports import EventSignal
from application.queries.events import ReadEventsHandler
from application.use_cases.base import Deps
from application.webhooks.manage import (
    CreateWebhookHandler,
    DeleteWebhookHandler,
    RotateWebhookSecretHandler,
    UpdateWebhookHandler,
)
from application.webhooks.ports import Destinations, SecretBox, WebhookSender
from application.webhooks.queries import (
    GetWebhookHandler,
    ListDeliveriesHandler,
    ListWebhooksHandler,
    RedeliverHandler,
    TestWebhookHandler,
)


@dataclass(frozen=True, slots=True)
class Integrations:
    """The feed and webhook use cases; stateless and safe to share."""

    read_events: ReadEventsHandler
    create_webhook: CreateWebhookHandler
    update_webhook: UpdateWebhookHandler
    delete_webhook: DeleteWebhookHandler
    rotate_webhook_secret: RotateWebhookSecretHandler
    get_webhook: GetWebhookHandler
    list_webhooks: ListWebhooksHandler
    list_deliveries: ListDeliveriesHandler
    redeliver: RedeliverHandler
    test_webhook: TestWebhookHandler

    @classmethod
    def build(
        cls,
        deps: Deps,
        signal: EventSignal,
        secrets: SecretBox,
        destinations: Destinations,
        sender: WebhookSender,
        retention_days: int = 7,
    ) -> Integrations:
        """Instantiate every integration use case over the same ports."""
        hooks = (deps, secrets, destinations)
        return cls(
            read_events=ReadEventsHandler(deps, signal, timedelta(days=retention_days)),
            create_webhook=CreateWebhookHandler(*hooks),
            update_webhook=UpdateWebhookHandler(*hooks),
            delete_webhook=DeleteWebhookHandler(*hooks),
            rotate_webhook_secret=RotateWebhookSecretHandler(*hooks),
            get_webhook=GetWebhookHandler(*hooks),
            list_webhooks=ListWebhooksHandler(*hooks),
            list_deliveries=ListDeliveriesHandler(*hooks),
            redeliver=RedeliverHandler(*hooks),
            test_webhook=TestWebhookHandler(*hooks, sender),
        )
