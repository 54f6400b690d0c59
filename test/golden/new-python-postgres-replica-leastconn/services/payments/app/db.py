"""
PostgreSQL through a psycopg connection pool. Queries use %s placeholders, the
same in both database flavours of this template. The password comes
separately from the URL, from DB_PASSWORD.
"""


class Database:
    def __init__(self, pool, unique_violation):
        self._pool = pool
        self._unique_violation = unique_violation

    def query(self, sql: str, params=()) -> list:
        with self._pool.connection() as connection:
            return _rows(connection.execute(sql, params))

    def transaction(self, work):
        with self._pool.connection() as connection, connection.transaction():
            return work(_Transaction(connection))

    def exclusive(self, name: str, work):
        """Runs work holding a lock every instance shares, so replicas starting together migrate once."""

        def locked(tx):
            tx.query("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))
            return work(tx)

        return self.transaction(locked)

    def ping(self) -> None:
        self.query("SELECT 1")

    def is_unique_violation(self, error: Exception) -> bool:
        return isinstance(error, self._unique_violation)

    def close(self) -> None:
        self._pool.close()


class _Transaction:
    def __init__(self, connection):
        self._connection = connection

    def query(self, sql: str, params=()) -> list:
        return _rows(self._connection.execute(sql, params))


def _rows(cursor) -> list:
    return cursor.fetchall() if cursor.description else []


def create_database(url: str, password: str, pool_size: int, log) -> Database:
    # Imported here so the tests, which use fakes, need no database driver.
    from psycopg import errors
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(
        conninfo=url,
        # UTF-8 always, whatever the server's default, so text never arrives as bytes.
        kwargs={"password": password, "row_factory": dict_row, "client_encoding": "utf8"},
        min_size=1,
        max_size=pool_size,
        timeout=5,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=30)
    except Exception:
        pool.close()  # stops the pool's connection threads, so the process can exit
        raise
    return Database(pool, errors.UniqueViolation)
