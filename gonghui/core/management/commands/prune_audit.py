"""manage.py prune_audit [--older-than DAYS]"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.audit import MIN_RETENTION_DAYS, audit_prune
from gonghui.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        f"Remove audit log entries older than DAYS (default AUDIT_RETENTION_DAYS); refuses fewer than "
        f"{MIN_RETENTION_DAYS} days. On PostgreSQL the append-only trigger is disabled only inside each "
        "batch's transaction, so the command must run as the table's owner (the role that runs migrations)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, dest="days", default=settings.AUDIT_RETENTION_DAYS)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        try:
            removed = audit_prune(older_than_days=days)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Removed {removed:,} audit entries older than {days} days"))
