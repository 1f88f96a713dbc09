"""manage.py backup_db --out DIR"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.backup import BackupError, backup_database, read_manifest


class Command(BaseCommand):
    help = (
        "Back up the database into DIR: a dump (PostgreSQL: pg_dump -Fc; SQLite: an online copy) and "
        "manifest.json with each table's row count and checksum, which restore_drill checks a restore against."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="folder for the dump and its manifest")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args: Any, out: Path, database: str, **options: Any) -> None:
        try:
            manifest_path = backup_database(out, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = read_manifest(out)
        rows = sum(fp.rows for fp in manifest.tables.values())
        self.stdout.write(
            self.style.SUCCESS(f"Backed up {len(manifest.tables)} tables, {rows:,} rows, to {manifest_path.parent}")
        )
