"""Use cases, ports and authorization. Imports domain/ only; no framework."""
