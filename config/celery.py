import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
app = Celery("gonghui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Run by `celery -A config beat` (or a worker started with -B) on one machine only.
app.conf.beat_schedule = {
    # Uploaded rosters hold full identity numbers: none is kept past its retention period.
    "purge-import-files": {
        "task": "gonghui.members.tasks.purge_import_files",
        "schedule": crontab(hour=3, minute=15),
    },
    # Export files hold personal data too: gone after the same retention period.
    "purge-job-files": {
        "task": "gonghui.core.tasks.purge_job_files",
        "schedule": crontab(hour=3, minute=30),
    },
    # Jobs whose worker died are queued again or failed, saying so (core/jobs.py).
    "reap-jobs": {
        "task": "gonghui.core.tasks.reap_jobs",
        "schedule": 60.0,
    },
}
