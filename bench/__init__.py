"""Stockroom's benchmark suite (docs/design.md §9); ``make bench`` runs bench/run.py."""
