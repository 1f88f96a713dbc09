"""manage.py restore_drill --from DIR"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.backup import BackupError, restore_drill


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into a new, empty database (PostgreSQL: createdb + pg_restore), compare "
        "every table's row count and checksum with the manifest, drop the new database, and exit non-zero "
        "on any difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="folder", type=Path, required=True, help="folder written by backup_db")
        parser.add_argument("--database", default="default", help="alias whose server and user to restore with")

    def handle(self, *args: Any, folder: Path, database: str, **options: Any) -> None:
        try:
            result = restore_drill(folder, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for difference in result.differences:
            self.stderr.write(difference)
        if not result.ok:
            raise CommandError(f"Restore drill failed: {len(result.differences)} difference(s) from the manifest")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore drill passed: {result.tables} tables, {result.rows:,} rows restored into "
                f"{result.database} and matching the manifest; the drill database is dropped"
            )
        )
