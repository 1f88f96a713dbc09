"""The mutual-aid app's background jobs (registered with core/jobs.py; imported by
contributions.py, the one discovery point)."""

from __future__ import annotations

from django.urls import reverse

from gonghui.core.jobs import register_job_kind
from gonghui.core.models import Job
from gonghui.mutual_aid.enrolling import ENROL_KIND, enrolment_job_page, enrolment_job_work
from gonghui.mutual_aid.settlements import KIND, settlement_job_ended, settlement_job_work


def _batch_page(job: Job) -> str:
    """The batch's page shows the run best (its counts, claims and listed records)."""
    return reverse("mutual_aid:batch", args=[job.params["batch"]])


register_job_kind(
    KIND, label="医保结算理赔", run=settlement_job_work, on_ended=settlement_job_ended, page_url=_batch_page
)
register_job_kind(ENROL_KIND, label="互助保障批量参保", run=enrolment_job_work, page_url=enrolment_job_page)
