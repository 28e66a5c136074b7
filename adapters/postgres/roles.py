"""The two database roles (ADR 0018): the owner migrates and owns the tables; the app role
serves every request and is bound by row-level security.

Superusers and BYPASSRLS roles skip row-level security even with FORCE, and so, through
``SET ROLE``, does any member of one; a table's owner may switch it off. The app's role must be
none of these, which ``rls_bypass`` checks from inside the database.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

# The names the embedded default and the tests create. Migration 0010 grants to APP_ROLE (a
# deployment may log in as it, or as a member of it); the owner is whoever runs migrations.
OWNER_ROLE = "stockroom_owner"
APP_ROLE = "stockroom_app"

# One row: why the current role escapes row-level security, or NULL when nothing does.
RLS_BYPASS = """
SELECT CASE
    WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE (r.rolsuper OR r.rolbypassrls)
                 AND pg_has_role(current_user, r.oid, 'MEMBER'))
        THEN 'is, or is a member of, a SUPERUSER or BYPASSRLS role'
    WHEN EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
                 AND c.relkind IN ('r', 'p') AND pg_has_role(current_user, c.relowner, 'MEMBER'))
        THEN 'owns tables (or is a member of their owner)'
END AS reason
"""


async def rls_bypass(conn: AsyncConnection[Any]) -> str | None:
    """Why the connection's role escapes row-level security, or None when it is bound."""
    cur = await conn.execute(RLS_BYPASS)
    row = await cur.fetchone()
    if row is None or row[0] is None:
        return None
    return f"the database role {row[0]}: row-level security does not bind it"
