"""Service and API errors in English mode, those with names in them included, and the API's
times in Asia/Shanghai with their offset."""

import io
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gonghui.core.access import Role
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.members.exports import member_export_submit
from gonghui.members.roster import read_roster
from gonghui.members.selectors import MemberFilter
from gonghui.organisations.identity import check_uscc
from gonghui.organisations.models import OrganisationKind
from gonghui.organisations.services import organisation_create
from gonghui.testing import make_user


def english(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_api_refusals_read_in_english(fed):
    response = english(fed.town_b_staff).get(f"/api/v1/members/{fed.member_a1.person_id}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Member not found, or not within your jurisdiction"


def test_errors_that_name_something_are_translated_whole(fed):
    with translation.override("en"), pytest.raises(Conflict) as taken:
        organisation_create(
            scope=fed.scope(fed.city_staff), parent=fed.town_a, code="HN-XF-001", name="另一家工会",
            kind=OrganisationKind.ENTERPRISE_UNION,
        )  # fmt: skip
    assert taken.value.message == "The organisation code HN-XF-001 is already in use"
    with translation.override("en"), pytest.raises(ValidationFailed) as bad:
        check_uscc("91330481MA2B0000X0")
    assert bad.value.message.startswith("The unified social credit code ")
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as chinese:
        check_uscc("91330481MA2B0000X0")
    assert chinese.value.message.startswith("统一社会信用代码")


def test_the_real_name_export_refusal_reads_in_english(fed):
    exporter = make_user("exporter", role=Role.TOWN, organisation=fed.town_a, perms=("members.export_full_identity",))
    page = english(exporter).post(reverse("members:realname_export"), {"reason": " "})
    assert page.status_code == 400
    assert "Please state the reason for the export" in page.content.decode()
    refused = english(fed.town_a_staff).post(reverse("members:realname_export"), {"reason": "上报"})
    assert "You do not have permission to export full identity details" in refused.content.decode()


def test_api_times_are_in_shanghai_with_their_offset(fed):
    job = member_export_submit(scope=fed.scope(fed.town_a_staff), filters=MemberFilter())
    body = english(fed.town_a_staff).get(f"/api/v1/jobs/{job.pk}").json()
    created = body["created_at"]
    assert created.endswith("+08:00")
    assert abs(datetime.fromisoformat(created) - job.created_at) < timedelta(milliseconds=1)  # JSON keeps ms


def test_roster_errors_read_in_english():
    content = "姓名,身份证号,姓名\n王芳,330481199001011234,王芳\n".encode()
    with translation.override("en"):
        roster = read_roster(io.BytesIO(content), filename="roster.csv")
    messages = [error.message for error in roster.errors]
    assert "The column “姓名” appears twice" in messages
    assert "The required column “手机号码” is missing" in messages


def test_a_job_runs_in_the_language_it_was_asked_in(fed):
    with translation.override("en"):
        job = member_export_submit(scope=fed.scope(fed.town_a_staff), filters=MemberFilter())
    assert job.params["language"] == "en"
    with translation.override("zh-hans"):
        job = member_export_submit(scope=fed.scope(fed.town_a_staff), filters=MemberFilter())
    assert job.params["language"] == "zh-hans"
