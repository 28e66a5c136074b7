"""Webhook destinations: anything that is not an http(s) URL with a host is refused, never a 500."""

from __future__ import annotations

import pytest

from adapters.webhooks.destinations import NetworkDestinations
from application.errors import DestinationRefused


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",  # urlsplit: Invalid IPv6 URL
        "http://example.com:99999/hook",  # port out of range
        "http://example.com:port/hook",
        "ftp://example.com/hook",
        "https:///no-host",
        "not a url",
    ],
)
async def test_a_malformed_url_is_refused_as_a_destination(url: str) -> None:
    with pytest.raises(DestinationRefused) as refused:
        await NetworkDestinations(https_only=False, allow_private=True).check(url)

    assert refused.value.extra["field"] == "url"


async def test_a_well_formed_public_url_passes_when_private_addresses_are_allowed() -> None:
    await NetworkDestinations(https_only=True, allow_private=True).check("https://example.com/h")
