"""Implementations of the application ports (PostgreSQL, in-memory, BetterAuth, ...)."""
