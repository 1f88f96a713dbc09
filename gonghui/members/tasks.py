"""Background work of the member registry, run by Celery. Imports and exports themselves run
as jobs (gonghui/core/jobs.py, kinds in jobs.py); this is the daily purge of uploaded rosters."""

from celery import shared_task

from gonghui.members.import_files import import_files_purge


@shared_task
def purge_import_files() -> dict[str, int]:
    """Delete uploaded rosters past their time (daily, from config/celery.py's beat schedule)."""
    result = import_files_purge()
    return {"files": result.files, "expired_jobs": result.expired_jobs}
