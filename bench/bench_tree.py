"""Subtree queries over a province-sized organisation tree of about 100,000 organisations (issue 2).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_h5_tree .venv/bin/python bench/bench_tree.py
    DATABASE_URL=sqlite:////tmp/gonghui_h5_tree.sqlite3 .venv/bin/python bench/bench_tree.py --markdown

Migrates the database, and if it holds no organisation builds the tree once with the demo
generator's own planning (`gonghui.organisations.demo`): a province root over 60 Haining-sized cities,
each with 12 towns and 1,698 grassroots unions (enterprise, joint, district unions, industry
federations with their member unions nested under them, a few merged or dissolved), 3,713
employers, plus --members active members (bulk-inserted; far fewer than a real province's,
enough to make the member counts join something). Paths are computed, not made node by node.

Then times each selector (median and p95 of --runs runs, after one warm-up run) beside a
baseline measured in the same run: what an adjacency-list tree (a parent id per organisation)
would do naively — walk down one query per level (`parent_id IN (...)`, in chunks of
IN_CHUNK ids because neither database takes 100,000 parameters), then count or fetch by id.
The parent ids live in a side table, `bench_org_parent (id, parent_id)`, indexed on
parent_id and filled from the paths; it exists only in the bench database. A recursive CTE
over the same table is shown beside the count, as the better adjacency-list answer. Every
baseline must give the same numbers or rows as the selector, or the bench stops.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from gonghui.core import demo  # noqa: E402
from gonghui.core.access import Role, StaffScope  # noqa: E402
from gonghui.members import demo as member_demo  # noqa: E402
from gonghui.members.models import Membership, MembershipStatus  # noqa: E402
from gonghui.organisations import demo as org_demo  # noqa: E402
from gonghui.organisations import selectors  # noqa: E402
from gonghui.organisations.models import (  # noqa: E402
    GRASSROOTS_KINDS,
    Employer,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)

CITIES = 60
AS_OF = date(2026, 11, 25)  # fixed, so every run builds the same tree
IN_CHUNK = 5_000
PAGE = 50
MIN_RUNS = 5
BUDGET_S = 10.0  # a slow baseline stops after this long (but never before MIN_RUNS runs)
Counts = dict[str, int]


# --- building the tree -----------------------------------------------------------------------


def build(*, members: int, seed: int) -> None:
    """The demo's province at scale 60, without its member histories and officers: each city
    planned by the demo generator, its paths computed under the root, saved in bulk."""
    world = demo.DemoContext(seed=seed, as_of=AS_OF, log=print)
    started = time.perf_counter()
    with transaction.atomic():
        root = org_demo._save_province_root(world, n_cities=CITIES)
    for i in range(CITIES):
        with transaction.atomic():
            city = org_demo._plan_city(world, demo._city_spec(i), demo.targets_for(1))
            org_demo._place(city.node, parent=root, index=i + 1)
            org_demo._save_city(world, city)
            add_members(world, city, members // CITIES + (1 if i < members % CITIES else 0))
        if (i + 1) % 10 == 0:
            print(f"  {i + 1} cities built, {time.perf_counter() - started:.0f} s")


def add_members(world: demo.DemoContext, city: org_demo.CityPlan, n: int) -> None:
    """n active members of the city's open unions, spread as the demo spreads its members
    over employers, with no history behind them."""
    plans = [(u, p) for u in city.unions if u.closed is None for p in u.employers]
    if n <= 0 or not plans:
        return
    batch = member_demo._Batch()
    for union, plan in world.rng.choices(plans, weights=[p.members + 1 for _, p in plans], k=n):
        joined = member_demo._join_date(world, union, plan, world.stock_day)
        person = member_demo._person(world, city, union, joined)
        batch.people.append(person)
        member_demo._membership(batch, person, union.org, plan.employer, joined)
    batch.flush()


def build_adjacency() -> None:
    """The baseline's tree: each organisation's parent id, derived from the paths."""
    step = Organisation.steplen
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_org_parent")
        cur.execute("CREATE TABLE bench_org_parent (id bigint PRIMARY KEY, parent_id bigint)")
        cur.execute(
            "INSERT INTO bench_org_parent (id, parent_id) SELECT c.id, p.id FROM organisations_organisation c "
            "LEFT JOIN organisations_organisation p ON p.path = substr(c.path, 1, length(c.path) - %s)",
            [step],
        )
        cur.execute("CREATE INDEX bench_org_parent_parent ON bench_org_parent (parent_id)")
        cur.execute("ANALYZE")


def ensure_data(*, members: int, seed: int) -> None:
    call_command("migrate", verbosity=0)
    if not Organisation.objects.exists():
        started = time.perf_counter()
        print(f"building {CITIES} cities ({members:,} members)…")
        build(members=members, seed=seed)
        build_adjacency()
        print(f"built in {time.perf_counter() - started:.0f} s")
    elif Organisation.objects.count() < 50_000:
        sys.exit("this database holds a small federation already: point DATABASE_URL at an empty one")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


# --- the naive adjacency-list baseline -------------------------------------------------------


def chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def children_ids(parent_ids: Sequence[int]) -> list[int]:
    out: list[int] = []
    with connection.cursor() as cur:
        for chunk in chunks(parent_ids):
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(f"SELECT id FROM bench_org_parent WHERE parent_id IN ({marks}) ORDER BY id", list(chunk))
            out += [row[0] for row in cur.fetchall()]
    return out


def walk_down(org_id: int) -> list[int]:
    """The organisation and everything below it, one query per level."""
    found, level = [org_id], [org_id]
    while level:
        level = children_ids(level)
        found += level
    return found


def cte_count(org_id: int) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "WITH RECURSIVE sub(id) AS (SELECT CAST(%s AS bigint) UNION ALL "
            "SELECT c.id FROM bench_org_parent c JOIN sub ON c.parent_id = sub.id) SELECT count(*) FROM sub",
            [org_id],
        )
        return cur.fetchone()[0]


def naive_totals(ids: Sequence[int]) -> Counts:
    unions = employers = members = 0
    for chunk in chunks(ids):
        unions += Organisation.objects.filter(
            pk__in=chunk, kind__in=GRASSROOTS_KINDS, status=OrganisationStatus.ACTIVE
        ).count()
        employers += Employer.objects.filter(union_id__in=chunk).count()
        members += Membership.objects.filter(union_id__in=chunk, status=MembershipStatus.ACTIVE).count()
    return {"unions": unions, "employers": employers, "members": members}


def naive_children_with_counts(parent: Organisation) -> list[tuple[int, Counts]]:
    return [(child, naive_totals(walk_down(child))) for child in children_ids([parent.pk])]


def naive_first_page(org_id: int) -> list[Organisation]:
    """Depth first, children in creation order, one query per node shown."""
    shown: list[int] = []
    stack = [org_id]
    while stack and len(shown) < PAGE:
        node = stack.pop()
        shown.append(node)
        stack += reversed(children_ids([node]))
    rows = Organisation.objects.in_bulk(shown)
    return [rows[pk] for pk in shown]


def naive_of_kind(org_id: int, kind: str) -> list[Organisation]:
    ids = walk_down(org_id)
    return [o for chunk in chunks(ids) for o in Organisation.objects.filter(pk__in=chunk, kind=kind).order_by("pk")]


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Timing:
    runs: list[float]
    queries: int
    result: object

    @property
    def p50(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        ordered = sorted(self.runs)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(fn: Callable[[], object], runs: int) -> Timing:
    """One warm-up run (counting its queries), then up to `runs` timed runs."""
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    times: list[float] = []
    deadline = time.perf_counter() + BUDGET_S
    while len(times) < runs and (len(times) < MIN_RUNS or time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return Timing(times, len(queries.captured_queries), result)


@dataclass
class Row:
    what: str
    where: str
    result: str
    selector: Timing
    baseline: Timing
    baseline_name: str


def staff_scope(org: Organisation) -> StaffScope:
    role = {1: Role.CITY, 2: Role.CITY, 3: Role.TOWN}.get(org.depth, Role.UNION)
    return StaffScope(user=None, role=role, organisation_id=org.pk, organisation_path=org.path)


def same(a: object, b: object, what: str) -> None:
    if a != b:
        sys.exit(f"{what}: selector and baseline disagree: {a!r} != {b!r}")


def count_rows(root: Organisation, city: Organisation, runs: int) -> list[Row]:
    rows = []
    for org, where in ((city, "city"), (root, "root")):
        scope = staff_scope(org)
        sel = measure(lambda o=org, s=scope: selectors.organisation_subtree(scope=s, organisation=o).count(), runs)
        base = measure(lambda o=org: len(walk_down(o.pk)), runs)
        cte = measure(lambda o=org: cte_count(o.pk), runs)
        same(sel.result, base.result, f"count under {where}")
        same(sel.result, cte.result, f"CTE count under {where}")
        rows.append(Row("organisations in subtree", where, f"{sel.result:,}", sel, base, "walk, 1 query/level"))
        rows.append(Row("organisations in subtree", where, f"{sel.result:,}", sel, cte, "recursive CTE"))
        sel = measure(lambda o=org, s=scope: selectors.organisation_totals(scope=s, organisation=o), runs)
        base = measure(lambda o=org: naive_totals(walk_down(o.pk)), runs)
        same(sel.result, base.result, f"totals under {where}")
        totals = sel.result
        result = f"{totals['unions']:,} u / {totals['employers']:,} e / {totals['members']:,} m"
        rows.append(Row("organisation_totals", where, result, sel, base, "walk + 3 COUNTs"))
    return rows


def page_row(city: Organisation, runs: int) -> Row:
    scope = staff_scope(city)
    sel = measure(lambda: list(selectors.organisation_subtree(scope=scope, organisation=city)[:PAGE]), runs)
    base = measure(lambda: naive_first_page(city.pk), runs)
    same([o.pk for o in sel.result], [o.pk for o in base.result], "first page")
    return Row(f"subtree list, first {PAGE} by path", "city", f"{PAGE} rows", sel, base, "DFS, 1 query/node")


def children_rows(root: Organisation, city: Organisation, runs: int) -> list[Row]:
    rows = []
    for org, where in ((root, "root"), (city, "city")):
        scope = staff_scope(org)
        sel = measure(lambda o=org, s=scope: selectors.children_with_counts(scope=s, parent=o), runs)
        base = measure(lambda o=org: naive_children_with_counts(o), runs)
        same([(c.pk, n) for c, n in sel.result], base.result, f"children_with_counts of {where}")
        name = "walk + 3 COUNTs per child"
        rows.append(Row("children_with_counts", where, f"{len(sel.result)} children", sel, base, name))
    return rows


def kind_rows(town: Organisation, runs: int) -> list[Row]:
    rows = []
    scope = staff_scope(town)
    for kind in (OrganisationKind.ENTERPRISE_UNION, OrganisationKind.INDUSTRY_FEDERATION):
        sel = measure(lambda k=kind: list(selectors.organisation_list(scope=scope, kind=k)), runs)
        base = measure(lambda k=kind: naive_of_kind(town.pk, k), runs)
        same(sorted(o.pk for o in sel.result), sorted(o.pk for o in base.result), f"organisation_list kind={kind}")
        what = f"organisation_list(kind={kind})"
        rows.append(Row(what, "town", f"{len(sel.result)} rows", sel, base, "walk + filter by ids"))
    return rows


# --- output ------------------------------------------------------------------------------------

HEADERS = ["query", "under", "result", "selector p50 ms", "p95", "queries", "baseline", "p50 ms", "p95", "queries", "×"]


def cells(row: Row) -> list[str]:
    s, b = row.selector, row.baseline
    return [
        row.what,
        row.where,
        row.result,
        f"{s.p50:.1f}",
        f"{s.p95:.1f}",
        str(s.queries),
        row.baseline_name,
        f"{b.p50:.1f}",
        f"{b.p95:.1f}",
        str(b.queries),
        f"{b.p50 / s.p50:.0f}" if s.p50 else "-",
    ]


def text_table(rows: list[Row]) -> str:
    table = [HEADERS, *[cells(r) for r in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in table)


def markdown_table(rows: list[Row]) -> str:
    right = {3, 4, 5, 7, 8, 9, 10}
    lines = ["| " + " | ".join(HEADERS) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(HEADERS))) + "|")
    lines += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def picks() -> tuple[Organisation, Organisation, Organisation]:
    """The root, a city in the middle of the province, and that city's largest town."""
    root = Organisation.objects.get_root_nodes().get()
    cities = list(Organisation.objects.get_children(root).order_by("path"))
    city = cities[len(cities) // 2]
    towns = Organisation.objects.get_children(city).filter(kind=OrganisationKind.TOWN_FEDERATION)
    town = max(towns, key=lambda t: Organisation.objects.filter(path__startswith=t.path).count())
    return root, city, town


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query (after one warm-up)")
    parser.add_argument("--members", type=int, default=300_000, help="active members to add when building")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    args = parser.parse_args()
    ensure_data(members=args.members, seed=args.seed)
    root, city, town = picks()
    print(
        f"{connection.vendor}: {Organisation.objects.count():,} organisations, {Employer.objects.count():,} "
        f"employers, {Membership.objects.count():,} memberships; city {city.name} "
        f"({Organisation.objects.filter(path__startswith=city.path).count():,} organisations), "
        f"town {town.name} ({Organisation.objects.filter(path__startswith=town.path).count():,})\n"
    )
    started = time.perf_counter()
    rows = count_rows(root, city, args.runs)
    rows.append(page_row(city, args.runs))
    rows += children_rows(root, city, args.runs)
    rows += kind_rows(town, args.runs)
    print(text_table(rows))
    print(f"\n(timed in {time.perf_counter() - started:.0f} s)")
    if args.markdown:
        print("\n" + markdown_table(rows))


if __name__ == "__main__":
    main()
