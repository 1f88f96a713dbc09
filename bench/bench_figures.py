"""Report figures and subtree counts over a Haining-sized federation (issue 2, points 1 and 9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench .venv/bin/python bench/bench_figures.py
    .venv/bin/python bench/bench_figures.py --markdown     # also print the tables for RESULTS.md

Loads `seed_demo --scale 1` into the database if it holds no organisation yet, runs VACUUM ANALYZE,
then times, for the whole city (the root's subtree), as the city staff see it:

  figure            each registered figure's value for the five-year review period and for
                    this year (median of --repeat runs), beside a baseline in the same run:
                    a naive loop over every organisation in the subtree, one COUNT query per
                    organisation, summed (it must give the same number)
  drill-down        the first page of each figure's records, count included
  report page       GET /reports/?preset=review through Django's whole request stack
  subtree counts    organisations.selectors.children_with_counts for the root (the workbench
                    tree: unions, employers, members per town), target under 200 ms, beside a
                    baseline: three COUNT queries per child
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# No query log, as in production; the rest of the development profile stays (its keys open
# the demo data, and the production profile would redirect the test client to HTTPS).
settings.DEBUG = False

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from gonghui.accounts.models import Account  # noqa: E402
from gonghui.accounts.scopes import scope_for  # noqa: E402
from gonghui.accounts.testing import force_login_with_second_factor  # noqa: E402
from gonghui.core.access import Role  # noqa: E402
from gonghui.core.figures import Figure, Period, all_figures  # noqa: E402
from gonghui.members.models import Membership, MembershipStatus  # noqa: E402
from gonghui.organisations import selectors as org_selectors  # noqa: E402
from gonghui.organisations.models import GRASSROOTS_KINDS, Employer, Organisation, OrganisationStatus  # noqa: E402
from gonghui.reports import selectors  # noqa: E402

# For the baseline: the field that ties a figure's record to one organisation.
OWNER_FIELD = {
    "organisations.unions": "pk",
    "organisations.employers_covered": "union_id",
    "members.members": "union_id",
    "members.new_members": "union_id",
    "members.migrant_members": "union_id",
}
REVIEW = Period(date(2021, 1, 1), date(2025, 12, 31))


def timed(fn: Callable[[], object], n: int) -> tuple[float, object]:
    """Median milliseconds of n runs, and the last result."""
    runs, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), result


def per_organisation_loop(figure: Figure, orgs: list[int], root: Organisation, period: Period) -> int:
    records: QuerySet = figure.records(root.path, period).order_by()
    field = OWNER_FIELD[figure.name]
    return sum(records.filter(**{field: pk}).count() for pk in orgs)


def naive_children_counts(parent: Organisation) -> dict[str, dict[str, int]]:
    out = {}
    for child in Organisation.objects.get_children(parent):
        out[child.path] = {
            "unions": Organisation.objects.filter(
                path__startswith=child.path, kind__in=GRASSROOTS_KINDS, status=OrganisationStatus.ACTIVE
            ).count(),
            "employers": Employer.objects.filter(union__path__startswith=child.path).count(),
            "members": Membership.objects.filter(
                status=MembershipStatus.ACTIVE, union__path__startswith=child.path
            ).count(),
        }
    return out


class Table:
    def __init__(self, headers: list[str]) -> None:
        self.headers, self.rows = headers, []

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def text(self) -> str:
        widths = [max(len(r[i]) for r in [self.headers, *self.rows]) for i in range(len(self.headers))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in [self.headers, *self.rows]]
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.headers) + " |", "|" + "---|" * len(self.headers)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def ensure_data() -> None:
    call_command("migrate", verbosity=0)
    if not Organisation.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", scale=1, seed=1)
        print(f"seed_demo --scale 1: {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        # As autovacuum does soon after a bulk load: statistics, and the visibility map that
        # lets a count be answered from an index alone.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")


def bench_figures(root: Organisation, repeat: int) -> Table:
    scope = scope_for(Account.objects.get(role=Role.CITY, organisation=root).user)
    today = timezone.localdate()
    periods = {"2021–2025": REVIEW, "this year": Period(date(today.year, 1, 1), today)}
    orgs = list(Organisation.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    table = Table(["figure", "period", "value", "figure ms", f"baseline ms ({len(orgs):,} COUNTs)", "×", "page 1 ms"])
    for figure in all_figures():
        for label, period in periods.items():
            ms, value = timed(lambda f=figure, p=period: f.compute(root.path, p), repeat)
            base_ms, base = ("—", "—")
            if figure.name in OWNER_FIELD:
                base_ms, base = timed(lambda f=figure, p=period: per_organisation_loop(f, orgs, root, p), 1)
                assert base == value, (figure.name, base, value)
            page_ms, _ = timed(lambda f=figure, p=period: _first_page(scope, root, f, p), repeat)
            ratio = f"{base_ms / ms:.0f}" if isinstance(base_ms, float) else "—"
            base_text = f"{base_ms:.0f}" if isinstance(base_ms, float) else base_ms
            table.add(figure.label, label, f"{value:,}", f"{ms:.1f}", base_text, ratio, f"{page_ms:.1f}")
    return table


def _first_page(scope: object, root: Organisation, figure: Figure, period: Period) -> int:
    _, records = selectors.figure_records(scope=scope, organisation=root, period=period, name=figure.name)  # type: ignore[arg-type]
    rows = [figure.row(r) for r in records[:50]]
    return len(rows) + figure.value(records)  # type: ignore[return-value]


def bench_report_page(root: Organisation, repeat: int) -> Table:
    client = Client()
    # Staff pages need the second factor, as in production: the session carries it.
    force_login_with_second_factor(client, Account.objects.get(role=Role.CITY, organisation=root).user)
    table = Table(["request", "median ms"])
    for url in ("/reports/?preset=review", "/reports/", "/reports/figures/members.members/?preset=review"):

        def get(u: str = url) -> None:
            response = client.get(u)
            assert response.status_code == 200, response.status_code

        ms, _ = timed(get, repeat)
        table.add(f"GET {url}", f"{ms:.0f}")
    return table


def bench_subtree_counts(root: Organisation, repeat: int) -> Table:
    scope = scope_for(Account.objects.get(role=Role.CITY, organisation=root).user)
    ms, rows = timed(lambda: org_selectors.children_with_counts(scope=scope, parent=root), repeat)
    base_ms, naive = timed(lambda: naive_children_counts(root), repeat)
    got = {child.path: counts for child, counts in rows}  # type: ignore[union-attr]
    assert got == naive, "children_with_counts disagrees with the naive counts"
    members = sum(c["members"] for c in got.values())
    table = Table(["query", "children", "members", "ms", "baseline ms (3 COUNTs per child)", "target"])
    table.add("children_with_counts(root)", len(got), f"{members:,}", f"{ms:.0f}", f"{base_ms:.0f}", "< 200 ms")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    ensure_data()
    root = Organisation.objects.get_first_root_node()
    print(f"database: {connection.vendor}; {root.name}; {Membership.objects.count():,} memberships\n")
    tables = [
        ("Figures for the whole city", bench_figures(root, args.repeat)),
        ("Report pages (city staff)", bench_report_page(root, args.repeat)),
        ("Subtree counts for the whole city", bench_subtree_counts(root, args.repeat)),
    ]
    for title, table in tables:
        print(f"{title}\n{table.text()}\n")
    if args.markdown:
        for title, table in tables:
            print(f"#### {title}\n\n{table.markdown()}\n")


if __name__ == "__main__":
    main()
