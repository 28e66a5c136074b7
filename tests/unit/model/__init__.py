"""Unit tests: model."""
