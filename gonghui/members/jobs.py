"""The member registry's background jobs: roster imports and member-list exports
(registered with core/jobs.py; imported by contributions.py, the one discovery point)."""

from __future__ import annotations

from django.urls import reverse

from gonghui.core.jobs import register_job_kind
from gonghui.core.models import Job
from gonghui.members.exports import EXPORT_KIND, member_export_work
from gonghui.members.importing import IMPORT_KIND, import_job_ended, import_job_work
from gonghui.members.realname import PERMISSION, REALNAME_KIND, realname_export_work


def _import_page(job: Job) -> str:
    return reverse("members:import_job", args=[job.params["import_job"]])


register_job_kind(
    IMPORT_KIND, label="花名册导入", run=import_job_work, on_ended=import_job_ended, page_url=_import_page
)
register_job_kind(EXPORT_KIND, label="会员名单导出", run=member_export_work)
register_job_kind(
    REALNAME_KIND, label="全国实名制格式导出", run=realname_export_work, download_permission=PERMISSION, max_attempts=1
)
