"""seed_demo at test scale: valid numbers, one active membership each, the target sizes at
the end of the review period, and a sign-in for every role."""

import re
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import RequestFactory
from stdnum.cn import ric, uscc

from gonghui.accounts.second_factor import confirmed_device
from gonghui.accounts.services import device_secret
from gonghui.core.demo import targets_for
from gonghui.core.figures import Period, get_figure
from gonghui.demo.seeding import DEMO_PASSWORD
from gonghui.members.models import Membership, MembershipEvent, MembershipStatus, Person
from gonghui.organisations.models import (
    Employer,
    EmployerCoverage,
    Organisation,
    OrganisationKind,
    OrganisationStatusChange,
)

AS_OF = "2026-06-30"
REVIEW = Period(date(2021, 1, 1), date(2025, 12, 31))


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # The personas' and demo accounts' passwords would otherwise cost a second each to hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "0.01", "--as-of", AS_OF, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return seed()


def test_every_identity_number_and_credit_code_is_valid(demo):
    assert all(ric.is_valid(n) for n in Person.objects.values_list("id_number", flat=True))
    assert all(uscc.is_valid(c) for c in Employer.objects.values_list("uscc", flat=True))
    assert all(uscc.is_valid(c) for c in Organisation.objects.values_list("uscc", flat=True))
    assert all(re.fullmatch(r"1[3-9]\d{9}", m) for m in Person.objects.values_list("mobile", flat=True))


def test_birth_date_and_sex_agree_with_the_identity_number(demo):
    for person in Person.objects.all()[:500]:
        assert ric.get_birth_date(person.id_number) == person.birth_date
        assert person.sex == ("M" if int(person.id_number[16]) % 2 else "F")


def test_nobody_holds_two_active_memberships_and_every_stretch_has_its_events(demo):
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE)
    assert not active.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Membership.objects.filter(events__isnull=True).exists()
    ended = Membership.objects.exclude(status=MembershipStatus.ACTIVE)
    assert ended.exists() and not ended.filter(ended_on__isnull=True).exists()
    kinds = set(MembershipEvent.objects.values_list("kind", flat=True))
    assert kinds == {"join", "transfer_out", "transfer_in", "leave", "death"}


def test_the_review_period_ends_at_the_target_sizes(demo):
    targets = targets_for(0.01)
    root = Organisation.objects.get_first_root_node()
    values = {name: get_figure(name).compute(root.path, REVIEW) for name in (
        "organisations.unions", "organisations.employers_covered", "members.members")}  # fmt: skip
    assert values == {
        "organisations.unions": targets.unions,
        "organisations.employers_covered": targets.employers,
        "members.members": targets.members,
    }
    assert Organisation.objects.filter(kind=OrganisationKind.TOWN_FEDERATION).count() == targets.towns
    migrants = get_figure("members.migrant_members").compute(root.path, REVIEW)
    assert isinstance(migrants, int) and 0.2 < migrants / targets.members < 0.6


def test_the_tree_is_sound_and_closures_are_dated(demo):
    assert all(problems == [] for problems in Organisation.objects.find_problems())
    assert Organisation.objects.get(code="HN").name == "海宁市总工会"
    assert Organisation.objects.filter(name="硖石街道总工会").exists()
    closed = Organisation.objects.exclude(status="active")
    assert {o.status for o in closed} == {"merged", "dissolved"}
    for org in closed:
        assert org.status_since is not None
        assert OrganisationStatusChange.objects.filter(
            organisation=org, status=org.status, on=org.status_since
        ).exists()
        assert not org.memberships.filter(status=MembershipStatus.ACTIVE).exists()
        assert not org.employers.exists()


def test_transfers_keep_the_first_join_and_rejoins_start_anew(demo):
    carried = 0
    for person in Person.objects.filter(memberships__status=MembershipStatus.TRANSFERRED).distinct()[:300]:
        stretches = list(person.memberships.order_by("joined_on", "pk"))
        for before, after in zip(stretches, stretches[1:], strict=False):
            if before.status == MembershipStatus.TRANSFERRED:
                assert after.first_joined_on == before.first_joined_on and after.joined_on == before.ended_on
                carried += 1
    assert carried
    assert not Membership.objects.filter(first_joined_on__gt=F("joined_on")).exists()
    joins = Membership.objects.filter(events__kind="join")
    assert not joins.exclude(first_joined_on=F("joined_on")).exists()


def test_every_covered_employer_has_its_union_as_the_open_stretch_of_its_history(demo):
    employers = Employer.objects.filter(union__isnull=False)
    open_stretches = EmployerCoverage.objects.filter(ended_on__isnull=True)
    assert open_stretches.count() == employers.count()
    assert not open_stretches.exclude(union_id=F("employer__union_id")).exists()
    for org in Organisation.objects.exclude(status="active"):
        ended = EmployerCoverage.objects.filter(union=org)
        assert not ended.filter(ended_on__isnull=True).exists()
        assert not ended.exclude(ended_on=org.status_since).exists()


def test_it_prints_a_working_sign_in_for_each_role(demo, client):
    for username in ("demo-city", "demo-town", "demo-union", "demo-member"):
        assert username in demo
        # django-axes wants the request it guards, so authenticate with one
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD), username
    secret = device_secret(confirmed_device(User.objects.get(username="demo-town")))
    assert secret in demo
    assert DEMO_PASSWORD in demo and "2025-12-31" in demo and "会员 2,485" in demo
    city = Organisation.objects.get(code="HN")
    city_user = User.objects.get(username="demo-city")
    assert city_user.account.organisation == city and city_user.has_perm("members.view_full_identity")
    member = User.objects.get(username="demo-member").account.person
    assert member is not None
    assert member.memberships.filter(status=MembershipStatus.ACTIVE).exists()


def test_if_empty_leaves_a_filled_database_alone_and_otherwise_refuses(demo):
    people = Person.objects.count()
    again = seed("--if-empty")
    assert "未生成" in again and "demo-member" in again and DEMO_PASSWORD in again
    with pytest.raises(CommandError, match="已有组织数据"):
        seed()
    assert Person.objects.count() == people


def test_the_same_seed_gives_the_same_federation(db):
    def snapshot() -> list[tuple[str, str, str]]:
        # Stored numbers are encrypted with a random nonce, so order in Python, not in SQL.
        return sorted(Person.objects.values_list("id_number", "name", "mobile"))[:200]

    with transaction.atomic():
        seed("--seed", "7")
        first = snapshot()
        transaction.set_rollback(True)
    seed("--seed", "7")
    assert snapshot() == first
