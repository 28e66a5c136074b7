"""Schema migrations with yoyo (SQL files in migrations/, each with a .rollback.sql sibling)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from psycopg.conninfo import conninfo_to_dict
from yoyo import get_backend, read_migrations

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
MIGRATION_TABLE = "_yoyo_migration"


def yoyo_url(database_url: str) -> str:
    """Rewrite a libpq URL or conninfo string as a ``postgresql+psycopg://`` URL yoyo can parse.

    yoyo splits URLs itself (urllib) and passes the query string to ``psycopg.connect`` as
    keyword arguments. Its parser cannot read a Unix-socket host written in the netloc
    (``postgresql://%2Frun%2Fpg/db``) nor conninfo strings (``host=... dbname=...``), so libpq
    parses the URL and everything but user, password and database goes into the query string
    (``?host=/socket/dir&port=...&sslmode=require``), which yoyo hands to psycopg untouched.
    """
    params = {k: str(v) for k, v in conninfo_to_dict(database_url).items()}
    user = params.pop("user", None)
    password = params.pop("password", None)
    dbname = params.pop("dbname", "")
    credentials = ""
    if user is not None:
        credentials = quote(user, safe="")
        if password is not None:
            credentials += ":" + quote(password, safe="")
        credentials += "@"
    query = urlencode(params)
    return f"postgresql+psycopg://{credentials}/{quote(dbname, safe='')}" + (
        f"?{query}" if query else ""
    )


class YoyoMigrator:
    """Applies and rolls back migrations on the DIRECT database URL, under yoyo's lock."""

    def __init__(self, direct_url: str, migrations_dir: Path = MIGRATIONS_DIR) -> None:
        self._url = yoyo_url(direct_url)
        self._dir = migrations_dir

    def migration_ids(self) -> list[str]:
        """Every migration on disk, in apply order."""
        return [m.id for m in read_migrations(str(self._dir))]

    def pending(self) -> list[str]:
        """Migrations on disk not yet applied."""
        backend = get_backend(self._url, migration_table=MIGRATION_TABLE)
        try:
            return [m.id for m in backend.to_apply(read_migrations(str(self._dir)))]
        finally:
            backend.connection.close()

    def apply(self) -> list[str]:
        """Apply every pending migration; return the ids applied."""
        backend = get_backend(self._url, migration_table=MIGRATION_TABLE)
        try:
            with backend.lock():
                todo = backend.to_apply(read_migrations(str(self._dir)))
                backend.apply_migrations(todo)
            return [m.id for m in todo]
        finally:
            backend.connection.close()

    def rollback(self, count: int | None = 1) -> list[str]:
        """Roll back the last ``count`` applied migrations (None: all); return their ids."""
        backend = get_backend(self._url, migration_table=MIGRATION_TABLE)
        try:
            with backend.lock():
                todo = backend.to_rollback(read_migrations(str(self._dir)))
                if count is not None:
                    todo = todo[:count]
                backend.rollback_migrations(todo)
            return [m.id for m in todo]
        finally:
            backend.connection.close()

    def rollback_all(self) -> list[str]:
        """Roll back every applied migration (for the stairway test and ``migrate --rollback-all``)."""
        return self.rollback(count=None)
