"""The enrolment pages: an officer enrols all, a selection or an uploaded list as a job,
reads and prints the list with numbers masked, records the payment; the window refuses with
a message; another union's officer gets 404 and a member 403; a member reads their own cover."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.core.masking import mask_id_number
from gonghui.core.models import JobState
from gonghui.mutual_aid import services
from gonghui.mutual_aid.models import Enrolment, EnrolmentPayment, SchemeYear
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.testing import Federation, make_member


@pytest.fixture
def scheme(fed: Federation, monkeypatch) -> SchemeYear:
    """2026's scheme, its window open (2025-11-01); nobody enrolled yet."""
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    return make_scheme(fed, 2026)


@pytest.fixture
def officer(fed: Federation) -> Client:
    client = Client()
    client.force_login(fed.union_a1_officer)
    return client


def url(name: str, fed: Federation, union=None) -> str:
    return reverse(f"mutual_aid:{name}", args=[2026, (union or fed.union_a1).pk])


def test_an_officer_enrols_all_members_and_follows_the_job_to_its_list(fed, scheme, officer):
    assert "海宁皮革城工会" in officer.get(reverse("mutual_aid:enrol")).content.decode()
    response = officer.post(url("enrol_all", fed))
    job_page = response["Location"]
    assert job_page.startswith("/jobs/")
    job = officer.get(job_page).context["job"]
    assert job.state == JobState.SUCCEEDED and job.result["enrolled"] == 1
    assert url("enrol_list", fed) in officer.get(job_page).content.decode()  # the job's page links back
    page = officer.get(url("enrol_list", fed)).content.decode()
    number = fed.member_a1.person.id_number
    assert "张伟" in page and mask_id_number(number) in page and number not in page
    assert "未缴费" in page and reverse("job_download", args=[job.pk]) in page
    download = officer.get(reverse("job_download", args=[job.pk]))
    assert "张伟" in download.content.decode("utf-8-sig") and number not in download.content.decode("utf-8-sig")


def test_a_selection_enrols_only_those_ticked(fed, scheme, officer):
    other = make_member(union=fed.union_a1, name="王秀英", sex="F")
    choices = officer.get(url("enrol_select", fed), {"q": "王"}, HTTP_HX_REQUEST="true").content.decode()
    assert "王秀英" in choices and "张伟" not in choices and "<html" not in choices
    officer.post(url("enrol_select", fed), {"person": [str(other.person_id)]})
    assert list(Enrolment.objects.values_list("person_id", flat=True)) == [other.person_id]


def test_an_uploaded_list_enrols_the_members_it_names(fed, scheme, officer):
    stranger = make_member(union=fed.union_b1, name="赵磊")  # not 海宁皮革城工会's
    content = f"身份证号,姓名\n{fed.member_a1.person.id_number},张伟\n{stranger.person.id_number},赵磊\n"
    upload = io.BytesIO(content.encode("utf-8"))
    upload.name = "名单.csv"
    response = officer.post(url("enrol_upload", fed), {"file": upload})
    job = officer.get(response["Location"]).context["job"]
    assert (job.result["enrolled"], job.result["not_members_at"]) == (1, [2])
    bad = io.BytesIO(b"no numbers here\n")
    bad.name = "名单.csv"
    assert "名单中没有找到身份证号" in officer.post(url("enrol_upload", fed), {"file": bad}).content.decode()


def test_outside_the_window_the_page_says_why_and_enrols_nobody(fed, scheme, officer, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: date(2025, 9, 1))
    page = officer.post(url("enrol_all", fed), follow=True).content.decode()
    assert "2026 年度参保登记自 2025-10-01 开始，尚未开放" in page and "参保登记尚未开始" in page
    assert not Enrolment.objects.exists()


def test_the_print_view_lists_every_enrolment_for_a4(fed, scheme, officer):
    officer.post(url("enrol_all", fed))
    page = officer.get(url("enrol_print", fed)).content.decode()
    assert "2026 年度职工医疗互助保障参保名单" in page and "张伟" in page
    assert mask_id_number(fed.member_a1.person.id_number) in page and "mutual_aid/enrol_print.css" in page


def test_recording_the_payment_marks_the_list_paid_and_a_resubmission_changes_nothing(fed, scheme, officer):
    officer.post(url("enrol_all", fed))
    form = officer.get(url("enrol_pay", fed)).context["form"]
    data = {
        "paid_on": "2025-11-01",
        "reference": "HK20251101008",
        "request_key": form.initial["request_key"],
        "expected_count": "1",
    }
    first = officer.post(url("enrol_pay", fed), data, follow=True).content.decode()
    assert "已登记缴费：1 人，60.00 元" in first and "已缴费" in first
    officer.post(url("enrol_pay", fed), data)  # the form sent twice
    assert EnrolmentPayment.objects.count() == 1
    assert Enrolment.objects.get().payment_status == "paid"


def test_another_unions_officer_gets_404_and_a_member_403(fed, scheme, officer):
    member = Client()
    member.force_login(fed.member_user)
    for name in ("enrol_list", "enrol_select", "enrol_upload", "enrol_print", "enrol_pay"):
        assert officer.get(url(name, fed, fed.union_b1)).status_code == 404, name
        assert member.get(url(name, fed)).status_code == 403, name
    assert officer.post(url("enrol_all", fed, fed.union_b1)).status_code == 404
    assert member.post(url("enrol_all", fed)).status_code == 403
    assert member.get(reverse("mutual_aid:enrol")).status_code == 403
    town_b = Client()
    town_b.force_login(fed.town_b_staff)
    assert town_b.get(url("enrol_list", fed)).status_code == 404
    assert town_b.get(url("enrol_list", fed, fed.union_b1)).status_code == 200
    assert not Enrolment.objects.exists()


def test_a_member_sees_their_own_cover_and_nobody_elses(fed, scheme, officer):
    officer.post(url("enrol_all", fed))
    town_b = Client()
    town_b.force_login(fed.town_b_staff)
    town_b.post(url("enrol_all", fed, fed.union_b1))
    member = Client()
    member.force_login(fed.member_user)
    home = member.get("/", follow=True).content.decode()
    assert reverse("mutual_aid:my_cover") in home
    page = member.get(reverse("mutual_aid:my_cover")).content.decode()
    assert "2026 年度" in page and "海宁皮革城工会" in page and "2026-01-01 – 2026-12-31" in page
    assert "等待期满" in page and "2026-04-01" in page  # first time: 90 days from 1 January
    assert "未缴费" in page and "许村家纺工会" not in page
    assert officer.get(reverse("mutual_aid:my_cover")).status_code == 302  # staff have their own pages
