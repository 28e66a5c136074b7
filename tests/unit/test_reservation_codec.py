"""Lots on reservations (ADR 0031) leave untracked idempotency fingerprints and stored results
as they were: the new fields are omitted while unset, and results stored before them replay."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from uuid import UUID

from application import codec
from application.use_cases.create_reservation import CreateReservation
from domain.lots import Lot
from domain.reservations import LineLot, LineQuantity, Reservation, ReservationLine

ITEM = UUID("00000000-0000-0000-0000-000000000001")
HERE = UUID("00000000-0000-0000-0000-000000000002")
LOT = UUID("00000000-0000-0000-0000-000000000003")
NOW = datetime(2026, 1, 5, tzinfo=UTC)


def test_an_untracked_create_encodes_as_before_lots() -> None:
    command = CreateReservation(lines=(LineQuantity(ITEM, HERE, 3),), reference="SO-1")

    before_lots = {
        "lines": [{"item_id": str(ITEM), "location_id": str(HERE), "quantity": 3}],
        "reference": "SO-1",
        "ttl_seconds": None,
    }
    assert codec.encode(command) == before_lots
    # The fingerprint is the hash of that form, as it was computed before lots existed.
    body = json.dumps(["create_reservation", before_lots], sort_keys=True, separators=(",", ":"))
    expected = hashlib.sha256(body.encode()).hexdigest()
    assert codec.fingerprint("create_reservation", command) == expected


def test_a_line_naming_a_lot_has_another_fingerprint() -> None:
    plain = CreateReservation(lines=(LineQuantity(ITEM, HERE, 3),))
    named = CreateReservation(lines=(LineQuantity(ITEM, HERE, 3, lot_code="A"),))

    assert codec.fingerprint("op", plain) != codec.fingerprint("op", named)
    assert codec.decode(CreateReservation, codec.encode(named)) == named


def _reservation(*lines: ReservationLine) -> Reservation:
    return Reservation(
        id=UUID(int=9),
        reference=None,
        status="active",  # type: ignore[arg-type]
        expires_at=None,
        created_by="u",
        created_at=NOW,
        updated_at=NOW,
        version=1,
        lines=lines,
    )


def test_a_result_stored_before_lots_replays() -> None:
    stored = codec.encode(_reservation(ReservationLine(ITEM, HERE, 3)))
    assert "lots" not in stored["lines"][0]

    replayed = codec.decode(Reservation, stored)

    assert replayed.lines == (ReservationLine(ITEM, HERE, 3),)


def test_a_result_with_lots_round_trips() -> None:
    lot = Lot(id=LOT, item_id=ITEM, code="A", expires_on=date(2026, 1, 30), created_at=NOW)
    line = ReservationLine(ITEM, HERE, 3, lots=(LineLot(lot, 3, fulfilled=1),))

    decoded = codec.decode(Reservation, codec.encode(_reservation(line)))

    assert decoded.lines == (line,)
