"""manage.py purge_imports — what the daily Celery beat task does, for servers without beat."""

from typing import Any

from django.core.management.base import BaseCommand

from gonghui.members.import_files import import_files_purge, retention_days


class Command(BaseCommand):
    help = (
        "删除不再需要的已上传花名册：导入已结束的、超过保存期限（GONGHUI_IMPORT_RETENTION_DAYS，最多 30 天）的，"
        "以及没有导入记录的文件。超过期限仍在等待的导入记录标为未导入。Celery beat 每天运行一次同样的清理。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = import_files_purge()
        self.stdout.write(
            f"已删除 {result.files} 个花名册文件（保存期限 {retention_days()} 天）；"
            f"{result.expired_jobs} 个过期未导入的记录已标为未导入"
        )
