"""Named people for tests: a small federation with two towns, so every test can ask
"and what does the other town's officer see?"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import count

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Account
from gonghui.accounts.scopes import scope_for
from gonghui.core.access import Role, Scope
from gonghui.members.identity import make_id_number
from gonghui.members.models import Membership, MembershipEvent, MembershipEventKind, Person
from gonghui.organisations.identity import make_uscc
from gonghui.organisations.models import Employer, EmployerCoverage, Organisation, OrganisationKind

_serial = count(1)
PASSWORD = "correct-horse-battery-staple"


def new_id_number(*, birth: date = date(1990, 1, 1), sex: str = "M") -> str:
    return make_id_number(region="330481", birth=birth, sequence=next(_serial), sex=sex)


def new_mobile() -> str:
    return f"139{next(_serial):08d}"


def make_user(
    username: str,
    *,
    role: str,
    organisation: Organisation | None = None,
    person: Person | None = None,
    perms: tuple[str, ...] = (),
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    Account.objects.create(user=user, role=role, organisation=organisation, person=person)
    if role != Role.MEMBER:
        # Staff sign in with a second factor; see totp_code() and the test client in conftest.py.
        TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache


def signed_in(user: User) -> Client:
    """A test client signed in as this user (past the password; staff still owe the second
    factor unless the test gives them one)."""
    client = Client()
    client.force_login(user)
    return client


def totp_code(user: User) -> str:
    """The code the user's authenticator app shows now."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).get()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def make_employer(
    *, town: Organisation, union: Organisation | None, name: str, covered_since: date = date(2015, 1, 1)
) -> Employer:
    """An employer with its coverage history as employer_create writes it."""
    employer = Employer.objects.create(
        name=name,
        uscc=make_uscc(region="330481", serial=next(_serial)),
        town=town,
        union=union,
        covered_since=covered_since if union else None,
    )
    if union is not None:
        EmployerCoverage.objects.create(employer=employer, union=union, started_on=covered_since)
    return employer


def make_member(
    *,
    union: Organisation,
    name: str,
    employer: Employer | None = None,
    joined_on: date = date(2022, 3, 1),
    migrant: bool = False,
    sex: str = "M",
) -> Membership:
    number = new_id_number(sex=sex)
    person = Person.objects.create(
        name=name,
        id_number=number,
        birth_date=date(1990, 1, 1),
        sex=sex,
        mobile=new_mobile(),
        is_migrant_worker=migrant,
    )
    membership = Membership.objects.create(person=person, union=union, employer=employer, joined_on=joined_on)
    MembershipEvent.objects.create(
        person=person, membership=membership, kind=MembershipEventKind.JOIN, on=joined_on, union=union
    )
    return membership


@dataclass
class Federation:
    city: Organisation
    town_a: Organisation
    town_b: Organisation
    union_a1: Organisation
    union_a2: Organisation
    union_b1: Organisation
    employer_a1: Employer
    employer_b1: Employer
    member_a1: Membership
    member_b1: Membership
    city_staff: User
    town_a_staff: User
    town_b_staff: User
    union_a1_officer: User
    member_user: User

    def scope(self, user: User) -> Scope:
        return scope_for(user)


def build_federation() -> Federation:
    city = Organisation.objects.add_root(
        instance=Organisation(code="HN", name="海宁市总工会", kind=OrganisationKind.CITY_FEDERATION)
    )
    town_a = Organisation.objects.add_child(
        city, instance=Organisation(code="HN-XF", name="硖石街道总工会", kind=OrganisationKind.TOWN_FEDERATION)
    )
    city.refresh_from_db()
    town_b = Organisation.objects.add_child(
        city, instance=Organisation(code="HN-XC", name="许村镇总工会", kind=OrganisationKind.TOWN_FEDERATION)
    )
    union_a1 = Organisation.objects.add_child(
        town_a, instance=Organisation(code="HN-XF-001", name="海宁皮革城工会", kind=OrganisationKind.ENTERPRISE_UNION)
    )
    town_a.refresh_from_db()
    union_a2 = Organisation.objects.add_child(
        town_a, instance=Organisation(code="HN-XF-002", name="硖石联合工会", kind=OrganisationKind.JOINT_UNION)
    )
    union_b1 = Organisation.objects.add_child(
        town_b, instance=Organisation(code="HN-XC-001", name="许村家纺工会", kind=OrganisationKind.ENTERPRISE_UNION)
    )
    employer_a1 = make_employer(town=town_a, union=union_a1, name="海宁中国皮革城股份有限公司")
    employer_b1 = make_employer(town=town_b, union=union_b1, name="许村家纺有限公司")
    member_a1 = make_member(union=union_a1, name="张伟", employer=employer_a1)
    member_b1 = make_member(union=union_b1, name="李娜", employer=employer_b1, sex="F", migrant=True)
    return Federation(
        city=city,
        town_a=town_a,
        town_b=town_b,
        union_a1=union_a1,
        union_a2=union_a2,
        union_b1=union_b1,
        employer_a1=employer_a1,
        employer_b1=employer_b1,
        member_a1=member_a1,
        member_b1=member_b1,
        city_staff=make_user("city", role=Role.CITY, organisation=city, perms=("members.view_full_identity",)),
        town_a_staff=make_user("town_a", role=Role.TOWN, organisation=town_a),
        town_b_staff=make_user("town_b", role=Role.TOWN, organisation=town_b),
        union_a1_officer=make_user("union_a1", role=Role.UNION, organisation=union_a1),
        member_user=make_user("member_a1", role=Role.MEMBER, person=member_a1.person),
    )


def run_together(count: int, work: Callable[[int], object]) -> list[object]:
    """`count` threads, each with its own database connection, released at once by a
    barrier; what each returned or raised, for race tests on PostgreSQL."""
    results: list[object] = []
    start = threading.Barrier(count)

    def one(n: int) -> None:
        try:
            start.wait()
            results.append(work(n))
        except Exception as err:  # collected: the test reads what each thread met
            results.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
