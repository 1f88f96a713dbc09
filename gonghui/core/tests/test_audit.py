from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from gonghui.core.audit import audit_prune, audit_record
from gonghui.core.errors import ValidationFailed
from gonghui.core.models import AuditEntry, AuditLogIsAppendOnly

API = "/api/v1"


def grant_audit(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="core", codename="view_auditentry"))
    return type(user).objects.get(pk=user.pk)


def entry_at(days_ago: int, **fields) -> AuditEntry:
    moment = timezone.now() - timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return audit_record(actor=None, action=AuditEntry.Action.EXPORT, **fields)


# --- append-only ---------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted_through_django(fed):
    entry = audit_record(actor=fed.city_staff, action=AuditEntry.Action.EXPORT, subject_label="名单")
    entry.reason = "改写"
    for attempt in (entry.save, entry.delete, AuditEntry.objects.all().delete):
        with pytest.raises(AuditLogIsAppendOnly):
            attempt()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="改写")
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_the_admin_is_read_only(client, fed):
    from django.contrib.admin.sites import site

    model_admin = site._registry[AuditEntry]
    request = mock.Mock(user=fed.city_staff)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_an_entry_records_who_what_whose_when_where_and_result(rf, fed):
    request = rf.get("/members/1/", REMOTE_ADDR="10.1.2.3")
    person = fed.member_a1.person
    entry = audit_record(actor=fed.city_staff, action=AuditEntry.Action.VIEW_SENSITIVE, subject=person, request=request)
    assert (entry.actor_username, entry.action, entry.data_subject_id) == ("city", "view_sensitive", person.pk)
    assert (entry.ip_address, entry.path, entry.result) == ("10.1.2.3", "/members/1/", "ok")
    assert entry.at is not None


# --- refused access ------------------------------------------------------------------------


def test_a_refused_page_is_logged_once(client, fed):
    client.force_login(fed.town_b_staff)
    response = client.get(reverse("members:detail", args=[fed.member_a1.person_id]))
    assert response.status_code in (403, 404)
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED)
    assert [(e.actor_username, e.result, e.path) for e in entries] == [
        ("town_b", "denied", f"/members/{fed.member_a1.person_id}/")
    ]


def test_a_refused_api_call_is_logged(client, fed):
    client.force_login(fed.member_user)
    response = client.get(f"{API}/members/{fed.member_b1.person_id}")
    assert response.status_code in (403, 404)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_DENIED)
    assert (entry.actor_username, entry.detail["status"]) == ("member_a1", response.status_code)


def test_a_refusal_the_service_logged_is_not_logged_again(client, fed):
    client.force_login(fed.town_a_staff)
    url = f"{API}/members/{fed.member_a1.person_id}/reveal"
    response = client.post(url, {"reason": "核对"}, content_type="application/json")
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED).count() == 1


# --- changes -------------------------------------------------------------------------------


def test_a_change_to_a_member_is_logged_with_its_author(client, fed):
    client.force_login(fed.town_a_staff)
    url = f"{API}/members/{fed.member_a1.person_id}"
    response = client.patch(url, {"household_registration": "浙江海宁"}, content_type="application/json")
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE, subject_type="members.person").first()
    assert entry is not None
    assert (entry.actor_username, entry.subject_id, entry.data_subject_id) == (
        "town_a",
        str(fed.member_a1.person_id),
        fed.member_a1.person_id,
    )
    assert entry.detail["history_type"] == "~"


def test_creating_organisations_and_memberships_is_logged(fed):
    changed = set(AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).values_list("subject_type", flat=True))
    assert {"organisations.organisation", "organisations.employer", "members.person", "members.membership"} <= changed


# --- reading the log -----------------------------------------------------------------------


@pytest.fixture
def auditor(fed):
    return grant_audit(fed.city_staff)


def test_city_staff_with_the_permission_search_the_log(client, fed, auditor):
    audit_record(actor=fed.town_a_staff, action=AuditEntry.Action.EXPORT, subject_label="会员名单 3 人")
    client.force_login(auditor)
    page = client.get(reverse("audit_log"), {"action": "export", "actor": "town_a"})
    assert page.status_code == 200
    assert "会员名单 3 人" in page.content.decode()
    empty = client.get(reverse("audit_log"), {"action": "export", "actor": "town_b"})
    assert "会员名单 3 人" not in empty.content.decode()


@pytest.mark.parametrize("who", ["city_staff", "town_a_staff", "union_a1_officer", "member_user"])
def test_others_cannot_read_the_log(client, fed, who):
    user = fed.city_staff if who == "city_staff" else grant_audit(getattr(fed, who))  # town staff with the perm too
    client.force_login(user)
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(f"{API}/audit").status_code == 403


def test_the_api_filters_by_person_result_and_date(client, fed, auditor):
    person = fed.member_a1.person
    audit_record(actor=fed.city_staff, action=AuditEntry.Action.VIEW_SENSITIVE, subject=person)
    audit_record(actor=fed.city_staff, action=AuditEntry.Action.ACCESS_DENIED, result="denied", subject=person)
    client.force_login(auditor)
    today = timezone.localdate().isoformat()
    body = client.get(f"{API}/audit", {"person_id": person.pk, "result": "denied", "date_from": today}).json()
    assert [(i["action"], i["actor"], i["person_id"]) for i in body["items"]] == [("access_denied", "city", person.pk)]
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get(f"{API}/audit", {"date_from": later}).json()["items"] == []


def test_the_log_page_pages_without_counting(client, fed, auditor):
    for n in range(55):
        audit_record(actor=None, action=AuditEntry.Action.EXPORT, subject_label=f"第{n}份")
    client.force_login(auditor)
    first = client.get(reverse("audit_log"), {"action": "export"}).content.decode()
    second = client.get(reverse("audit_log"), {"action": "export", "page": 2}).content.decode()
    assert "第54份" in first and "第0份" not in first and "第0份" in second


# --- retention -----------------------------------------------------------------------------


def test_prune_refuses_less_than_180_days(db):
    with pytest.raises(ValidationFailed):
        audit_prune(older_than_days=179)
    with pytest.raises(CommandError):
        call_command("prune_audit", "--older-than", "30")


def test_prune_removes_only_entries_past_retention(db):
    old, kept = entry_at(400, subject_label="旧"), entry_at(100, subject_label="新")
    call_command("prune_audit", "--older-than", "365")
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert old.pk != kept.pk


# --- PostgreSQL: the trigger ---------------------------------------------------------------


@pytest.mark.postgres_only
def test_postgres_refuses_update_and_delete_even_in_raw_sql(fed):
    from django.db import DatabaseError

    entry = audit_record(actor=fed.city_staff, action=AuditEntry.Action.EXPORT)
    for sql in ("UPDATE core_auditentry SET reason = 'x' WHERE id = %s", "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, reason="").exists()


@pytest.mark.postgres_only
def test_postgres_prune_bypasses_the_trigger_only_for_itself(db):
    from django.db import DatabaseError

    entry_at(400)
    kept = entry_at(10)
    assert audit_prune(older_than_days=365, batch=1) == 1
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [kept.pk])
    assert AuditEntry.objects.filter(pk=kept.pk).exists()


def test_a_transfer_is_logged_against_the_worker_it_moves(client, fed):
    client.force_login(fed.union_a1_officer)
    url = f"{API}/members/{fed.member_a1.person_id}/transfer"
    payload = {"to_union_id": fed.union_a2.pk, "on": timezone.localdate().isoformat()}
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE, subject_type="members.transfer").get()
    assert (entry.actor_username, entry.data_subject_id) == ("union_a1", fed.member_a1.person_id)


def test_a_hostile_url_is_logged_without_the_bytes_postgres_refuses(client, fed):
    client.force_login(fed.member_user)
    response = client.get(f"{API}/members/transfers/1%00")
    assert response.status_code in (400, 404)
    assert all("\x00" not in path for path in AuditEntry.objects.values_list("path", flat=True))


def test_client_address_trusts_only_the_configured_proxies(rf, settings):
    from gonghui.core.audit import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.GONGHUI_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.GONGHUI_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # the forged 6.6.6.6 is never believed
    settings.GONGHUI_TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.2"  # fewer hops than configured: the connection


def test_a_refusal_quoting_a_hostile_name_is_still_logged(client, fed):
    # The unknown figure's name comes back in the 404's message, NUL and all.
    client.force_login(fed.city_staff)
    response = client.get("/api/v1/reports/figures/x%00y/records")
    assert response.status_code == 404
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_DENIED)
    assert entry.subject_label == "没有这个指标：xy"
