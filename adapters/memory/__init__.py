"""In-memory adapters: real implementations of every persistence port, with true rollback."""
