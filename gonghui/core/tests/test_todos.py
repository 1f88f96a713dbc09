"""The workbench's to-dos: every app's contribution counted in the viewer's scope, and core's
own, the finished jobs whose file the viewer has not downloaded yet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gonghui.core import jobs
from gonghui.core.models import Job
from gonghui.core.tests.worker_app import SLEEP_KIND
from gonghui.core.todos import todos_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def finished_job(fed, owner) -> Job:
    return jobs.job_submit(
        kind=SLEEP_KIND, label="测试任务", owner=owner, scope_path=fed.town_a.path, params={"steps": 1, "pause": 0}
    )


def counts(fed, user) -> dict[str, int]:
    return {todo.key: todo.count for todo in todos_for(scope=fed.scope(user))}


def test_every_level_sees_the_same_kinds_of_to_do_counted_in_its_own_scope(fed):
    keys = {
        "members.transfers_out",
        "members.transfers_in",
        "enrolment.applications_waiting",
        "members.imports_with_errors",
        "core.jobs_to_download",
    }
    for user in (fed.city_staff, fed.town_a_staff, fed.union_a1_officer):
        assert set(counts(fed, user)) >= keys


def test_a_finished_job_waits_until_its_owner_downloads_the_file(fed, client):
    job = finished_job(fed, fed.town_a_staff)
    finished_job(fed, fed.city_staff)  # someone else's: not town A's to-do
    assert counts(fed, fed.town_a_staff)["core.jobs_to_download"] == 1
    assert counts(fed, fed.city_staff)["core.jobs_to_download"] == 1
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("organisations:todos"), **HTMX).content.decode()
    assert "已完成待下载的任务" in page and f'href="{reverse("jobs")}"' in page
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200
    assert counts(fed, fed.town_a_staff)["core.jobs_to_download"] == 0
    assert counts(fed, fed.city_staff)["core.jobs_to_download"] == 1


def test_a_members_workbench_has_no_job_to_do(fed):
    assert "core.jobs_to_download" not in counts(fed, fed.member_user)
