"""One webhook delivery over HTTP, signed per Standard Webhooks with the standardwebhooks package."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook as Signer

from adapters.webhooks.destinations import NetworkDestinations
from application.errors import DestinationRefused
from application.webhooks.ports import Attempt, WebhookSender

TIMEOUT_SECONDS = 10.0
MAX_ERROR = 500


class HttpWebhookSender(WebhookSender):
    """POSTs the body with ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``;
    follows no redirects (a redirect could lead past the destination rules), and connects only
    to the address ``destinations`` vetted for this very send (no second DNS answer)."""

    def __init__(self, destinations: NetworkDestinations, timeout: float = TIMEOUT_SECONDS) -> None:
        self._destinations = destinations
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
        )

    async def send(
        self, url: str, secret: str, message_id: str, body: bytes, now: datetime
    ) -> Attempt:
        moment = now.astimezone(UTC)
        signature = Signer(secret).sign(message_id, moment, body.decode())
        headers = {
            "content-type": "application/json",
            "user-agent": "Stockroom-Webhooks/1",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signature,
        }
        started = time.monotonic()
        try:
            target = await self._destinations.pin(url)
        except DestinationRefused as exc:
            return Attempt(moment, None, _ms(started), exc.detail)
        headers["host"] = target.host
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
        try:
            response = await self._client.post(
                target.url, content=body, headers=headers, extensions=extensions
            )
        except httpx.TimeoutException:
            return Attempt(moment, None, _ms(started), "timed out")
        except httpx.HTTPError as exc:
            return Attempt(moment, None, _ms(started), f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
        error = None if response.is_success else f"answered {response.status_code}"
        return Attempt(moment, response.status_code, _ms(started), error)

    async def aclose(self) -> None:
        await self._client.aclose()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
