import pytest
from django.urls import reverse

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.models import AuditEntry
from gonghui.privacy.models import Consent, ConsentCategory
from gonghui.privacy.services import consent_give, consent_require, consent_withdraw

API = "/api/v1/me/consents"


def test_processing_without_consent_is_refused_with_a_reason(fed):
    person = fed.member_a1.person
    with pytest.raises(Forbidden, match="健康信息") as refused:
        consent_require(person=person, category=ConsentCategory.HEALTH)
    assert refused.value.code == "consent_required"


def test_a_given_consent_records_its_text_version_and_is_audited(fed):
    scope = fed.scope(fed.member_user)
    consent = consent_give(scope=scope, category=ConsentCategory.HEALTH)
    assert consent_require(person=fed.member_a1.person, category="health") == consent
    assert (consent.text.version, consent.channel, consent.withdrawn_at) == (1, "web", None)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONSENT_GIVEN)
    assert (entry.data_subject_id, entry.detail["text_version"]) == (fed.member_a1.person_id, 1)


def test_consent_for_one_category_does_not_cover_another(fed):
    consent_give(scope=fed.scope(fed.member_user), category=ConsentCategory.HEALTH)
    with pytest.raises(Forbidden, match="家庭收入"):
        consent_require(person=fed.member_a1.person, category=ConsentCategory.HOUSEHOLD_INCOME)


def test_after_withdrawal_processing_is_refused_and_the_record_stays(fed):
    scope = fed.scope(fed.member_user)
    consent_give(scope=scope, category=ConsentCategory.HEALTH)
    consent_withdraw(scope=scope, category=ConsentCategory.HEALTH)
    with pytest.raises(Forbidden):
        consent_require(person=fed.member_a1.person, category=ConsentCategory.HEALTH)
    assert Consent.objects.get().withdrawn_at is not None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CONSENT_WITHDRAWN).count() == 1


def test_giving_again_is_a_new_row_and_giving_twice_changes_nothing(fed):
    scope = fed.scope(fed.member_user)
    first = consent_give(scope=scope, category=ConsentCategory.HEALTH)
    assert consent_give(scope=scope, category=ConsentCategory.HEALTH) == first
    consent_withdraw(scope=scope, category=ConsentCategory.HEALTH)
    second = consent_give(scope=scope, category=ConsentCategory.HEALTH)
    assert second != first and Consent.objects.count() == 2


def test_withdrawing_what_was_never_given_is_not_found(fed):
    with pytest.raises(NotFound):
        consent_withdraw(scope=fed.scope(fed.member_user), category=ConsentCategory.HEALTH)


def test_staff_cannot_consent_on_a_members_behalf(fed):
    with pytest.raises(Forbidden):
        consent_give(scope=fed.scope(fed.town_a_staff), category=ConsentCategory.HEALTH)


# --- API -----------------------------------------------------------------------------------


def test_the_api_lists_gives_and_withdraws(client, fed):
    client.force_login(fed.member_user)
    listed = client.get(API).json()
    assert [(c["category"], c["given"], c["text"]["version"]) for c in listed] == [
        ("health", False, 1),
        ("household_income", False, 1),
    ]
    given = client.post(API, {"category": "health"}, content_type="application/json")
    assert (given.status_code, given.json()["channel"], given.json()["text_version"]) == (201, "api", 1)
    assert [c["given"] for c in client.get(API).json()] == [True, False]
    withdrawn = client.delete(f"{API}/health")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert client.delete(f"{API}/health").status_code == 404


def test_the_api_refuses_staff_and_unknown_categories(client, fed):
    client.force_login(fed.town_a_staff)
    assert client.get(API).status_code == 403
    client.force_login(fed.member_user)
    assert client.post(API, {"category": "religion"}, content_type="application/json").status_code == 400


# --- pages ---------------------------------------------------------------------------------


def test_my_membership_shows_consents_and_gives_and_withdraws(client, fed):
    client.force_login(fed.member_user)
    page = client.get(reverse("members:my_membership")).content.decode()
    assert "敏感个人信息处理同意" in page and "我已阅读并同意" in page
    assert reverse("privacy:my_data") in page
    response = client.post(reverse("privacy:consent_give", args=["health"]))
    assert response.status_code == 302
    page = client.get(reverse("members:my_membership")).content.decode()
    assert "撤回同意" in page
    client.post(reverse("privacy:consent_withdraw", args=["health"]))
    assert not Consent.objects.filter(withdrawn_at=None).exists()


def test_staff_pages_refuse_consent_buttons(client, fed):
    client.force_login(fed.town_a_staff)
    assert client.post(reverse("privacy:consent_give", args=["health"])).status_code == 403
