"""PostgreSQL adapters: embedded server, migrations, connection pool and repositories."""
