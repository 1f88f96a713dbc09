"""Every URL of the admin, opened and posted to by each kind of officer.

The admin is for superusers and city staff only, and it reads through the same scope as the
pages: a town officer, a union officer or a member gets nothing from it even with is_staff and
every permission, and a city officer holding every permission reads but cannot write. The
sweep walks the admin site's own registry, so a model registered later is swept too (and must
name its other-town row in `foreign_rows`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.contrib.sessions.models import Session
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Account, ApiToken, SignedInSession
from gonghui.core import ledger
from gonghui.core.audit import audit_record
from gonghui.core.ledger_models import Fund, FundKind, LedgerEntry
from gonghui.core.models import AuditEntry
from gonghui.members.models import Membership, Person
from gonghui.organisations.models import Employer, Organisation
from gonghui.privacy.models import Consent, ConsentCategory, ConsentText
from gonghui.testing import Federation, new_id_number

# What the other town's rows look like on a page: names, a username, an identity number.
FOREIGN_MARKERS = ("李娜", "许村", "town_b")
REFUSED = {403, 404}
LOGIN_PATHS = {"/admin/login/", "/accounts/login/"}


@dataclass
class Target:
    method: str
    path: str
    data: dict[str, Any]


def foreign_rows(fed: Federation) -> dict[type[models.Model], models.Model]:
    """For each registered model, a row of town B (or of the city) that town A's officer must
    never see, with the history, tokens, consents and log rows the probe looked at."""
    person_b = fed.member_b1.person
    person_b.name = "李娜娜"  # a second history row, so there is something to revert to
    person_b.save()
    token_b, _ = ApiToken.issue(user=fed.town_b_staff, name="许村镇数据对接")
    # the wording a migration puts in
    text = ConsentText.objects.filter(category=ConsentCategory.HEALTH).order_by("pk")[0]
    consent_b = Consent.objects.create(
        person=person_b, category=ConsentCategory.HEALTH, text=text, given_at=timezone.now()
    )
    entry_b = audit_record(actor=fed.town_b_staff, action=AuditEntry.Action.VIEW_SENSITIVE, subject=person_b)
    posting_b = town_b_posting(fed)
    attempt = {"username": "town_b", "ip_address": "10.2.0.8", "user_agent": "Firefox", "path_info": "/accounts/login/"}
    return {
        Person: person_b,
        Membership: fed.member_b1,
        Organisation: fed.town_b,
        Employer: fed.employer_b1,
        User: fed.town_b_staff,
        Account: fed.town_b_staff.account,
        ApiToken: token_b,
        TOTPDevice: TOTPDevice.objects.get(user=fed.town_b_staff),
        Consent: consent_b,
        ConsentText: text,
        AuditEntry: entry_b,
        Fund: posting_b.lines.get(amount__gt=0).fund,
        LedgerEntry: posting_b,
        Group: Group.objects.create(name="许村镇总工会数据员"),
        AccessAttempt: AccessAttempt.objects.create(
            **attempt, failures_since_start=3, get_data="", post_data="", http_accept="*/*"
        ),
        AccessLog: AccessLog.objects.create(**attempt, http_accept="*/*"),
        AccessFailureLog: AccessFailureLog.objects.create(**attempt, http_accept="*/*", locked_out=False),
    }


def town_b_posting(fed: Federation) -> LedgerEntry:
    """Dues that came into a fund of town B's (许村)."""
    path = fed.town_b.path
    outside = ledger.fund_open(code="sweep:XC:outside", name="许村镇外部往来", kind=FundKind.OUTSIDE, owner_path=path)
    pool = ledger.fund_open(code="sweep:XC:pool", name="许村镇帮扶资金", kind=FundKind.POOL, owner_path=path)
    legs = [ledger.Leg(outside, Decimal("-500.00")), ledger.Leg(pool, Decimal("500.00"))]
    source = ledger.Source("sweep.donation", "XC-1", "donation")
    return ledger.ledger_post(source=source, legs=legs, description="许村镇企业捐赠")


def form_data(obj: models.Model) -> dict[str, Any]:
    """The row's own values with every free-text field changed: what a revert or a change
    would post if it were allowed."""
    data: dict[str, Any] = {"_save": "保存", "post": "yes"}
    for name, value in model_to_dict(obj).items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            value = f"王{value}改"[: field.max_length or 100]
        elif isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = "" if value is None else value
    data.update(password1="river lantern autumn tea", password2="river lantern autumn tea")
    return data


def admin_targets(rows: dict[type[models.Model], models.Model]) -> Iterator[Target]:
    """Every URL of every registered model admin (filled with the row's real ids), each as a
    GET and as a POST carrying a valid-looking form; and the site's own URLs."""
    for model, model_admin in admin.site._registry.items():
        obj = rows[model]
        data = form_data(obj)
        history_id = obj.history.earliest("history_id").history_id if hasattr(obj, "history") else None
        for pattern in model_admin.get_urls():
            if pattern.name is None:
                continue
            args = [obj.pk, history_id][: pattern.pattern.regex.groups]
            path = reverse(f"admin:{pattern.name}", args=args)
            yield Target("get", path, {})
            yield Target("post", path, data)
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for action in ("delete_selected", *(model_admin.actions or ())):
            name = action if isinstance(action, str) else action.__name__
            yield Target("post", changelist, {"action": name, "_selected_action": [obj.pk], "post": "yes"})
        yield from autocomplete_targets(model)
    for app_label in {model._meta.app_label for model in admin.site._registry}:
        yield Target("get", reverse("admin:app_list", args=[app_label]), {})
    for name in ("index", "password_change", "jsi18n"):
        yield Target("get", reverse(f"admin:{name}"), {})
        yield Target("post", reverse(f"admin:{name}"), {})


def autocomplete_targets(model: type[models.Model]) -> Iterator[Target]:
    for field in model._meta.get_fields():
        if field.is_relation and field.concrete and field.related_model in admin.site._registry:
            query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field.name}
            yield Target("get", reverse("admin:autocomplete") + "?" + urlencode({**query, "term": ""}), {})
            yield Target("get", reverse("admin:autocomplete") + "?" + urlencode({**query, "term": "李"}), {})


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table but the sessions (signing in writes them) and the audit log
    (a refusal is logged; compared on its own)."""
    skipped = {Session, SignedInSession, AuditEntry}
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model not in skipped
    }


def audit_rows() -> list[Mapping[str, Any]]:
    return list(AuditEntry.objects.order_by("pk").values())


def assert_nothing_written(before: dict, audit_before: list) -> None:
    assert database_state() == before
    audit_after = audit_rows()
    assert audit_after[: len(audit_before)] == audit_before
    assert {row["action"] for row in audit_after[len(audit_before) :]} <= {AuditEntry.Action.ACCESS_DENIED}


def with_every_permission(user: User, *, view_only: bool) -> User:
    user.is_staff = True
    user.save()
    perms = Permission.objects.all()
    user.user_permissions.set(perms.filter(codename__startswith="view_") if view_only else perms)
    return User.objects.get(pk=user.pk)


def refused(response: Any) -> bool:
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and urlparse(response["Location"]).path in LOGIN_PATHS


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.parametrize(
    ("persona", "view_only"),
    [("town_a_staff", True), ("town_a_staff", False), ("union_a1_officer", False), ("member_user", False)],
    ids=["town-view-perms", "town-all-perms", "union-all-perms", "member-all-perms"],
)
def test_officers_below_the_city_get_nothing_from_the_admin(fed: Federation, persona: str, view_only: bool) -> None:
    rows = foreign_rows(fed)
    user = getattr(fed, persona)
    if not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="测试", confirmed=True)  # so the second factor is not what refuses
    client = Client()
    client.force_login(with_every_permission(user, view_only=view_only))
    before, audit_before = database_state(), audit_rows()
    answered, leaks = 0, []
    for target in admin_targets(rows):
        response = getattr(client, target.method)(target.path, target.data)
        answered += 1
        text = body(response)
        if not refused(response) or any(marker in text for marker in FOREIGN_MARKERS):
            leaks.append((target.method, target.path, response.status_code))
    assert leaks == []
    assert answered > 200
    assert_nothing_written(before, audit_before)


def test_a_city_officer_reads_the_admin_but_cannot_write(fed: Federation) -> None:
    rows = foreign_rows(fed)
    client = Client()
    client.force_login(with_every_permission(fed.city_staff, view_only=False))
    before, audit_before = database_state(), audit_rows()
    read, written = set(), []
    for target in admin_targets(rows):
        response = getattr(client, target.method)(target.path, target.data)
        if target.method == "get" and response.status_code == 200:
            read.add(target.path)
        if target.method == "post" and not refused(response):
            written.append((target.path, response.status_code))
    assert written == []
    assert_nothing_written(before, audit_before)
    person_b = rows[Person]
    assert {
        reverse("admin:members_person_changelist"),
        reverse("admin:members_person_change", args=[person_b.pk]),
        reverse("admin:members_person_history", args=[person_b.pk]),
        reverse("admin:members_membership_simple_history", args=[fed.member_b1.pk, first_history(fed.member_b1)]),
        reverse("admin:core_auditentry_changelist"),
        reverse("admin:privacy_consent_changelist"),
    } <= read


def first_history(obj: Membership) -> int:
    return obj.history.earliest("history_id").history_id


def test_a_city_officer_sees_rows_of_every_town(fed: Federation) -> None:
    foreign_rows(fed)
    client = Client()
    client.force_login(with_every_permission(fed.city_staff, view_only=True))
    seen = {
        "/admin/members/person/": "李娜",
        "/admin/privacy/consent/": "李娜",
        "/admin/accounts/apitoken/": "许村镇数据对接",
        "/admin/auth/user/": "town_b",
        "/admin/otp_totp/totpdevice/": "town_b",
        "/admin/core/fund/": "许村镇帮扶资金",
        "/admin/core/ledgerentry/": "许村镇企业捐赠",
    }
    for url, marker in seen.items():
        response = client.get(url)
        assert response.status_code == 200 and marker in response.content.decode()


def test_the_probe_revert_is_refused_even_to_a_superuser(fed: Federation) -> None:
    """The probe's request: POST the history form of a membership (here by a superuser, who
    holds every permission); the row keeps its union and no history row is added."""
    boss = fed.city_staff
    boss.is_staff = boss.is_superuser = True
    boss.save()
    client = Client()
    client.force_login(boss)
    membership = fed.member_b1
    history_id = first_history(membership)
    url = reverse("admin:members_membership_simple_history", args=[membership.pk, history_id])
    data = {**form_data(membership), "union": fed.union_a1.pk, "joined_on": "2020-01-01"}
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.union == fed.union_b1 and membership.history.count() == 1


def test_the_history_form_shows_the_version_without_a_form_to_change_it(fed: Federation) -> None:
    """No drop-down of people, no text box: the old version is shown as text."""
    client = Client()
    client.force_login(with_every_permission(fed.city_staff, view_only=False))
    url = reverse("admin:members_membership_simple_history", args=[fed.member_a1.pk, first_history(fed.member_a1)])
    text = client.get(url).content.decode()
    assert "张伟" in text
    assert "<select" not in text and 'name="joined_on"' not in text


def test_a_history_entry_does_not_show_the_full_identity_number_or_mobile(fed: Federation) -> None:
    person = fed.member_a1.person
    old_number, old_mobile = person.id_number, person.mobile
    person.id_number, person.mobile = new_id_number(), "13700000001"
    person.save()
    client = Client()
    client.force_login(with_every_permission(fed.city_staff, view_only=True))
    text = client.get(reverse("admin:members_person_history", args=[person.pk])).content.decode()
    assert "张伟" in text
    for secret in (old_number, person.id_number, old_mobile, person.mobile):
        assert secret not in text


def test_the_audit_log_admin_needs_the_audit_permission(fed: Federation) -> None:
    audit_record(actor=fed.town_b_staff, action=AuditEntry.Action.VIEW_SENSITIVE, subject=fed.member_b1.person)
    city = with_every_permission(fed.city_staff, view_only=True)
    city.user_permissions.remove(Permission.objects.get(codename="view_auditentry"))
    client = Client()
    client.force_login(User.objects.get(pk=city.pk))
    assert client.get("/admin/core/auditentry/").status_code == 403
    city.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(User.objects.get(pk=city.pk))
    assert "李娜" in client.get("/admin/core/auditentry/").content.decode()


def test_a_superuser_still_disables_an_account_and_removes_a_lost_device(fed: Federation) -> None:
    boss = fed.city_staff
    boss.is_staff = boss.is_superuser = True
    boss.save()
    client = Client()
    client.force_login(boss)
    device = TOTPDevice.objects.get(user=fed.town_b_staff)
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_city_officer_with_every_permission_cannot_disable_accounts(fed: Federation) -> None:
    client = Client()
    client.force_login(with_every_permission(fed.city_staff, view_only=False))
    response = client.post(
        "/admin/auth/user/", {"action": "disable_accounts", "_selected_action": [fed.town_b_staff.pk]}
    )
    assert response.status_code == 403
    fed.town_b_staff.refresh_from_db()
    assert fed.town_b_staff.is_active


def test_the_sweep_notices_a_write(fed: Federation) -> None:
    """The sweep's own check: a write it should catch is caught."""
    before, audit_before = database_state(), audit_rows()
    Person.objects.filter(pk=fed.member_a1.person_id).update(birth_date=date(1990, 1, 1) + timedelta(days=1))
    with pytest.raises(AssertionError):
        assert_nothing_written(before, audit_before)
