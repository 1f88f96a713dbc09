"""Settlement adjudication benchmark (issue 10, "Speed").

    .venv/bin/python bench/bench_settlements.py                      # SQLite, var/bench/settlements.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench .venv/bin/python bench/bench_settlements.py
    .venv/bin/python bench/bench_settlements.py --records 100000     # a quicker run

It enrols 250,000 members for 2026 (people and enrolments written directly by the bulk path),
writes a settlement file of `--records` rows once (cached under var/bench/), then times, each
in a fresh subprocess that reports its own peak RSS (getrusage maxrss), with the claim tables
emptied before each:

  limit        read the same file with the same reader and store the same claim rows by the
               same path (claim_store.py: COPY behind the reading on PostgreSQL, executemany on
               SQLite), with no matching, no checks and no valuation
  adjudicate   the real run (settlements_adjudicate, as `manage.py adjudicate_settlements`
               and the upload's job call it): read, match, check, value, store
  orm          row by row through the ORM on a sample (default 10,000 records), one
               transaction a record, extrapolated as records per second

Targets (PostgreSQL): adjudicate ≥ 20,000 records/s and ≤ 3x the limit's time; peak RSS < 1 GiB.
The file: 55% inpatient, 40% special outpatient, 5% ordinary outpatient; 1% unknown people,
0.5% names that do not match, 0.2% settlement numbers repeated, 1% reversals of an earlier
record, 0.1% bad cells; a tenth of the members are first-time enrolees (90 days' wait).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))
from benchkit import GIVEN, SURNAMES, bench_environment, database_label, fresh_database  # noqa: E402

bench_environment(OUT / "settlements.sqlite3")

MEMBERS = 250_000
UNIONS = 50
YEAR = 2026
FILE_VERSION = 1  # bump when the generated file changes
HOSPITALS = ["海宁市人民医院", "海宁市中医院", "海宁市第二人民医院", "浙江大学医学院附属第二医院", "嘉兴市第一医院"]
INPATIENT_CODES = ["K35.8", "J18.9", "S72.0", "K80.2", "I25.1", "O80.0", "N20.0", "M51.2", "C34.9", "I21.0", "I63.9"]
CHRONIC_CODES = ["E11.9", "E11.900x001", "I10.x00", "I11.9", "N18.4", "E10.9", "C50.9", "J44.9", "M06.9"]
ITEMS = ["结算单号", "身份证号", "姓名", "医院", "就诊类型", "入院日期", "出院日期", "结算日期", "总费用", "统筹支付"]
HEADER = [*ITEMS, "政策内自付", "政策外自付", "诊断编码", "原结算单号", "冲销标志"]


def django_setup() -> None:
    import django

    django.setup()


# --- members -------------------------------------------------------------------------------


def member(i: int) -> tuple[str, str]:
    """The i-th member's ID number and name (the same every run: the file depends on them)."""
    from gonghui.members.identity import make_id_number

    birth = date(1966, 1, 1) + timedelta(days=i % 13_000)
    number = make_id_number(region="330481", birth=birth, sequence=i // 13_000 + 1, sex="MF"[i % 2])
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)][: i % 3]
    return number, name


def build_members() -> None:
    """A city, a town, 50 unions, 2026's scheme and 250,000 enrolled members, by bulk inserts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.core.crypto import blind_index, seal
    from gonghui.members import importing
    from gonghui.members.models import Person
    from gonghui.mutual_aid import services
    from gonghui.mutual_aid.models import Enrolment
    from gonghui.mutual_aid.rules import EXAMPLE
    from gonghui.organisations.models import Organisation, OrganisationKind

    city = Organisation.objects.add_root(
        instance=Organisation(code="BENCH", name="海宁市总工会", kind=OrganisationKind.CITY_FEDERATION)
    )
    town = Organisation.objects.add_child(
        city, instance=Organisation(code="BENCH-T1", name="马桥街道总工会", kind=OrganisationKind.TOWN_FEDERATION)
    )
    unions = []
    for n in range(UNIONS):
        town.refresh_from_db()
        unions.append(
            Organisation.objects.add_child(
                town,
                instance=Organisation(
                    code=f"BENCH-U{n:02d}", name=f"马桥经编{n + 1}号公司工会", kind=OrganisationKind.ENTERPRISE_UNION
                ),
            )
        )
    terms = services.SchemeTerms(
        year=YEAR,
        enrolment_opens_on=date(YEAR - 1, 10, 1),
        enrolment_closes_on=date(YEAR - 1, 12, 15),
        coverage_starts_on=date(YEAR, 1, 1),
        coverage_ends_on=date(YEAR, 12, 31),
        contribution="60.00",
        payer="union",
        waiting_days=90,
    )
    scheme = services.scheme_year_create(scope=city_scope(), federation=city, terms=terms, rules=EXAMPLE)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("id", "created_at", "updated_at", "person_id", "scheme_year_id", "union_id", "employer_id")
    columns += ("enrolled_on", "coverage_from", "coverage_to", "first_time", "payment_status", "paid_on")
    with transaction.atomic(), importing.bulk_load():
        for start in range(0, MEMBERS, 10_000):
            count = min(10_000, MEMBERS - start)
            people = []
            for pk, i in zip(importing.allocate_ids(Person, count), range(start, start + count), strict=True):
                number, name = member(i)
                birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
                sex = "M" if int(number[16]) % 2 else "F"
                values = {"id": pk, "created_at": now, "updated_at": now, "name": name, "id_number": seal(number)}
                values |= {"birth_date": birth, "sex": sex, "is_migrant_worker": False}
                values |= {"id_number_hash": blind_index(number)}
                people.append(tuple(values.get(column, "") for column in importing.PERSON_COLUMNS))
            importing.bulk_insert(Person, importing.PERSON_COLUMNS, people)
            enrolments = [
                (pk, now, now, person[0], scheme.pk, unions[i % UNIONS].pk, None, date(YEAR - 1, 11, 1))
                + (date(YEAR, 1, 1), date(YEAR, 12, 31), i % 10 == 0, "unpaid", None)
                for pk, person, i in zip(
                    importing.allocate_ids(Enrolment, count), people, range(start, start + count), strict=True
                )
            ]
            importing.bulk_insert(Enrolment, columns, enrolments)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_person, mutual_aid_enrolment")


def city_scope() -> Any:
    from gonghui.core.access import Role, StaffScope
    from gonghui.organisations.models import Organisation

    root = Organisation.objects.get(code="BENCH")
    return StaffScope(user=None, role=Role.CITY, organisation_id=root.pk, organisation_path=root.path)


# --- the file ------------------------------------------------------------------------------


def amount(rng: random.Random, median: float, spread: float) -> Decimal:
    return Decimal(round(math.exp(rng.gauss(math.log(median), spread)), 2)).quantize(Decimal("0.01"))


def fake_records(count: int, seed: int = 10) -> Iterator[list[str]]:
    rng = random.Random(seed)
    originals: list[list[str]] = []
    for k in range(count):
        number = f"JS{YEAR}{k:09d}"
        draw = rng.random()
        if draw < 0.01 and originals:  # a reversal of an earlier record: every amount negated
            before = rng.choice(originals[-5000:])
            row = [f"{number}R", *before[1:8], *(f"-{value}" for value in before[8:12]), before[12], before[0], "是"]
            yield row
            continue
        if draw < 0.012 and originals:  # the same settlement again
            yield rng.choice(originals[-5000:])
            continue
        i = rng.randrange(MEMBERS)
        id_number, name = member(i)
        if draw < 0.022:  # someone not enrolled
            id_number = id_number[:2] + "0402" + id_number[6:17] + "0"
        elif draw < 0.027:
            name = name[0] + "某"
        visit = rng.random()
        admitted = date(YEAR, 1, 1) + timedelta(days=rng.randrange(360))
        if visit < 0.55:
            kind, in_policy, code = "住院", amount(rng, 6000, 0.9), rng.choice(INPATIENT_CODES)
            discharged = admitted + timedelta(days=rng.randrange(1, 20))
        elif visit < 0.95:
            kind, in_policy, code = "门诊特病", amount(rng, 600, 0.8), rng.choice(CHRONIC_CODES)
            discharged = admitted
        else:
            kind, in_policy, code = "普通门诊", amount(rng, 150, 0.6), "J06.9"
            discharged = admitted
        out_of_policy = amount(rng, in_policy * Decimal("0.2") + 1, 0.5) if rng.random() < 0.7 else Decimal("0.00")
        fund = (in_policy * Decimal("1.6")).quantize(Decimal("0.01"))
        total = in_policy + out_of_policy + fund
        row = [number, id_number, name, rng.choice(HOSPITALS), kind, admitted.isoformat(), discharged.isoformat()]
        row += [discharged.isoformat(), str(total), str(fund), str(in_policy), str(out_of_policy), code, "", ""]
        if rng.random() < 0.001:
            row[10] = "12.345"
        originals.append(row)
        yield row


def settlement_file(records: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"settlements-{records}-v{FILE_VERSION}.csv"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(fake_records(records))
        tmp.rename(path)
        print(f"wrote {path.name} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - started:.1f} s")
    return path


# --- phases (each in its own process) -------------------------------------------------------


def clear_claims() -> None:
    from django.db import connection

    tables = [
        "mutual_aid_settlementrecordissue",
        "mutual_aid_claimadjustment",
        "mutual_aid_claim",
        "mutual_aid_settlementbatch",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)


def new_batch(path: Path) -> Any:
    from gonghui.mutual_aid.models import SchemeYear, SettlementBatch

    scheme = SchemeYear.objects.select_related("federation").get(year=YEAR)
    return SettlementBatch.objects.create(
        scheme_year=scheme, organisation=scheme.federation, scope_path=scheme.federation.path, filename=path.name
    )


def phase_adjudicate(path: Path, _sample: int) -> dict[str, Any]:
    from gonghui.mutual_aid.settlements import settlements_adjudicate

    batch = new_batch(path)
    with path.open("rb") as file:
        batch = settlements_adjudicate(batch=batch, file=file)
    if batch.error:
        raise SystemExit(batch.error)
    counts = ("record_count", "claim_count", "refused_count", "adjustment_count", "issue_count")
    return {"records": batch.record_count, **{name: getattr(batch, name) for name in counts}}


def phase_limit(path: Path, _sample: int) -> dict[str, Any]:
    """The same reader and the same claim rows, stored by the same bulk path, unchecked: each
    record's member found in a plain dict by its number, a fixed benefit and explanation."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.members import importing
    from gonghui.mutual_aid.calculator import Bill, Cover, benefit_compute
    from gonghui.mutual_aid.claim_store import chunk_store
    from gonghui.mutual_aid.models import Claim, Enrolment
    from gonghui.mutual_aid.rules import EXAMPLE, rules_parse
    from gonghui.mutual_aid.settlement_file import SettlementRecord, read_settlements
    from gonghui.mutual_aid.settlements import CLAIM_COLUMNS, _explanation

    batch = new_batch(path)
    first = Enrolment.objects.order_by("pk").values_list("pk", "person_id", "scheme_year_id")[0]
    rule_set = batch.scheme_year.rule_sets.get().pk
    enrolled = {member(i)[0]: (first[0] + i, first[1] + i) for i in range(MEMBERS)}  # ids were taken in order
    typical = benefit_compute(
        rules=rules_parse(EXAMPLE),
        bill=Bill("inpatient", date(YEAR, 5, 1), Decimal("6000.00"), "K35.8"),
        cover=Cover(date(YEAR, 1, 1), date(YEAR, 12, 31)),
    )
    explanation = _explanation(typical.all_steps())
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started, cpu = time.perf_counter(), time.process_time()
    stored, seen = 0, set()
    with path.open("rb") as file, transaction.atomic(), importing.bulk_load():
        store = chunk_store()
        rows: list[tuple[Any, ...]] = []
        records = 0
        for record in read_settlements(file, path.name):
            records += 1
            if not isinstance(record, SettlementRecord) or record.is_reversal or record.settlement_number in seen:
                continue
            ids = enrolled.get(record.id_number)
            if ids is None:
                continue
            seen.add(record.settlement_number)
            rows.append(
                (
                    None,
                    now,
                    now,
                    batch.pk,
                    record.settlement_number,
                    ids[0],
                    ids[1],
                    first[2],
                    rule_set,
                    record.visit_type,
                    record.hospital,
                    record.diagnosis,
                    record.admitted_on,
                    record.discharged_on,
                    record.settled_on,
                    record.total_cost,
                    record.fund_paid,
                    record.in_policy_self_paid,
                    record.out_of_policy_self_paid,
                    typical.amount,
                    None,
                    explanation,
                    typical.amount,
                    Decimal("0.00"),
                    Decimal("0.00"),
                    Decimal("0.00"),
                    "pending_review",
                )
            )
            if len(rows) == 5000:
                stored += _store(rows, importing, Claim, CLAIM_COLUMNS, store)
                rows = []
        stored += _store(rows, importing, Claim, CLAIM_COLUMNS, store)
        store.close()
    timed, timed_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"records": records, "claim_count": stored, "timed": timed, "timed_cpu": timed_cpu}


def _store(rows: list[tuple[Any, ...]], importing: Any, claim: Any, columns: tuple[str, ...], store: Any) -> int:
    """The run's own store (claim_store.py): on PostgreSQL a thread COPYs while reading goes on."""
    store.wait()
    ids = importing.allocate_ids(claim, len(rows))
    store.store([(claim, columns, [(pk, *row[1:]) for pk, row in zip(ids, rows, strict=True)])])
    return len(rows)


def phase_orm(path: Path, sample: int) -> dict[str, Any]:
    """The plain way: queries and a save per record, one transaction each."""
    from django.db import transaction
    from django.db.models import Sum

    from gonghui.core.crypto import blind_index
    from gonghui.members.models import Person
    from gonghui.mutual_aid.calculator import Accumulated, Bill, benefit_compute
    from gonghui.mutual_aid.models import Claim, Enrolment
    from gonghui.mutual_aid.selectors import rule_set_in_force
    from gonghui.mutual_aid.settlement_file import SettlementRecord, read_settlements
    from gonghui.mutual_aid.settlements import REFUSALS

    batch = new_batch(path)
    scheme = batch.scheme_year
    records = 0
    with path.open("rb") as file:
        for record in read_settlements(file, path.name):
            records += 1
            if records > sample:
                records -= 1
                break
            if not isinstance(record, SettlementRecord) or record.is_reversal:
                continue
            with transaction.atomic():
                person = Person.objects.filter(id_number_hash=blind_index(record.id_number)).first()
                enrolment = Enrolment.objects.filter(person=person, scheme_year=scheme).first() if person else None
                if enrolment is None or person is None or person.name != record.name:
                    continue
                if Claim.objects.filter(settlement_number=record.settlement_number).exists():
                    continue
                version = rule_set_in_force(scheme_year=scheme, on=record.admitted_on)
                assert version is not None
                sums = Claim.objects.filter(enrolment=enrolment).aggregate(
                    a=Sum("added_inpatient"),
                    b=Sum("added_outpatient"),
                    c=Sum("added_deductible"),
                    d=Sum("added_critical"),
                )
                so_far = Accumulated(*(Decimal(sums[key] or 0).quantize(Decimal("0.01")) for key in "abcd"))
                bill = Bill(
                    record.visit_type,
                    record.admitted_on,
                    record.in_policy_self_paid,
                    record.diagnosis,
                    record.total_cost,
                )
                benefit = benefit_compute(
                    rules=version.parsed(),
                    bill=bill,
                    cover=enrolment.cover(waiting_days=scheme.waiting_days),
                    so_far=so_far,
                )
                if benefit.reason in REFUSALS:
                    continue
                Claim.objects.create(
                    batch=batch,
                    settlement_number=record.settlement_number,
                    enrolment=enrolment,
                    person=person,
                    scheme_year=scheme,
                    rule_set=version,
                    visit_type=record.visit_type,
                    hospital=record.hospital,
                    diagnosis=record.diagnosis,
                    admitted_on=record.admitted_on,
                    discharged_on=record.discharged_on,
                    settled_on=record.settled_on,
                    total_cost=record.total_cost,
                    fund_paid=record.fund_paid,
                    in_policy_self_paid=record.in_policy_self_paid,
                    out_of_policy_self_paid=record.out_of_policy_self_paid,
                    amount=benefit.amount,
                    reason=benefit.reason,
                    explanation=[step.as_data() for step in benefit.all_steps()],
                    added_inpatient=benefit.adds.inpatient_paid,
                    added_outpatient=benefit.adds.outpatient_paid,
                    added_deductible=benefit.adds.outpatient_deductible_met,
                    added_critical=benefit.adds.critical_paid,
                    status="pending_review" if benefit.amount > 0 else "refused",
                )
    return {"records": records}


PHASES = {"limit": phase_limit, "adjudicate": phase_adjudicate, "orm": phase_orm}


def run_phase(args: argparse.Namespace) -> None:
    django_setup()
    clear_claims()
    server_before = server_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    result = PHASES[args.phase](Path(args.file), args.orm_sample)
    result["seconds"] = result.pop("timed", time.perf_counter() - started)
    result["cpu_seconds"] = result.pop("timed_cpu", time.process_time() - cpu)  # this process only, not the server
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if server_before is not None:  # the PostgreSQL backend's own CPU for the phase
        result["server_cpu_seconds"] = (server_cpu() or 0) - server_before
    print(json.dumps(result))


def server_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (same machine: /proc), so that
    a run on a busy machine can also be judged by CPU time, which other load does not inflate."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the driver ----------------------------------------------------------------------------


def prepare_database() -> str:
    fresh_database(OUT / "settlements.sqlite3")
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    build_members()
    print(f"enrolled {MEMBERS:,} members in {time.perf_counter() - started:.1f} s")
    return database_label()


def child(phase: str, path: Path, orm_sample: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, "--file", str(path), "--orm-sample", str(orm_sample)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(args: argparse.Namespace) -> None:
    path = settlement_file(args.records)
    if args.reuse_database:  # the members enrolled by an earlier run, kept
        django_setup()
        database = database_label()
    else:
        database = prepare_database()
    print(f"database: {database}; records: {args.records:,}; members: {MEMBERS:,}; cores: {os.cpu_count()}")
    results = {}
    for phase in [name for name in args.phases.split(",") if name]:
        results[phase] = result = child(phase, path, args.orm_sample)
        result["rate"] = result["records"] / result["seconds"]
        print(
            f"{phase:<11} {result['records']:>9,} records {result['seconds']:>7.1f} s"
            f" {result['rate']:>9,.0f} records/s {result['cpu_seconds']:>7.1f} s CPU"
            f" (+{result.get('server_cpu_seconds', 0):.1f} s server) {result['peak_mib']:>6.0f} MiB peak"
        )
    if set(results) != set(PHASES):
        return
    adjudicate, limit, orm = results["adjudicate"], results["limit"], results["orm"]
    print(
        f"adjudicate: {adjudicate['claim_count']:,} claims ({adjudicate['refused_count']:,} paid nothing),"
        f" {adjudicate['adjustment_count']:,} adjustments, {adjudicate['issue_count']:,} records listed"
    )
    print(f"adjudicate vs its limit: {adjudicate['seconds'] / limit['seconds']:.2f}x the limit's time (target ≤ 3x)")
    print(f"adjudicate vs ORM row by row: {adjudicate['rate'] / orm['rate']:.0f}x faster")
    print(f"peak RSS of any phase: {max(r['peak_mib'] for r in results.values()):.0f} MiB (target < 1024 MiB)")
    (OUT / f"settlements-{database.split()[0]}-{args.records}.json").write_text(json.dumps(results, indent=2))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--orm-sample", type=int, default=10_000)
    parser.add_argument("--phases", default="limit,adjudicate,orm", help="which phases to run, in order")
    parser.add_argument("--reuse-database", action="store_true", help="keep the members of an earlier run")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.phase:
        run_phase(arguments)
    else:
        main(arguments)
