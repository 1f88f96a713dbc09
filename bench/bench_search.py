"""Member search through the API over a Haining-sized federation, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench .venv/bin/python bench/bench_search.py

Loads `seed_demo --scale 1` into that database once (248,500 members), then times
GET /api/v1/members?q=… for exact ID numbers, exact mobiles and name prefixes, as a city
officer with an API token, through Django's whole request stack (in-process client, no
socket). Baseline in the same run: the database's own time for the same lookup, a bare SQL
query with no ORM, no scope filter and no HTTP. Target: API p95 under 50 ms.
"""

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from gonghui.accounts.models import Account, ApiToken  # noqa: E402
from gonghui.core.access import Role  # noqa: E402
from gonghui.core.crypto import blind_index  # noqa: E402
from gonghui.members.models import Membership, MembershipStatus  # noqa: E402

SAMPLES = 200


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def sql_baseline(kind: str, value: str) -> None:
    # The numbers are stored encrypted; the database compares their keyed hashes.
    where = {"id": "p.id_number_hash = %s", "mobile": "p.mobile_hash = %s", "name": "p.name LIKE %s"}[kind]
    arg = value + "%" if kind == "name" else blind_index(value)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT m.id, p.name FROM members_membership m JOIN members_person p ON p.id = m.person_id "
            f"WHERE {where} AND m.status = 'active' ORDER BY m.joined_on DESC LIMIT 20",  # noqa: S608
            [arg],
        )
        cur.fetchall()


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("run with DATABASE_URL pointing at PostgreSQL")
    call_command("migrate", verbosity=0)
    if not Membership.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", scale=1, seed=1)
        print(f"seed_demo --scale 1: {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    city = Account.objects.filter(role=Role.CITY).select_related("user").first()
    _, key = ApiToken.issue(user=city.user, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE).count()
    rng = random.Random(7)
    people = list(
        Membership.objects.filter(status=MembershipStatus.ACTIVE).values_list(
            "person__id_number", "person__mobile", "person__name"
        )
    )
    sample = rng.sample(people, SAMPLES)
    print(f"active members: {active:,}; {SAMPLES} queries of each kind\n")
    print(f"{'search':<14}{'API p50':>10}{'API p95':>10}{'SQL p50':>10}{'SQL p95':>10}  target p95 < 50 ms")
    for kind, pick in (("id", 0), ("mobile", 1), ("name", 2)):
        values = [row[pick] if kind != "name" else row[pick][:2] for row in sample]
        queue = iter(values * 2)

        def api_call(queue=queue) -> None:  # noqa: ANN001
            response = client.get("/api/v1/members", {"q": next(queue), "limit": 20})
            assert response.status_code == 200, response.content

        sql_queue = iter(values)
        api = timed(api_call, SAMPLES)
        sql = timed(lambda kind=kind, sql_queue=sql_queue: sql_baseline(kind, next(sql_queue)), SAMPLES)
        print(
            f"{kind:<14}{statistics.median(api):>8.1f}ms{percentile(api, 0.95):>8.1f}ms"
            f"{statistics.median(sql):>8.1f}ms{percentile(sql, 0.95):>8.1f}ms"
        )


if __name__ == "__main__":
    main()
