"""A union someone has left behind: it keeps its own past memberships of them (name, masked
identity number, dates, reason) and sees nothing of their present: not where they are now,
not their mobile, no reveal, no edit, leave or transfer. The union holding their present
membership (the active one, else the latest) sees them whole, but not their past elsewhere.
Checked on the API, the pages, the exports and the figures' drill-down lists."""

import io
import json
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.access import Role
from gonghui.core.figures import Period, get_figure
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.models import AuditEntry
from gonghui.members import services
from gonghui.members.models import Membership, MembershipStatus, Person, Transfer
from gonghui.testing import make_user

MEMBERS = "/api/v1/members"
MOVED_ON = date(2025, 6, 1)


def body(response) -> dict:
    return json.loads(response.content)


def send(client, method: str, url: str, payload: dict | None = None):
    return getattr(client, method)(url, payload or {}, content_type="application/json")


def move_to_town_b(fed) -> Person:
    """张伟 leaves town A's 海宁皮革城工会 for town B's 许村家纺工会."""
    city = fed.scope(fed.city_staff)
    transfer = services.transfer_start(scope=city, membership=fed.member_a1, to_union=fed.union_b1, on=MOVED_ON)
    services.transfer_confirm(scope=city, transfer=transfer, on=MOVED_ON)
    return Person.objects.get(pk=fed.member_a1.person_id)


@pytest.fixture
def moved(fed) -> Person:
    return move_to_town_b(fed)


@pytest.fixture
def town_a_clerk(fed):
    """A town-A officer who holds the reveal permission."""
    return make_user("town_a_clerk", role=Role.TOWN, organisation=fed.town_a, perms=("members.view_full_identity",))


@pytest.fixture
def town_b_clerk(fed):
    return make_user("town_b_clerk", role=Role.TOWN, organisation=fed.town_b, perms=("members.view_full_identity",))


def signed_in(client, user):
    client.force_login(user)
    return client


# --- the API -------------------------------------------------------------------------------


def test_a_former_union_cannot_reveal_someone_now_in_another_town(client, fed, moved, town_a_clerk):
    response = send(signed_in(client, town_a_clerk), "post", f"{MEMBERS}/{moved.pk}/reveal", {"reason": "核对"})
    assert response.status_code == 403
    assert moved.id_number.encode() not in response.content and moved.mobile.encode() not in response.content
    refusal = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_DENIED, actor=town_a_clerk)
    assert (refusal.subject_id, refusal.result, refusal.reason) == (str(moved.pk), AuditEntry.Result.DENIED, "核对")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_ID_NUMBER).exists()


def test_the_union_holding_the_present_may_reveal(client, fed, moved, town_b_clerk):
    response = send(signed_in(client, town_b_clerk), "post", f"{MEMBERS}/{moved.pk}/reveal", {"reason": "核对"})
    assert response.status_code == 200
    assert body(response) == {"id_number": moved.id_number, "mobile": moved.mobile}


def test_a_former_unions_list_shows_only_its_past_membership(client, fed, moved):
    response = signed_in(client, fed.town_a_staff).get(MEMBERS, {"status": "all"})
    [row] = body(response)["items"]
    assert (row["name"], row["union"]["name"], row["status"], row["ended_on"]) == (
        "张伟",
        "海宁皮革城工会",
        "transferred",
        "2025-06-01",
    )
    assert row["id_number_masked"] == mask_id_number(moved.id_number)
    assert (row["past_only"], row["mobile_masked"]) == (True, None)
    assert "许村家纺工会".encode() not in response.content
    assert mask_mobile(moved.mobile).encode() not in response.content


def test_a_former_union_cannot_find_whose_mobile_it_is_now(client, fed, moved):
    staff = signed_in(client, fed.town_a_staff)
    assert body(staff.get(MEMBERS, {"status": "all", "q": moved.mobile}))["items"] == []
    by_id = body(staff.get(MEMBERS, {"status": "all", "q": moved.id_number}))["items"]
    assert [(m["name"], m["status"]) for m in by_id] == [("张伟", "transferred")]


def test_a_former_unions_detail_shows_only_its_past(client, fed, moved):
    response = signed_in(client, fed.town_a_staff).get(f"{MEMBERS}/{moved.pk}")
    assert response.status_code == 200
    detail = body(response)
    person = detail["person"]
    assert (person["name"], person["id_number_masked"], person["past_only"]) == (
        "张伟",
        mask_id_number(moved.id_number),
        True,
    )
    assert (person["mobile_masked"], person["household_registration"], person["education"]) == (None, None, None)
    assert [(m["union"]["name"], m["status"], m["ended_on"]) for m in detail["memberships"]] == [
        ("海宁皮革城工会", "transferred", "2025-06-01")
    ]
    assert [(e["kind"], e["union"]["name"], e["counterpart"]) for e in detail["events"]] == [
        ("join", "海宁皮革城工会", None),
        ("transfer_out", "海宁皮革城工会", None),
    ]
    assert "许村".encode() not in response.content


def test_the_present_union_sees_the_person_but_not_their_past_elsewhere(client, fed, moved):
    detail = body(signed_in(client, fed.town_b_staff).get(f"{MEMBERS}/{moved.pk}"))
    assert (detail["person"]["past_only"], detail["person"]["mobile_masked"]) == (False, mask_mobile(moved.mobile))
    assert [(m["union"]["name"], m["status"]) for m in detail["memberships"]] == [("许村家纺工会", "active")]
    assert [(e["kind"], e["counterpart"]) for e in detail["events"]] == [("transfer_in", None)]


def test_the_city_sees_the_whole_history(client, fed, moved):
    detail = body(signed_in(client, fed.city_staff).get(f"{MEMBERS}/{moved.pk}"))
    assert detail["person"]["past_only"] is False
    assert [m["union"]["name"] for m in detail["memberships"]] == ["许村家纺工会", "海宁皮革城工会"]
    assert [(e["kind"], e["counterpart"]["name"] if e["counterpart"] else None) for e in detail["events"]] == [
        ("join", None),
        ("transfer_out", "许村家纺工会"),
        ("transfer_in", "海宁皮革城工会"),
    ]


def test_a_former_union_cannot_edit_leave_or_transfer(client, fed, moved):
    staff = signed_in(client, fed.town_a_staff)
    url = f"{MEMBERS}/{moved.pk}"
    assert send(staff, "patch", url, {"mobile": "13812345678"}).status_code == 403
    leave = send(staff, "post", f"{url}/leave", {"on": "2025-07-01", "reason": "离职"})
    assert leave.status_code == 403 and "许村家纺工会".encode() not in leave.content
    transfer = send(staff, "post", f"{url}/transfer", {"to_union_id": fed.union_a2.pk, "on": "2025-07-01"})
    assert transfer.status_code == 403
    assert Person.objects.get(pk=moved.pk).mobile == moved.mobile
    assert moved.memberships.get(status=MembershipStatus.ACTIVE).union_id == fed.union_b1.pk
    assert Transfer.objects.filter(membership__union=fed.union_b1).count() == 0


def test_someone_who_left_entirely_belongs_to_the_union_they_left_last(client, fed, moved, town_a_clerk, town_b_clerk):
    services.membership_leave(
        scope=fed.scope(fed.town_b_staff),
        membership=Membership.objects.get(person=moved, status=MembershipStatus.ACTIVE),
        on=date(2025, 9, 1),
        reason="离职",
    )
    last = body(signed_in(client, fed.town_b_staff).get(f"{MEMBERS}/{moved.pk}"))["person"]
    assert (last["past_only"], last["mobile_masked"]) == (False, mask_mobile(moved.mobile))
    reveal = {"reason": "核对"}
    assert send(signed_in(client, town_b_clerk), "post", f"{MEMBERS}/{moved.pk}/reveal", reveal).status_code == 200
    earlier = body(signed_in(client, fed.town_a_staff).get(f"{MEMBERS}/{moved.pk}"))["person"]
    assert (earlier["past_only"], earlier["mobile_masked"]) == (True, None)
    assert send(signed_in(client, town_a_clerk), "post", f"{MEMBERS}/{moved.pk}/reveal", reveal).status_code == 403


def test_a_former_unions_export_leaves_the_present_out(client, fed, moved):
    response = signed_in(client, fed.town_a_staff).get(f"{MEMBERS}/export.xlsx", {"status": "all"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    [row] = [dict(zip(header, values, strict=True)) for values in rows]
    assert (row["姓名"], row["身份证号"], row["所在工会"], row["状态"]) == (
        "张伟",
        mask_id_number(moved.id_number),
        "海宁皮革城工会",
        "已转出",
    )
    assert (row["手机号码"], row["学历"]) == (None, None)


# --- the pages -----------------------------------------------------------------------------


def test_a_former_unions_detail_page_shows_only_its_past(client, fed, moved, town_a_clerk):
    page = signed_in(client, town_a_clerk).get(reverse("members:detail", args=[moved.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "张伟" in html and mask_id_number(moved.id_number) in html and "海宁皮革城工会" in html
    assert "许村" not in html and mask_mobile(moved.mobile) not in html
    assert reverse("members:reveal", args=[moved.pk]) not in html
    assert reverse("members:leave", args=[moved.pk]) not in html
    assert "已离开本辖区" in html


def test_a_former_union_is_refused_the_reveal_and_action_pages(client, fed, moved, town_a_clerk):
    staff = signed_in(client, town_a_clerk)
    reveal = staff.post(reverse("members:reveal", args=[moved.pk]), {"reason": "核对"})
    assert reveal.status_code == 403 and moved.id_number not in reveal.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED, subject_id=str(moved.pk)).exists()
    for name in ("members:leave", "members:transfer_start"):
        response = staff.get(reverse(name, args=[moved.pk]))
        assert response.status_code == 403 and "许村家纺工会" not in response.content.decode()


def test_a_former_unions_search_page_shows_no_mobile(client, fed, moved):
    page = signed_in(client, fed.town_a_staff).get(reverse("members:list"), {"q": "张", "status": "all"})
    html = page.content.decode()
    assert "张伟" in html and "已转出" in html
    assert mask_mobile(moved.mobile) not in html and "许村" not in html


def test_a_former_unions_export_page_leaves_the_mobile_out(client, fed, moved):
    response = signed_in(client, fed.town_a_staff).get(reverse("members:export"), {"status": "all"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    assert "张伟" in cells and mask_mobile(moved.mobile) not in cells


# --- the figures ---------------------------------------------------------------------------


def test_a_past_periods_drill_down_leaves_out_the_present_of_those_who_moved_on(fed, moved):
    figure = get_figure("members.members")

    def rows(org, year: int) -> dict[str, dict]:
        period = Period(date(year, 1, 1), date(year, 12, 31))
        shown = [dict(zip(figure.headers, figure.row(m), strict=True)) for m in figure.records(org.path, period)]
        return {row["姓名"]: row for row in shown}

    in_town_a = rows(fed.town_a, 2024)["张伟"]
    assert (in_town_a["所在工会"], in_town_a["手机号码"]) == ("海宁皮革城工会", "")
    assert rows(fed.town_b, 2025)["张伟"]["手机号码"] == mask_mobile(moved.mobile)
