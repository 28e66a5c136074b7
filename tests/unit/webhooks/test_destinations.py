"""Webhook destinations: anything that is not an http(s) URL with a host is refused, never a 500."""

from __future__ import annotations

import ipaddress
from typing import Any

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


def resolving_to(*addresses: str) -> Any:
    async def resolve(host: str, port: int | None) -> list[Any]:
        return [ipaddress.ip_address(a) for a in addresses]

    return resolve


@pytest.mark.parametrize(
    ("url", "answers", "expected"),
    [
        (
            "https://hooks.example.com/h?x=1",
            ("93.184.216.34",),
            ("https://93.184.216.34/h?x=1", "hooks.example.com", "hooks.example.com"),
        ),
        (
            "http://user:pw@hooks.example.com:8080/h",
            ("93.184.216.34",),
            ("http://93.184.216.34:8080/h", "hooks.example.com:8080", None),
        ),
        (
            "https://hooks.example.com:8443/h",
            ("2606:2800:220:1:248:1893:25c8:1946", "93.184.216.34"),
            (
                "https://[2606:2800:220:1:248:1893:25c8:1946]:8443/h",
                "hooks.example.com:8443",
                "hooks.example.com",
            ),
        ),
        (
            "https://93.184.216.34/h",  # an IP literal: no name to present
            ("93.184.216.34",),
            ("https://93.184.216.34/h", "93.184.216.34", None),
        ),
    ],
)
async def test_a_send_is_pinned_to_the_address_vetted_with_its_name_kept(
    url: str, answers: tuple[str, ...], expected: tuple[str, str, str | None]
) -> None:
    destinations = NetworkDestinations(
        https_only=False, allow_private=False, resolve=resolving_to(*answers)
    )
    pinned = await destinations.pin(url)

    assert (pinned.url, pinned.host, pinned.sni_hostname) == expected


async def test_one_refused_answer_refuses_the_name() -> None:
    # A client may connect to any answer, so a name with a loopback among them is refused.
    destinations = NetworkDestinations(
        https_only=False, allow_private=False, resolve=resolving_to("93.184.216.34", "127.0.0.1")
    )
    with pytest.raises(DestinationRefused, match="loopback"):
        await destinations.pin("https://hooks.example.com/h")
