"""Cover kept right as members' lives change: joining after the window, leaving, a transfer
between unions, a union's merger and dissolution (coverage.py through the members' and the
organisations' hooks). Each checks what the database holds and what a settlement run would
match afterwards (settlements.members_enrolled)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gonghui.core.crypto import blind_index
from gonghui.core.errors import ValidationFailed
from gonghui.members import services as member_services
from gonghui.members.models import Membership
from gonghui.mutual_aid import enrolling, services
from gonghui.mutual_aid.models import Enrolment, SchemeYear, SettlementBatch
from gonghui.mutual_aid.settlements import members_enrolled
from gonghui.mutual_aid.tests.helpers import enrol_union, make_scheme, two_years
from gonghui.organisations import services as organisation_services
from gonghui.organisations.models import Organisation, OrganisationStatus
from gonghui.testing import Federation, make_member


@pytest.fixture
def years(fed: Federation, monkeypatch) -> tuple[SchemeYear, SchemeYear]:
    return two_years(fed, monkeypatch)


def matched(scheme: SchemeYear, area: Organisation, membership: Membership):
    """What a settlement batch of `area` would match for this member (None: not enrolled there)."""
    batch = SettlementBatch(scheme_year=scheme, scope_path=area.path)
    return members_enrolled(batch).get(blind_index(membership.person.id_number))


def enrolment(scheme: SchemeYear, membership: Membership) -> Enrolment:
    return Enrolment.objects.get(scheme_year=scheme, person=membership.person)


# --- joining late ---------------------------------------------------------------------------


def test_after_the_window_only_late_joiners_are_enrolled_from_the_day_they_joined(fed, years, monkeypatch):
    _, scheme = years
    missed = make_member(union=fed.union_a1, name="王秀英", joined_on=date(2025, 6, 1), sex="F")
    late = make_member(union=fed.union_a1, name="陈刚", joined_on=date(2026, 2, 20))
    monkeypatch.setattr(services, "today", lambda: date(2026, 3, 10))
    job = enrol_union(fed, scheme, fed.union_a1)
    assert job.result == {"enrolled": 1, "already": 1, "outside_window": 1}
    row = enrolment(scheme, late)
    assert (row.coverage_from, row.coverage_to, row.enrolled_on) == (
        date(2026, 2, 20),
        date(2026, 12, 31),
        date(2026, 3, 10),
    )
    assert row.first_time  # nobody covered them in 2025: the waiting period applies
    assert not Enrolment.objects.filter(person=missed.person).exists()
    cover = matched(scheme, fed.town_a, late).cover
    assert (cover.starts_on, cover.waiting_ends_on) == (date(2026, 2, 20), date(2026, 2, 20) + timedelta(days=90))


def test_before_the_window_opens_nobody_is_enrolled(fed, years, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: date(2026, 9, 1))
    scheme = make_scheme(fed, 2027)
    with pytest.raises(ValidationFailed, match="2027 年度参保登记自 2026-10-01 开始，尚未开放"):
        enrolling.enrolment_job_submit(scope=fed.scope(fed.union_a1_officer), scheme_year=scheme, union=fed.union_a1)
    assert not Enrolment.objects.filter(scheme_year=scheme).exists()


# --- leaving --------------------------------------------------------------------------------


def test_leaving_ends_cover_on_the_day_and_drops_an_unpaid_year_not_begun(fed, years, monkeypatch):
    last_year, scheme = years
    monkeypatch.setattr(services, "today", lambda: date(2026, 11, 1))
    next_year = make_scheme(fed, 2027)
    enrol_union(fed, next_year, fed.union_a1)
    member_services.membership_leave(
        scope=fed.scope(fed.city_staff), membership=fed.member_a1, on=date(2026, 11, 20), reason="调往外地工作"
    )
    row = enrolment(scheme, fed.member_a1)
    assert (row.coverage_from, row.coverage_to, row.union) == (date(2026, 1, 1), date(2026, 11, 20), fed.union_a1)
    assert row.history.first().history_change_reason == "已退会，保障截止"
    assert enrolment(last_year, fed.member_a1).coverage_to == date(2025, 12, 31)  # a past year is left alone
    assert not Enrolment.objects.filter(scheme_year=next_year, person=fed.member_a1.person).exists()
    assert matched(scheme, fed.city, fed.member_a1).cover.ends_on == date(2026, 11, 20)
    assert matched(next_year, fed.city, fed.member_a1) is None


def test_a_paid_year_not_begun_keeps_only_its_first_day(fed, years, monkeypatch):
    _, scheme = years
    Enrolment.objects.filter(scheme_year=scheme, person=fed.member_b1.person).update(
        payment_status="paid", paid_on=date(2025, 11, 5)
    )
    member_services.membership_leave(
        scope=fed.scope(fed.city_staff), membership=fed.member_b1, on=date(2025, 12, 20), reason="辞职"
    )
    row = enrolment(scheme, fed.member_b1)
    assert (row.coverage_from, row.coverage_to) == (date(2026, 1, 1), date(2026, 1, 1))


# --- transfers ------------------------------------------------------------------------------


def test_a_transfer_moves_the_enrolment_to_the_new_union_with_cover_unchanged(fed, years):
    last_year, scheme = years
    city = fed.scope(fed.city_staff)
    transfer = member_services.transfer_start(
        scope=city, membership=fed.member_a1, to_union=fed.union_b1, on=date(2026, 5, 1), to_employer=fed.employer_b1
    )
    member_services.transfer_confirm(scope=city, transfer=transfer, on=date(2026, 5, 1))
    row = enrolment(scheme, fed.member_a1)
    assert (row.union, row.employer) == (fed.union_b1, fed.employer_b1)
    assert (row.coverage_from, row.coverage_to, row.first_time) == (date(2026, 1, 1), date(2026, 12, 31), False)
    assert [h.union_id for h in row.history.order_by("history_date")] == [fed.union_a1.pk, fed.union_b1.pk]
    assert enrolment(last_year, fed.member_a1).union == fed.union_a1  # 2025 stays with who enrolled it
    assert matched(scheme, fed.town_a, fed.member_a1) is None
    assert matched(scheme, fed.town_b, fed.member_a1).cover.ends_on == date(2026, 12, 31)


# --- a union closes -------------------------------------------------------------------------


def test_a_merger_moves_the_unions_enrolments_to_the_receiving_union(fed, years):
    last_year, scheme = years
    organisation_services.organisation_change_status(
        scope=fed.scope(fed.town_a_staff),
        organisation=fed.union_a1,
        status=OrganisationStatus.MERGED,
        on=date(2026, 6, 1),
        merged_into=fed.union_a2,
    )
    row = enrolment(scheme, fed.member_a1)
    assert (row.union, row.coverage_from, row.coverage_to) == (fed.union_a2, date(2026, 1, 1), date(2026, 12, 31))
    assert row.history.first().history_change_reason == "海宁皮革城工会并入硖石联合工会"
    assert enrolment(last_year, fed.member_a1).union == fed.union_a1
    assert matched(scheme, fed.union_a2, fed.member_a1) is not None
    assert matched(scheme, fed.union_a1, fed.member_a1) is None


def test_a_dissolved_unions_members_lose_cover_on_the_day(fed, years):
    _, scheme = years
    organisation_services.organisation_change_status(
        scope=fed.scope(fed.town_b_staff),
        organisation=fed.union_b1,
        status=OrganisationStatus.DISSOLVED,
        on=date(2026, 7, 1),
    )
    row = enrolment(scheme, fed.member_b1)
    assert (row.union, row.coverage_to) == (fed.union_b1, date(2026, 7, 1))
    assert matched(scheme, fed.town_b, fed.member_b1).cover.ends_on == date(2026, 7, 1)
    assert enrolment(scheme, fed.member_a1).coverage_to == date(2026, 12, 31)  # another union's untouched
