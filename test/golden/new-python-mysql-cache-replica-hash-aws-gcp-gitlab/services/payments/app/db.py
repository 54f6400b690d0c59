"""
MySQL through PyMySQL, with a small bounded connection pool (PyMySQL has
none). Queries use %s placeholders, the same in both database flavours of
this template. The password comes separately from the URL, from DB_PASSWORD.
"""
import queue
import threading
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit


class Database:
    def __init__(self, connect, pool_size: int, integrity_error):
        self._connect = connect
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._integrity_error = integrity_error

    @contextmanager
    def _connection(self):
        if not self._slots.acquire(timeout=5):
            raise TimeoutError("no database connection free within 5 s")
        try:
            try:
                connection = self._idle.get_nowait()
                connection.ping(reconnect=True)
            except queue.Empty:
                connection = self._connect()
            try:
                yield connection
            except BaseException:
                connection.close()
                raise
            self._idle.put(connection)
        finally:
            self._slots.release()

    def query(self, sql: str, params=()) -> list:
        with self._connection() as connection:
            return _run(connection, sql, params)

    def transaction(self, work):
        with self._connection() as connection:
            connection.begin()
            try:
                result = work(_Transaction(connection))
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
            return result

    def exclusive(self, name: str, work):
        """
        Runs work holding a named lock every instance shares, so replicas
        starting together migrate once. (MySQL commits DDL implicitly, so this is
        a session lock rather than a transaction.)
        """
        with self._connection() as connection:
            [row] = _run(connection, "SELECT GET_LOCK(%s, 60) AS locked", (name,))
            if row["locked"] != 1:
                raise TimeoutError(f'could not take the lock "{name}" within 60 s')
            try:
                return work(_Transaction(connection))
            finally:
                _run(connection, "SELECT RELEASE_LOCK(%s)", (name,))

    def ping(self) -> None:
        self.query("SELECT 1")

    def is_unique_violation(self, error: Exception) -> bool:
        return isinstance(error, self._integrity_error) and error.args[0] == 1062

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class _Transaction:
    def __init__(self, connection):
        self._connection = connection

    def query(self, sql: str, params=()) -> list:
        return _run(self._connection, sql, params)


def _run(connection, sql: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def create_database(url: str, password: str, pool_size: int, log) -> Database:
    # Imported here so the tests, which use fakes, need no database driver.
    import pymysql
    from pymysql.cursors import DictCursor

    parts = urlsplit(url)

    def connect():
        return pymysql.connect(
            host=parts.hostname,
            port=parts.port or 3306,
            user=unquote(parts.username or ""),
            password=password,
            database=unquote(parts.path.lstrip("/")),
            cursorclass=DictCursor,
            autocommit=True,
            connect_timeout=5,
            charset="utf8mb4",
        )

    database = Database(connect, pool_size, pymysql.err.IntegrityError)
    database.ping()
    return database
