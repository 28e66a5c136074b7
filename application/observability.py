"""Observability ports: what the metrics endpoint reads without knowing any adapter."""

from __future__ import annotations

from typing import Protocol


class PoolStats(Protocol):
    """Usage of the database connection pool, as named gauges (e.g. ``pool_size``)."""

    def snapshot(self) -> dict[str, int]: ...
