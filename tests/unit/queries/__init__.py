"""Unit tests: queries."""
