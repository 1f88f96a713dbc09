"""The organisations app's demo data (core/demo.py): for each city, the tree of town
federations and grassroots unions with their founding dates, the employers they cover, the
unions merged or dissolved during the review (with dated status changes), and, once the
members app has made the members, the officers drawn from them.

Rows are written with bulk_create in large batches (tree paths computed here rather than
node by node through treebeard), so django-simple-history keeps no history for them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from gonghui.core import demo
from gonghui.core import demo_data as data
from gonghui.core.demo import BATCH, HAINING_TARGETS, REVIEW_START, DemoContext, Targets, region_code
from gonghui.core.tree import PATH_ALPHABET, STEPLEN
from gonghui.organisations.identity import make_uscc
from gonghui.organisations.models import (
    GRASSROOTS_KINDS,
    Employer,
    EmployerCategory,
    EmployerCoverage,
    Officer,
    OfficerRole,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    OrganisationStatusChange,
)

MIGRANT_SHARE = 0.40


def build_tree(ctx: DemoContext) -> None:
    """Plan and save this city's tree and employers, under the province root from scale 2."""
    spec, targets = ctx.city_spec, ctx.city_targets
    if ctx.province and ctx.root is None:
        ctx.root = _save_province_root(ctx, n_cities=ctx.cities)
    city = _plan_city(ctx, spec, targets)
    _place(city.node, parent=ctx.root if ctx.province else None, index=ctx.city_number)
    _save_city(ctx, city)
    ctx.city = city
    ctx.root = ctx.root or city.node.org
    ctx.first_town = ctx.first_town or city.towns[0][1].org
    ctx.log(f"{spec.name}: {targets.unions} 个基层工会，{targets.employers} 家单位，正在生成会员…")


def appoint_officers(ctx: DemoContext) -> None:
    _appoint_officers(ctx, ctx.city)


def _uscc(world: DemoContext, region: str, kind: str) -> str:
    return make_uscc(region=region, serial=world.serial(), kind=kind)


TREE = demo.DemoContribution(
    key="organisations.tree",
    each_city=build_tree,
    counts=(
        demo.DemoCount("organisations", "工会组织（含市、镇）", lambda: Organisation.objects.count(), order=10),
        demo.DemoCount(
            "grassroots_unions", "基层工会", lambda: Organisation.objects.filter(kind__in=GRASSROOTS_KINDS).count(), 11
        ),
        demo.DemoCount("employers", "用人单位", lambda: Employer.objects.count(), order=12),
        demo.DemoCount("employer_coverage", "单位覆盖记录", lambda: EmployerCoverage.objects.count(), order=13),
        demo.DemoCount("status_changes", "组织状态变更", lambda: OrganisationStatusChange.objects.count(), order=91),
    ),
    order=10,
)
OFFICERS = demo.DemoContribution(
    key="organisations.officers",
    each_city=appoint_officers,
    counts=(demo.DemoCount("officers", "工会干部", lambda: Officer.objects.count(), order=90),),
    order=30,  # after the members app's history: officers are drawn from the members
)


# --- the plan of one city ---------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    org: Organisation
    children: list[Node] = field(default_factory=list)
    industry: str = ""
    migrant_share: float = MIGRANT_SHARE
    employers: list[EmployerPlan] = field(default_factory=list)
    closed: tuple[str, date, Node] | None = None  # (status, on, where members and employers go)
    officers_from: list[Any] = field(default_factory=list)  # members who become its officers (members.demo)

    @property
    def founded(self) -> date:
        return self.org.founded_on or date(1990, 1, 1)


@dataclass(eq=False)
class EmployerPlan:
    employer: Employer
    town: Node
    weight: float
    members: int = 0


@dataclass
class CityPlan:
    spec: data.CitySpec
    node: Node
    towns: list[tuple[data.TownSpec, Node]]
    targets: Targets
    local_region_names: tuple[tuple[str, str], ...]
    namer: _Namer
    region: str  # where the city's employers and unions are registered
    unions: list[Node] = field(default_factory=list)  # every grassroots union, in creation order


def _save_province_root(world: DemoContext, n_cities: int) -> Organisation:
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
    alphabet = PATH_ALPHABET
    digits = ""
    for _ in range(STEPLEN):
        n, rest = divmod(n, len(alphabet))
        digits = alphabet[rest] + digits
    return digits


def _place(node: Node, *, parent: Organisation | None, index: int) -> None:
    """Materialised paths for a whole planned subtree, as treebeard would have made them."""
    node.org.path = (parent.path if parent is not None else "") + _step(index)
    node.org.depth = (parent.depth if parent is not None else 0) + 1
    node.org.numchild = len(node.children)
    for i, child in enumerate(node.children, start=1):
        _place(child, parent=node.org, index=i)


def _walk(node: Node) -> list[Node]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _plan_city(world: DemoContext, spec: data.CitySpec, t: Targets) -> CityPlan:
    local_names = tuple(("33", n) for n in (spec.name.split("（")[0], *spec.old_names))
    node = Node(_org(spec.code, f"{spec.name}总工会", OrganisationKind.CITY_FEDERATION, date(1952, 5, 1)))
    towns = [(ts, _town_node(world, spec, ts)) for ts in _town_specs(world, spec, t.towns)]
    node.children = [town for _, town in towns]
    city = CityPlan(spec, node, towns, t, local_names, _Namer(world), region_code(local_names, world.as_of.year))
    _plan_unions(world, city)
    _plan_employers(world, city)
    _plan_closures(world, city)
    return city


def _org(code: str, name: str, kind: str, founded: date) -> Organisation:
    return Organisation(code=code, name=name, kind=kind, founded_on=founded, status_since=founded)


def _town_specs(world: DemoContext, spec: data.CitySpec, n: int) -> list[data.TownSpec]:
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


def _town_node(world: DemoContext, spec: data.CitySpec, ts: data.TownSpec) -> Node:
    founded = date(world.rng.randint(1984, 2001), world.rng.randint(1, 12), 1)
    org = _org(f"{spec.code}-{ts.code}", f"{ts.name}总工会", OrganisationKind.TOWN_FEDERATION, founded)
    return Node(org, industry=ts.industries[0])


# --- unions ------------------------------------------------------------------------------------


@dataclass
class _Namer:
    """Unique names and per-parent codes for the unions and employers of one city."""

    world: DemoContext
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


def _union_founded(world: DemoContext, *, late_share: float, early_from: int = 1995) -> date:
    if world.chance(late_share):
        return world.day(REVIEW_START, world.stock_day - timedelta(days=90))
    return world.day(date(early_from, 1, 1), date(2020, 12, 31))


def _plan_unions(world: DemoContext, city: CityPlan) -> None:
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


def _pick_town(world: DemoContext, city: CityPlan, weights: list[float]) -> Node:
    return world.rng.choices(city.towns, weights=weights)[0][1]


def _add_union(
    city: CityPlan, parent: Node, code: str, name: str, kind: str, founded: date, industry: str, migrant: float
) -> Node:
    node = Node(_org(code, name, kind, founded), industry=industry, migrant_share=migrant)
    parent.children.append(node)
    city.unions.append(node)
    return node


def _add_city_federation(world: DemoContext, city: CityPlan, namer: _Namer, children: int) -> None:
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


def _add_town_federations(world: DemoContext, city: CityPlan, namer: _Namer, n: int, n_enterprise: int) -> list[Node]:
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
    world: DemoContext,
    city: CityPlan,
    namer: _Namer,
    parent: Node,
    code_parent: str,
    industry: str,
    migrant: float = 0.0,
) -> Node:
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


def _add_joint_union(world: DemoContext, city: CityPlan, namer: _Namer, town: Node) -> None:
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


def _add_district_union(world: DemoContext, city: CityPlan, namer: _Namer, town: Node) -> None:
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


def _add_enterprise_unions(world: DemoContext, city: CityPlan, namer: _Namer, n: int, weights: list[float]) -> None:
    # Every town first gets its organ, school and health-centre unions, then companies.
    institutions: list[Node] = []
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


def _category(world: DemoContext, small: bool) -> tuple[str, str]:
    """(employer category, credit-code kind) in the proportions of a manufacturing county."""
    options: tuple[tuple[str, str, int], ...]
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


def _plan_employers(world: DemoContext, city: CityPlan) -> None:
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


def _fill_joint_unions(world: DemoContext, city: CityPlan, unions: list[Node]) -> None:
    """The remaining employers are small ones under joint unions, at least two each."""
    missing = city.targets.employers - sum(len(u.employers) for u in city.unions)
    for i in range(max(0, missing)):
        union = unions[i % len(unions)] if i < 2 * len(unions) else world.rng.choice(unions)
        _add_employer(world, city, union, small=union.org.kind != OrganisationKind.ENTERPRISE_UNION)


def _town_of(world: DemoContext, city: CityPlan, union: Node) -> Node:
    parent_code = union.org.code.rsplit("-", 1)[0]
    for _, town in city.towns:
        if town.org.code == parent_code:
            return town
    return world.rng.choice(city.towns)[1]  # a city-level union's companies sit in any town


def _add_employer(world: DemoContext, city: CityPlan, union: Node, *, small: bool) -> None:
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
        uscc=_uscc(world, city.region, kind),
        category=category,
        industry=industry if small else union.industry,
        staff_count=staff,
        address=_address(world, town),
        covered_since=covered,
    )
    union.employers.append(EmployerPlan(employer, town, weight=staff * world.rng.uniform(0.7, 1.0)))


def _address(world: DemoContext, town: Node) -> str:
    rng = world.rng
    return f"{town.org.name.removesuffix('总工会')}{rng.choice(data.ROAD_NAMES)}路{rng.randint(1, 999)}号"


def _share_members(city: CityPlan) -> None:
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


def _plan_closures(world: DemoContext, city: CityPlan) -> None:
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


def _save_city(world: DemoContext, city: CityPlan) -> None:
    nodes = _walk(city.node)
    for node in nodes:
        node.org.uscc = _uscc(world, city.region, "81")  # unions are legal persons too
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


def _save_status_changes(nodes: list[Node]) -> None:
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


def _save_employers(city: CityPlan) -> None:
    rows, coverage = [], []
    for union in city.unions:
        final = union.closed[2] if union.closed is not None else union
        for plan in union.employers:
            plan.employer.union, plan.employer.town = final.org, plan.town.org
            rows.append(plan.employer)
            coverage += _coverage(plan.employer, union)
    Employer.objects.bulk_create(rows, batch_size=BATCH)
    EmployerCoverage.objects.bulk_create(coverage, batch_size=BATCH)


def _coverage(employer: Employer, union: Node) -> list[EmployerCoverage]:
    """The employer's coverage history as employer_create and a union's closing write it:
    a stretch with its union and, if that union closed, the next with the one it passed to."""
    if union.closed is None:
        return [
            EmployerCoverage(employer=employer, union=union.org, started_on=employer.covered_since or union.founded)
        ]
    status, on, target = union.closed
    # Covered before its union closed (the plan drew the day without knowing of the closing).
    employer.covered_since = min(employer.covered_since or on, on)
    reason = f"{union.org.name}{OrganisationStatus(status).label}"
    return [
        EmployerCoverage(employer=employer, union=union.org, started_on=employer.covered_since, ended_on=on),
        EmployerCoverage(employer=employer, union=target.org, started_on=on, reason=reason),
    ]


# --- officers ------------------------------------------------------------------------------


def _appoint_officers(world: DemoContext, city: CityPlan) -> None:
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


def _officer(world: DemoContext, node: Node, role: str, person: Any = None, since: date | None = None) -> Officer:
    sex = person.sex if person else world.rng.choice("MF")
    start = since or world.day(max(node.founded, date(2016, 1, 1)), world.as_of - timedelta(days=30))
    return Officer(
        organisation=node.org,
        role=role,
        name=person.name if person else world.name(local=True, sex=sex),
        person=person,
        phone=person.mobile if person else world.mobile(),
        started_on=start,
    )


def _federation_officers(world: DemoContext, node: Node, *, vice: int, part_time: int, seconded: int) -> list[Officer]:
    roles = [OfficerRole.CHAIR, OfficerRole.OFFICER] + [OfficerRole.VICE_CHAIR] * vice
    roles += [OfficerRole.PART_TIME_VICE_CHAIR] * part_time + [OfficerRole.SECONDED_VICE_CHAIR] * seconded
    rows = [_officer(world, node, role) for role in roles]
    node.org.contact_name, node.org.contact_phone = rows[0].name, rows[0].phone
    return rows


def _union_officers(world: DemoContext, union: Node) -> list[Officer]:
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
