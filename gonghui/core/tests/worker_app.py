"""`celery -A gonghui.core.tests.worker_app worker`: the project's Celery app with the test
job kinds registered too, for tests that start a real worker and kill it mid-job."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from config.celery import app  # noqa: E402
from gonghui.core.jobs import JobResult, Progress, register_job_kind  # noqa: E402
from gonghui.core.models import Job  # noqa: E402

SLEEP_KIND = "tests.sleep"


def sleep_in_steps(job: Job, progress: Progress) -> JobResult:
    """Reports progress step by step, slowly, so a test can kill its worker half-way."""
    steps = int(job.params.get("steps", 10))
    for step in range(steps):
        time.sleep(float(job.params.get("pause", 0.1)))
        progress(step + 1, steps)
    return JobResult(f"{steps} steps".encode(), "steps.txt", "text/plain")


register_job_kind(SLEEP_KIND, label="测试任务", run=sleep_in_steps, max_attempts=3)

__all__ = ["app"]
