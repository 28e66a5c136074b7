"""/v1/counts through the app: open, record (blind or not), post, cancel, and the errors."""

from __future__ import annotations

from typing import Any

from tests.integration.factories import Org, line, movement, org_fixture  # noqa: F401


async def opened(org: Org, location: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await org.client.post(
        "/v1/counts", json={"location_id": location["id"], **body}, headers=org.admin
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/counts/{response.json()['id']}"
    return dict(response.json())


async def put_lines(
    org: Org, session: dict[str, Any], counts: list[tuple[dict[str, Any], int]], **headers: str
) -> Any:
    return await org.client.put(
        f"/v1/counts/{session['id']}/lines",
        json={"lines": [{"item_id": item["id"], "counted": n} for item, n in counts]},
        headers={**org.member, **headers},
    )


async def test_a_count_posted_while_stock_moves_keeps_those_movements(org: Org) -> None:
    item, here = await org.stocked(10)
    session = await opened(org, here, reference="CC-1")
    assert [(x["item_id"], x["expected"]) for x in session["lines"]] == [(item["id"], 10)]
    sale = movement("shipment", item, here, 3)
    assert (
        await org.client.post("/v1/movements", json=sale, headers=org.member)
    ).status_code == 201

    first = await put_lines(org, session, [(item, 9)], **{"If-Match": '"1"'})
    last = await put_lines(org, session, [(item, 8)])
    posted = await org.client.post(
        f"/v1/counts/{session['id']}/post", headers={**org.admin, "If-Match": '"3"'}
    )

    assert (first.status_code, first.headers["etag"], last.headers["etag"]) == (200, '"2"', '"3"')
    assert last.json()["lines"][0]["counted"] == 8
    assert posted.status_code == 200, posted.text
    assert posted.json()["status"] == "posted"
    assert (await org.level(item, here))["on_hand"] == 5  # counted 8, less the 3 sold since
    ledger = await org.client.get(
        f"/v1/movements/{posted.json()['movement_id']}", headers=org.member
    )
    assert (ledger.json()["type"], ledger.json()["count_session_id"]) == ("count", session["id"])
    assert ledger.json()["lines"][0]["delta"] == -2


async def test_a_blind_count_hides_what_the_books_expect_from_members(org: Org) -> None:
    item, here = await org.stocked(10)
    session = await opened(org, here, blind=True)

    as_member = await org.client.get(f"/v1/counts/{session['id']}", headers=org.member)
    as_admin = await org.client.get(f"/v1/counts/{session['id']}", headers=org.admin)
    counted = await put_lines(org, session, [(item, 10)])

    assert session["lines"][0]["expected"] == 10  # the admin who opened it
    assert as_member.json()["lines"][0]["expected"] is None
    assert as_admin.json()["lines"][0]["expected"] == 10
    assert counted.json()["lines"][0] | {"counted_at": None} == {
        "item_id": item["id"],
        "lot_id": None,  # lot lines only (ADR 0032)
        "lot_code": None,
        "expected": None,
        "counted": 10,
        "counted_by": counted.json()["lines"][0]["counted_by"],
        "counted_at": None,
    }
    listed = await org.client.get("/v1/counts", params={"status": "open"}, headers=org.member)
    assert [x["expected"] for s in listed.json()["items"] for x in s["lines"]] == [None]


async def test_a_post_below_reserved_is_409_with_the_positions(org: Org) -> None:
    item, here = await org.stocked(10)
    await org.reserve(item, here, 7)
    session = await opened(org, here)
    await put_lines(org, session, [(item, 5)])

    response = await org.client.post(f"/v1/counts/{session['id']}/post", headers=org.admin)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "reserved_stock_conflict"
    assert body["positions"] == [
        {"item_id": item["id"], "location_id": here["id"], "reserved": 7, "resulting_on_hand": 5}
    ]
    assert (await org.level(item, here))["on_hand"] == 10


async def test_members_count_but_only_admins_open_post_and_cancel(org: Org) -> None:
    item, here = await org.stocked(1)
    session = await opened(org, here)
    path = f"/v1/counts/{session['id']}"

    opening = await org.client.post(
        "/v1/counts", json={"location_id": here["id"]}, headers=org.member
    )
    counting = await put_lines(org, session, [(item, 1)])
    posting = await org.client.post(f"{path}/post", headers=org.member)
    cancelling = await org.client.post(f"{path}/cancel", headers=org.member)

    assert [r.status_code for r in (opening, counting, posting, cancelling)] == [403, 200, 403, 403]


async def test_a_cancelled_count_applies_nothing_and_takes_no_more_counts(org: Org) -> None:
    item, here = await org.stocked(4)
    session = await opened(org, here)
    await put_lines(org, session, [(item, 1)])

    cancelled = await org.client.post(f"/v1/counts/{session['id']}/cancel", headers=org.admin)
    late = await put_lines(org, session, [(item, 2)])

    assert cancelled.json()["status"] == "cancelled"
    assert (late.status_code, late.json()["code"]) == (409, "invalid_count_state")
    assert (await org.level(item, here))["on_hand"] == 4


async def test_a_listed_count_refuses_other_items_and_nothing_counted_cannot_post(
    org: Org,
) -> None:
    item, here = await org.stocked(4)
    other = await org.item()
    session = await opened(org, here, item_ids=[item["id"]])

    stray = await put_lines(org, session, [(other, 1)])
    empty = await org.client.post(f"/v1/counts/{session['id']}/post", headers=org.admin)

    assert (stray.status_code, stray.json()["code"]) == (422, "validation_failed")
    assert (empty.status_code, empty.json()["code"]) == (409, "invalid_count_state")


async def test_opening_a_count_of_an_unknown_location_is_404(org: Org) -> None:
    response = await org.client.post(
        "/v1/counts",
        json={"location_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10"},
        headers=org.admin,
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


async def test_a_line_without_a_count_is_refused_as_invalid(org: Org) -> None:
    item, here = await org.stocked(4)
    session = await opened(org, here)

    response = await org.client.put(
        f"/v1/counts/{session['id']}/lines",
        json={"lines": [line(item, here, 1)]},
        headers=org.member,
    )

    assert (response.status_code, response.json()["code"]) == (422, "validation_failed")


async def test_a_stale_if_match_is_412_and_changes_nothing(org: Org) -> None:
    item, here = await org.stocked(4)
    session = await opened(org, here)
    await put_lines(org, session, [(item, 1)])

    stale_put = await put_lines(org, session, [(item, 2)], **{"If-Match": '"1"'})
    stale_post = await org.client.post(
        f"/v1/counts/{session['id']}/post", headers={**org.admin, "If-Match": '"1"'}
    )

    assert [r.status_code for r in (stale_put, stale_post)] == [412, 412]
    read = await org.client.get(f"/v1/counts/{session['id']}", headers=org.admin)
    assert (read.headers["etag"], read.json()["lines"][0]["counted"]) == ('"2"', 1)
    assert (await org.level(item, here))["on_hand"] == 4
