"""Database backups and the restore drill.

A backup is a folder with the dump (PostgreSQL: `pg_dump -Fc`; SQLite: a copy made with the
online backup API) and `manifest.json`: the dump's md5 and, for every table, its row count
and a checksum of its rows. The drill restores the dump into a new, empty database, takes the
same counts and checksums there and compares: a backup counts only once it has been restored.

On PostgreSQL the manifest and the dump are taken from one snapshot (`pg_export_snapshot` +
`pg_dump --snapshot`), so writes during the backup cannot make them disagree. A table's
checksum is the md5 of its rows' md5s in sorted order: independent of the rows' physical
order, and only 32 bytes per row to sort."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from django.db import connections, transaction

MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MANIFEST_FORMAT = 1
# Row text must not depend on session settings the two databases might not share.
PG_SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET datestyle TO ISO, YMD",
    "SET bytea_output TO hex",
    "SET extra_float_digits TO 1",
)
PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
PG_TABLE_CHECKSUM = "md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"


class Cursor(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class BackupError(Exception):
    """The backup or the drill could not be done (a tool failed, a file is missing)."""


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


Fingerprints = dict[str, TableFingerprint]


# --- fingerprints -----------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_fingerprints(cursor: Cursor) -> Fingerprints:
    for statement in PG_SESSION:
        cursor.execute(statement)
    cursor.execute(PG_TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    result: Fingerprints = {}
    for table in tables:
        query = f"SELECT count(*), {PG_TABLE_CHECKSUM} FROM {_quote(table)} AS t"  # noqa: S608 (names from the catalogue)
        cursor.execute(query)
        rows, checksum = cursor.fetchone()
        result[table] = TableFingerprint(rows=rows, checksum=checksum)
    return result


def sqlite_fingerprints(cursor: Cursor) -> Fingerprints:
    cursor.execute(SQLITE_TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    return {table: _sqlite_table(cursor, table) for table in tables}


def _sqlite_table(cursor: Cursor, table: str) -> TableFingerprint:
    cursor.execute(f"SELECT * FROM {_quote(table)}")  # noqa: S608 (table names come from the catalogue)
    digests = sorted(
        hashlib.md5(repr(tuple(row)).encode(), usedforsecurity=False).hexdigest() for row in cursor.fetchall()
    )
    checksum = hashlib.md5("".join(digests).encode(), usedforsecurity=False).hexdigest()
    return TableFingerprint(rows=len(digests), checksum=checksum)


def compare_fingerprints(expected: Fingerprints, found: Fingerprints) -> list[str]:
    """Every difference between the manifest and a restored database, one line each."""
    differences = [f"{table}: missing from the restored database" for table in sorted(expected.keys() - found.keys())]
    differences += [f"{table}: not in the backup's manifest" for table in sorted(found.keys() - expected.keys())]
    for table in sorted(expected.keys() & found.keys()):
        want, got = expected[table], found[table]
        if want.rows != got.rows:
            differences.append(f"{table}: {want.rows} rows in the backup, {got.rows} restored")
        elif want.checksum != got.checksum:
            differences.append(f"{table}: same row count ({got.rows}) but different contents")
    return differences


# --- manifest -----------------------------------------------------------------------------------


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path, *, engine: str, dump: Path, tables: Fingerprints) -> Path:
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "dump": dump.name,
        "dump_md5": file_md5(dump),
        "tables": {name: {"rows": fp.rows, "checksum": fp.checksum} for name, fp in sorted(tables.items())},
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Manifest:
    engine: str
    dump: Path
    dump_md5: str
    tables: Fingerprints


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"no {MANIFEST} in {folder}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"{path}: unknown manifest format {data.get('format')!r}")
    tables = {name: TableFingerprint(rows=t["rows"], checksum=t["checksum"]) for name, t in data["tables"].items()}
    return Manifest(engine=data["engine"], dump=folder / data["dump"], dump_md5=data["dump_md5"], tables=tables)


# --- backup -------------------------------------------------------------------------------------


def backup_database(out: Path, *, using: str = "default") -> Path:
    """Write a dump and its manifest into `out` (created if missing); returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    if connection.vendor == "postgresql":
        return _backup_postgresql(out, using)
    if connection.vendor == "sqlite":
        return _backup_sqlite(out, using)
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def _backup_postgresql(out: Path, using: str) -> Path:
    dump = out / PG_DUMP_FILE
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # First statement of the transaction: the snapshot pg_dump shares with the manifest.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(dump)], _pg_env(connection.settings_dict))
        tables = pg_fingerprints(cursor)
    return write_manifest(out, engine="postgresql", dump=dump, tables=tables)


def _backup_sqlite(out: Path, using: str) -> Path:
    dump = out / SQLITE_FILE
    dump.unlink(missing_ok=True)
    connection = connections[using]
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    with _sqlite(dump) as cursor:
        tables = sqlite_fingerprints(cursor)
    return write_manifest(out, engine="sqlite", dump=dump, tables=tables)


# --- restore drill ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillResult:
    database: str
    tables: int
    rows: int
    differences: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences


def restore_drill(folder: Path, *, using: str = "default") -> DrillResult:
    """Restore the backup in `folder` into a new database, compare it with the manifest and
    drop the new database again, whatever happened."""
    manifest = read_manifest(folder)
    if not manifest.dump.is_file():
        raise BackupError(f"the dump {manifest.dump} is missing")
    if file_md5(manifest.dump) != manifest.dump_md5:
        name = manifest.dump.name
        return DrillResult(database="-", tables=0, rows=0, differences=[f"{name}: checksum differs from the manifest"])
    if manifest.engine == "postgresql":
        database, found = _drill_postgresql(manifest, connections[using].settings_dict)
    elif manifest.engine == "sqlite":
        database, found = _drill_sqlite(manifest)
    else:
        raise BackupError(f"unknown engine {manifest.engine!r} in the manifest")
    rows = sum(fp.rows for fp in found.values())
    return DrillResult(database, len(found), rows, compare_fingerprints(manifest.tables, found))


def _drill_postgresql(manifest: Manifest, settings_dict: dict[str, Any]) -> tuple[str, Fingerprints]:
    import psycopg

    name = f"gonghui_drill_{datetime.now(UTC):%Y%m%d%H%M%S}_{uuid.uuid4().hex[:8]}"
    env = _pg_env(settings_dict)
    _run(["createdb", name], env)
    try:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", name, str(manifest.dump)], env)
        with psycopg.connect(**_pg_params(settings_dict, dbname=name)) as restored, restored.cursor() as cursor:
            return name, pg_fingerprints(cursor)
    finally:
        _run(["dropdb", "--force", "--if-exists", name], env)


def _drill_sqlite(manifest: Manifest) -> tuple[str, Fingerprints]:
    with tempfile.TemporaryDirectory(prefix="gonghui_drill_") as folder:
        restored = Path(folder) / SQLITE_FILE
        shutil.copyfile(manifest.dump, restored)
        with _sqlite(restored) as cursor:
            return str(restored), sqlite_fingerprints(cursor)


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Cursor]:
    database = sqlite3.connect(path)
    try:
        yield database.cursor()
    finally:
        database.close()


def _pg_params(settings_dict: dict[str, Any], *, dbname: str) -> dict[str, Any]:
    params = {
        "dbname": dbname,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    return {key: value for key, value in params.items() if value is not None}


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection for the PostgreSQL tools, passed in their environment so the password
    never shows in a process list."""
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    params = _pg_params(settings_dict, dbname=settings_dict["NAME"])
    return {**os.environ, **{names[key]: str(value) for key, value in params.items()}}


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
