"""The one Celery task every background job runs through, and the periodic checks."""

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from gonghui.core.jobs import job_execute, jobs_purge_files, jobs_reap


@shared_task
def run_job(job_id: int) -> bool:
    """Run one job (gonghui/core/jobs.py); a second delivery of the same job does nothing."""
    return job_execute(job_id, heartbeat_thread=True)


@shared_task
def reap_jobs() -> int:
    """Requeue or fail jobs whose worker died (every minute, from the beat schedule)."""
    return jobs_reap()


@shared_task
def purge_job_files() -> int:
    """Delete job result files past their retention (daily, from the beat schedule)."""
    return jobs_purge_files()


@worker_ready.connect
def _reap_on_start(**_: Any) -> None:
    # A worker that starts after a crash finds the jobs the old one left running.
    jobs_reap()
