"""Pydantic request and response models of the HTTP API, and their mapping to commands."""
