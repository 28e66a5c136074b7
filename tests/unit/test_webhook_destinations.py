"""Webhook URLs are parsed as hostile input: one that does not parse is refused, never a 500."""

from __future__ import annotations

import pytest

from adapters.webhooks.destinations import NetworkDestinations
from application.errors import DestinationRefused


@pytest.mark.parametrize(
    "url", ["http://[", "http://[::1/hook", "https://host:99999/hook", "https://host:port/hook"]
)
async def test_a_url_that_does_not_parse_is_refused(url: str) -> None:
    destinations = NetworkDestinations(https_only=False, allow_private=True)

    with pytest.raises(DestinationRefused):
        await destinations.check(url)
