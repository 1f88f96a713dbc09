"""manage.py import_members FILE --union CODE [--sheet NAME] [--as USERNAME]"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from gonghui.accounts.scopes import scope_for
from gonghui.core.access import Role, Scope, StaffScope
from gonghui.core.errors import ServiceError
from gonghui.members.importing import import_job_submit
from gonghui.members.models import ImportJob, ImportStatus
from gonghui.members.roster import format_row_error
from gonghui.organisations.models import Organisation
from gonghui.organisations.selectors import organisation_get


class Command(BaseCommand):
    help = (
        "导入会员花名册（.xlsx、.xls、.ods 或 .csv）到一个基层工会。先检查每一行，文件有任何错误则一行都不导入，"
        "列出错误（行、列、原因）并以非零状态退出。不带 --as 时以市总工会权限运行：能登录服务器"
        "运行命令的人被视为可信；带 --as 则只能导入到该账号管辖范围内的工会。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="花名册文件（.xlsx、.xls、.ods 或 .csv）")
        parser.add_argument("--sheet", default="", help="要读取的工作表（默认：有花名册表头的那个）")
        parser.add_argument("--union", required=True, help="基层工会的组织代码")
        parser.add_argument(
            "--as", dest="as_user", metavar="USERNAME", help="以该账号的身份和管辖范围导入（默认：市总工会权限）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        try:
            scope = _scope(options["as_user"])
            union = organisation_get(scope=scope, code=options["union"])
            with path.open("rb") as file:
                job = import_job_submit(
                    scope=scope,
                    union=union,
                    uploaded_file=file,
                    filename=path.name,
                    sheet=options["sheet"],
                    run_inline=True,
                )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self._report(job)

    def _report(self, job: ImportJob) -> None:
        # Warnings first, each marked: on a rejected file the errors, which must be fixed, then
        # end the output next to the exit status.
        self._warnings(job)
        if job.status != ImportStatus.DONE:
            for error in job.errors:
                self.stdout.write(format_row_error(error))
            if job.error_count > len(job.errors):
                self.stdout.write(f"……另有 {job.error_count - len(job.errors)} 处错误未列出")
            raise CommandError(f"{job.filename}：共 {job.total_rows} 行，发现 {job.error_count} 处错误，未导入任何数据")
        self.stdout.write(
            self.style.SUCCESS(
                f"{job.filename}：共 {job.total_rows} 行，已导入 {job.created_count} 名会员到{job.union.name}"
                f"（导入记录 #{job.pk}）"
            )
        )

    def _warnings(self, job: ImportJob) -> None:
        for warning in job.warnings:
            self.stdout.write(self.style.WARNING(gettext("提示：%(warning)s") % {"warning": format_row_error(warning)}))
        if job.warning_count > len(job.warnings):
            left = job.warning_count - len(job.warnings)
            self.stdout.write(self.style.WARNING(gettext("……另有 %(count)s 处提示未列出") % {"count": left}))


def _scope(username: str | None) -> Scope:
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有账号 {username}")
        return scope_for(user)
    root = Organisation.objects.get_root_nodes().first()
    if root is None:
        raise CommandError("还没有市总工会，请先建立组织树")
    return StaffScope(user=None, role=Role.CITY, organisation_id=root.pk, organisation_path=root.path)
