"""Background work of the member registry, run by Celery (in-process when tasks run eagerly)."""

from celery import shared_task

from gonghui.members.import_files import import_files_purge
from gonghui.members.importing import import_job_run


@shared_task
def run_import_job(job_id: int) -> str:
    """Check and, if clean, save one roster import; returns the job's final status."""
    return str(import_job_run(job_id).status)


@shared_task
def purge_import_files() -> dict[str, int]:
    """Delete uploaded rosters past their time (daily, from config/celery.py's beat schedule)."""
    result = import_files_purge()
    return {"files": result.files, "expired_jobs": result.expired_jobs}
