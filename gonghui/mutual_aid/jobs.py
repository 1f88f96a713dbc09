"""The mutual-aid app's background jobs (registered with core/jobs.py; imported by
contributions.py, the one discovery point)."""

from __future__ import annotations

from gonghui.core.jobs import register_job_kind
from gonghui.mutual_aid.enrolling import ENROL_KIND, enrolment_job_page, enrolment_job_work
from gonghui.mutual_aid.settlements import KIND, settlement_job_ended, settlement_job_work

register_job_kind(KIND, label="医保结算理赔", run=settlement_job_work, on_ended=settlement_job_ended)
register_job_kind(ENROL_KIND, label="互助保障批量参保", run=enrolment_job_work, page_url=enrolment_job_page)
