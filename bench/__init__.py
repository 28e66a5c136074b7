"""Stockroom's benchmark suite (DESIGN.md section 8); ``make bench`` runs bench/run.py."""
