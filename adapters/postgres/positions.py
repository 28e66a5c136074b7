"""Commit-safe positions (ADR 0020): the one SQL rule for what a list or the feed may show.

A row carries the id of the transaction that wrote it (``txid xid8``, defaulting to
``pg_current_xact_id()``), and rows are read in (txid, tiebreak) order. Transaction ids are
handed out when a transaction first writes, not when it commits, so a reader only shows rows
whose transaction is older than every transaction still running: ``txid`` below the xmin of
the statement's own snapshot. Anything still running, or not yet begun, will get a larger
position than any row shown so far, so a cursor handed out is never overtaken.
"""

from __future__ import annotations

from typing import LiteralString

from domain.errors import ValidationFailed

# xid8 is a 64-bit counter (epoch and xid); as bigint it never overflows in practice.
MAX_POSITION = 2**63 - 1


def settled(alias: LiteralString) -> LiteralString:
    """``alias.txid`` belongs to a transaction that no running transaction precedes."""
    return alias + ".txid < pg_snapshot_xmin(pg_current_snapshot())"


def position_param(position: int) -> str:
    """A position bound for ``%(...)s::xid8`` (text input: psycopg has no xid8 dumper)."""
    if not 0 <= position <= MAX_POSITION:
        raise ValidationFailed("cursor is not valid", field="cursor")
    return str(position)
