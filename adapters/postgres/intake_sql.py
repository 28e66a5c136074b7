"""The org's intake lock: an archive and a bulk import of one org never run at the same time.

API writes hold the items and locations they bring stock to (``FOR KEY SHARE``, which an
archive's ``FOR UPDATE`` waits for). A bulk import checks a million entries at once, and
locking each one costs seconds (1.9 s per million items, measured), so instead it holds the
org's intake lock shared, and an archive takes it exclusively before it locks its entry.
Transaction-scoped advisory locks: released at commit or rollback, safe behind a transaction
pooler. The first key is a constant naming the lock; the second, the org's hash (two orgs that
collide only wait for each other's archives and imports).
"""

from __future__ import annotations

HOLD_INTAKE_SHARED = "SELECT pg_advisory_xact_lock_shared(11, hashtext(%(org_id)s))"
HOLD_INTAKE_EXCLUSIVE = "SELECT pg_advisory_xact_lock(11, hashtext(%(org_id)s))"
