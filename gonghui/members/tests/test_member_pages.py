"""Adding one member, correcting their details and recording their leaving, on pages."""

from datetime import date

from django.contrib.messages import get_messages
from django.urls import reverse

from gonghui.members.identity import make_old_id_number
from gonghui.members.models import MembershipEventKind, MembershipStatus, Person
from gonghui.testing import new_id_number, new_mobile


def add(client, **fields):
    data = {"union": "海宁皮革城工会", "name": "王芳", "joined_on": "2024-05-01", "education": "", "skill_level": ""}
    return client.post(reverse("members:add"), {**data, **fields})


def test_a_union_officer_adds_a_member_to_their_union_with_birth_date_and_sex_from_the_number(client, fed):
    client.force_login(fed.union_a1_officer)
    assert 'value="海宁皮革城工会"' in client.get(reverse("members:add")).content.decode()
    number = new_id_number(birth=date(1992, 3, 4), sex="F")
    response = add(client, id_number=number, mobile=new_mobile(), employer="海宁中国皮革城股份有限公司")
    person = Person.objects.get(name="王芳")
    assert response.status_code == 302 and response["Location"] == reverse("members:detail", args=[person.pk])
    assert (person.birth_date, person.sex) == (date(1992, 3, 4), "F")
    membership = person.memberships.get()
    assert (membership.union, membership.employer, membership.status) == (fed.union_a1, fed.employer_a1, "active")


def test_an_old_15_digit_number_is_saved_upgraded_and_the_warning_shown(client, fed):
    client.force_login(fed.town_a_staff)
    old = make_old_id_number(region="330481", birth=date(1975, 6, 7), sequence=41, sex="M")
    response = add(client, id_number=old)
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("15" in m for m in shown), shown
    assert len(Person.objects.get(name="王芳").id_number) == 18


def test_a_bad_number_and_a_join_before_working_age_are_refused_beside_their_field(client, fed):
    client.force_login(fed.town_a_staff)
    response = add(client, id_number="330481199001011234")
    assert response.status_code == 400 and response.context["form"].errors["id_number"]
    young = new_id_number(birth=date(2015, 1, 1))
    response = add(client, id_number=young)
    assert response.status_code == 400 and response.context["form"].errors["joined_on"]
    assert not Person.objects.filter(name="王芳").exists()


def test_a_known_number_under_another_name_asks_for_confirmation(client, fed):
    client.force_login(fed.city_staff)
    person = fed.member_b1.person
    fed.member_b1.status, fed.member_b1.ended_on = MembershipStatus.LEFT, date(2024, 1, 1)
    fed.member_b1.save()
    response = add(client, id_number=person.id_number, name="李娜娜")
    assert response.status_code == 409
    assert "confirm_name_change" in response.content.decode()
    assert add(client, id_number=person.id_number, name="李娜娜", confirm_name_change="on").status_code == 302
    assert Person.objects.get(pk=person.pk).name == "李娜娜"


def test_staff_cannot_add_to_a_union_outside_their_subtree(client, fed):
    client.force_login(fed.town_b_staff)
    response = add(client, id_number=new_id_number())
    assert response.status_code == 400 and response.context["form"].errors["union"]
    client.force_login(fed.union_a1_officer)
    response = add(client, union="硖石联合工会", id_number=new_id_number())
    assert response.status_code == 400 and not Person.objects.filter(name="王芳").exists()


def test_members_cannot_open_the_add_page(client, fed):
    client.force_login(fed.member_user)
    assert client.get(reverse("members:add")).status_code == 403


def edit_url(membership) -> str:
    return reverse("members:edit", args=[membership.person_id])


def test_editing_keeps_history_and_names_who_changed_it(client, fed):
    client.force_login(fed.union_a1_officer)
    person = fed.member_a1.person
    page = client.get(edit_url(fed.member_a1))
    assert page.status_code == 200 and "id_number" not in page.content.decode()
    data = {
        "name": "张伟",
        "mobile": person.mobile,
        "household_registration": "浙江海宁",
        "education": "college",
        "ethnicity": "回族",
    }
    response = client.post(edit_url(fed.member_a1), {**data, "skill_level": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.household_registration, person.education, person.ethnicity) == ("浙江海宁", "college", "回族")
    latest = person.history.latest()
    assert latest.history_user == fed.union_a1_officer and latest.prev_record.household_registration == ""


def test_an_identity_number_sent_to_the_edit_page_changes_nothing(client, fed):
    client.force_login(fed.city_staff)
    person = fed.member_a1.person
    before = (person.id_number, person.birth_date, person.sex)
    data = {"name": "张伟", "id_number": new_id_number(), "sex": "F", "skill_level": "", "education": ""}
    client.post(edit_url(fed.member_a1), data)
    person.refresh_from_db()
    assert (person.id_number, person.birth_date, person.sex) == before


def test_the_service_refuses_an_identity_number_change_with_a_clear_message(fed):
    import pytest

    from gonghui.core.errors import ValidationFailed
    from gonghui.members.services import person_update

    with pytest.raises(ValidationFailed, match="身份证号不能在资料修改中更改") as err:
        person_update(scope=fed.scope(fed.city_staff), person=fed.member_a1.person, id_number=new_id_number())
    assert err.value.field == "id_number"


def test_another_towns_staff_and_another_union_cannot_edit(client, fed):
    client.force_login(fed.town_b_staff)
    assert client.get(edit_url(fed.member_a1)).status_code == 404
    assert client.post(edit_url(fed.member_a1), {"name": "X"}).status_code == 404
    client.force_login(fed.union_a1_officer)
    assert client.get(edit_url(fed.member_b1)).status_code == 404
    assert Person.objects.get(pk=fed.member_a1.person_id).name == "张伟"


def leave_url(membership) -> str:
    return reverse("members:leave", args=[membership.person_id])


def test_leaving_with_a_standard_reason_and_a_note(client, fed):
    client.force_login(fed.union_a1_officer)
    assert "调离本市" in client.get(leave_url(fed.member_a1)).content.decode()
    response = client.post(leave_url(fed.member_a1), {"on": "2025-02-03", "category": "moved_away", "reason": "去杭州"})
    assert response.status_code == 302
    fed.member_a1.refresh_from_db()
    assert (fed.member_a1.status, fed.member_a1.leave_reason) == ("left", "调离本市：去杭州")


def test_death_ends_the_membership_as_deceased(client, fed):
    client.force_login(fed.town_a_staff)
    client.post(leave_url(fed.member_a1), {"on": "2025-02-03", "category": "deceased"})
    fed.member_a1.refresh_from_db()
    assert fed.member_a1.status == MembershipStatus.DECEASED
    assert fed.member_a1.events.last().kind == MembershipEventKind.DEATH


def test_leaving_needs_a_listed_reason(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.post(leave_url(fed.member_a1), {"on": "2025-02-03", "category": "bored"})
    assert response.status_code == 400 and response.context["form"].errors["category"]
    fed.member_a1.refresh_from_db()
    assert fed.member_a1.status == "active"


def test_the_reasons_are_a_setting(client, fed, settings):
    from gonghui.members.leave_reasons import LeaveReason

    settings.GONGHUI_LEAVE_REASONS = (LeaveReason("retired", "退休"),)
    client.force_login(fed.town_a_staff)
    page = client.get(leave_url(fed.member_a1)).content.decode()
    assert "退休" in page and "调离本市" not in page
    client.post(leave_url(fed.member_a1), {"on": "2025-02-03", "category": "retired"})
    fed.member_a1.refresh_from_db()
    assert fed.member_a1.leave_reason == "退休"


def test_another_town_cannot_record_a_leave(client, fed):
    client.force_login(fed.town_b_staff)
    assert client.post(leave_url(fed.member_a1), {"on": "2025-02-03", "category": "resigned"}).status_code == 404
    fed.member_a1.refresh_from_db()
    assert fed.member_a1.status == "active"


def test_the_new_pages_read_in_english(client, fed, settings):
    client.force_login(fed.town_a_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Add a member" in client.get(reverse("members:add")).content.decode()
    leave = client.get(leave_url(fed.member_a1)).content.decode()
    assert "Moved out of the city" in leave and "调离本市" not in leave
    response = client.post(edit_url(fed.member_a1), {"name": "", "skill_level": "", "education": ""})
    assert response.status_code == 400
    assert "Transfer history" in client.get(reverse("members:transfers")).content.decode()
