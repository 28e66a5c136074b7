"""Stockroom's pure domain model: entities, values, invariants and domain errors (stdlib only)."""
