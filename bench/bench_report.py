"""The report's pages and the workbench at Haining scale (issue 9, points 4 and 5).

    .venv/bin/python bench/bench_report.py                # the database in var/ (SQLite)
    .venv/bin/python bench/bench_report.py --markdown     # also print the tables for RESULTS.md

Loads `seed_demo --scale 1` if the database holds no organisation yet, then, as the city's and
a town's staff, through Django's whole request stack (median of --repeat runs):

  pages         the report (five-year review and this year), the side-by-side table, the
                breakdowns fragment, the print view, a town's organisation page, the
                workbench and its fragments; beside each, a baseline in the same run: the
                obvious way to get the same numbers (one query per child and figure for the
                side-by-side table, one per month for the chart, one per category for the
                breakdowns, three per child for the organisation tree's counts), or for the
                report and the headlines the figures' own queries, the floor a page over
                them cannot go below
  date indexes  the member figures with the membership date indexes (members migration 0007)
                and with the index they replaced, in a transaction rolled back afterwards
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

settings.DEBUG = False  # no query log, as in production

# Run as a script, so its folder is on the path: the same table and data as the figures' bench.
from bench_figures import REVIEW, Table, ensure_data, naive_children_counts  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from gonghui.accounts.models import Account  # noqa: E402
from gonghui.accounts.testing import force_login_with_second_factor  # noqa: E402
from gonghui.core.access import Role  # noqa: E402
from gonghui.core.figures import Period, all_figures, breakdowns, get_figure, month_periods  # noqa: E402
from gonghui.members.models import Membership  # noqa: E402
from gonghui.organisations.models import Organisation  # noqa: E402

TARGET_MS = 300
HTMX = {"HTTP_HX_REQUEST": "true"}


def timed(fn: Callable[[], object], n: int) -> float:
    return timings(fn, n)[0]


def timings(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Median and best of n runs, in ms: on a shared machine the best shows the work itself."""
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), min(runs)


def signed_in(role: str, organisation: Organisation) -> Client:
    client = Client()
    force_login_with_second_factor(client, Account.objects.filter(role=role, organisation=organisation).first().user)
    return client


# --- baselines: the same numbers the obvious way ---------------------------------------------


def figures_alone(org: Organisation, period: Period) -> None:
    for figure in all_figures():
        figure.compute(org.path, period)


def each_child_alone(org: Organisation, period: Period) -> None:
    for child in Organisation.objects.get_children(org):
        for figure in all_figures():
            figure.compute(child.path, period)


def each_category_alone(org: Organisation, period: Period) -> None:
    for breakdown in breakdowns.all():
        for category in breakdown.categories:
            breakdown.records(org.path, period, category.key).count()


def headlines_alone(org: Organisation) -> None:
    today = timezone.localdate()
    for name in ("organisations.unions", "organisations.employers_covered", "members.members", "members.new_members"):
        get_figure(name).compute(org.path, Period(date(today.year, 1, 1), today))


def each_month_alone(org: Organisation) -> None:
    for period in month_periods(ending=timezone.localdate(), count=24):
        get_figure("members.members").compute(org.path, period)
        get_figure("members.new_members").compute(org.path, period)


def bench_pages(org: Organisation, role: str, repeat: int) -> Table:
    client = signed_in(role, org)
    town = Organisation.objects.get_children(Organisation.objects.get_first_root_node()).first()
    detail = town if role == Role.CITY else org
    this_year = Period(date(timezone.localdate().year, 1, 1), timezone.localdate())
    review = "?preset=review"
    pages: list[tuple[str, dict[str, str], Callable[[], object] | None, str, bool]] = [
        (reverse("reports:index") + review, {}, lambda: figures_alone(org, REVIEW), "its figures' queries", True),
        (reverse("reports:index"), {}, lambda: figures_alone(org, this_year), "its figures' queries", True),
        (
            reverse("reports:compare") + review,
            {},
            lambda: each_child_alone(org, REVIEW),
            "each child, each figure",
            False,
        ),
        (
            reverse("reports:breakdowns") + review,
            HTMX,
            lambda: each_category_alone(org, REVIEW),
            "a COUNT per category",
            False,
        ),
        (
            reverse("reports:print") + review,
            {},
            lambda: (each_child_alone(org, REVIEW), each_category_alone(org, REVIEW)),
            "each child, each figure; a COUNT per category",
            False,
        ),
        (
            reverse("organisations:detail", args=[detail.pk]),
            {},
            lambda: naive_children_counts(detail),
            "three COUNTs per child",
            True,
        ),
        (
            reverse("organisations:workbench"),
            {},
            lambda: naive_children_counts(org),
            "three COUNTs per child",
            False,
        ),
        (reverse("organisations:headlines"), HTMX, lambda: headlines_alone(org), "its figures' queries", False),
        (reverse("organisations:trend"), {}, lambda: each_month_alone(org), "48 COUNTs (a month each)", False),
    ]
    table = Table(["request", "median ms", "best ms", "baseline", "baseline ms", "target"])
    for url, headers, baseline, label, target in pages:

        def get(u: str = url, h: dict[str, str] = headers) -> None:
            response = client.get(u, **h)
            assert response.status_code == 200, (u, response.status_code)

        ms, best = timings(get, repeat)
        base = f"{timed(baseline, max(1, repeat // 2)):.0f}" if baseline else "—"
        table.add(f"GET {url}", f"{ms:.0f}", f"{best:.0f}", label or "—", base, f"< {TARGET_MS} ms" if target else "")
    return table


# --- the membership date indexes, with and without ------------------------------------------

OLD_INDEX = "CREATE INDEX bench_old_union_joined ON members_membership (union_id, joined_on)"
NEW_INDEXES = ("membership_union_dates_idx", "membership_employer_dates_idx")


def _member_figures(root: Organisation, repeat: int) -> dict[str, float]:
    months = month_periods(ending=timezone.localdate(), count=24)
    jobs: dict[str, Callable[[], object]] = {
        "会员 (city, review)": lambda: get_figure("members.members").compute(root.path, REVIEW),
        "入会率 (city, review)": lambda: get_figure("members.membership_rate").compute(root.path, REVIEW),
        "members by month (city, 24 months)": lambda: get_figure("members.members").series(root.path, months),  # type: ignore[misc]
    }
    return {label: timed(job, repeat) for label, job in jobs.items()}


def bench_indexes(root: Organisation, repeat: int) -> Table:
    with_indexes = _member_figures(root, repeat)
    with transaction.atomic():
        with connection.cursor() as cur:
            for name in NEW_INDEXES:
                cur.execute(f"DROP INDEX {name}")
            cur.execute(OLD_INDEX)
        without = _member_figures(root, repeat)
        transaction.set_rollback(True)
    table = Table(["figure", "with the date indexes ms", "with (union, joined_on) only ms", "×"])
    for label, ms in with_indexes.items():
        table.add(label, f"{ms:.0f}", f"{without[label]:.0f}", f"{without[label] / ms:.1f}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    ensure_data()
    root = Organisation.objects.get_first_root_node()
    town = Organisation.objects.get_children(root).first()
    load = os.getloadavg()[0]
    print(f"database: {connection.vendor}; {root.name}; {Membership.objects.count():,} memberships; load {load:.1f}\n")
    tables = [
        (f"City staff ({root.name})", bench_pages(root, Role.CITY, args.repeat)),
        (f"Town staff ({town.name})", bench_pages(town, Role.TOWN, args.repeat)),
        ("Membership date indexes", bench_indexes(root, args.repeat)),
    ]
    for title, table in tables:
        print(f"{title}\n{table.text()}\n")
    if args.markdown:
        for title, table in tables:
            print(f"#### {title}\n\n{table.markdown()}\n")


if __name__ == "__main__":
    main()
