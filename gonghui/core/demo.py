"""A made-up but realistic federation for demonstrations, tests and benchmarks.

At scale 1 it has Haining's sizes at the end of the 2021-2025 review: 12 towns, 1,686
grassroots unions covering 3,713 employers, 248,500 members, with five years of joins,
transfers, leaves and deaths behind them. Scale 0.01 is a quick test federation; from
scale 2 the root becomes a province federation over round(scale) county-level cities.

Rows are written with bulk_create in large batches (tree paths computed here rather than
node by node through treebeard), so django-simple-history keeps no history for them.
Everything is drawn from one seeded random stream: the same seed and date give the same data.
"""

from __future__ import annotations

import math
import random
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import cache, lru_cache
from pathlib import Path

from django.contrib.auth.models import Permission, User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from stdnum.cn import ric

from gonghui.accounts.models import Account
from gonghui.accounts.services import device_provision, device_secret
from gonghui.core import demo_data as data
from gonghui.core.access import STAFF_ROLES, Role
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.figures import FigureValue, Period, all_figures
from gonghui.members.identity import make_id_number
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
from gonghui.organisations.identity import make_uscc
from gonghui.organisations.models import (
    GRASSROOTS_KINDS,
    Employer,
    EmployerCategory,
    Officer,
    OfficerRole,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    OrganisationStatusChange,
)

DEMO_PASSWORD = "gonghui-demo-2026"
REVIEW_START = date(2021, 1, 1)
REVIEW_END = date(2025, 12, 31)
EARLIEST_AS_OF = date(2021, 7, 1)  # the history needs some of the review period to fill
BATCH = 2000
PEOPLE_PER_FLUSH = 10_000
ID_EPOCH = date(1930, 1, 1).toordinal()  # birth dates the identity-number book can hold
ID_DAYS = date(2030, 1, 1).toordinal() - ID_EPOCH

# Shares that shape a city; numbers from the review where it gives them, judgement elsewhere.
MIGRANT_SHARE = 0.40
TRANSFER_SHARE = 0.05  # members who came in by transfer during the review (and a year since)
LEFT_SHARE = 0.07  # people who joined and left again (and a year since), beyond those counted
DEATH_SHARE = 0.003
EARLY_JOIN_SHARE = 0.40  # members who joined before the review period began
FOUNDING_WAVE_SHARE = 0.25  # members who joined within months of their union's founding
RECENT_JOIN_RATE = 0.12  # new members a year, as a share of all members, after the review

Log = Callable[[str], None]


@dataclass(frozen=True)
class Targets:
    towns: int
    unions: int
    employers: int
    members: int


HAINING_TARGETS = Targets(towns=12, unions=1686, employers=3713, members=248_500)


def targets_for(scale: float) -> Targets:
    if scale <= 0:
        raise ValueError("scale must be positive")
    return Targets(
        towns=max(2, round(HAINING_TARGETS.towns * scale)),
        unions=max(4, round(HAINING_TARGETS.unions * scale)),
        employers=max(6, round(HAINING_TARGETS.employers * scale)),
        members=max(20, round(HAINING_TARGETS.members * scale)),
    )


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
    counts: dict[str, int]
    stock_day: date
    stock: dict[str, FigureValue]  # the report's figures for the review period, city-wide
    sign_ins: list[SignIn]
    password: str = DEMO_PASSWORD


def organisations_exist() -> bool:
    return Organisation.objects.exists()


def seed_demo(*, scale: float, seed: int = 1, as_of: date | None = None, log: Log | None = None) -> DemoResult:
    """Build the demo federation in an empty database and create one sign-in per role."""
    if organisations_exist():
        raise Conflict("数据库中已有组织数据；演示数据只能装入空库")
    as_of = as_of or timezone.localdate()
    if as_of < EARLIEST_AS_OF:
        raise ValidationFailed(f"历史截止日期不能早于 {EARLIEST_AS_OF}", field="as_of")
    started = time.monotonic()
    world = _World(seed=seed, as_of=as_of, log=log or (lambda _msg: None))
    root, first_town = _build(world, scale)
    sign_ins = _create_sign_ins(root=root, town=first_town)
    period = Period(REVIEW_START, world.stock_day)
    return DemoResult(
        scale=scale,
        seconds=time.monotonic() - started,
        counts=demo_counts(),
        stock_day=world.stock_day,
        stock={f.name: f.compute(root.path, period) for f in all_figures()},
        sign_ins=sign_ins,
    )


def demo_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "grassroots_unions": Organisation.objects.filter(kind__in=GRASSROOTS_KINDS).count(),
        "employers": Employer.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "active_members": Membership.objects.filter(status=MembershipStatus.ACTIVE).count(),
        "membership_events": MembershipEvent.objects.count(),
        "transfers": Transfer.objects.count(),
        "officers": Officer.objects.count(),
        "status_changes": OrganisationStatusChange.objects.count(),
    }


# --- numbers and places ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _county_codes() -> dict[tuple[str, str], list[str]]:
    """(province code, county name) -> region codes, from python-stdnum's own table, so a
    code chosen here is one its ID check knows (names carry [from-to] year ranges)."""
    table = Path(ric.__file__).with_name("loc.dat").read_text(encoding="utf-8")
    codes: dict[tuple[str, str], list[str]] = {}
    province = ""
    for line in table.splitlines():
        if line[:2].isdigit():
            province = line[:2]
        elif line.startswith("  ") and line[2:6].isdigit() and 'county="' in line:
            for part in line.split('county="', 1)[1].rstrip('"').split(","):
                name = part.split("]", 1)[-1]
                codes.setdefault((province, name), []).append(province + line[2:6])
    return codes


@cache
def region_code(names: tuple[tuple[str, str], ...], year: int) -> str:
    """A region code for a place under any of `names` that was in use in `year`; people
    born before a county was renumbered carry its old code. Falls back to the province."""
    for key in names:
        for code in _county_codes().get(key, []):
            if ric.is_valid(make_id_number(region=code, birth=date(year, 7, 1), sequence=1, sex="M")):
                return code
    return names[0][0] + "0000"


class _Numbers:
    """Identity numbers, mobiles and credit codes that are valid and never repeat."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.id_sequences: dict[str, array[int]] = {}
        self.mobiles = 0
        self.mobile_offset = rng.randrange(10**8)
        self.credits = 0
        self.credit_offset = rng.randrange(31**9)

    def id_number(self, region: str, birth: date, sex: str) -> str:
        # Up to 500 people share a region and birth date. A small array per region counts
        # them by day (a dict keyed by region and day would take gigabytes for a province);
        # each day's numbers start at a scattered place, as real ones look random.
        days = self.id_sequences.get(region)
        if days is None:
            days = self.id_sequences[region] = array("H", bytes(2 * ID_DAYS))
        while True:
            day = birth.toordinal() - ID_EPOCH
            used = days[day]
            if used < 500:
                days[day] = used + 1
                start = (day * 7_919 + int(region)) % 500
                return make_id_number(region=region, birth=birth, sequence=(start + used) % 500, sex=sex)
            birth += timedelta(days=1)

    def mobile(self) -> str:
        # Multiplying by a number prime to 10^8 walks all eight-digit endings without repeats.
        self.mobiles += 1
        ending = (self.mobiles * 61_803_399 + self.mobile_offset) % 10**8
        return f"{self.rng.choice(data.MOBILE_PREFIXES)}{ending:08d}"

    def uscc(self, region: str, kind: str) -> str:
        # Likewise for the nine-character serial, whose alphabet has 31 letters.
        self.credits += 1
        serial = (self.credits * 2_654_435_761 + self.credit_offset) % 31**9
        return make_uscc(region=region, serial=serial, kind=kind)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


@dataclass
class _World:
    """The random stream, the clock and the shared number books of one demo build."""

    seed: int
    as_of: date
    log: Log
    rng: random.Random = field(init=False)
    numbers: _Numbers = field(init=False)
    people_made: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.numbers = _Numbers(self.rng)
        national = [w for _, w in data.SURNAMES]
        local = [w + data.LOCAL_SURNAME_BOOST.get(s, 0.0) for s, w in data.SURNAMES]
        extra = [s for s in data.LOCAL_SURNAME_BOOST if s not in dict(data.SURNAMES)]
        self.surnames = [s for s, _ in data.SURNAMES]
        self.national_cum = _cumulative(national)
        self.local_surnames = self.surnames + extra
        self.local_cum = _cumulative(local + [data.LOCAL_SURNAME_BOOST[s] for s in extra])
        self.homes = [h for h, _ in data.MIGRANT_HOMES]
        self.homes_cum = _cumulative([w for _, w in data.MIGRANT_HOMES])

    @property
    def stock_day(self) -> date:
        """The day the target sizes hold: the end of the review period (or as_of, if earlier).
        After it, until as_of, people keep joining, leaving and moving."""
        return min(self.as_of, REVIEW_END)

    def day(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self, *, local: bool, sex: str) -> str:
        pool, cum = (self.local_surnames, self.local_cum) if local else (self.surnames, self.national_cum)
        surname = self.rng.choices(pool, cum_weights=cum)[0]
        last = self.rng.choice(data.GIVEN_MALE if sex == "M" else data.GIVEN_FEMALE)
        if self.chance(0.15):
            return surname + last
        first = self.rng.choice(data.GIVEN_FIRST + (data.GIVEN_MALE if sex == "M" else data.GIVEN_FEMALE))
        return surname + first + last


# --- the plan of one city ---------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    org: Organisation
    children: list[_Node] = field(default_factory=list)
    industry: str = ""
    migrant_share: float = MIGRANT_SHARE
    employers: list[_EmployerPlan] = field(default_factory=list)
    closed: tuple[str, date, _Node] | None = None  # (status, on, where members and employers go)
    officers_from: list[Person] = field(default_factory=list)

    @property
    def founded(self) -> date:
        return self.org.founded_on or date(1990, 1, 1)


@dataclass(eq=False)
class _EmployerPlan:
    employer: Employer
    town: _Node
    weight: float
    members: int = 0


@dataclass
class _City:
    spec: data.CitySpec
    node: _Node
    towns: list[tuple[data.TownSpec, _Node]]
    targets: Targets
    local_region_names: tuple[tuple[str, str], ...]
    namer: _Namer
    region: str  # where the city's employers and unions are registered
    unions: list[_Node] = field(default_factory=list)  # every grassroots union, in creation order


def _build(world: _World, scale: float) -> tuple[Organisation, Organisation]:
    if scale < 2:
        cities = [(data.HAINING, targets_for(scale))]
    else:
        n = round(scale)
        share = scale / n
        cities = [(_city_spec(i), targets_for(share)) for i in range(n)]
    root: Organisation | None = None
    first_town: Organisation | None = None
    for number, (spec, targets) in enumerate(cities):
        with transaction.atomic():
            if scale >= 2 and root is None:
                root = _save_province_root(world, n_cities=len(cities))
            city = _plan_city(world, spec, targets)
            _place(city.node, parent=root, index=number + 1)
            _save_city(world, city)
            world.log(f"{spec.name}: {targets.unions} 个基层工会，{targets.employers} 家单位，正在生成会员…")
            _make_members(world, city)
            _appoint_officers(world, city)
        root = root or city.node.org
        first_town = first_town or city.towns[0][1].org
    assert root is not None and first_town is not None
    return root, first_town


def _city_spec(index: int) -> data.CitySpec:
    base = data.PROVINCE_CITIES[index % len(data.PROVINCE_CITIES)]
    rounds = index // len(data.PROVINCE_CITIES)
    if rounds == 0:
        return base
    # More cities than the table holds: a made-up twin, still registered under the real name.
    return data.CitySpec(f"{base.name}（{rounds + 1}）", f"{base.code}{rounds + 1}", (base.name, *base.old_names))


def _save_province_root(world: _World, n_cities: int) -> Organisation:
    root = Organisation(
        code="ZJ-PROVINCE",  # "ZJ" alone is 诸暨's city code
        name="浙江省总工会（演示）",
        kind=OrganisationKind.CITY_FEDERATION,
        founded_on=date(1950, 5, 1),
        status_since=date(1950, 5, 1),
        path=_step(1),
        depth=1,
        numchild=n_cities,
    )
    root.save()
    return root


def _step(n: int) -> str:
    alphabet = Organisation.alphabet
    digits = ""
    for _ in range(Organisation.steplen):
        n, rest = divmod(n, len(alphabet))
        digits = alphabet[rest] + digits
    return digits


def _place(node: _Node, *, parent: Organisation | None, index: int) -> None:
    """Materialised paths for a whole planned subtree, as treebeard would have made them."""
    node.org.path = (parent.path if parent is not None else "") + _step(index)
    node.org.depth = (parent.depth if parent is not None else 0) + 1
    node.org.numchild = len(node.children)
    for i, child in enumerate(node.children, start=1):
        _place(child, parent=node.org, index=i)


def _walk(node: _Node) -> list[_Node]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _plan_city(world: _World, spec: data.CitySpec, t: Targets) -> _City:
    local_names = tuple(("33", n) for n in (spec.name.split("（")[0], *spec.old_names))
    node = _Node(_org(spec.code, f"{spec.name}总工会", OrganisationKind.CITY_FEDERATION, date(1952, 5, 1)))
    towns = [(ts, _town_node(world, spec, ts)) for ts in _town_specs(world, spec, t.towns)]
    node.children = [town for _, town in towns]
    city = _City(spec, node, towns, t, local_names, _Namer(world), region_code(local_names, world.as_of.year))
    _plan_unions(world, city)
    _plan_employers(world, city)
    _plan_closures(world, city)
    return city


def _org(code: str, name: str, kind: str, founded: date) -> Organisation:
    return Organisation(code=code, name=name, kind=kind, founded_on=founded, status_since=founded)


def _town_specs(world: _World, spec: data.CitySpec, n: int) -> list[data.TownSpec]:
    known = list(data.HAINING_TOWNS) if spec is data.HAINING else []
    names = [ts.name for ts in known]
    out = known[:n]
    for i in range(len(out), n):
        stem = data.GENERIC_TOWN_NAMES[i % len(data.GENERIC_TOWN_NAMES)]
        urban = i < 3
        name = stem + ("街道" if urban else "镇")
        if name in names:
            name = f"{stem}{i // len(data.GENERIC_TOWN_NAMES) + 1}{'街道' if urban else '镇'}"
        names.append(name)
        industries = tuple(world.rng.sample(data.GENERIC_INDUSTRIES, 3))
        out.append(data.TownSpec(name, f"T{i + 1:02d}", world.rng.uniform(0.6, 1.3), industries, urban))
    return out


def _town_node(world: _World, spec: data.CitySpec, ts: data.TownSpec) -> _Node:
    founded = date(world.rng.randint(1984, 2001), world.rng.randint(1, 12), 1)
    org = _org(f"{spec.code}-{ts.code}", f"{ts.name}总工会", OrganisationKind.TOWN_FEDERATION, founded)
    return _Node(org, industry=ts.industries[0])


# --- unions ------------------------------------------------------------------------------------


@dataclass
class _Namer:
    """Unique names and per-parent codes for the unions and employers of one city."""

    world: _World
    used: set[str] = field(default_factory=set)
    serials: dict[str, int] = field(default_factory=dict)

    def code(self, parent_code: str) -> str:
        self.serials[parent_code] = self.serials.get(parent_code, 0) + 1
        return f"{parent_code}-{self.serials[parent_code]:04d}"

    def unique(self, make: Callable[[], str]) -> str:
        for _ in range(20):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        name = make()
        n = 2
        while f"{name}（{n}）" in self.used:
            n += 1
        self.used.add(f"{name}（{n}）")
        return f"{name}（{n}）"

    def company(self, city: str, industry: str) -> str:
        rng = self.world.rng
        suffixes = data.INDUSTRY_SUFFIXES.get(industry, ("有限公司",))
        prefix = rng.choices((city.rstrip("市县区"), "浙江", f"{city}"), weights=(6, 3, 1))[0]
        return self.unique(lambda: prefix + "".join(rng.sample(data.BRAND_CHARS, 2)) + rng.choice(suffixes))

    def shop(self, town: str) -> tuple[str, str]:
        """A small employer's name and industry."""
        rng = self.world.rng
        suffix, industry = rng.choice(data.SMALL_SHOPS)
        return self.unique(lambda: f"{town}{''.join(rng.sample(data.BRAND_CHARS, 2))}{suffix}"), industry


def _union_founded(world: _World, *, late_share: float, early_from: int = 1995) -> date:
    if world.chance(late_share):
        return world.day(REVIEW_START, world.stock_day - timedelta(days=90))
    return world.day(date(early_from, 1, 1), date(2020, 12, 31))


def _plan_unions(world: _World, city: _City) -> None:
    t = city.targets
    n_city_fed = 1 if t.unions >= 8 else 0
    n_town_fed = round(3 * t.unions / HAINING_TARGETS.unions) if t.unions >= 60 else 0
    urban = [node for ts, node in city.towns if ts.urban]
    n_district = round(20 * t.unions / HAINING_TARGETS.unions) if urban else 0
    n_joint = max(1, round(0.14 * t.unions))
    # Unions closed during the history come on top: the target counts those open at the end.
    n_enterprise = t.unions - n_city_fed - n_town_fed - n_district - n_joint + sum(_closure_counts(t))
    namer = city.namer
    fed_children = 0
    if n_city_fed:
        fed_children = max(1, round(0.025 * n_enterprise))
        _add_city_federation(world, city, namer, fed_children)
    town_weights = [ts.weight for ts, _ in city.towns]
    town_feds = _add_town_federations(world, city, namer, n_town_fed, n_enterprise)
    for _ in range(n_joint):
        _add_joint_union(world, city, namer, _pick_town(world, city, town_weights))
    for i in range(n_district):
        _add_district_union(world, city, namer, urban[i % len(urban)])
    remaining = n_enterprise - fed_children - sum(len(f.children) for f in town_feds)
    _add_enterprise_unions(world, city, namer, remaining, town_weights)


def _pick_town(world: _World, city: _City, weights: list[float]) -> _Node:
    return world.rng.choices(city.towns, weights=weights)[0][1]


def _add_union(
    city: _City, parent: _Node, code: str, name: str, kind: str, founded: date, industry: str, migrant: float
) -> _Node:
    node = _Node(_org(code, name, kind, founded), industry=industry, migrant_share=migrant)
    parent.children.append(node)
    city.unions.append(node)
    return node


def _add_city_federation(world: _World, city: _City, namer: _Namer, children: int) -> None:
    founded = world.day(date(2021, 3, 1), min(date(2022, 12, 31), world.stock_day - timedelta(days=90)))
    city_code = city.node.org.code
    fed = _add_union(
        city,
        city.node,
        namer.code(city_code),
        f"{city.spec.name}建设行业工会联合会",
        OrganisationKind.INDUSTRY_FEDERATION,
        founded,
        "建筑",
        0.65,
    )
    for _ in range(children):
        _add_enterprise(world, city, namer, fed, city_code, "建筑", migrant=0.65)


def _add_town_federations(world: _World, city: _City, namer: _Namer, n: int, n_enterprise: int) -> list[_Node]:
    feds = []
    for i in range(n):
        ts, town = city.towns[i % len(city.towns)]
        industry = ts.industries[0]
        fed = _add_union(
            city,
            town,
            namer.code(town.org.code),
            f"{ts.name}{industry}行业工会联合会",
            OrganisationKind.INDUSTRY_FEDERATION,
            _union_founded(world, late_share=0.2, early_from=2008),
            industry,
            MIGRANT_SHARE,
        )
        for _ in range(max(1, round(0.02 * n_enterprise))):
            _add_enterprise(world, city, namer, fed, town.org.code, industry)
        feds.append(fed)
    return feds


def _add_enterprise(
    world: _World, city: _City, namer: _Namer, parent: _Node, code_parent: str, industry: str, migrant: float = 0.0
) -> _Node:
    name = namer.company(city.spec.name, industry)
    share = migrant or (0.48 if industry in ("经编", "家纺", "纺织", "皮革", "光伏") else 0.36)
    return _add_union(
        city,
        parent,
        namer.code(code_parent),
        f"{name}工会委员会",
        OrganisationKind.ENTERPRISE_UNION,
        _union_founded(world, late_share=0.22),
        industry,
        share,
    )


def _add_joint_union(world: _World, city: _City, namer: _Namer, town: _Node) -> None:
    rng = world.rng
    ts_name = town.org.name.removesuffix("总工会")
    name = namer.unique(
        lambda: f"{ts_name}{rng.choice(data.VILLAGE_NAMES)}{rng.choice(('村', '社区', '工业园区'))}联合工会"
    )
    _add_union(
        city,
        town,
        namer.code(town.org.code),
        name,
        OrganisationKind.JOINT_UNION,
        _union_founded(world, late_share=0.4, early_from=2008),
        "",
        0.45,
    )


def _add_district_union(world: _World, city: _City, namer: _Namer, town: _Node) -> None:
    rng = world.rng
    ts_name = town.org.name.removesuffix("总工会")
    name = namer.unique(
        lambda: f"{ts_name}{rng.choice(data.BUILDING_NAMES)}{rng.choice(('商圈工会', '大厦楼宇工会', '商业街工会'))}"
    )
    _add_union(
        city,
        town,
        namer.code(town.org.code),
        name,
        OrganisationKind.DISTRICT_UNION,
        _union_founded(world, late_share=0.5, early_from=2012),
        "商贸",
        0.35,
    )


INSTITUTIONS = (
    ("人民政府机关", EmployerCategory.GOVERNMENT, "11", "机关"),
    ("中心小学", EmployerCategory.INSTITUTION, "12", "教育"),
    ("卫生院", EmployerCategory.INSTITUTION, "12", "卫生"),
)
INSTITUTION_SECTORS = {i[3] for i in INSTITUTIONS}


def _add_enterprise_unions(world: _World, city: _City, namer: _Namer, n: int, weights: list[float]) -> None:
    # Every town first gets its organ, school and health-centre unions, then companies.
    institutions = []
    for ts, town in city.towns:
        for label, _category, _kind, sector in INSTITUTIONS:
            if len(institutions) < n // 3:
                node = _add_union(
                    city,
                    town,
                    namer.code(town.org.code),
                    f"{ts.name}{label}工会",
                    OrganisationKind.ENTERPRISE_UNION,
                    world.day(date(1985, 1, 1), date(2005, 12, 31)),
                    sector,
                    0.05,
                )
                institutions.append(node)
    for _ in range(n - len(institutions)):
        ts, town = world.rng.choices(city.towns, weights=weights)[0]
        industry = world.rng.choices(ts.industries, weights=[5, 3, 2, 1, 1][: len(ts.industries)])[0]
        _add_enterprise(world, city, namer, town, town.org.code, industry)


# --- employers ---------------------------------------------------------------------------------


def _category(world: _World, small: bool) -> tuple[str, str]:
    """(employer category, credit-code kind) in the proportions of a manufacturing county."""
    if small:
        options = (("600", "92", 30), ("170", "91", 40), ("159", "91", 25), ("700", "52", 5))
    else:
        options = (
            ("159", "91", 45), ("170", "91", 25), ("169", "91", 6), ("161", "91", 1), ("151", "91", 2),
            ("110", "91", 1), ("120", "91", 2), ("130", "91", 1), ("140", "91", 1), ("190", "91", 1),
            ("200", "91", 3), ("300", "91", 4),
        )  # fmt: skip
    category, kind, _ = world.rng.choices(options, weights=[o[2] for o in options])[0]
    return category, kind


def _plan_employers(world: _World, city: _City) -> None:
    t = city.targets
    enterprise = [u for u in city.unions if u.org.kind == OrganisationKind.ENTERPRISE_UNION]
    joint = [u for u in city.unions if u.org.kind == OrganisationKind.JOINT_UNION]
    district = [u for u in city.unions if u.org.kind == OrganisationKind.DISTRICT_UNION]
    for union in enterprise:
        _add_employer(world, city, union, small=False)
    left = t.employers - len(enterprise) - 2 * len(joint)
    district_sizes = [world.rng.randint(6, 18) for _ in district]
    while sum(district_sizes) > max(0, left) and any(district_sizes):
        district_sizes[district_sizes.index(max(district_sizes))] -= 1
    for union, size in zip(district, district_sizes, strict=True):
        for _ in range(size):
            _add_employer(world, city, union, small=True)
    left -= sum(district_sizes)
    # Some companies are groups with a second works under the same union.
    groups = [u for u in enterprise if u.industry not in INSTITUTION_SECTORS]
    for _ in range(min(max(0, left), round(0.08 * len(enterprise))) if groups else 0):
        _add_employer(world, city, world.rng.choice(groups), small=False)
    _fill_joint_unions(world, city, joint or enterprise)
    _share_members(city)


def _fill_joint_unions(world: _World, city: _City, unions: list[_Node]) -> None:
    """The remaining employers are small ones under joint unions, at least two each."""
    missing = city.targets.employers - sum(len(u.employers) for u in city.unions)
    for i in range(max(0, missing)):
        union = unions[i % len(unions)] if i < 2 * len(unions) else world.rng.choice(unions)
        _add_employer(world, city, union, small=union.org.kind != OrganisationKind.ENTERPRISE_UNION)


def _town_of(world: _World, city: _City, union: _Node) -> _Node:
    parent_code = union.org.code.rsplit("-", 1)[0]
    for _, town in city.towns:
        if town.org.code == parent_code:
            return town
    return world.rng.choice(city.towns)[1]  # a city-level union's companies sit in any town


def _add_employer(world: _World, city: _City, union: _Node, *, small: bool) -> None:
    town = _town_of(world, city, union)
    institution = next((i for i in INSTITUTIONS if union.industry == i[3]), None)
    if institution is not None and not union.employers:
        name = union.org.name.removesuffix("工会")
        category, kind, staff = str(institution[1]), institution[2], world.rng.randint(30, 220)
    elif small:
        name, industry = city.namer.shop(town.org.name.removesuffix("总工会"))
        (category, kind), staff = _category(world, small=True), world.rng.randint(3, 24)
    else:
        name = city.namer.company(city.spec.name, union.industry or "商贸")
        (category, kind) = _category(world, small=False)
        staff = min(15_000, max(25, int(world.rng.lognormvariate(math.log(90), 1.0))))
    covered = world.day(union.founded, world.stock_day - timedelta(days=60)) if small else union.founded
    employer = Employer(
        name=name,
        uscc=world.numbers.uscc(city.region, kind),
        category=category,
        industry=industry if small else union.industry,
        staff_count=staff,
        address=_address(world, town),
        covered_since=covered,
    )
    union.employers.append(_EmployerPlan(employer, town, weight=staff * world.rng.uniform(0.7, 1.0)))


def _address(world: _World, town: _Node) -> str:
    rng = world.rng
    return f"{town.org.name.removesuffix('总工会')}{rng.choice(data.ROAD_NAMES)}路{rng.randint(1, 999)}号"


def _share_members(city: _City) -> None:
    """Split the city's member target over employers by size, largest remainder first."""
    plans = [p for u in city.unions for p in u.employers]
    total = sum(p.weight for p in plans) or 1.0
    exact = [p.weight * city.targets.members / total for p in plans]
    for plan, x in zip(plans, exact, strict=True):
        plan.members = int(x)
    short = city.targets.members - sum(p.members for p in plans)
    by_remainder = sorted(range(len(plans)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    for i in by_remainder[:short]:
        plans[i].members += 1


# --- merges and dissolutions -----------------------------------------------------------------


def _closure_counts(t: Targets) -> tuple[int, int]:
    """How many unions merged, and how many dissolved, during the history."""
    share = t.unions / HAINING_TARGETS.unions
    return max(1, round(8 * share)), max(1, round(4 * share))


def _plan_closures(world: _World, city: _City) -> None:
    """A few company unions closed in the review period: merged into a neighbour, or dissolved
    with their members and employers passing to the town federation above."""
    town_of = {id(u): town for _, town in city.towns for u in town.children}
    candidates = [
        u
        for u in city.unions
        if u.org.kind == OrganisationKind.ENTERPRISE_UNION
        and u.industry not in INSTITUTION_SECTORS
        and u.founded < date(2019, 1, 1)
        and id(u) in town_of
    ]
    world.rng.shuffle(candidates)
    n_merge, n_dissolve = _closure_counts(city.targets)
    closing, rest = candidates[: n_merge + n_dissolve], candidates[n_merge + n_dissolve :]
    last = world.stock_day - timedelta(days=30)
    for i, union in enumerate(closing):
        on = world.day(date(2021, 3, 1), last)
        town = town_of[id(union)]
        if i < n_merge:
            peers = [u for u in rest if u in town.children and u.founded < on] or [town]
            union.closed = (OrganisationStatus.MERGED, on, world.rng.choice(peers))
        else:
            union.closed = (OrganisationStatus.DISSOLVED, on, town)


# --- saving the tree and employers -------------------------------------------------------------


def _save_city(world: _World, city: _City) -> None:
    nodes = _walk(city.node)
    for node in nodes:
        node.org.uscc = world.numbers.uscc(city.region, "81")  # unions are legal persons too
    Organisation.objects.bulk_create([n.org for n in nodes], batch_size=BATCH)
    for node in nodes:
        if node.closed is not None:
            status, on, target = node.closed
            node.org.status, node.org.status_since = status, on
            node.org.merged_into = target.org if status == OrganisationStatus.MERGED else None
    closed = [n.org for n in nodes if n.closed is not None]
    Organisation.objects.bulk_update(closed, ["status", "status_since", "merged_into"], batch_size=BATCH)
    _save_status_changes(nodes)
    _save_employers(city)


def _save_status_changes(nodes: list[_Node]) -> None:
    rows = [
        OrganisationStatusChange(organisation=n.org, status=OrganisationStatus.ACTIVE, on=n.founded, note="成立")
        for n in nodes
        if n.org.depth > 1 or n.org.kind != OrganisationKind.CITY_FEDERATION
    ]
    for n in nodes:
        if n.closed is not None:
            status, on, target = n.closed
            note = f"并入{target.org.name}" if status == OrganisationStatus.MERGED else "企业关闭，工会撤销"
            merged = target.org if status == OrganisationStatus.MERGED else None
            rows.append(
                OrganisationStatusChange(organisation=n.org, status=status, on=on, merged_into=merged, note=note)
            )
    OrganisationStatusChange.objects.bulk_create(rows, batch_size=BATCH)


def _save_employers(city: _City) -> None:
    rows = []
    for union in city.unions:
        final = union.closed[2] if union.closed is not None else union
        for plan in union.employers:
            plan.employer.union = final.org
            plan.employer.town = plan.town.org
            rows.append(plan.employer)
    Employer.objects.bulk_create(rows, batch_size=BATCH)


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


def _weighted(world: _World, options: tuple[tuple[str, float], ...]) -> str:
    return world.rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]


def _person(world: _World, city: _City, union: _Node, joined: date, *, min_age: int = 18) -> Person:
    """A worker old enough to have joined on `joined`, of working age today."""
    rng = world.rng
    migrant = world.chance(union.migrant_share)
    sex = "F" if world.chance(FEMALE_SHARE.get(union.industry, 0.45)) else "M"
    youngest = min(joined - timedelta(days=365 * min_age + 5), world.as_of - timedelta(days=365 * 18 + 5))
    if min_age > 18:
        oldest = youngest - timedelta(days=365 * 25)
    else:
        oldest = max(world.as_of - timedelta(days=365 * (50 if migrant else 58)), youngest - timedelta(days=365 * 30))
    birth = world.day(min(oldest, youngest), youngest)
    if migrant:
        home = rng.choices(world.homes, cum_weights=world.homes_cum)[0]
        region, registration = region_code(home.names, birth.year), home.label
    else:
        region = region_code(city.local_region_names, birth.year)
        registration = f"浙江省{city.spec.name.split('（')[0]}"
    world.people_made += 1
    return Person(
        name=world.name(local=not migrant, sex=sex),
        id_number=world.numbers.id_number(region, birth, sex),
        birth_date=birth,
        sex=sex,
        mobile=world.numbers.mobile(),
        household_registration=registration,
        education=_weighted(world, EDUCATION_MIGRANT if migrant else EDUCATION_LOCAL),
        skill_level=_weighted(world, SKILLS),
        is_migrant_worker=migrant,
    )


def _join_date(world: _World, union: _Node, plan: _EmployerPlan, until: date) -> date:
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
    batch: _Batch, person: Person, union: Organisation, employer: Employer | None, joined: date
) -> Membership:
    m = Membership(person=person, union=union, employer=employer, joined_on=joined)
    batch.memberships.append(m)
    return m


def _end(m: Membership, status: str, on: date, reason: str = "") -> None:
    m.status, m.ended_on, m.leave_reason = status, on, reason


def _make_members(world: _World, city: _City) -> None:
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
    world: _World, city: _City, batch: _Batch, union: _Node, plan: _EmployerPlan, open_unions: list[_Node]
) -> None:
    """One of the members counted on the stock day, with the history that led there and,
    if the clock runs past it, what happened since."""
    until = union.closed[1] - timedelta(days=1) if union.closed else world.stock_day
    joined = _join_date(world, union, plan, until)
    person = _person(world, city, union, joined)
    batch.people.append(person)
    m = _came_by_transfer(world, batch, person, union, plan, joined, open_unions)
    if m is None:
        m = _membership(batch, person, union.org, plan.employer, joined)
        _event(batch, m, MembershipEventKind.JOIN, joined)
    if union.closed is not None:
        _follow_closure(batch, m, union)
    elif len(union.officers_from) < 2:
        union.officers_from.append(person)
    else:
        _after_stock_day(world, batch, m, union, open_unions)


def _came_by_transfer(
    world: _World,
    batch: _Batch,
    person: Person,
    union: _Node,
    plan: _EmployerPlan,
    joined: date,
    open_unions: list[_Node],
) -> Membership | None:
    """For a few members joined during the review: an earlier union they transferred from."""
    if joined < date(2021, 3, 1) or not world.chance(TRANSFER_SHARE):
        return None
    source = world.rng.choice(open_unions)
    start = max(source.founded, person.birth_date + timedelta(days=365 * 18 + 5), date(2012, 1, 1))
    end = joined - timedelta(days=30)
    if source is union or start >= end:
        return None
    first = _membership(batch, person, source.org, world.rng.choice(source.employers).employer, world.day(start, end))
    _event(batch, first, MembershipEventKind.JOIN, first.joined_on)
    return _move(world, batch, first, union, plan.employer, joined)


def _move(world: _World, batch: _Batch, old: Membership, to: _Node, employer: Employer, on: date) -> Membership:
    """A completed transfer, as transfer_confirm leaves it: the old stretch ends, a new one
    starts the same day, both sides have an event and the Transfer row is completed."""
    _end(old, MembershipStatus.TRANSFERRED, on)
    new = _membership(batch, old.person, to.org, employer, on)
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


def _follow_closure(batch: _Batch, m: Membership, union: _Node) -> None:
    """Members of a closed union move with it, as organisation_change_status moves them."""
    assert union.closed is not None
    status, on, target = union.closed
    reason = "工会合并" if status == OrganisationStatus.MERGED else "工会撤销"
    _end(m, MembershipStatus.TRANSFERRED, on)
    moved = _membership(batch, m.person, target.org, m.employer, on)
    _event(batch, m, MembershipEventKind.TRANSFER_OUT, on, counterpart=target.org, reason=reason)
    _event(batch, moved, MembershipEventKind.TRANSFER_IN, on, counterpart=union.org, reason=reason)


def _years_after_stock_day(world: _World) -> float:
    return max(0, (world.as_of - world.stock_day).days) / 365


def _after_stock_day(world: _World, batch: _Batch, m: Membership, union: _Node, open_unions: list[_Node]) -> None:
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


def _former_members(world: _World, city: _City, batch: _Batch, open_unions: list[_Node]) -> None:
    """People who joined and left or died before the stock day: in the history only."""
    targets = city.targets.members
    weights = [sum(p.members for p in u.employers) + 1 for u in open_unions]
    last = world.stock_day - timedelta(days=1)
    for i in range(round(targets * (LEFT_SHARE + DEATH_SHARE))):
        died = i < round(targets * DEATH_SHARE)
        union = world.rng.choices(open_unions, weights=weights)[0]
        plan = world.rng.choice(union.employers)
        joined = _join_date(world, union, plan, last - timedelta(days=45))
        person = _person(world, city, union, joined, min_age=40 if died else 18)
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


def _recent_joiners(world: _World, city: _City, batch: _Batch, open_unions: list[_Node]) -> None:
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


# --- officers ------------------------------------------------------------------------------


def _appoint_officers(world: _World, city: _City) -> None:
    rows: list[Officer] = []
    rows += _federation_officers(world, city.node, vice=3, part_time=3, seconded=1)
    for _, town in city.towns:
        rows += _federation_officers(world, town, vice=1, part_time=world.rng.randint(1, 2), seconded=0)
    for union in city.unions:
        rows += _union_officers(world, union)
    Officer.objects.bulk_create(rows, batch_size=BATCH)
    nodes = _walk(city.node)
    Organisation.objects.bulk_update(
        [n.org for n in nodes], ["contact_name", "contact_phone", "address"], batch_size=BATCH
    )


def _officer(world: _World, node: _Node, role: str, person: Person | None = None, since: date | None = None) -> Officer:
    sex = person.sex if person else world.rng.choice("MF")
    start = since or world.day(max(node.founded, date(2016, 1, 1)), world.as_of - timedelta(days=30))
    return Officer(
        organisation=node.org,
        role=role,
        name=person.name if person else world.name(local=True, sex=sex),
        person=person,
        phone=person.mobile if person else world.numbers.mobile(),
        started_on=start,
    )


def _federation_officers(world: _World, node: _Node, *, vice: int, part_time: int, seconded: int) -> list[Officer]:
    roles = [OfficerRole.CHAIR, OfficerRole.OFFICER] + [OfficerRole.VICE_CHAIR] * vice
    roles += [OfficerRole.PART_TIME_VICE_CHAIR] * part_time + [OfficerRole.SECONDED_VICE_CHAIR] * seconded
    rows = [_officer(world, node, role) for role in roles]
    node.org.contact_name, node.org.contact_phone = rows[0].name, rows[0].phone
    return rows


def _union_officers(world: _World, union: _Node) -> list[Officer]:
    people = union.officers_from
    chair = _officer(world, union, OfficerRole.CHAIR, people[0] if people else None)
    union.org.contact_name, union.org.contact_phone = chair.name, chair.phone
    if union.employers:
        union.org.address = union.employers[0].employer.address
    rows = [chair, _officer(world, union, OfficerRole.OFFICER, people[1] if len(people) > 1 else None)]
    if world.chance(0.2) and chair.started_on and chair.started_on > union.founded + timedelta(days=400):
        earlier = _officer(world, union, OfficerRole.CHAIR, since=union.founded)
        earlier.ended_on = chair.started_on
        rows.append(earlier)
    if world.chance(0.3):
        rows.append(_officer(world, union, OfficerRole.VICE_CHAIR))
    if world.chance(0.2):
        rows.append(_officer(world, union, OfficerRole.FUNDS_AUDITOR))
    return rows


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
            a.organisation.name if a.organisation else f"{a.person.name}（{_current_union_name(a.person)}）",
            device_secret(device_provision(user=a.user)) if a.role in STAFF_ROLES else "",
        )
        for a in sorted(accounts, key=lambda a: order[a.user.username])
    ]


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
        raise Conflict(f"{union.name}没有在会会员，无法创建会员账号")
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
