"""Background work of the member registry, run by Celery (in-process when tasks run eagerly)."""

from celery import shared_task

from gonghui.members.importing import import_job_run


@shared_task
def run_import_job(job_id: int) -> str:
    """Check and, if clean, save one roster import; returns the job's final status."""
    return str(import_job_run(job_id).status)
