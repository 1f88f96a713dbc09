"""Members through /api/v1/members: what each persona gets, what is refused, and that full
identity numbers leave only through the audited reveal."""

import io
import json
from datetime import date

import pytest
from django.db import connection
from openpyxl import load_workbook

from gonghui.accounts.models import ApiToken
from gonghui.core.crypto import blind_index
from gonghui.core.models import AuditEntry
from gonghui.members.models import Membership, MembershipStatus, Person, Transfer, TransferStatus
from gonghui.testing import make_member, new_id_number

MEMBERS = "/api/v1/members"
TRANSFERS = f"{MEMBERS}/transfers"
# On PostgreSQL the count runs in a savepoint with a time limit set and restored around it.
COUNT_BUDGET_QUERIES = 4 if connection.vendor == "postgresql" else 0


def body(response) -> dict:
    return json.loads(response.content)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in body(response)["items"]]


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def send(client, method: str, url: str, payload: dict | None = None):
    return getattr(client, method)(url, payload or {}, content_type="application/json")


def person_url(membership: Membership, action: str = "") -> str:
    return f"{MEMBERS}/{membership.person_id}" + (f"/{action}" if action else "")


# --- the list ------------------------------------------------------------------------------


def test_town_staff_see_only_their_towns_members(fed, as_user):
    assert names(as_user(fed.town_a_staff).get(MEMBERS)) == ["张伟"]
    assert names(as_user(fed.town_b_staff).get(MEMBERS)) == ["李娜"]
    assert sorted(names(as_user(fed.city_staff).get(MEMBERS))) == ["张伟", "李娜"]


def test_the_list_masks_identity_and_mobile_numbers(fed, as_user):
    response = as_user(fed.city_staff).get(MEMBERS)
    person = fed.member_a1.person
    assert person.id_number.encode() not in response.content
    assert person.mobile.encode() not in response.content
    row = next(item for item in body(response)["items"] if item["name"] == "张伟")
    assert row["id_number_masked"] == f"{person.id_number[:6]}********{person.id_number[-4:]}"
    assert row["mobile_masked"] == f"{person.mobile[:3]}****{person.mobile[-4:]}"
    assert row["union"]["name"] == "海宁皮革城工会" and row["employer"]["name"] == "海宁中国皮革城股份有限公司"


def test_search_by_name_prefix_identity_number_or_mobile(fed, as_user):
    client = as_user(fed.city_staff)
    person = fed.member_b1.person
    assert names(client.get(MEMBERS, {"q": "李"})) == ["李娜"]
    assert names(client.get(MEMBERS, {"q": "娜"})) == []  # a prefix, not a substring
    assert names(client.get(MEMBERS, {"q": person.id_number.lower()})) == ["李娜"]
    assert names(client.get(MEMBERS, {"q": f"+86 {person.mobile}"})) == ["李娜"]


def test_a_name_search_is_in_name_order(fed, as_user):
    make_member(union=fed.union_a1, name="王磊")
    make_member(union=fed.union_a1, name="王芳")
    assert names(as_user(fed.town_a_staff).get(MEMBERS, {"q": "王"})) == ["王磊", "王芳"]


def test_search_does_not_reach_into_another_town(fed, as_user):
    client = as_user(fed.town_a_staff)
    person = fed.member_b1.person
    for q in ("李", person.id_number, person.mobile):
        assert names(client.get(MEMBERS, {"q": q})) == []


def test_the_list_filters(fed, as_user):
    make_member(union=fed.union_a2, name="王磊", joined_on=date(2020, 6, 1), migrant=True)
    client = as_user(fed.city_staff)
    assert names(client.get(MEMBERS, {"union": fed.town_a.pk})) == ["王磊", "张伟"]
    assert names(client.get(MEMBERS, {"union": fed.union_a2.pk})) == ["王磊"]
    assert sorted(names(client.get(MEMBERS, {"migrant": "true"}))) == ["李娜", "王磊"]
    assert names(client.get(MEMBERS, {"joined_to": "2021-12-31"})) == ["王磊"]
    assert names(client.get(MEMBERS, {"joined_from": "2021-01-01", "union": fed.town_a.pk})) == ["张伟"]
    assert names(client.get(MEMBERS, {"employer": fed.employer_b1.pk})) == ["李娜"]


def test_the_status_filter_shows_former_members_when_asked(fed, as_user):
    client = as_user(fed.town_a_staff)
    send(client, "post", person_url(fed.member_a1, "leave"), {"on": "2025-01-02", "reason": "离职"})
    assert names(client.get(MEMBERS)) == []
    assert names(client.get(MEMBERS, {"status": "left"})) == ["张伟"]
    assert names(client.get(MEMBERS, {"status": "all"})) == ["张伟"]


def test_filtering_by_another_towns_union_is_not_found(fed, as_user):
    response = as_user(fed.town_a_staff).get(MEMBERS, {"union": fed.union_b1.pk})
    assert response.status_code == 404


def test_a_member_is_refused_the_list_and_the_export(fed, as_user):
    client = as_user(fed.member_user)
    assert client.get(MEMBERS).status_code == 403
    assert client.get(f"{MEMBERS}/export.xlsx").status_code == 403


def test_paging_with_limit_and_offset(fed, as_user):
    for serial in range(4):
        make_member(union=fed.union_a1, name=f"成员{serial}", joined_on=date(2021, 1, 1 + serial))
    client = as_user(fed.town_a_staff)
    first = body(client.get(MEMBERS, {"limit": 2}))
    assert (len(first["items"]), first["count"], first["count_capped"]) == (2, 5, False)
    last = body(client.get(MEMBERS, {"limit": 2, "offset": 4}))
    assert [item["name"] for item in last["items"]] == ["张伟"]  # newest registrations first
    assert (last["count"], last["count_capped"]) == (5, False)
    assert client.get(MEMBERS, {"limit": 500}).status_code == 400


def test_the_list_does_not_query_per_row(fed, as_user, django_assert_max_num_queries):
    for serial in range(30):
        make_member(union=fed.union_a1, name=f"成员{serial}", employer=fed.employer_a1)
    client = as_user(fed.town_a_staff)
    client.get(MEMBERS)
    # session, user, account, its organisation, the page, the capped count: none per row
    with django_assert_max_num_queries(6 + COUNT_BUDGET_QUERIES):
        response = client.get(MEMBERS, {"limit": 20})
    assert len(body(response)["items"]) == 20


# --- the export ----------------------------------------------------------------------------


def exported_names(response) -> list[object]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_export_takes_the_list_filters_and_the_scope(fed, as_user):
    assert exported_names(as_user(fed.town_a_staff).get(f"{MEMBERS}/export.xlsx")) == ["张伟"]
    city = as_user(fed.city_staff)
    assert exported_names(city.get(f"{MEMBERS}/export.xlsx", {"q": "李"})) == ["李娜"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 2


def test_export_masks_numbers(fed, as_user):
    response = as_user(fed.city_staff).get(f"{MEMBERS}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row]
    assert fed.member_a1.person.id_number not in cells
    assert fed.member_a1.person.mobile not in cells


# --- one person ----------------------------------------------------------------------------


def test_detail_shows_the_history_masked(fed, as_user):
    response = as_user(fed.town_a_staff).get(person_url(fed.member_a1))
    assert response.status_code == 200
    detail = body(response)
    assert detail["person"]["name"] == "张伟"
    assert detail["person"]["birth_date"] == "1990-01-01"
    assert fed.member_a1.person.id_number.encode() not in response.content
    assert [(m["union"]["name"], m["status"]) for m in detail["memberships"]] == [("海宁皮革城工会", "active")]
    assert [(e["kind"], e["on"]) for e in detail["events"]] == [("join", "2022-03-01")]


def test_another_towns_member_is_not_found_on_every_person_endpoint(fed, as_user):
    client = as_user(fed.town_a_staff)
    url = person_url(fed.member_b1)
    assert client.get(url).status_code == 404
    assert send(client, "patch", url, {"name": "改名"}).status_code == 404
    assert send(client, "post", f"{url}/leave", {"on": "2025-01-01", "reason": "离职"}).status_code == 404
    transfer = {"to_union_id": fed.union_a1.pk, "on": "2025-01-01"}
    assert send(client, "post", f"{url}/transfer", transfer).status_code == 404
    assert send(client, "post", f"{url}/reveal", {"reason": "核对"}).status_code == 404
    assert Person.objects.get(pk=fed.member_b1.person_id).name == "李娜"
    assert fed.member_b1.person.memberships.get().status == MembershipStatus.ACTIVE


def test_a_member_sees_their_own_record_and_nobody_elses(fed, as_user):
    client = as_user(fed.member_user)
    me = client.get(f"{MEMBERS}/me")
    assert me.status_code == 200 and body(me)["person"]["name"] == "张伟"
    assert client.get(person_url(fed.member_a1)).status_code == 200
    assert client.get(person_url(fed.member_b1)).status_code == 404


def test_staff_have_no_own_record(fed, as_user):
    response = as_user(fed.town_a_staff).get(f"{MEMBERS}/me")
    assert response.status_code == 403


# --- join and update -----------------------------------------------------------------------


def join_payload(union, **fields) -> dict:
    return {
        "union_id": union.pk,
        "id_number": new_id_number(birth=date(1995, 7, 9), sex="F"),
        "name": "王芳",
        "joined_on": "2024-05-01",
        "mobile": "139 1234 5678",
        "education": "college",
        **fields,
    }


def test_staff_enrol_a_worker(fed, as_user):
    payload = join_payload(fed.union_a1, employer_id=fed.employer_a1.pk, is_migrant_worker=True)
    response = send(as_user(fed.union_a1_officer), "post", MEMBERS, payload)
    assert response.status_code == 201, response.content
    assert body(response)["mobile_masked"] == "139****5678"
    person = Person.objects.get(id_number_hash=blind_index(payload["id_number"]))
    assert (person.birth_date, person.sex, person.education) == (date(1995, 7, 9), "F", "college")
    assert person.memberships.get().employer_id == fed.employer_a1.pk


def test_enrolment_refusals(fed, as_user):
    client = as_user(fed.town_a_staff)
    other_town = send(client, "post", MEMBERS, join_payload(fed.union_b1))
    assert other_town.status_code == 403
    active = send(client, "post", MEMBERS, join_payload(fed.union_a1, id_number=fed.member_b1.person.id_number))
    assert (active.status_code, body(active)["field"]) == (409, "id_number")
    future = send(client, "post", MEMBERS, join_payload(fed.union_a1, joined_on="2999-01-01"))
    assert (future.status_code, body(future)["field"]) == (400, "joined_on")
    bad_mobile = send(client, "post", MEMBERS, join_payload(fed.union_a1, mobile="12345"))
    assert (bad_mobile.status_code, body(bad_mobile)["field"]) == (400, "mobile")
    not_grassroots = send(client, "post", MEMBERS, join_payload(fed.town_a))
    assert (not_grassroots.status_code, body(not_grassroots)["field"]) == (400, "union")
    wrong_employer = send(client, "post", MEMBERS, join_payload(fed.union_a2, employer_id=fed.employer_a1.pk))
    assert (wrong_employer.status_code, body(wrong_employer)["field"]) == (400, "employer")
    assert send(client, "post", MEMBERS, join_payload(fed.union_a1, union_id=999_999)).status_code == 404
    assert not Person.objects.filter(name="王芳").exists()


def test_a_member_cannot_enrol_anyone(fed, as_user):
    assert send(as_user(fed.member_user), "post", MEMBERS, join_payload(fed.union_a1)).status_code == 403


def test_update_changes_only_the_fields_sent(fed, as_user):
    response = send(as_user(fed.town_a_staff), "patch", person_url(fed.member_a1), {"mobile": "13812345678"})
    assert response.status_code == 200
    assert body(response)["mobile_masked"] == "138****5678"
    person = Person.objects.get(pk=fed.member_a1.person_id)
    assert (person.name, person.mobile) == ("张伟", "13812345678")


def test_update_refusals(fed, as_user):
    client = as_user(fed.town_a_staff)
    url = person_url(fed.member_a1)
    assert send(client, "patch", url, {"name": None}).status_code == 400
    assert send(client, "patch", url, {"mobile": "999"}).status_code == 400
    assert send(client, "patch", url, {"skill_level": "9"}).status_code == 400
    assert send(as_user(fed.member_user), "patch", url, {"name": "改名"}).status_code == 403
    assert Person.objects.get(pk=fed.member_a1.person_id).name == "张伟"


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "张\u001f伟"), ("name", "张伟\n"), ("household_registration", "浙江\x00海宁"), ("mobile", "139\x7f")],
)
def test_text_with_a_control_character_is_refused_naming_the_field(fed, as_user, field, value):
    """The outside probe's finding: such a name was stored, and every export then failed."""
    response = send(as_user(fed.town_a_staff), "patch", person_url(fed.member_a1), {field: value})
    assert response.status_code == 400
    assert body(response) == {"detail": f"{field}：含有不可见的控制字符", "field": field, "code": "invalid"}
    person = Person.objects.get(pk=fed.member_a1.person_id)
    assert (person.name, person.household_registration) == ("张伟", "")


def test_enrolling_a_name_with_a_control_character_is_refused(fed, as_user):
    response = send(as_user(fed.union_a1_officer), "post", MEMBERS, join_payload(fed.union_a1, name="王\x1b芳"))
    assert (response.status_code, body(response)["field"]) == (400, "name")
    assert not Person.objects.filter(name__startswith="王").exists()


# --- leave ---------------------------------------------------------------------------------


def test_leave_with_a_reason(fed, as_user):
    client = as_user(fed.town_a_staff)
    response = send(client, "post", person_url(fed.member_a1, "leave"), {"on": "2025-01-02", "reason": "离职"})
    assert response.status_code == 200
    assert body(response)["status"] == "left"
    membership = Membership.objects.get(pk=fed.member_a1.pk)
    assert (membership.status, membership.ended_on, membership.leave_reason) == ("left", date(2025, 1, 2), "离职")
    again = send(client, "post", person_url(fed.member_a1, "leave"), {"on": "2025-01-03", "reason": "离职"})
    assert again.status_code == 409


def test_a_leave_reason_may_span_lines_but_holds_no_other_control_character(fed, as_user):
    client = as_user(fed.town_a_staff)
    url = person_url(fed.member_a1, "leave")
    refused = send(client, "post", url, {"on": "2025-01-02", "reason": "离职\t回老家"})
    assert (refused.status_code, body(refused)["field"]) == (400, "reason")
    assert send(client, "post", url, {"on": "2025-01-02", "reason": "离职\r\n回老家"}).status_code == 200
    assert Membership.objects.get(pk=fed.member_a1.pk).leave_reason == "离职\n回老家"


def test_leave_needs_a_reason(fed, as_user):
    response = send(as_user(fed.town_a_staff), "post", person_url(fed.member_a1, "leave"), {"on": "2025-01-02"})
    assert (response.status_code, body(response)["field"]) == (400, "reason")


# --- transfers -----------------------------------------------------------------------------


def start_transfer(client, membership: Membership, to_union, **fields):
    payload = {"to_union_id": to_union.pk, "on": "2025-06-01", **fields}
    return send(client, "post", person_url(membership, "transfer"), payload)


def test_sender_starts_and_receiver_confirms(fed, as_user):
    response = start_transfer(as_user(fed.town_a_staff), fed.member_a1, fed.union_b1, to_employer_id=fed.employer_b1.pk)
    assert response.status_code == 201, response.content
    transfer = body(response)
    assert (transfer["status"], transfer["sending_confirmed"], transfer["receiving_confirmed"]) == (
        "pending",
        True,
        False,
    )
    receiver = as_user(fed.town_b_staff)
    assert [t["person_name"] for t in body(receiver.get(TRANSFERS))["items"]] == ["张伟"]
    confirmed = send(receiver, "post", f"{TRANSFERS}/{transfer['id']}/confirm", {"on": "2025-06-03"})
    assert confirmed.status_code == 200
    assert (body(confirmed)["status"], body(confirmed)["effective_on"]) == ("completed", "2025-06-03")
    current = fed.member_a1.person.memberships.get(status=MembershipStatus.ACTIVE)
    assert (current.union_id, current.employer_id) == (fed.union_b1.pk, fed.employer_b1.pk)


def test_once_moved_away_the_old_town_can_read_but_not_act(fed, as_user):
    transfer = start_transfer(as_user(fed.town_a_staff), fed.member_a1, fed.union_b1)
    send(as_user(fed.town_b_staff), "post", f"{TRANSFERS}/{body(transfer)['id']}/confirm")
    client = as_user(fed.town_a_staff)
    assert client.get(person_url(fed.member_a1)).status_code == 200
    assert names(client.get(MEMBERS)) == []
    leave = send(client, "post", person_url(fed.member_a1, "leave"), {"on": "2025-07-01", "reason": "离职"})
    assert leave.status_code == 403
    assert send(client, "patch", person_url(fed.member_a1), {"name": "改名"}).status_code == 403


def test_the_receiver_may_refuse_and_the_sender_may_cancel(fed, as_user):
    first = body(start_transfer(as_user(fed.town_a_staff), fed.member_a1, fed.union_b1))
    refused = send(as_user(fed.town_b_staff), "post", f"{TRANSFERS}/{first['id']}/refuse", {"reason": "不在本单位"})
    assert (refused.status_code, body(refused)["status"], body(refused)["refuse_reason"]) == (
        200,
        "refused",
        "不在本单位",
    )
    second = body(start_transfer(as_user(fed.town_a_staff), fed.member_a1, fed.union_b1))
    assert send(as_user(fed.town_b_staff), "post", f"{TRANSFERS}/{second['id']}/cancel").status_code == 403
    cancelled = send(as_user(fed.town_a_staff), "post", f"{TRANSFERS}/{second['id']}/cancel")
    assert body(cancelled)["status"] == "cancelled"
    again = send(as_user(fed.town_a_staff), "post", f"{TRANSFERS}/{second['id']}/cancel")
    assert again.status_code == 409


def test_transfer_refusals(fed, as_user):
    client = as_user(fed.town_a_staff)
    same = start_transfer(client, fed.member_a1, fed.union_a1)
    assert (same.status_code, body(same)["field"]) == (400, "to_union")
    wrong_employer = start_transfer(client, fed.member_a1, fed.union_b1, to_employer_id=fed.employer_a1.pk)
    assert (wrong_employer.status_code, body(wrong_employer)["field"]) == (400, "to_employer")
    assert start_transfer(client, fed.member_a1, fed.union_b1).status_code == 201
    twice = start_transfer(client, fed.member_a1, fed.union_a2)
    assert twice.status_code == 409


def test_a_transfer_inside_one_town_is_invisible_to_the_other(fed, as_user):
    transfer = body(start_transfer(as_user(fed.town_a_staff), fed.member_a1, fed.union_a2))
    client = as_user(fed.town_b_staff)
    assert body(client.get(TRANSFERS, {"status": "all"}))["items"] == []
    assert client.get(f"{TRANSFERS}/{transfer['id']}").status_code == 404
    for action in ("confirm", "refuse", "cancel"):
        assert send(client, "post", f"{TRANSFERS}/{transfer['id']}/{action}", {"reason": "x"}).status_code == 404
    assert Transfer.objects.get(pk=transfer["id"]).status == TransferStatus.PENDING


def test_a_member_asks_to_move_and_both_unions_confirm(fed, as_user):
    member = as_user(fed.member_user)
    response = send(member, "post", f"{MEMBERS}/me/transfer", {"to_union_id": fed.union_b1.pk, "note": "换工作"})
    assert response.status_code == 201, response.content
    transfer = body(response)
    assert transfer["initiated_by"] == "member" and not transfer["sending_confirmed"]
    assert [t["id"] for t in body(member.get(TRANSFERS))["items"]] == [transfer["id"]]
    assert member.get(f"{TRANSFERS}/{transfer['id']}").status_code == 200
    assert send(member, "post", f"{TRANSFERS}/{transfer['id']}/confirm").status_code == 403
    send(as_user(fed.town_a_staff), "post", f"{TRANSFERS}/{transfer['id']}/confirm")
    done = send(as_user(fed.town_b_staff), "post", f"{TRANSFERS}/{transfer['id']}/confirm")
    assert body(done)["status"] == "completed"


def test_a_member_may_cancel_their_own_request(fed, as_user):
    member = as_user(fed.member_user)
    transfer = body(send(member, "post", f"{MEMBERS}/me/transfer", {"to_union_id": fed.union_b1.pk}))
    assert body(send(member, "post", f"{TRANSFERS}/{transfer['id']}/cancel"))["status"] == "cancelled"


def test_staff_cannot_use_the_members_own_transfer_request(fed, as_user):
    response = send(as_user(fed.town_a_staff), "post", f"{MEMBERS}/me/transfer", {"to_union_id": fed.union_b1.pk})
    assert response.status_code == 403


# --- reveal --------------------------------------------------------------------------------


def test_reveal_shows_full_numbers_and_is_audited(fed, as_user):
    response = send(as_user(fed.city_staff), "post", person_url(fed.member_b1, "reveal"), {"reason": "核对互助保障"})
    assert response.status_code == 200
    person = fed.member_b1.person
    assert body(response) == {"id_number": person.id_number, "mobile": person.mobile}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_ID_NUMBER)
    assert (entry.actor_id, entry.subject_id, entry.reason) == (fed.city_staff.pk, str(person.pk), "核对互助保障")


def test_reveal_without_the_permission_is_403_and_audited(fed, as_user):
    response = send(as_user(fed.town_a_staff), "post", person_url(fed.member_a1, "reveal"), {"reason": "好奇"})
    assert response.status_code == 403
    assert fed.member_a1.person.id_number.encode() not in response.content
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED, actor=fed.town_a_staff).exists()


def test_reveal_needs_a_reason(fed, as_user):
    response = send(as_user(fed.city_staff), "post", person_url(fed.member_a1, "reveal"), {"reason": ""})
    assert (response.status_code, body(response)["field"]) == (400, "reason")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_ID_NUMBER).exists()


def refused_reveals() -> list[tuple[str, str, str, str]]:
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED).order_by("pk")
    return [(e.actor_username, e.result, e.subject_id, e.detail.get("code")) for e in entries]


def test_every_refused_reveal_is_logged_as_denied_not_ok(fed, as_user):
    client, person_id = as_user(fed.town_a_staff), str(fed.member_a1.person_id)
    assert send(client, "post", person_url(fed.member_a1, "reveal"), {"reason": "好奇"}).status_code == 403
    assert send(client, "post", person_url(fed.member_b1, "reveal"), {"reason": "好奇"}).status_code == 404
    client = as_user(fed.city_staff)
    blank = send(client, "post", person_url(fed.member_a1, "reveal"), {"reason": "  "})
    assert (blank.status_code, body(blank)["field"], body(blank)["detail"]) == (400, "reason", "请填写查看理由")
    assert send(client, "post", person_url(fed.member_a1, "reveal")).status_code == 400  # no reason sent at all
    assert refused_reveals() == [
        ("town_a", "denied", person_id, "forbidden"),
        ("town_a", "denied", "", "not_found"),  # out of scope: the entry point refuses before the service
        ("city", "denied", person_id, "invalid"),
        ("city", "denied", person_id, "invalid"),
    ]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_ID_NUMBER).exists()


def test_a_member_cannot_reveal_even_their_own_numbers(fed, as_user):
    response = send(as_user(fed.member_user), "post", person_url(fed.member_a1, "reveal"), {"reason": "本人"})
    assert response.status_code == 403


def test_the_list_by_token_is_three_queries(fed, client, django_assert_max_num_queries):
    for serial in range(30):
        make_member(union=fed.union_a1, name=f"成员{serial}", employer=fed.employer_a1)
    _, key = ApiToken.issue(user=fed.town_a_staff, name="检索")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.get(MEMBERS, **headers)  # notes the token's first use
    # the token with its user, account and organisation; the page; the capped count
    with django_assert_max_num_queries(3 + COUNT_BUDGET_QUERIES):
        assert len(body(client.get(MEMBERS, {"limit": 20}, **headers))["items"]) == 20
