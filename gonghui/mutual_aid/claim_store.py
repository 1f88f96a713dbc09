"""Storing a settlement run's rows (claims, adjustments, issues), a chunk at a time.

On SQLite a chunk is inserted when handed over (members/importing.py's bulk path). On
PostgreSQL the run's own connection COPYs chunk k in a thread while the run values chunk
k+1, so the server's work (parsing, six indexes, constraint checks) overlaps the run's
instead of following it; the run touches the connection only between COPYs (`wait()`).
Everything stays in the run's one transaction: a file is stored whole or not at all.

Foreign keys. Checked by the database a row at a time they cost more server time than the
rest of the COPY together (five a claim, ~45 µs). When the role may set
`session_replication_role` (a superuser, or `GRANT SET ON PARAMETER session_replication_role`
on PostgreSQL 15+), the run switches the row triggers off for its own COPYs only (SET LOCAL,
put back after the last one) and makes the same check set-wise before each COPY: every
referenced row is read with FOR KEY SHARE, the lock the trigger takes, so it can neither be
missing now nor be deleted before the commit, and a missing one fails the run. Otherwise the
triggers stay, made immediate so each COPY's checks run in the thread, not all at the commit.
Other sessions are not affected either way; indexes and CHECK constraints are never touched.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, models, transaction

from gonghui.members.importing import bulk_insert

Rows = list[tuple[Any, ...]]
Table = tuple[type[models.Model], Sequence[str], Rows]


class ChunkStore:
    """Synchronous: each chunk stored when handed over (SQLite, or any database)."""

    concurrent = False

    def store(self, tables: list[Table]) -> None:
        for model, columns, rows in tables:
            bulk_insert(model, columns, rows)

    def wait(self) -> None:
        """Nothing runs behind the caller's back."""

    def close(self) -> None:
        """Nothing to put back."""

    def halt(self) -> None:
        """Nothing to stop."""


class PipelinedStore(ChunkStore):
    """PostgreSQL: COPY in a thread on the run's connection, the caller computing meanwhile."""

    concurrent = True

    def __init__(self) -> None:
        self.raw = connection.connection  # the psycopg connection (Django's wrapper is per thread)
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        with connection.cursor() as cursor:
            self.setwise = _row_triggers_off(cursor)
            if not self.setwise:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def store(self, tables: list[Table]) -> None:
        self.wait()
        work = [
            (_copy_sql(model, columns), _reference_checks(model, columns, rows) if self.setwise else [], rows)
            for model, columns, rows in tables
            if rows
        ]
        self.thread = threading.Thread(target=self._write, args=(work,), name="settlement-copy", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            error, self.error = self.error, None
            with connection.wrap_database_errors:  # psycopg's errors as Django's, as the wrapper would
                raise error

    def close(self) -> None:
        self.wait()
        with connection.cursor() as cursor:
            if self.setwise:
                cursor.execute("SET LOCAL session_replication_role = origin")
            else:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def halt(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def _write(self, work: list[tuple[str, list[tuple[str, int, list[Any]]], Rows]]) -> None:
        try:
            with self.raw.cursor() as cursor:
                for copy_sql, checks, rows in work:
                    for check_sql, table, wanted in checks:  # the foreign keys, set-wise
                        cursor.execute(check_sql, [wanted])
                        held = cursor.fetchone()[0]
                        if held != len(wanted):
                            raise IntegrityError(f"{len(wanted) - held} rows of {table} referenced but missing")
                    with cursor.copy(copy_sql) as copy:
                        for row in rows:
                            copy.write_row(row)
        except BaseException as err:  # noqa: BLE001 (handed to the caller's thread by wait())
            self.error = err


def chunk_store() -> ChunkStore:
    return PipelinedStore() if connection.vendor == "postgresql" else ChunkStore()


def _row_triggers_off(cursor: Any) -> bool:
    """Switch this transaction's row triggers off, if the role may (in a savepoint: a refusal
    must not break the run's transaction). Only foreign-key triggers exist on these tables."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _copy_sql(model: type[models.Model], columns: Sequence[str]) -> str:
    column_of = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    return f"COPY {quote(model._meta.db_table)} ({', '.join(quote(column_of[name]) for name in columns)}) FROM STDIN"


def foreign_keys(model: type[models.Model], columns: Sequence[str]) -> list[tuple[int, type[models.Model]]]:
    """(position in the row, referenced model) of each foreign key among `columns`."""
    found = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and getattr(field, "db_constraint", True) and field.attname in columns:
            found.append((list(columns).index(field.attname), field.related_model))
    return found


def _reference_checks(
    model: type[models.Model], columns: Sequence[str], rows: Rows
) -> list[tuple[str, str, list[Any]]]:
    """The foreign-key check of these rows, set-wise: a query a key, counting the referenced
    rows it finds and locks FOR KEY SHARE (as the row trigger would) until the commit."""
    checks = []
    for at, target in foreign_keys(model, columns):
        wanted = list({row[at] for row in rows if row[at] is not None})
        if wanted:
            table, pk = target._meta.db_table, target._meta.pk.column
            sql = (
                f"SELECT count(*) FROM (SELECT 1 FROM {connection.ops.quote_name(table)}"  # noqa: S608 (model names)
                f" WHERE {pk} = ANY(%s) FOR KEY SHARE) held"
            )
            checks.append((sql, table, wanted))
    return checks
