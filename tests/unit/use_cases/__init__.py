"""Unit tests: use_cases."""
