"""The job mechanism in-process (tasks eager): who sees a job and its file, the claim that
makes a second delivery a no-op, lost leases, deadlocks retried then "try again", cancel,
retry, the retention purge, and exports started from the pages and the API."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from gonghui.core import jobs
from gonghui.core.models import AuditEntry, Job, JobState, Notification
from gonghui.core.tests.worker_app import SLEEP_KIND
from gonghui.testing import signed_in

pytestmark = pytest.mark.django_db


def sleeper(fed, *, steps: int = 3, start: bool = True, owner=None) -> Job:
    return jobs.job_submit(
        kind=SLEEP_KIND,
        label="测试任务",
        owner=owner or fed.town_a_staff,
        scope_path=fed.town_a.path,
        params={"steps": steps, "pause": 0},
        start=start,
    )


def names_in(content: bytes, sheet: int = 0, first_row: int = 2) -> list[object]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [row[0] for row in book.worksheets[sheet].iter_rows(min_row=first_row, values_only=True) if row[0]]


# --- running and claiming --------------------------------------------------------------------


def test_a_job_runs_to_the_end_with_its_progress_and_file(fed):
    job = sleeper(fed, steps=5)
    assert (job.state, job.done, job.total, job.attempts, job.percent) == (JobState.SUCCEEDED, 5, 5, 1, 100)
    assert job.result_name == "steps.txt" and b"5 steps" not in Path(job.result_file.path).read_bytes()


def test_a_job_delivered_twice_runs_once(fed):
    job = sleeper(fed, start=False)
    assert jobs.job_execute(job.pk) is True
    assert jobs.job_execute(job.pk) is False  # nothing left to claim
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 1)


def test_a_job_whose_lease_ran_out_is_queued_again_then_failed_saying_so(fed, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # queued, not run again here
    job = sleeper(fed, start=False)
    long_ago = timezone.now() - timedelta(seconds=settings.GONGHUI_JOB_LEASE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1, heartbeat_at=long_ago, run_token="x")
    assert jobs.jobs_reap() == 1
    job.refresh_from_db()
    assert (job.state, job.run_token) == (JobState.PENDING, "") and "重新排队" in job.message
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=3, heartbeat_at=long_ago, run_token="y")
    assert jobs.jobs_reap() == 1
    job.refresh_from_db()
    assert (job.state, job.message) == (JobState.FAILED, jobs.WORKER_LOST) and jobs.job_can_retry(job)


def test_whoever_started_a_job_is_told_when_it_ends_and_how(fed):
    done = sleeper(fed, steps=2)
    failed = sleeper(fed, start=False)
    long_ago = timezone.now() - timedelta(days=1)
    Job.objects.filter(pk=failed.pk).update(state=JobState.RUNNING, attempts=3, heartbeat_at=long_ago, run_token="z")
    jobs.jobs_reap()
    told = Notification.objects.filter(recipient=fed.town_a_staff).order_by("pk")
    assert [(n.kind, n.link) for n in told] == [
        ("job.succeeded", reverse("job_detail", args=[done.pk])),
        ("job.failed", reverse("job_detail", args=[failed.pk])),
    ]
    with translation.override("zh-hans"):  # the text is stored as its source, shown in the reader's language
        assert told[0].body_text == "「测试任务」已完成。"
        assert told[1].body_text == f"「测试任务」未完成：{jobs.WORKER_LOST}"
    with translation.override("en"):
        assert told[0].body_text == "“测试任务” has finished."
    assert not Notification.objects.exclude(recipient=fed.town_a_staff).exists()


def test_a_job_still_beating_is_left_alone(fed):
    job = sleeper(fed, start=False)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1, heartbeat_at=timezone.now())
    assert jobs.jobs_reap() == 0
    assert jobs.job_execute(job.pk) is False  # another run holds it


def deadlock() -> OperationalError:
    class Deadlock(Exception):
        sqlstate = "40P01"

    error = OperationalError("deadlock detected")
    error.__cause__ = Deadlock()
    return error


def test_a_deadlock_is_tried_again_and_then_reported_as_try_again(fed, monkeypatch):
    calls: list[int] = []

    def deadlocks_twice(job, progress):
        calls.append(1)
        if len(calls) <= 2:
            raise deadlock()
        return None

    jobs.kinds.unregister("tests.deadlocks")
    jobs.register_job_kind("tests.deadlocks", label="测试", run=deadlocks_twice)
    monkeypatch.setattr(jobs.time, "sleep", lambda seconds: None)
    job = jobs.job_submit(kind="tests.deadlocks", label="测试", owner=fed.city_staff, scope_path=fed.city.path)
    assert (job.state, len(calls)) == (JobState.SUCCEEDED, 3)

    def always(job, progress):
        raise deadlock()

    jobs.kinds.unregister("tests.deadlocks")
    jobs.register_job_kind("tests.deadlocks", label="测试", run=always)
    job = jobs.job_submit(kind="tests.deadlocks", label="测试", owner=fed.city_staff, scope_path=fed.city.path)
    assert (job.state, job.message) == (JobState.FAILED, jobs.TRY_AGAIN)
    assert "请稍后重试" in job.message and "内部错误" not in job.message


def test_a_cancelled_job_stops_at_its_next_progress_report(fed):
    job = sleeper(fed, start=False)

    def cancel_half_way(job, progress):
        progress(1, 10)
        Job.objects.filter(pk=job.pk).update(state=JobState.CANCELLED)
        progress(2, 10)
        pytest.fail("the run went on after its job was cancelled")

    jobs.kinds.unregister("tests.cancelled")
    jobs.register_job_kind("tests.cancelled", label="测试", run=cancel_half_way)
    Job.objects.filter(pk=job.pk).update(kind="tests.cancelled")
    monkeypatch_interval = jobs.PROGRESS_SECONDS
    jobs.PROGRESS_SECONDS = 0  # every report is written
    try:
        jobs.job_execute(job.pk)
    finally:
        jobs.PROGRESS_SECONDS = monkeypatch_interval
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and not job.result_file


def test_result_files_are_purged_after_the_retention_period(fed):
    old, fresh = sleeper(fed), sleeper(fed)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    path = Path(old.result_file.path)
    assert jobs.jobs_purge_files() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.result_file and not path.exists() and fresh.result_file


# --- who sees what ---------------------------------------------------------------------------


def test_a_job_and_its_file_are_seen_within_its_scope_only(fed, client):
    job = sleeper(fed)
    for user in (fed.town_a_staff, fed.city_staff):
        assert jobs.job_get(scope=fed.scope(user), pk=job.pk) == job
    assert [j.pk for j in jobs.jobs_for(fed.scope(fed.city_staff))] == [job.pk]
    for user in (fed.town_b_staff, fed.union_a1_officer, fed.member_user):
        assert not jobs.jobs_for(fed.scope(user)).exists()
        page = signed_in(user)
        assert page.get(reverse("job_detail", args=[job.pk])).status_code == 404
        assert page.get(reverse("job_download", args=[job.pk])).status_code == 404
        assert page.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_my_jobs_lists_what_i_started(fed):
    mine, theirs = sleeper(fed), sleeper(fed, owner=fed.city_staff)
    page = signed_in(fed.town_a_staff).get(reverse("jobs"))
    assert page.status_code == 200 and list(page.context["jobs"]) == [mine]
    assert [row["id"] for row in signed_in(fed.city_staff).get("/api/v1/jobs").json()["items"]] == [theirs.pk]


def test_a_running_job_page_polls_and_a_finished_one_offers_its_file(fed):
    waiting = sleeper(fed, start=False)
    page = signed_in(fed.town_a_staff)
    html = page.get(reverse("job_detail", args=[waiting.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and "<progress" in html and "<script>" not in html
    done = sleeper(fed)
    html = page.get(reverse("job_detail", args=[done.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and reverse("job_download", args=[done.pk]) in html


def test_retry_and_cancel_from_the_page(fed, settings):
    page = signed_in(fed.town_a_staff)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    job = sleeper(fed)
    assert page.post(reverse("job_cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert page.post(reverse("job_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 1)
    assert page.post(reverse("job_cancel", args=[job.pk])).status_code == 409  # finished: nothing to cancel


# --- exports as jobs -------------------------------------------------------------------------


def test_the_member_list_export_runs_as_a_job_whose_file_is_downloaded_and_audited(fed):
    page = signed_in(fed.town_a_staff)
    answer = page.post(reverse("members:export_start") + "?status=all")
    job = Job.objects.get(kind="members.export")
    assert answer.status_code == 302 and answer["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.state, job.owner, job.scope_path) == (JobState.SUCCEEDED, fed.town_a_staff, fed.town_a.path)
    download = page.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200 and names_in(download.content) == ["张伟"]
    made, downloaded = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("pk")
    assert made.detail["job"] == job.pk and made.actor == fed.town_a_staff
    assert downloaded.subject_id == str(job.pk) and downloaded.path == reverse("job_download", args=[job.pk])


def test_the_api_starts_an_export_and_gives_its_job(fed):
    api = signed_in(fed.city_staff)
    answer = api.post("/api/v1/members/exports", {"q": "李"}, content_type="application/json")
    assert answer.status_code == 202
    body = api.get(f"/api/v1/jobs/{answer.json()['id']}").json()
    assert (body["state"], body["kind"]) == ("succeeded", "members.export")
    assert names_in(api.get(body["download_url"]).content) == ["李娜"]
    refused = signed_in(fed.member_user).post("/api/v1/members/exports", {}, content_type="application/json")
    assert refused.status_code == 403


def test_the_report_with_its_records_is_exported_as_a_job(fed):
    page = signed_in(fed.town_a_staff)
    answer = page.post(reverse("reports:export_start") + f"?organisation={fed.town_a.pk}")
    job = Job.objects.get(kind="reports.export")
    assert answer.status_code == 302 and job.state == JobState.SUCCEEDED, job.message
    book = load_workbook(io.BytesIO(page.get(reverse("job_download", args=[job.pk])).content), read_only=True)
    assert len(book.worksheets) > 1 and job.done == job.total > 0
    outside = page.post(reverse("reports:export_start") + f"?organisation={fed.town_b.pk}")
    assert outside.status_code == 404 and Job.objects.filter(kind="reports.export").count() == 1
    api = signed_in(fed.city_staff).post("/api/v1/reports/exports", {"records": True}, content_type="application/json")
    assert api.status_code == 202 and api.json()["state"] == "succeeded"
