"""Joining by identity number someone already registered: their stored name and mobile never
change silently. A different name is a 409 `name_differs` naming the stored name masked and
the one given, a different mobile a 409 `mobile_differs`; either changes only when the
request confirms it, and the change is kept in the history and the audit log. The joining
union then sees the person's membership with it, not their past in other towns."""

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gonghui.core.errors import Conflict
from gonghui.core.models import AuditEntry
from gonghui.enrolment.models import Application, ApplicationStatus
from gonghui.members import services
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.testing import new_mobile

MEMBERS = "/api/v1/members"


def body(response) -> dict:
    return json.loads(response.content)


@pytest.fixture
def left_town_a(fed) -> Person:
    """张伟 left town A's 海宁皮革城工会 at the end of January 2024."""
    services.membership_leave(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, on=date(2024, 1, 31), reason="离职"
    )
    return Person.objects.get(pk=fed.member_a1.person_id)


@pytest.fixture
def town_b(client, fed) -> Client:
    client.force_login(fed.town_b_staff)
    return client


def join(client: Client, fed, person: Person, **fields):
    payload = {
        "union_id": fed.union_b1.pk,
        "id_number": person.id_number,
        "name": person.name,
        "joined_on": "2025-03-01",
        "employer_id": fed.employer_b1.pk,
        **fields,
    }
    return client.post(MEMBERS, payload, content_type="application/json")


def unchanged(person: Person) -> bool:
    stored = Person.objects.get(pk=person.pk)
    return (stored.name, stored.mobile, stored.history.count()) == (person.name, person.mobile, person.history.count())


def test_join_by_id_with_another_name_is_refused_naming_both(fed, left_town_a, town_b):
    response = join(town_b, fed, left_town_a, name="章伟")
    assert response.status_code == 409
    error = body(response)
    assert (error["code"], error["field"]) == ("name_differs", "name")
    assert "「张*」" in error["detail"] and "「章伟」" in error["detail"]
    assert unchanged(left_town_a)
    assert not Membership.objects.filter(person=left_town_a, status=MembershipStatus.ACTIVE).exists()


def test_a_confirmed_name_change_is_made_kept_in_history_and_audited(fed, left_town_a, town_b):
    response = join(town_b, fed, left_town_a, name="章伟", confirm_name_change=True)
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=left_town_a.pk)
    assert (person.name, person.mobile) == ("章伟", left_town_a.mobile)
    latest = person.history.first()
    assert (latest.history_change_reason, latest.history_user_id) == ("重新入会时确认修改姓名", fed.town_b_staff.pk)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHANGE, subject_id=str(person.pk), reason__contains="姓名")
    assert (entry.actor_id, entry.data_subject_id) == (fed.town_b_staff.pk, person.pk)


def test_join_by_id_with_another_mobile_is_refused_unless_confirmed(fed, left_town_a, town_b):
    refused = join(town_b, fed, left_town_a, mobile="13812345678")
    assert (refused.status_code, body(refused)["code"], body(refused)["field"]) == (409, "mobile_differs", "mobile")
    assert left_town_a.mobile not in refused.content.decode()
    assert unchanged(left_town_a)
    confirmed = join(town_b, fed, left_town_a, mobile="13812345678", confirm_mobile_change=True)
    assert confirmed.status_code == 201
    person = Person.objects.get(pk=left_town_a.pk)
    assert person.mobile == "13812345678"
    assert person.history.first().history_change_reason == "重新入会时确认修改手机号码"


def test_join_without_a_mobile_keeps_the_stored_one(fed, left_town_a, town_b):
    assert join(town_b, fed, left_town_a).status_code == 201
    assert Person.objects.get(pk=left_town_a.pk).mobile == left_town_a.mobile


def test_the_same_name_spaced_differently_needs_no_confirmation(fed, left_town_a, town_b):
    assert join(town_b, fed, left_town_a, name="张 伟").status_code == 201
    assert Person.objects.get(pk=left_town_a.pk).name == "张伟"


def test_the_joining_union_does_not_see_the_persons_past_in_another_town(fed, left_town_a, town_b):
    join(town_b, fed, left_town_a)
    detail = body(town_b.get(f"{MEMBERS}/{left_town_a.pk}"))
    assert [(m["union"]["name"], m["status"]) for m in detail["memberships"]] == [("许村家纺工会", "active")]
    assert [(e["kind"], e["union"]["name"]) for e in detail["events"]] == [("join", "许村家纺工会")]
    assert "海宁皮革城工会" not in json.dumps(detail, ensure_ascii=False)


def test_the_service_refuses_another_name_with_its_code(fed, left_town_a):
    with pytest.raises(Conflict) as err:
        services.member_join(
            scope=fed.scope(fed.city_staff),
            union=fed.union_a2,
            id_number=left_town_a.id_number,
            name="王芳",
            joined_on=date(2025, 3, 1),
        )
    assert (err.value.code, err.value.field) == ("name_differs", "name")
    assert unchanged(left_town_a)


# --- accepting a public application ---------------------------------------------------------


def test_accepting_an_application_under_a_known_number_asks_before_changing_anything(client, fed, left_town_a):
    cache.clear()  # the public form's rate limits
    client.post(
        reverse("enrolment:apply"),
        {
            "name": "王芳",
            "id_number": left_town_a.id_number,
            "mobile": new_mobile(),
            "employer_name": fed.employer_b1.name,
            "union": fed.union_b1.code,
            "consent": "on",
        },
    )
    application = Application.objects.get()
    client.force_login(fed.town_b_staff)
    url = reverse("enrolment:accept", args=[application.pk])

    refused = client.post(url, {"joined_on": "2025-03-01"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "「张*」" in page and "「王芳」" in page and 'name="confirm_name_change"' in page
    assert unchanged(left_town_a)
    assert Application.objects.get().status == ApplicationStatus.PENDING

    accepted = client.post(url, {"joined_on": "2025-03-01", "confirm_name_change": "on", "confirm_mobile_change": "on"})
    assert accepted.status_code == 200 and "已接收入会申请" in accepted.content.decode()
    person = Person.objects.get(pk=left_town_a.pk)
    assert (person.name, person.mobile) == ("王芳", application.mobile)
    assert Application.objects.get().status == ApplicationStatus.ACCEPTED
