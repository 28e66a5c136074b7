"""Driving side: HTTP API, CLI, settings and the composition root (container)."""
