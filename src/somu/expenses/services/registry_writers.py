"""Writing registry records in bulk, one way per database, inside the import's transaction.

A full file has millions of lines: the ORM's one object per row would take minutes. PostgreSQL
gets the rows through ``COPY`` into a staging table, then one ``INSERT … ON CONFLICT`` (the last
record of a number in the run wins, a 削除 record deletes); SQLite gets ``executemany`` of an
upsert in batches, in file order (a 削除 record flushes the batch before it, so order holds).
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any, Protocol

from django.db.backends.base.base import BaseDatabaseWrapper

from somu.expenses.formats.nta_registry import Process, RegistryRecord, name_key
from somu.expenses.registry_models import Registrant

TABLE = Registrant._meta.db_table
COLUMNS = ("number", "kind", "residence", "process", "name", "name_kana", "name_key",
           "trade_name", "address", "registered_on", "updated_on", "cancelled_on", "expired_on",
           "last_import_id")
_UPDATES = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
BATCH = 20_000
SQLITE_CACHE_KIB = -262_144  # negative: KiB, not pages
# The statements, built once from the model's table and these column names (no user input).
_NAMES = ", ".join(COLUMNS)
SQLITE_UPSERT = (f"INSERT INTO {TABLE} ({_NAMES}) VALUES ({', '.join('?' * len(COLUMNS))}) "  # noqa: S608
                 f"ON CONFLICT (number) DO UPDATE SET {_UPDATES}")
SQLITE_DELETE = f"DELETE FROM {TABLE} WHERE number = ?"  # noqa: S608
PG_MERGE = (f"INSERT INTO {TABLE} ({_NAMES}) SELECT {_NAMES} FROM registry_last "  # noqa: S608
            f"WHERE NOT deletion ORDER BY number ON CONFLICT (number) DO UPDATE SET {_UPDATES}")
PG_DELETE = (f"DELETE FROM {TABLE} r USING registry_last l "  # noqa: S608
             "WHERE l.deletion AND r.number = l.number")


class Writer(Protocol):
    written: int
    deleted: int

    def add(self, record: RegistryRecord) -> None: ...

    def finish(self) -> None: ...

    def abort(self) -> None: ...


def writer_for(connection: BaseDatabaseWrapper, import_id: int) -> Writer:
    if connection.vendor == "postgresql":
        return PostgresWriter(connection, import_id)
    return SqliteWriter(connection, import_id)


class _IsoDates(dict[date | None, str | None]):
    """Dates as ISO text, each computed once (a full file repeats a few thousand)."""

    def __missing__(self, day: date) -> str:
        text = self[day] = day.isoformat()
        return text


class _Rows:
    """Turns a record into the row the table stores."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self._iso = _IsoDates({None: None})

    def __call__(self, r: RegistryRecord) -> tuple[Any, ...]:
        iso = self._iso
        return (r.number, r.kind, r.residence, r.process, r.name, r.name_kana, name_key(r.name),
                r.trade_name, r.address or r.requested_address or r.domestic_address,
                iso[r.registered_on], iso[r.updated_on], iso[r.cancelled_on],
                iso[r.expired_on], self.import_id)


class SqliteWriter:
    def __init__(self, connection: BaseDatabaseWrapper, import_id: int) -> None:
        self._cursor = connection.connection.cursor()  # the driver's own: no per-call wrapping
        self._row = _Rows(import_id)
        self._batch: list[tuple[Any, ...]] = []
        # Two indexes take millions of inserts in no particular order: a page cache of 256 MiB
        # (instead of 2) keeps them in memory for the run.
        self._cache_size = self._cursor.execute("PRAGMA cache_size").fetchone()[0]
        self._cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
        self.written = 0
        self.deleted = 0

    def add(self, record: RegistryRecord) -> None:
        if record.process is Process.DELETION:
            self._flush()
            self._cursor.execute(SQLITE_DELETE, (record.number,))
            self.deleted += max(self._cursor.rowcount, 0)
            return
        self._batch.append(self._row(record))
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._cursor.executemany(SQLITE_UPSERT, self._batch)
            self.written += len(self._batch)
            self._batch = []

    def finish(self) -> None:
        self._flush()
        self.abort()

    def abort(self) -> None:
        self._cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
        self._cursor.close()


class PostgresWriter:
    def __init__(self, connection: BaseDatabaseWrapper, import_id: int) -> None:
        self._cursor = connection.connection.cursor()
        self._row = _Rows(import_id)
        self._cursor.execute(
            "CREATE TEMP TABLE registry_staging (seq bigserial, deletion boolean, "
            f"LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DROP")
        self._copy_cm = self._cursor.copy(
            f"COPY registry_staging (deletion, {_NAMES}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()
        self.written = 0
        self.deleted = 0

    def add(self, record: RegistryRecord) -> None:
        if record.process is Process.DELETION:
            # The staging table's columns are NOT NULL like the registrant's: a 削除 record
            # carries only its number, the rest is filled to pass.
            self._copy.write_row((True, record.number, None, None, 0, "", "", "", "", "",
                                  "1900-01-01", None, None, None, self._row.import_id))
            return
        self._copy.write_row((False, *self._row(record)))

    def abort(self) -> None:
        """End the COPY unfinished (the driver holds the connection until then, so the
        rollback that follows would wait for ever)."""
        # The driver raises the copy's failure, which is the point; the rollback follows.
        with contextlib.suppress(Exception):
            self._copy_cm.__exit__(RuntimeError, RuntimeError("import refused"), None)
        self._cursor.close()

    def finish(self) -> None:
        self._copy_cm.__exit__(None, None, None)
        c = self._cursor
        # The last record of each number in this run decides (a difference file may change a
        # registrant twice); sorting in memory is far faster than on disk.
        c.execute("SET LOCAL work_mem = '256MB'")
        c.execute("CREATE TEMP TABLE registry_last ON COMMIT DROP AS "
                  "SELECT DISTINCT ON (number) * FROM registry_staging ORDER BY number, seq DESC")
        c.execute(PG_MERGE)
        self.written = max(c.rowcount, 0)
        c.execute(PG_DELETE)
        self.deleted = max(c.rowcount, 0)
        c.execute("DROP TABLE registry_last")
        c.execute("DROP TABLE registry_staging")
        c.close()
