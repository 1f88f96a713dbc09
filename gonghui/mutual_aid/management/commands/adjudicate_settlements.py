"""Adjudicate a settlement file from the command line, by the same code as the upload's job:
`manage.py adjudicate_settlements FILE --year 2026 [--federation HN]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.mutual_aid.models import SchemeYear, SettlementBatch
from gonghui.mutual_aid.settlements import settlements_adjudicate


class Command(BaseCommand):
    # Lazy, so that --help reads in the language the command runs in.
    help = cast(str, _("按年度规则对医保结算文件理赔计算（与上传后的后台任务相同）"))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--federation", help=cast(str, _("市总工会代码（只有一个市时可省略）")))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(gettext("没有这个文件：%(path)s") % {"path": path})
        years = SchemeYear.objects.filter(year=options["year"]).select_related("federation")
        if options["federation"]:
            years = years.filter(federation__code=options["federation"])
        found = list(years[:2])
        if len(found) != 1:
            text = (
                gettext("%(year)s 年度的互助保障不唯一，请用 --federation 指定")
                if found
                else gettext("%(year)s 年度的互助保障不存在")
            )
            raise CommandError(text % {"year": options["year"]})
        scheme_year = found[0]
        batch = SettlementBatch.objects.create(
            scheme_year=scheme_year,
            organisation=scheme_year.federation,
            scope_path=scheme_year.federation.path,
            filename=path.name[-200:],
        )
        with path.open("rb") as file:
            batch = settlements_adjudicate(batch=batch, file=file, progress=self._progress)
        sys.stderr.write("\n")
        if batch.error:
            raise CommandError(batch.error)
        summary = gettext(
            "批次 #%(batch)s：记录 %(records)s，理赔 %(claims)s（补助为零 %(refused)s），"
            "冲销调整 %(adjustments)s，未匹配或拒绝 %(issues)s，补助合计 %(amount)s 元"
        )
        self.stdout.write(
            summary
            % {
                "batch": batch.pk,
                "records": batch.record_count,
                "claims": batch.claim_count,
                "refused": batch.refused_count,
                "adjustments": batch.adjustment_count,
                "issues": batch.issue_count,
                "amount": batch.amount,
            }
        )

    def _progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        sys.stderr.write(f"\r{done}/{total or '?'}")
