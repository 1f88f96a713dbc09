"""Builds the demo federation from every app's own contribution (core/demo.py): city by
city, each city in one transaction, the contributions in order; then one sign-in per role.

At scale 1 it has Haining's sizes at the end of the 2021-2025 review: 12 towns, 1,686
grassroots unions covering 3,713 employers, 248,500 members, with five years of joins,
transfers, leaves and deaths behind them. Scale 0.01 is a quick test federation; from
scale 2 the root becomes a province federation over round(scale) county-level cities.
The same seed and date give the same data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Permission, User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from gonghui.accounts.models import Account
from gonghui.accounts.services import device_provision, device_secret
from gonghui.core import demo
from gonghui.core.access import STAFF_ROLES, Role
from gonghui.core.demo import EARLIEST_AS_OF, REVIEW_START, DemoContext, Log
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.figures import FigureValue, Period, all_figures
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.organisations.models import GRASSROOTS_KINDS, Organisation, OrganisationKind

DEMO_PASSWORD = "gonghui-demo-2026"


@dataclass(frozen=True)
class SignIn:
    role: str
    username: str
    organisation: str
    totp_secret: str = ""  # staff sign in with a second factor: this goes into their app


@dataclass
class DemoResult:
    scale: float
    seconds: float
    counts: list[tuple[str, int]]  # (label, how many), as the contributions list them
    stock_day: date
    stock: dict[str, FigureValue]  # the report's figures for the review period, city-wide
    sign_ins: list[SignIn]
    password: str = DEMO_PASSWORD


def organisations_exist() -> bool:
    return Organisation.objects.exists()


def seed_demo(*, scale: float, seed: int = 1, as_of: date | None = None, log: Log | None = None) -> DemoResult:
    """Build the demo federation in an empty database and create one sign-in per role."""
    if organisations_exist():
        raise Conflict(gettext("数据库中已有组织数据；演示数据只能装入空库"))
    as_of = as_of or timezone.localdate()
    if as_of < EARLIEST_AS_OF:
        raise ValidationFailed(
            gettext("历史截止日期不能早于 %(earliest)s") % {"earliest": EARLIEST_AS_OF}, field="as_of"
        )
    started = time.monotonic()
    ctx = DemoContext(seed=seed, as_of=as_of, log=log or (lambda _msg: None), scale=scale, province=scale >= 2)
    _build(ctx)
    sign_ins = _create_sign_ins(root=ctx.root, town=ctx.first_town)
    period = Period(REVIEW_START, ctx.stock_day)
    return DemoResult(
        scale=scale,
        seconds=time.monotonic() - started,
        counts=[(c.label, c.count()) for c in demo.demo_counts()],
        stock_day=ctx.stock_day,
        stock={f.name: f.compute(ctx.root.path, period) for f in all_figures()},
        sign_ins=sign_ins,
    )


def _build(ctx: DemoContext) -> None:
    cities = demo.cities_for(ctx.scale)
    ctx.cities = len(cities)
    for number, (spec, targets) in enumerate(cities, start=1):
        ctx.city_number, ctx.city_spec, ctx.city_targets, ctx.city = number, spec, targets, None
        with transaction.atomic():
            for contribution in demo.registry.all():
                contribution.each_city(ctx)
    if ctx.root is None or ctx.first_town is None:
        raise Conflict(gettext("演示数据没有生成组织：组织建设应用未登记其演示数据"))


# --- sign-ins --------------------------------------------------------------------------------


def _create_sign_ins(*, root: Organisation, town: Organisation) -> list[SignIn]:
    union = _busiest_union(town)
    member = _member_with_history(union)
    city_user = _demo_user("demo-city", role=Role.CITY, organisation=root)
    city_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="members", codename="view_full_identity")
    )
    _demo_user("demo-town", role=Role.TOWN, organisation=town)
    _demo_user("demo-union", role=Role.UNION, organisation=union)
    _demo_user("demo-member", role=Role.MEMBER, person=member)
    return existing_sign_ins()


DEMO_USERNAMES = ("demo-city", "demo-town", "demo-union", "demo-member")


def existing_sign_ins() -> list[SignIn]:
    """The demo accounts already in the database, for a second run that leaves data alone."""
    accounts = Account.objects.filter(user__username__in=DEMO_USERNAMES).select_related(
        "user", "organisation", "person"
    )
    order = {name: i for i, name in enumerate(DEMO_USERNAMES)}
    return [
        SignIn(
            str(Role(a.role).label),
            a.user.username,
            _where(a),
            device_secret(device_provision(user=a.user)) if a.role in STAFF_ROLES else "",
        )
        for a in sorted(accounts, key=lambda a: order[a.user.username])
    ]


def _where(account: Account) -> str:
    """The organisation of a staff account, or the member and their union."""
    if account.organisation is not None:
        return account.organisation.name
    person = account.person
    assert person is not None, "a member account has its person (a database constraint)"
    return f"{person.name}（{_current_union_name(person)}）"


def _current_union_name(person: Person) -> str:
    membership = person.memberships.filter(status=MembershipStatus.ACTIVE).select_related("union").first()
    return membership.union.name if membership else ""


def _busiest_union(town: Organisation) -> Organisation:
    row = (
        Membership.objects.filter(
            status=MembershipStatus.ACTIVE,
            union__path__startswith=town.path,
            union__kind=OrganisationKind.ENTERPRISE_UNION,
        )
        .values("union")
        .annotate(n=Count("id"))
        .order_by("-n", "union")
        .first()
    )
    if row is None:
        return (
            Organisation.objects.filter(path__startswith=town.path, kind__in=GRASSROOTS_KINDS).order_by("path").first()
            or town
        )
    return Organisation.objects.get(pk=row["union"])


def _member_with_history(union: Organisation) -> Person:
    active = Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE).order_by("pk")
    moved = active.annotate(n=Count("person__memberships")).filter(n__gt=1).first()
    chosen = moved or active.first()
    if chosen is None:
        raise Conflict(gettext("%(union)s没有在会会员，无法创建会员账号") % {"union": union.name})
    return chosen.person


def _demo_user(
    username: str, *, role: str, organisation: Organisation | None = None, person: Person | None = None
) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.set_password(DEMO_PASSWORD)
    user.is_active = True
    user.save()
    Account.objects.update_or_create(user=user, defaults={"role": role, "organisation": organisation, "person": person})
    return user
