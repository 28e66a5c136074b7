"""Unit tests: authorization."""
