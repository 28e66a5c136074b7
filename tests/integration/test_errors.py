"""Every error leaves as RFC 9457 problem+json with the mapped status and no internals."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import application.errors
import domain.errors
from domain.errors import StockroomError
from entrypoints.http.errors import STATUS_BY_CODE, status_for
from tests.integration.probe import SECRET_SQL, add_probes

PROBLEM = "application/problem+json"
AuthHeaders = Callable[..., dict[str, str]]


def all_error_classes() -> list[type[StockroomError]]:
    found: set[type[StockroomError]] = set()
    pending = list(StockroomError.__subclasses__())
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__qualname__)


@pytest.fixture
def probed(app: FastAPI) -> FastAPI:
    add_probes(app)
    return app


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert {"type", "title", "status", "detail", "instance", "code"} <= set(body)
    assert (body["status"], body["code"]) == (status, code)
    return body


def test_every_error_class_has_an_explicit_status() -> None:
    classes = all_error_classes()
    declared = {
        cls
        for module in (domain.errors, application.errors)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, StockroomError) and cls is not StockroomError
    }

    assert declared <= set(classes)
    missing = [cls.__name__ for cls in classes if cls.code not in STATUS_BY_CODE]

    assert len(classes) >= 15
    assert not missing


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("ValidationFailed", 422),
        ("NotFound", 404),
        ("InsufficientStock", 409),
        ("InvalidTransition", 409),
        ("VersionMismatch", 412),
        ("Unauthenticated", 401),
        ("InvalidCredentials", 401),
        ("PermissionDenied", 403),
        ("IdempotencyKeyReused", 422),
        ("RequestInProgress", 409),
        ("StorageUnavailable", 503),
        ("IdentityProviderUnavailable", 503),
    ],
)
def test_statuses_follow_the_design(name: str, status: int) -> None:
    cls = next(c for c in all_error_classes() if c.__name__ == name)

    assert status_for(cls("x")) == status


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/no-such-thing"), 404, "not_found")


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/me")

    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


async def test_missing_token_is_a_401_problem_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/me")

    assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_member_on_an_admin_action_is_403_not_401(
    probed: FastAPI, client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    response = await client.post("/v1/_probe/catalog", headers=auth(role="member"))

    assert_problem(response, 403, "forbidden")
    assert "www-authenticate" not in response.headers
    allowed = await client.post("/v1/_probe/catalog", headers=auth(role="admin"))
    assert allowed.status_code == 200


async def test_a_token_without_an_org_is_403_on_org_actions(
    probed: FastAPI, client: httpx.AsyncClient, make_token: Callable[..., str]
) -> None:
    token = make_token(org_id=None, role=None)

    response = await client.post("/v1/_probe/catalog", headers={"Authorization": f"Bearer {token}"})

    assert_problem(response, 403, "forbidden")


async def test_validation_errors_list_fields_without_echoing_input(
    probed: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/v1/_probe/things", json={"name": "", "quantity": -1, "password": 12345678}
    )

    body = assert_problem(response, 422, "validation_failed")
    errors = body["errors"]
    assert isinstance(errors, list)
    assert {e["field"] for e in errors} == {"name", "quantity", "password"}
    assert all({"loc", "field", "message", "type"} == set(e) for e in errors)
    assert "12345678" not in response.text


async def test_malformed_json_is_a_400_problem(probed: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/_probe/things",
        content=b'{"name": "x", "password": "hunter2"',
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 400, "malformed_json")
    assert "hunter2" not in response.text


async def test_insufficient_stock_lists_requested_and_available(
    probed: FastAPI, client: httpx.AsyncClient
) -> None:
    body = assert_problem(await client.post("/v1/_probe/shortage"), 409, "insufficient_stock")

    assert body["lines"] == [{"item_id": "i", "location_id": "l", "requested": 5, "available": 2}]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"7"', [7]),
        ('W/"7"', [7]),
        ("*", None),
        ('"1", "2"', [1, 2]),
        (' "2" ,, W/"9",', [2, 9]),
        ('"x", "3"', [3]),
        ('"seven"', []),
        ('"007"', []),
        ('"99999999999999999999"', []),
    ],
)
async def test_if_match_names_the_versions_of_its_tags(
    probed: FastAPI, client: httpx.AsyncClient, header: str, expected: list[int] | None
) -> None:
    response = await client.patch("/v1/_probe/versioned", headers={"If-Match": header}, json={})

    assert response.json() == {"versions": expected}


@pytest.mark.parametrize("header", ["7", '"1" "2"', '"1", 2', "W/7", '"a"b"'])
async def test_an_if_match_that_is_not_a_list_of_tags_is_412(
    probed: FastAPI, client: httpx.AsyncClient, header: str
) -> None:
    response = await client.patch("/v1/_probe/versioned", headers={"If-Match": header}, json={})

    assert_problem(response, 412, "version_mismatch")


async def test_an_unexpected_error_is_a_bare_500_problem(
    probed: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.get("/v1/_probe/crash", headers={"X-Request-ID": "crash-1"})

    body = assert_problem(response, 500, "internal_error")
    assert SECRET_SQL not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] == "crash-1"
    assert "crash-1" in str(body["detail"])
    assert any("crash-1" in r.getMessage() for r in caplog.records)


def _strings(value: object) -> list[str]:
    """Every string in a parsed JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# What a client sends, marked so it cannot occur in our own texts by chance.
sent = st.text(min_size=1, max_size=20).map(lambda text: f"zqx{text}")
ITEM_ID = "6f1c2a9e-8b7d-4c3e-9a1f-2b3c4d5e6f70"


def hostile_bodies(marker: str) -> list[tuple[str, object]]:
    line = {"item_id": ITEM_ID, "location_id": ITEM_ID, "quantity": 1}
    return [
        ("/v1/items", {"sku": "A-1", "name": "n", marker: 1}),
        ("/v1/locations", {"code": "L-1", "name": "n", "kind": marker}),
        ("/v1/movements", {"type": marker, "lines": [line]}),
        ("/v1/movements", {"type": "receipt", "lines": [{**line, marker: 2}]}),
        ("/v1/movements", {"type": "receipt", "lines": [{**line, "item_id": marker}]}),
        ("/v1/movements", {"type": "receipt", "lines": [{**line, "quantity": marker}]}),
        ("/v1/reservations", {"lines": [line], "ttl_seconds": marker, marker: marker}),
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(marker=sent)
async def test_validation_problems_say_what_is_wrong_without_repeating_what_was_sent(
    client: httpx.AsyncClient, auth: AuthHeaders, marker: str
) -> None:
    headers = auth()
    for path, body in hostile_bodies(marker):
        response = await client.post(path, json=body, headers=headers)

        problem = assert_problem(response, 422, "validation_failed")
        told = _strings({k: v for k, v in problem.items() if k != "instance"})
        assert not [s for s in told if marker in s], (path, problem)
        assert all(e["message"] for e in problem["errors"]), problem  # type: ignore[union-attr]
