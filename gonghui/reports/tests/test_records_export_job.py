"""One figure's records exported in the background: the list page's button starts a job,
its page shows the progress, its file holds the masked records; refusals as for the list."""

import io

import pytest
from django.urls import resolve, reverse
from openpyxl import load_workbook

from gonghui.core.models import AuditEntry, Job, JobState

REVIEW = {"start": "2021-01-01", "end": "2025-12-31"}


def start_url(name: str, org) -> str:
    return (
        reverse("reports:records_export_start", args=[name])
        + f"?organisation={org.pk}&start={REVIEW['start']}&end={REVIEW['end']}"
    )


def test_the_records_page_exports_through_a_job(client, fed):
    client.force_login(fed.town_b_staff)
    page = client.get(
        reverse("reports:records", args=["members.migrant_members"]), {"organisation": fed.town_b.pk, **REVIEW}
    )
    assert reverse("reports:records_export_start", args=["members.migrant_members"]) in page.content.decode()
    started = client.post(start_url("members.migrant_members", fed.town_b))
    assert started.status_code == 302
    job = Job.objects.get(pk=resolve(started.url).kwargs["pk"])
    assert (job.state, job.params["figure"], job.result["rows"]) == (JobState.SUCCEEDED, "members.migrant_members", 1)
    download = client.get(reverse("job_download", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(download.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[4][0] == "李娜" and fed.member_b1.person.id_number not in rows[4]
    exported = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, detail__figures=["members.migrant_members"])
    assert exported.count() == 1


@pytest.mark.parametrize(
    ("who", "figure", "status"),
    [("town_b_staff", "members.members", 404), ("member_user", "members.members", 403), ("town_a_staff", "nope", 404)],
)
def test_refusals(client, fed, who, figure, status):
    client.force_login(getattr(fed, who))
    response = client.post(start_url(figure, fed.town_a))
    assert response.status_code == status
    assert not Job.objects.exists()
