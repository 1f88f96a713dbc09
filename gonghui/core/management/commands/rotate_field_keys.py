"""Re-seal encrypted personal fields under the newest key: docs/operations.md, "Keys"."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.core.crypto import rotate_field_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the newest key of GONGHUI_FIELD_KEYS, one "
        "transaction per batch; --rehash also recomputes the look-up hashes with GONGHUI_HASH_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rehash", action="store_true", help="recompute every look-up hash (new hash key)")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per transaction (default 2000)")

    def handle(self, *args: Any, rehash: bool, batch_size: int, **options: Any) -> None:
        changed = rotate_field_keys(rehash=rehash, batch_size=batch_size)
        for label, count in changed.items():
            self.stdout.write(f"{label}: {count} rows rewritten")
        self.stdout.write(self.style.SUCCESS(f"done: {sum(changed.values())} rows changed"))
