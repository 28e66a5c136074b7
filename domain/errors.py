"""Domain errors. Each carries a stable machine ``code``; only entrypoints map codes to HTTP."""

from __future__ import annotations

from typing import Any


class StockroomError(Exception):
    """Base of every error Stockroom raises on purpose; ``code`` is stable for clients."""

    code = "error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ValidationFailed(StockroomError):
    """A value breaks a domain rule (bad sku, negative quantity, ...)."""

    code = "validation_failed"


class NotFound(StockroomError):
    """The resource does not exist in the caller's organization."""

    code = "not_found"


class Conflict(StockroomError):
    """The request conflicts with the current state (duplicate sku, archived resource, ...)."""

    code = "conflict"


class InsufficientStock(Conflict):
    """A line asks for more than is available; ``extra['lines']`` lists requested vs available."""

    code = "insufficient_stock"


class ReservedStockConflict(Conflict):
    """A count or adjustment would leave on_hand below reserved."""

    code = "reserved_stock_conflict"


class QuantityOutOfRange(Conflict):
    """A change would take a level past the most it can hold (``rules.MAX_ON_HAND``)."""

    code = "quantity_out_of_range"


class CountMismatch(Conflict):
    """A count's ``expected_on_hand`` guard did not match the current on_hand."""

    code = "count_mismatch"


class InvalidTransition(Conflict):
    """A reservation is in a terminal state, or a line quantity exceeds what is open."""

    code = "invalid_reservation_state"


class InvalidTransferState(Conflict):
    """A transfer has ended, or a line asks for more than is still in transit."""

    code = "invalid_transfer_state"


class InvalidCountState(Conflict):
    """A count session has been posted or cancelled, or has nothing counted to post."""

    code = "invalid_count_state"


class AlreadyReversed(Conflict):
    """The movement has been reversed already; ``reversed_by`` names the reversal."""

    code = "already_reversed"


class NotReversible(Conflict):
    """The movement's type is corrected another way (a reversal, a transfer in transit)."""

    code = "not_reversible"


class VersionMismatch(StockroomError):
    """The resource changed since the version the client holds (If-Match failed)."""

    code = "version_mismatch"


class LotExpired(Conflict):
    """A named lot is past its expiry date: it may not be reserved or shipped (write it off)."""

    code = "lot_expired"


class SerialLimit(Conflict):
    """A movement would leave a serial with more than one unit across the org."""

    code = "serial_limit"


class TrackingLocked(Conflict):
    """An item's tracking changes only while it holds no stock anywhere."""

    code = "tracking_locked"


class LotsNotSupported(ValidationFailed):
    """A path that does not handle lots yet was asked to move a lot-tracked item."""

    code = "lots_not_supported"
