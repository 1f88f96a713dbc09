"""Jobs run by a real Celery worker process, through the filesystem broker the embedded demo
uses: an export written by the worker and downloaded, and a worker killed (SIGKILL) half-way
through a job, whose job is then found, queued again and finished by the next worker, or
failed saying so once its attempts are used up. On SQLite and PostgreSQL alike: the test
database is a file (conftest.py) so the worker sees it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook

from config.celery import app
from gonghui.accounts.scopes import scope_for
from gonghui.core import jobs
from gonghui.core.models import Job, JobState
from gonghui.core.tests.worker_app import SLEEP_KIND
from gonghui.members.exports import member_export_submit
from gonghui.members.selectors import MemberFilter
from gonghui.testing import build_federation

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 4
WAIT_SECONDS = 90  # a worker's start on a busy machine included


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker(tmp_path, settings):
    """This process queues jobs into a folder, as the web process does in the demo."""
    folder = tmp_path / "broker"
    for name in ("queue", "control"):
        (folder / name).mkdir(parents=True)
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
    }
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.GONGHUI_JOB_LEASE_SECONDS = LEASE_SECONDS
    app.conf.update(broker_url="filesystem://", broker_transport_options=options, task_always_eager=False)
    forget_connections()
    yield folder
    app.conf.update(broker_url=saved[0], broker_transport_options=saved[1], task_always_eager=saved[2])
    forget_connections()


def forget_connections() -> None:
    """Celery keeps its broker connections once made; the next message opens new ones."""
    # Private attributes, which the stubs leave out: Celery has no public way to drop its pools
    # short of app.close(), which also deregisters the app.
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@contextmanager
def worker(broker: Path, tmp_path: Path, app_module: str = "config") -> Iterator[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": "filesystem://",
        "GONGHUI_BROKER_DIR": str(broker),
        "GONGHUI_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "GONGHUI_FIELD_KEYS": ",".join(settings.GONGHUI_FIELD_KEYS),
        "GONGHUI_HASH_KEY": settings.GONGHUI_HASH_KEY,
        "GONGHUI_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("wb")
    command = [sys.executable, "-m", "celery", "-A", app_module, "worker", "--pool", "solo", "--loglevel", "INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def wait_for(condition: Callable[[Job], bool], job: Job, *, seconds: float = WAIT_SECONDS) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.2)
    pytest.fail(f"job #{job.pk} still {job.state} ({job.done}/{job.total}, {job.message!r}) after {seconds}s")


def test_a_worker_process_writes_an_export_which_its_owner_downloads(broker, tmp_path):
    fed = build_federation()
    scope = fed.scope(fed.town_a_staff)
    started = time.monotonic()
    with worker(broker, tmp_path):
        job = member_export_submit(scope=scope, filters=MemberFilter())
        job = wait_for(lambda j: j.is_finished, job)
    elapsed = time.monotonic() - started
    print(f"real worker export: {elapsed:.1f}s from starting the worker to the file")  # noqa: T201
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 1), job.message
    on_disk = Path(job.result_file.path).read_bytes()
    assert "张伟".encode() not in on_disk  # sealed at rest
    result = jobs.job_result_download(scope=scope, job=job)
    sheet = load_workbook(io.BytesIO(result.content), read_only=True).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["张伟"] and result.filename.endswith(".xlsx")


def start_sleeper(steps: int) -> Job:
    fed = build_federation()
    return jobs.job_submit(
        kind=SLEEP_KIND,
        label="测试任务",
        owner=fed.city_staff,
        scope_path=fed.city.path,
        params={"steps": steps, "pause": 0.1},
    )


def kill_mid_job(process: subprocess.Popen, job: Job) -> Job:
    job = wait_for(lambda j: j.state == JobState.RUNNING and j.done >= 3, job)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return job


def test_a_job_whose_worker_was_killed_is_run_again_by_the_next_worker(broker, tmp_path):
    with worker(broker, tmp_path, "gonghui.core.tests.worker_app") as first:
        job = start_sleeper(steps=40)
        job = kill_mid_job(first, job)
    assert job.state == JobState.RUNNING and job.done < 40  # what a dead worker leaves behind
    time.sleep(LEASE_SECONDS + 1)
    with worker(broker, tmp_path, "gonghui.core.tests.worker_app"):
        # The new worker finds the job at start, queues it again and runs it to the end.
        job = wait_for(lambda j: j.is_finished, job)
    assert (job.state, job.attempts, job.done) == (JobState.SUCCEEDED, 2, 40), job.message


def test_a_job_killed_with_no_attempt_left_fails_saying_so_and_can_be_retried(broker, tmp_path):
    with worker(broker, tmp_path, "gonghui.core.tests.worker_app") as only:
        job = start_sleeper(steps=200)
        Job.objects.filter(pk=job.pk).update(max_attempts=1)
        kill_mid_job(only, job)
    time.sleep(LEASE_SECONDS + 1)
    job = jobs.job_get(scope=scope_for(job.owner), pk=job.pk)  # looking at it settles it
    assert (job.state, job.message) == (JobState.FAILED, jobs.WORKER_LOST)
    assert jobs.job_can_retry(job) and job.finished_at is not None
