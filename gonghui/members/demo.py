"""The member registry's demo data (core/demo.py): for each city planned by the organisations
app, the members counted at the end of the review with the joins, transfers, leaves and
deaths behind them, the members who moved with a closed union, and what happened since.

Rows are written with bulk_create in large batches, so django-simple-history keeps no
history for them.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate

from django.utils import timezone

from gonghui.core import demo
from gonghui.core import demo_data as data
from gonghui.core.demo import BATCH, REVIEW_START, DemoContext, region_code
from gonghui.members.identity import make_id_number, make_old_id_number, upgrade_15_digits
from gonghui.members.models import (
    Education,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipStatus,
    Person,
    SkillLevel,
    Transfer,
    TransferInitiator,
    TransferStatus,
)
from gonghui.organisations.demo import CityPlan, EmployerPlan, Node
from gonghui.organisations.models import Employer, Organisation, OrganisationStatus

PEOPLE_PER_FLUSH = 10_000
YEAR = 365.2425  # days
ID_EPOCH = date(1930, 1, 1).toordinal()  # birth dates the identity-number book can hold
ID_DAYS = date(2030, 1, 1).toordinal() - ID_EPOCH

# Shares that shape a city; numbers from the review where it gives them, judgement elsewhere.
TRANSFER_SHARE = 0.05  # members who came in by transfer during the review (and a year since)
EARLY_TRANSFER_SHARE = 0.06  # of members who joined their union 2006-2020, those who came by transfer
EARLY_TRANSFERS_FROM = date(2006, 1, 1)
FIRST_JOINS_FROM = date(2003, 1, 1)  # the earliest first join of a member who transferred
MIN_AGE = 16  # on joining: the minimum working age (members/ages.py)
OFFICER_AGE = 25  # the youngest a union's chair or officer is on joining
LEFT_SHARE = 0.07  # people who joined and left again (and a year since), beyond those counted
DEATH_SHARE = 0.003
EARLY_JOIN_SHARE = 0.40  # members who joined before the review period began
FOUNDING_WAVE_SHARE = 0.25  # members who joined within months of their union's founding
RECENT_JOIN_RATE = 0.12  # new members a year, as a share of all members, after the review


def build_members(ctx: DemoContext) -> None:
    _make_members(ctx, ctx.city)


HISTORY = demo.DemoContribution(
    key="members.history",
    each_city=build_members,
    counts=(
        demo.DemoCount("people", "职工", lambda: Person.objects.count(), order=20),
        demo.DemoCount("memberships", "会籍记录", lambda: Membership.objects.count(), order=21),
        demo.DemoCount(
            "active_members", "在会会员", lambda: Membership.objects.filter(status=MembershipStatus.ACTIVE).count(), 22
        ),
        demo.DemoCount("membership_events", "会籍变动", lambda: MembershipEvent.objects.count(), order=23),
        demo.DemoCount("transfers", "组织关系转接", lambda: Transfer.objects.count(), order=24),
    ),
    order=20,
)


def _id_number(world: DemoContext, region: str, birth: date, sex: str, *, fifteen_digits: bool = False) -> str:
    """A valid identity number never handed out before in this build; one first issued with
    15 digits (before 1999) is made as that number and upgraded, as the import does."""
    books: dict[str, array[int]] = world.state.setdefault("members.id_sequences", {})
    # Up to 500 people share a region and birth date. A small array per region counts
    # them by day (a dict keyed by region and day would take gigabytes for a province);
    # each day's numbers start at a scattered place, as real ones look random.
    days = books.get(region)
    if days is None:
        days = books[region] = array("H", bytes(2 * ID_DAYS))
    while True:
        day = birth.toordinal() - ID_EPOCH
        used = days[day]
        if used < 500:
            days[day] = used + 1
            sequence = (day * 7_919 + int(region) + used) % 500
            if fifteen_digits:
                return upgrade_15_digits(make_old_id_number(region=region, birth=birth, sequence=sequence, sex=sex))
            return make_id_number(region=region, birth=birth, sequence=sequence, sex=sex)
        birth += timedelta(days=1)


# --- people and memberships --------------------------------------------------------------------


@dataclass
class _Batch:
    """Rows of a few thousand people, written in dependency order: people, memberships,
    then their events and transfers."""

    people: list[Person] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    events: list[MembershipEvent] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)

    def flush(self) -> None:
        Person.objects.bulk_create(self.people, batch_size=BATCH)
        Membership.objects.bulk_create(self.memberships, batch_size=BATCH)
        MembershipEvent.objects.bulk_create(self.events, batch_size=BATCH)
        Transfer.objects.bulk_create(self.transfers, batch_size=BATCH)
        self.people, self.memberships, self.events, self.transfers = [], [], [], []


EDUCATION_MIGRANT = ((Education.PRIMARY, 10), (Education.JUNIOR, 50), (Education.SENIOR, 25),
                     (Education.COLLEGE, 10), (Education.BACHELOR, 5))  # fmt: skip
EDUCATION_LOCAL = ((Education.JUNIOR, 22), (Education.SENIOR, 30), (Education.COLLEGE, 23),
                   (Education.BACHELOR, 22), (Education.POSTGRADUATE, 3))  # fmt: skip
SKILLS = ((SkillLevel.NONE, 55), (SkillLevel.GRADE5, 18), (SkillLevel.GRADE4, 15), (SkillLevel.GRADE3, 9),
          (SkillLevel.GRADE2, 2.5), (SkillLevel.GRADE1, 0.5))  # fmt: skip
FEMALE_SHARE = {"经编": 0.6, "家纺": 0.62, "纺织": 0.6, "服装": 0.7, "皮革": 0.55, "教育": 0.7, "卫生": 0.7,
                "机械": 0.25, "光伏": 0.3, "建筑": 0.12, "物流": 0.2}  # fmt: skip


def _weighted(world: DemoContext, options: tuple[tuple[str, float], ...]) -> str:
    return world.rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]


def _person(
    world: DemoContext,
    city: CityPlan,
    union: Node,
    joined: date,
    *,
    counted_on: date | None = None,
    youngest: int = MIN_AGE,
) -> Person:
    """A worker who joined on `joined`, at least `youngest` then, with the workforce's age
    spread on `counted_on` (the stock day for the members counted there; else the join)."""
    rng = world.rng
    migrant = world.chance(union.migrant_share)
    sex = "F" if world.chance(FEMALE_SHARE.get(union.industry, 0.45)) else "M"
    birth = _birth_date(world, joined, counted_on or joined, youngest)
    issued = demo.issue_year(rng, birth.year)
    if migrant:
        home = rng.choices(world.homes, cum_weights=world.homes_cum)[0]
        region, registration = region_code(home.names, issued), home.label
    else:
        region = region_code(city.local_region_names, issued)
        registration = f"浙江省{city.spec.name.split('（')[0]}"
    world.people_made += 1
    return Person(
        name=world.name(local=not migrant, sex=sex),
        id_number=_id_number(world, region, birth, sex, fifteen_digits=issued < demo.BIRTH_NUMBERS),
        birth_date=birth,
        sex=sex,
        mobile=world.mobile(),
        household_registration=registration,
        education=_weighted(world, EDUCATION_MIGRANT if migrant else EDUCATION_LOCAL),
        skill_level=_weighted(world, SKILLS),
        is_migrant_worker=migrant,
    )


_AGES = [age for first, last, _ in data.WORKFORCE_AGES for age in range(first, last + 1)]
_AGE_SHARES = [share / (last - first + 1) for first, last, share in data.WORKFORCE_AGES for _ in range(first, last + 1)]
_AGES_CUM = list(accumulate(_AGE_SHARES))


def _birth_date(world: DemoContext, joined: date, counted_on: date, youngest: int) -> date:
    """A birth date drawn from the workforce's ages on `counted_on`, among those old enough to
    have been `youngest` on joining (someone who joined ten years before the stock day is at
    least 26 on it)."""
    lowest = youngest + int(max(0, (counted_on - joined).days) / YEAR)
    i = min(max(lowest - _AGES[0], 0), len(_AGES) - 1)
    floor = _AGES_CUM[i - 1] if i else 0.0
    drawn = floor + world.rng.random() * (_AGES_CUM[-1] - floor)
    age = _AGES[min(bisect_right(_AGES_CUM, drawn), len(_AGES) - 1)]
    birth = counted_on - timedelta(days=math.ceil(age * YEAR) + world.rng.randint(0, 364))
    latest = _years_before(joined, youngest)
    # the youngest age drawn may still be too young on the join day: then a year older
    return birth if birth <= latest else latest - timedelta(days=world.rng.randint(0, 364))


def _years_before(day: date, years: int) -> date:
    """The birth date of someone who turns `years` on `day` (28 February for a 29th)."""
    if (day.month, day.day) == (2, 29):
        return date(day.year - years, 2, 28)
    return day.replace(year=day.year - years)


def _join_date(world: DemoContext, union: Node, plan: EmployerPlan, until: date) -> date:
    """Some joined in the drive when their union was founded, the rest over the years since,
    a share of them before the review period began."""
    founded = max(union.founded, plan.employer.covered_since or union.founded)
    start = max(founded, date(2000, 1, 1))
    if start >= until:
        return until
    if founded >= date(2000, 1, 1) and world.chance(FOUNDING_WAVE_SHARE):
        return world.day(start, min(until, start + timedelta(days=90)))
    early_end = min(until, REVIEW_START - timedelta(days=1))
    late_start = max(start, REVIEW_START)
    if start <= early_end and (late_start > until or world.chance(EARLY_JOIN_SHARE)):
        return world.day(start, early_end)
    return world.day(late_start, until)


def _event(
    batch: _Batch, m: Membership, kind: str, on: date, counterpart: Organisation | None = None, reason: str = ""
) -> None:
    batch.events.append(
        MembershipEvent(
            person=m.person, membership=m, kind=kind, on=on, union=m.union, counterpart=counterpart, reason=reason
        )
    )


def _membership(
    batch: _Batch,
    person: Person,
    union: Organisation,
    employer: Employer | None,
    joined: date,
    *,
    continues: Membership | None = None,
) -> Membership:
    """A stretch at `union` from `joined`; one that `continues` a transfer keeps its first join."""
    first = continues.first_joined_on if continues is not None else joined
    m = Membership(person=person, union=union, employer=employer, joined_on=joined, first_joined_on=first)
    batch.memberships.append(m)
    return m


def _end(m: Membership, status: str, on: date, reason: str = "") -> None:
    m.status, m.ended_on, m.leave_reason = status, on, reason


def _make_members(world: DemoContext, city: CityPlan) -> None:
    batch = _Batch()
    open_unions = [u for u in city.unions if u.closed is None and u.employers]
    for union in city.unions:
        for plan in union.employers:
            for _ in range(plan.members):
                _stock_member(world, city, batch, union, plan, open_unions)
            if len(batch.people) >= PEOPLE_PER_FLUSH:
                batch.flush()
                world.log(f"  已生成 {world.people_made:,} 人")
    _former_members(world, city, batch, open_unions)
    _recent_joiners(world, city, batch, open_unions)
    batch.flush()


def _stock_member(
    world: DemoContext, city: CityPlan, batch: _Batch, union: Node, plan: EmployerPlan, open_unions: list[Node]
) -> None:
    """One of the members counted on the stock day, with the history that led there and,
    if the clock runs past it, what happened since."""
    until = union.closed[1] - timedelta(days=1) if union.closed else world.stock_day
    joined = _join_date(world, union, plan, until)
    officer = union.closed is None and len(union.officers_from) < 2
    person = _person(
        world, city, union, joined, counted_on=world.stock_day, youngest=OFFICER_AGE if officer else MIN_AGE
    )
    batch.people.append(person)
    m = _came_by_transfer(world, batch, person, union, plan, joined, open_unions)
    if m is None:
        m = _membership(batch, person, union.org, plan.employer, joined)
        _event(batch, m, MembershipEventKind.JOIN, joined)
    if union.closed is not None:
        _follow_closure(batch, m, union)
    elif officer:
        union.officers_from.append(person)
    else:
        _after_stock_day(world, batch, m, union, open_unions)


def _came_by_transfer(
    world: DemoContext,
    batch: _Batch,
    person: Person,
    union: Node,
    plan: EmployerPlan,
    joined: date,
    open_unions: list[Node],
) -> Membership | None:
    """For some members: an earlier union they transferred from, where they had been members
    for years (joined there from 2003), so their first join (入会时间) is well before the day
    they came (转入时间); some came before the review period, some during it."""
    share = TRANSFER_SHARE if joined >= date(2021, 3, 1) else EARLY_TRANSFER_SHARE
    if joined < EARLY_TRANSFERS_FROM or not world.chance(share):
        return None
    source = world.rng.choice(open_unions)
    source_plan = world.rng.choice(source.employers)
    covered = source_plan.employer.covered_since or source.founded
    start = max(source.founded, covered, _years_after(person.birth_date, MIN_AGE), FIRST_JOINS_FROM)
    end = joined - timedelta(days=30)
    if source is union or start >= end:
        return None
    first = _membership(batch, person, source.org, source_plan.employer, world.day(start, end))
    _event(batch, first, MembershipEventKind.JOIN, first.joined_on)
    return _move(world, batch, first, union, plan.employer, joined)


def _years_after(birth: date, years: int) -> date:
    """The day someone born on `birth` turns `years` (1 March for a 29 February birthday)."""
    if (birth.month, birth.day) == (2, 29):
        return date(birth.year + years, 3, 1)
    return birth.replace(year=birth.year + years)


def _move(world: DemoContext, batch: _Batch, old: Membership, to: Node, employer: Employer, on: date) -> Membership:
    """A completed transfer, as transfer_confirm leaves it: the old stretch ends, a new one
    starts the same day, both sides have an event and the Transfer row is completed."""
    _end(old, MembershipStatus.TRANSFERRED, on)
    new = _membership(batch, old.person, to.org, employer, on, continues=old)
    _event(batch, old, MembershipEventKind.TRANSFER_OUT, on, counterpart=to.org)
    _event(batch, new, MembershipEventKind.TRANSFER_IN, on, counterpart=old.union)
    confirmed = timezone.make_aware(datetime.combine(on, clock(10)))
    batch.transfers.append(
        Transfer(
            membership=old,
            to_union=to.org,
            to_employer=employer,
            initiated_by=world.rng.choice(TransferInitiator.values),
            status=TransferStatus.COMPLETED,
            requested_on=max(old.joined_on, on - timedelta(days=world.rng.randint(1, 14))),
            effective_on=on,
            sending_confirmed_at=confirmed,
            receiving_confirmed_at=confirmed,
        )
    )
    return new


def _follow_closure(batch: _Batch, m: Membership, union: Node) -> None:
    """Members of a closed union move with it, as organisation_change_status moves them."""
    assert union.closed is not None
    status, on, target = union.closed
    reason = "工会合并" if status == OrganisationStatus.MERGED else "工会撤销"
    _end(m, MembershipStatus.TRANSFERRED, on)
    moved = _membership(batch, m.person, target.org, m.employer, on, continues=m)
    _event(batch, m, MembershipEventKind.TRANSFER_OUT, on, counterpart=target.org, reason=reason)
    _event(batch, moved, MembershipEventKind.TRANSFER_IN, on, counterpart=union.org, reason=reason)


def _years_after_stock_day(world: DemoContext) -> float:
    return max(0, (world.as_of - world.stock_day).days) / 365


def _after_stock_day(world: DemoContext, batch: _Batch, m: Membership, union: Node, open_unions: list[Node]) -> None:
    """Since the stock day some members have left and some moved to another union."""
    years = _years_after_stock_day(world)
    if not years:
        return
    roll = world.rng.random()
    on = world.day(world.stock_day + timedelta(days=1), world.as_of)
    if roll < LEFT_SHARE * years:
        reason = world.rng.choice(data.LEAVE_REASONS)
        _end(m, MembershipStatus.LEFT, on, reason)
        _event(batch, m, MembershipEventKind.LEAVE, on, reason=reason)
    elif roll < (LEFT_SHARE + TRANSFER_SHARE) * years:
        to = world.rng.choice(open_unions)
        if to is not union:
            _move(world, batch, m, to, world.rng.choice(to.employers).employer, on)


def _former_members(world: DemoContext, city: CityPlan, batch: _Batch, open_unions: list[Node]) -> None:
    """People who joined and left or died before the stock day: in the history only."""
    targets = city.targets.members
    weights = [sum(p.members for p in u.employers) + 1 for u in open_unions]
    last = world.stock_day - timedelta(days=1)
    for i in range(round(targets * (LEFT_SHARE + DEATH_SHARE))):
        died = i < round(targets * DEATH_SHARE)
        union = world.rng.choices(open_unions, weights=weights)[0]
        plan = world.rng.choice(union.employers)
        joined = _join_date(world, union, plan, last - timedelta(days=45))
        person = _person(world, city, union, joined, youngest=40 if died else MIN_AGE)
        batch.people.append(person)
        m = _membership(batch, person, union.org, plan.employer, joined)
        _event(batch, m, MembershipEventKind.JOIN, joined)
        ended = world.day(max(joined + timedelta(days=30), REVIEW_START), last)
        if died:
            _end(m, MembershipStatus.DECEASED, ended, "因病去世")
            _event(batch, m, MembershipEventKind.DEATH, ended, reason="因病去世")
        else:
            reason = world.rng.choice(data.LEAVE_REASONS)
            _end(m, MembershipStatus.LEFT, ended, reason)
            _event(batch, m, MembershipEventKind.LEAVE, ended, reason=reason)
        if len(batch.people) >= PEOPLE_PER_FLUSH:
            batch.flush()


def _recent_joiners(world: DemoContext, city: CityPlan, batch: _Batch, open_unions: list[Node]) -> None:
    """Workers who joined after the stock day, at the pace of the last years of the review."""
    weights = [sum(p.members for p in u.employers) + 1 for u in open_unions]
    first = world.stock_day + timedelta(days=1)
    for _ in range(round(city.targets.members * RECENT_JOIN_RATE * _years_after_stock_day(world))):
        union = world.rng.choices(open_unions, weights=weights)[0]
        plan = world.rng.choice(union.employers)
        joined = world.day(first, world.as_of)
        person = _person(world, city, union, joined)
        batch.people.append(person)
        m = _membership(batch, person, union.org, plan.employer, joined)
        _event(batch, m, MembershipEventKind.JOIN, joined)
        if len(batch.people) >= PEOPLE_PER_FLUSH:
            batch.flush()
