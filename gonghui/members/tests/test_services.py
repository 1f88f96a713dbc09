from datetime import date

import pytest
from django.db import IntegrityError, transaction

from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEntry
from gonghui.core.testing import new_id_number
from gonghui.members import selectors, services
from gonghui.members.models import Membership, MembershipEventKind, MembershipStatus, TransferStatus


def test_join_derives_birth_date_and_sex_from_the_identity_number(fed):
    number = new_id_number(birth=date(1995, 7, 9), sex="F")
    membership = services.member_join(
        scope=fed.scope(fed.union_a1_officer),
        union=fed.union_a1,
        id_number=number,
        name="王芳",
        mobile="139 1234 5678",
        joined_on=date(2024, 5, 1),
        employer=fed.employer_a1,
    )
    person = membership.person
    assert (person.birth_date, person.sex, person.mobile) == (date(1995, 7, 9), "F", "13912345678")
    assert [e.kind for e in person.membership_events.all()] == [MembershipEventKind.JOIN]


def test_join_refuses_a_bad_check_digit_naming_the_field(fed):
    number = new_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as err:
        services.member_join(
            scope=fed.scope(fed.city_staff),
            union=fed.union_a1,
            id_number=wrong,
            name="王芳",
            joined_on=date(2024, 1, 1),
        )
    assert err.value.field == "id_number" and "校验位" in err.value.message


def test_join_refuses_a_person_already_active_elsewhere(fed):
    with pytest.raises(Conflict, match="许村家纺工会"):
        services.member_join(
            scope=fed.scope(fed.city_staff),
            union=fed.union_a1,
            id_number=fed.member_b1.person.id_number,
            name="李娜",
            joined_on=date(2024, 1, 1),
        )


def test_database_refuses_a_second_active_membership(fed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=fed.member_a1.person, union=fed.union_a2, joined_on=date(2024, 1, 1))


def test_town_officer_cannot_enrol_into_another_town(fed):
    with pytest.raises(Forbidden):
        services.member_join(
            scope=fed.scope(fed.town_a_staff),
            union=fed.union_b1,
            id_number=new_id_number(),
            name="赵强",
            joined_on=date(2024, 1, 1),
        )


def test_transfer_started_by_sender_completes_when_receiver_accepts(fed):
    transfer = services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_b1, on=date(2025, 6, 1)
    )
    with pytest.raises(Forbidden):
        services.transfer_confirm(scope=fed.scope(fed.member_user), transfer=transfer)
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer, on=date(2025, 6, 3))
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED
    person = fed.member_a1.person
    old, new = person.memberships.order_by("pk")
    assert (old.status, old.ended_on) == (MembershipStatus.TRANSFERRED, date(2025, 6, 3))
    assert (new.union, new.status, new.joined_on) == (fed.union_b1, MembershipStatus.ACTIVE, date(2025, 6, 3))
    city = fed.scope(fed.city_staff)
    assert list(selectors.members_on(scope=city, union=fed.union_a1, on=date(2025, 6, 2))) == [old]
    assert list(selectors.members_on(scope=city, union=fed.union_a1, on=date(2025, 6, 3))) == []
    assert set(selectors.members_on(scope=city, union=fed.union_b1, on=date(2025, 6, 3))) == {new, fed.member_b1}


def test_member_request_needs_both_unions(fed):
    transfer = services.transfer_request_by_member(scope=fed.scope(fed.member_user), to_union=fed.union_b1)
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING
    services.transfer_confirm(scope=fed.scope(fed.union_a1_officer), transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED


def test_receiver_can_refuse_with_a_reason(fed):
    transfer = services.transfer_start(
        scope=fed.scope(fed.city_staff), membership=fed.member_a1, to_union=fed.union_b1, on=date(2025, 6, 1)
    )
    with pytest.raises(ValidationFailed):
        services.transfer_refuse(scope=fed.scope(fed.town_b_staff), transfer=transfer, reason=" ")
    services.transfer_refuse(scope=fed.scope(fed.town_b_staff), transfer=transfer, reason="不在本单位工作")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED
    fed.member_a1.refresh_from_db()
    assert fed.member_a1.status == MembershipStatus.ACTIVE


def test_leave_is_dated_and_kept(fed):
    services.membership_leave(
        scope=fed.scope(fed.union_a1_officer), membership=fed.member_a1, on=date(2025, 1, 31), reason="离职"
    )
    fed.member_a1.refresh_from_db()
    assert (fed.member_a1.status, fed.member_a1.ended_on) == (MembershipStatus.LEFT, date(2025, 1, 31))
    assert fed.member_a1.events.last().kind == MembershipEventKind.LEAVE


def test_other_town_cannot_see_or_change_a_member(fed):
    town_b = fed.scope(fed.town_b_staff)
    with pytest.raises(NotFound):
        selectors.person_get(scope=town_b, pk=fed.member_a1.person_id)
    assert fed.member_a1 not in selectors.membership_list(scope=town_b)
    with pytest.raises(Forbidden):
        services.membership_leave(scope=town_b, membership=fed.member_a1, on=date(2025, 1, 1), reason="x")


def test_member_sees_only_themself(fed):
    scope = fed.scope(fed.member_user)
    assert list(selectors.membership_list(scope=scope)) == [fed.member_a1]
    with pytest.raises(NotFound):
        selectors.person_get(scope=scope, pk=fed.member_b1.person_id)


def test_reveal_needs_permission_and_is_audited(fed):
    person = fed.member_a1.person
    with pytest.raises(Forbidden):
        services.person_reveal_identity(scope=fed.scope(fed.town_a_staff), person=person, reason="核对")
    shown = services.person_reveal_identity(scope=fed.scope(fed.city_staff), person=person, reason="核对身份")
    assert shown["id_number"] == person.id_number
    reads = AuditEntry.objects.exclude(action=AuditEntry.Action.CHANGE)
    actions = list(reads.values_list("action", "actor__username", "subject_id"))
    assert actions == [
        (AuditEntry.Action.REVEAL_ID_NUMBER, "city", str(person.pk)),
        (AuditEntry.Action.ACCESS_DENIED, "town_a", str(person.pk)),
    ]


def test_a_refused_reveal_is_logged_as_denied_with_whom_it_was_about(fed):
    person, city = fed.member_a1.person, fed.scope(fed.city_staff)
    with pytest.raises(Forbidden):
        services.person_reveal_identity(scope=fed.scope(fed.town_b_staff), person=fed.member_b1.person, reason="核对")
    with pytest.raises(NotFound):
        services.person_reveal_identity(scope=fed.scope(fed.town_b_staff), person=person, reason="核对")
    with pytest.raises(ValidationFailed):
        services.person_reveal_identity(scope=city, person=person, reason=" ")
    refused = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED).order_by("pk")
    assert [(e.result, e.data_subject_id, e.detail["code"], e.detail["attempted"]) for e in refused] == [
        ("denied", fed.member_b1.person_id, "forbidden", "reveal_id_number"),
        ("denied", person.pk, "not_found", "reveal_id_number"),
        ("denied", person.pk, "invalid", "reveal_id_number"),
    ]


def test_search_by_id_mobile_and_name_prefix(fed):
    city = fed.scope(fed.city_staff)
    person = fed.member_a1.person
    for query in (person.id_number, person.mobile, "张"):
        assert list(selectors.membership_list(scope=city, filters=selectors.MemberFilter(query=query))) == [
            fed.member_a1
        ]
