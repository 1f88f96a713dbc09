import json

from django.urls import reverse

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditEntry
from gonghui.core.personal_data import register_personal_data, unregister_personal_data
from gonghui.privacy.models import ConsentCategory
from gonghui.privacy.services import consent_give

API = "/api/v1/members/me/data"


def test_a_member_downloads_everything_held_about_them(client, fed):
    person = fed.member_a1.person
    consent_give(scope=fed.scope(fed.member_user), category=ConsentCategory.HEALTH)
    audit_record(actor=fed.city_staff, action=AuditEntry.Action.REVEAL_ID_NUMBER, subject=person, reason="核对")
    client.force_login(fed.member_user)
    body = client.get(API).json()
    parts = body["parts"]
    assert parts["person"]["rows"][0]["id_number"] == person.id_number  # their own: in full
    assert [m["union"] for m in parts["memberships"]["rows"]] == ["海宁皮革城工会"]
    assert [e["kind"] for e in parts["membership_events"]["rows"]] == ["入会"]
    assert parts["consents"]["rows"][0]["text_version"] == 1
    assert "查看完整身份证号" in [a["action"] for a in parts["audit_entries"]["rows"]]
    assert "city" not in json.dumps(parts["audit_entries"])  # officers' logins are not handed out
    assert {"transfers"} <= set(parts)


def test_the_download_holds_nobody_elses_data_and_is_audited(client, fed):
    client.force_login(fed.member_user)
    text = client.get(reverse("privacy:my_data")).content.decode()
    assert fed.member_a1.person.id_number in text
    assert fed.member_b1.person.name not in text and fed.member_b1.person.id_number not in text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_DOWNLOAD)
    assert (entry.actor_username, entry.data_subject_id) == ("member_a1", fed.member_a1.person_id)


def test_the_page_download_is_a_json_file(client, fed):
    client.force_login(fed.member_user)
    response = client.get(reverse("privacy:my_data"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]


def test_staff_have_no_personal_download_and_cannot_ask_for_a_members(client, fed):
    client.force_login(fed.city_staff)
    assert client.get(API).status_code == 403
    assert client.get(reverse("privacy:my_data")).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DATA_DOWNLOAD).exists()


def test_signed_out_visitors_get_nothing(client, fed):
    assert client.get(API).status_code == 401
    assert client.get(reverse("privacy:my_data")).status_code == 302


def test_later_programmes_add_their_part(client, fed):
    register_personal_data("test_claims", "医疗互助申请", lambda person: [{"claim": f"{person.name}-1"}])
    try:
        client.force_login(fed.member_user)
        body = client.get(API).json()
    finally:
        unregister_personal_data("test_claims")
    assert body["parts"]["test_claims"] == {"label": "医疗互助申请", "columns": {}, "rows": [{"claim": "张伟-1"}]}


def test_the_download_also_comes_as_a_workbook(client, fed):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(fed.member_user)
    response = client.get(reverse("privacy:my_data"), {"format": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[:2] == ["个人信息", "会籍"]
    assert fed.member_a1.person.id_number in [cell.value for cell in book["个人信息"][2]]


def test_my_membership_reads_in_english(client, fed):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(fed.member_user)
    page = client.get(reverse("members:my_membership")).content.decode()
    assert "Download my data" in page and "Health information (mutual aid)" in page
    assert "I have read this and consent" in page
