"""Checks that the pieces a benchmark needs exist, turning absences into NotAvailable."""

from __future__ import annotations

from typing import Any

import httpx

from bench.report import NotAvailable


def request(base_url: str, method: str, path: str, token: str | None, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return httpx.request(method, base_url + path, headers=headers, timeout=30.0, **kw)
    except httpx.HTTPError as exc:
        raise NotAvailable(f"{method} {path.split('?')[0]} failed: {type(exc).__name__}") from None


def expect(response: httpx.Response, status: int, what: str) -> Any:
    """The JSON body if ``response`` has ``status``, else why the benchmark cannot run."""
    if response.status_code == status:
        return response.json()
    if response.status_code in (404, 405) and "route" not in response.text.lower():
        body = response.text[:80].replace("\n", " ")
        raise NotAvailable(f"{what} answered {response.status_code} (not routed yet?) {body}")
    raise NotAvailable(f"{what} answered {response.status_code}: {response.text[:100]}")
