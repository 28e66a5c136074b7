"""/v1/webhooks: endpoints that receive the org's events, signed (admins only)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from application.webhooks.manage import (
    CreateWebhook,
    CreateWebhookHandler,
    DeleteWebhookHandler,
    RotateWebhookSecretHandler,
    UpdateWebhook,
    UpdateWebhookHandler,
)
from application.webhooks.queries import (
    GetWebhookHandler,
    ListDeliveriesHandler,
    ListWebhooksHandler,
    RedeliverHandler,
    TestWebhookHandler,
)
from entrypoints.http.dependencies import CurrentPrincipal, IfMatch, Service
from entrypoints.http.routers.common import (
    BODY_ERRORS,
    COMMON_ERRORS,
    ETAG_HEADER,
    IF_MATCH,
    LOCATION_HEADER,
    Cursor,
    Limit,
    describe,
    set_etag,
    success,
    versioned_responses,
)
from entrypoints.http.schemas.problems import problem_responses
from entrypoints.http.schemas.webhooks import (
    Delivery,
    DeliveryAttempt,
    DeliveryPage,
    TestResult,
    Webhook,
    WebhookCreate,
    WebhookPage,
    WebhookUpdate,
    WebhookWithSecret,
)

PREFIX = "/v1/webhooks"
router = APIRouter(prefix=PREFIX, tags=["webhooks"], responses=COMMON_ERRORS)

_SIGNED = (
    "\n\nDeliveries follow the Standard Webhooks spec: `webhook-id` (the event id, the same on "
    "every retry), `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 with the secret)."
)


@router.post(
    "",
    status_code=201,
    summary="Create a webhook",
    description=describe(CreateWebhookHandler, CreateWebhook)
    + _SIGNED
    + "\n\nThe answer holds the `secret`, shown only here. A destination on a loopback, "
    "private, link-local or metadata address, or plain http in production, is 422 "
    "`destination_refused`. No `Idempotency-Key`: a replay would have to store the secret.",
    responses={
        **success(201, "The endpoint and its secret.", LOCATION_HEADER, ETAG_HEADER),
        **problem_responses(403, *BODY_ERRORS),
    },
)
async def create_webhook(
    body: WebhookCreate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
) -> WebhookWithSecret:
    made = await service.create_webhook(principal, body.to_command())
    response.headers["Location"] = f"{PREFIX}/{made.webhook.id}"
    set_etag(response, made.webhook.version)
    return WebhookWithSecret(**Webhook.of(made.webhook).model_dump(), secret=made.secret)


@router.get(
    "",
    summary="List webhooks",
    description=describe(ListWebhooksHandler),
    responses=problem_responses(403, 422),
)
async def list_webhooks(
    principal: CurrentPrincipal,
    service: Service,
    limit: Limit = None,
    cursor: Cursor = None,
) -> WebhookPage:
    page = await service.list_webhooks(principal, limit, cursor)
    return WebhookPage(items=[Webhook.of(w) for w in page.items], next_cursor=page.next_cursor)


@router.get(
    "/{webhook_id}",
    summary="Get a webhook",
    description=describe(GetWebhookHandler),
    responses=versioned_responses("The endpoint.", 422),
)
async def get_webhook(
    webhook_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
) -> Webhook:
    webhook = await service.get_webhook(principal, webhook_id)
    set_etag(response, webhook.version)
    return Webhook.of(webhook)


@router.patch(
    "/{webhook_id}",
    summary="Update a webhook",
    description=describe(UpdateWebhookHandler, UpdateWebhook)
    + "\n\nEnabling a disabled endpoint resumes delivery at the event it stopped on.",
    responses=versioned_responses("The endpoint after the change.", 412, *BODY_ERRORS),
    openapi_extra=IF_MATCH,
)
async def update_webhook(
    webhook_id: UUID,
    body: WebhookUpdate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_version: IfMatch,
) -> Webhook:
    command = UpdateWebhook(
        webhook_id=webhook_id, changes=body.to_changes(), expected_versions=expected_version
    )
    webhook = await service.update_webhook(principal, command)
    set_etag(response, webhook.version)
    return Webhook.of(webhook)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Delete a webhook",
    description=describe(DeleteWebhookHandler),
    responses={
        204: {"description": "Deleted, with its deliveries."},
        **problem_responses(403, 404, 412, 422),
    },
    openapi_extra=IF_MATCH,
)
async def delete_webhook(
    webhook_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    expected_version: IfMatch,
) -> Response:
    await service.delete_webhook(principal, webhook_id, expected_version)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/rotate-secret",
    summary="Rotate a webhook's secret",
    description=describe(RotateWebhookSecretHandler),
    responses={
        **success(200, "The endpoint and its new secret.", ETAG_HEADER),
        **problem_responses(403, 404, 422),
    },
)
async def rotate_secret(
    webhook_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
) -> WebhookWithSecret:
    made = await service.rotate_webhook_secret(principal, webhook_id)
    set_etag(response, made.webhook.version)
    return WebhookWithSecret(**Webhook.of(made.webhook).model_dump(), secret=made.secret)


@router.post(
    "/{webhook_id}/test",
    summary="Send a test ping",
    description=describe(TestWebhookHandler) + _SIGNED,
    responses=problem_responses(403, 404, 422),
)
async def test_webhook(
    webhook_id: UUID, principal: CurrentPrincipal, service: Service
) -> TestResult:
    attempt = await service.test_webhook(principal, webhook_id)
    return TestResult(**DeliveryAttempt.of(attempt).model_dump(), delivered=attempt.delivered)


@router.get(
    "/{webhook_id}/deliveries",
    summary="List a webhook's deliveries",
    description=describe(ListDeliveriesHandler),
    responses=problem_responses(403, 404, 422),
)
async def list_deliveries(
    webhook_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    limit: Limit = None,
    cursor: Cursor = None,
) -> DeliveryPage:
    page = await service.list_deliveries(principal, webhook_id, limit, cursor)
    return DeliveryPage(items=[Delivery.of(d) for d in page.items], next_cursor=page.next_cursor)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Redeliver an event",
    description=describe(RedeliverHandler),
    responses=problem_responses(403, 404, 422),
)
async def redeliver(
    webhook_id: UUID,
    delivery_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
) -> Delivery:
    return Delivery.of(await service.redeliver(principal, webhook_id, delivery_id))
