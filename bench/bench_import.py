"""Roster import benchmark (issue 2, point 4).

    .venv/bin/python bench/bench_import.py                       # SQLite, bench/out/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench .venv/bin/python bench/bench_import.py

It builds a small organisation tree (a city, a town, one joint union covering 30 employers),
writes a 250,000-row roster as .csv and .xlsx (cached under bench/out/), then times, each in
a fresh subprocess that reports its own peak RSS (getrusage maxrss):

  limit csv / limit xlsx   read the same file with the same reader and insert the same rows
                           (people, memberships, join events, history rows) with no checks,
                           by the same bulk path: COPY on PostgreSQL, executemany on SQLite
  import csv / import xlsx the real import: import_job_submit → check every row → save
  orm                      services.member_join row by row, one transaction per row, on a
                           sample (default 5,000 rows); compared as rows per second

  read openpyxl / read calamine
                           the .xlsx's rows read by each reader alone (gonghui/members/
                           spreadsheets.py), calamine with the scan that bounds its rectangle
  readers agree            both readers in step, row for row: the same row numbers and the
                           same values (dates, numbers stored as text, empty cells)

    .venv/bin/python bench/bench_import.py --readers-only       # only the reader comparison

Targets: import csv ≥ 20x the ORM's rows/s; each import ≤ 3x its limit; peak RSS < 1 GiB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
from benchkit import GIVEN, SURNAMES, bench_environment, database_label, fresh_database  # noqa: E402

# A 250,000-row CSV in this layout is about 30 MiB, over the site's default upload limit;
# the benchmark measures the import itself, so it lifts the limit.
os.environ.setdefault("GONGHUI_IMPORT_MAX_BYTES", str(128 * 1024 * 1024))
bench_environment(OUT / "bench.sqlite3")

UNION_CODE = "BENCH-U1"
EMPLOYERS = 30
FILE_VERSION = 1  # bump when the generated file's layout changes
HOME_REGIONS = ["330481", "330402", "330411", "330421", "330424", "330483", "330482"]
MIGRANT_REGIONS = ["510821", "342221", "412726", "522422", "522121", "362330", "433024", "130102", "510922", "320721"]
EDUCATION = ["初中", "高中/中专", "高中/中专", "大专", "本科", "", ""]
SKILLS = ["", "", "初级工", "中级工", "高级工", "技师"]
HEADERS = ["序号", "姓名", "身份证号", "手机号码", "工作单位", "入会时间", "户籍地", "学历", "技能等级", "是否农民工"]


def django_setup() -> None:
    import django

    django.setup()


# --- the federation and the files -----------------------------------------------------------


def employer_names() -> list[str]:
    trades = ["经编", "皮革", "家纺", "服装", "五金", "电子", "物流", "纺织", "机械", "食品"]
    return [f"海宁{trades[i % 10]}{'一二三'[i // 10]}号有限公司" for i in range(EMPLOYERS)]


def build_federation() -> None:
    from gonghui.organisations.identity import make_uscc
    from gonghui.organisations.models import Employer, Organisation, OrganisationKind

    city = Organisation.objects.add_root(
        instance=Organisation(code="BENCH", name="海宁市总工会", kind=OrganisationKind.CITY_FEDERATION)
    )
    town = Organisation.objects.add_child(
        city, instance=Organisation(code="BENCH-T1", name="马桥街道总工会", kind=OrganisationKind.TOWN_FEDERATION)
    )
    union = Organisation.objects.add_child(
        town, instance=Organisation(code=UNION_CODE, name="马桥经编园区联合工会", kind=OrganisationKind.JOINT_UNION)
    )
    Employer.objects.bulk_create(
        Employer(name=name, uscc=make_uscc(region="330481", serial=900_000 + i), town=town, union=union)
        for i, name in enumerate(employer_names())
    )


def fake_rows(count: int, seed: int = 2) -> Iterator[list[Any]]:
    """Roster rows with valid, unique identity numbers and realistic names and places."""
    from gonghui.members.identity import id_number_check, id_region_name, make_id_number

    rng = random.Random(seed)
    used: set[str] = set()
    employers = employer_names()
    today = date.today()
    for serial in range(1, count + 1):
        migrant = rng.random() < 0.4
        while True:
            region = rng.choice(MIGRANT_REGIONS if migrant else HOME_REGIONS)
            birth = date(1966, 1, 1) + timedelta(days=rng.randrange(38 * 365))
            number = make_id_number(region=region, birth=birth, sequence=rng.randrange(500), sex=rng.choice("MF"))
            if number not in used and id_number_check(number).problem is None:
                break
        used.add(number)
        joined = max(birth + timedelta(days=18 * 366), today - timedelta(days=rng.randrange(5 * 365)))
        yield [
            serial,
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
            number,
            f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            rng.choice(employers),
            min(joined, today),
            id_region_name(number) or "",
            rng.choice(EDUCATION),
            rng.choice(SKILLS),
            "是" if migrant else "否",
        ]


def csv_date(on: date, serial: int) -> str:
    """Officers' files mix date styles; so does this one."""
    return (f"{on:%Y-%m-%d}", f"{on.year}/{on.month}/{on.day}", f"{on:%Y%m%d}")[serial % 3]


def roster_files(rows: int) -> tuple[Path, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"roster-{rows}-v{FILE_VERSION}.csv"
    xlsx_path = OUT / f"roster-{rows}-v{FILE_VERSION}.xlsx"
    if not csv_path.exists():
        started = time.perf_counter()
        with csv_path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADERS)
            for row in fake_rows(rows):
                row[5] = csv_date(row[5], row[0])
                writer.writerow(row)
        print(f"wrote {csv_path.name} in {time.perf_counter() - started:.1f} s")
    if not xlsx_path.exists():
        started = time.perf_counter()
        write_xlsx(xlsx_path, rows)
        print(f"wrote {xlsx_path.name} in {time.perf_counter() - started:.1f} s")
    return csv_path, xlsx_path


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(HEADERS)
    for row in fake_rows(rows):
        joined = WriteOnlyCell(sheet, value=datetime(row[5].year, row[5].month, row[5].day))
        joined.number_format = "yyyy-mm-dd"  # an Excel date cell, as officers' files have
        row[5] = joined
        sheet.append(row)
    tmp = path.with_suffix(".tmp")
    book.save(tmp)
    tmp.rename(path)


# --- phases (each runs in its own process) ----------------------------------------------------


def clear_members() -> None:
    from django.db import connection

    tables = [
        "members_membershipevent",
        "members_historicalmembership",
        "members_membership",
        "members_historicalperson",
        "members_person",
        "members_importjob",
        "core_auditentry",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def city_scope() -> Any:
    from gonghui.core.access import Role, StaffScope
    from gonghui.organisations.models import Organisation

    root = Organisation.objects.get(code="BENCH")
    return StaffScope(user=None, role=Role.CITY, organisation_id=root.pk, organisation_path=root.path)


def phase_import(path: Path) -> int:
    from gonghui.members.importing import import_job_submit
    from gonghui.organisations.models import Organisation

    union = Organisation.objects.get(code=UNION_CODE)
    with path.open("rb") as file:
        job = import_job_submit(
            scope=city_scope(), union=union, uploaded_file=file, filename=path.name, run_inline=True
        )
    if job.status != "done":
        raise SystemExit(f"import failed: {job.error_count} errors, first {job.errors[:3]}")
    return job.created_count


def phase_limit(path: Path) -> int:
    """Same reader, same rows, same bulk insert; no checks at all."""
    from django.db import transaction

    from gonghui.members import importing
    from gonghui.members.models import ImportJob, Membership, MembershipEvent, Person
    from gonghui.members.roster import read_roster
    from gonghui.organisations.models import Employer, Organisation

    union = Organisation.objects.get(code=UNION_CODE)
    employer_of = dict(Employer.objects.filter(union=union).values_list("name", "pk"))
    job = ImportJob.objects.create(union=union, filename=path.name)
    ctx = importing.StoreContext.for_job(job)
    count = 0
    with path.open("rb") as file, transaction.atomic(), importing.bulk_load():
        rows = read_roster(file, filename=path.name).rows
        batch: list[tuple[Any, ...]] = []
        for _, raw in rows:
            batch.append(unchecked_row(raw, employer_of))
            if len(batch) == importing.INSERT_CHUNK:
                count += insert_unchecked(batch, ctx, importing, Person, Membership, MembershipEvent)
                batch = []
        count += insert_unchecked(batch, ctx, importing, Person, Membership, MembershipEvent)
    return count


def unchecked_row(raw: dict[str, Any], employer_of: dict[str, int]) -> tuple[Any, ...]:
    number = str(raw["id_number"])
    joined = raw["joined_on"]
    if isinstance(joined, str):  # the fastest honest reading of the three styles in the file
        digits = joined.replace("-", "/").split("/")
        joined = (
            date(int(joined[:4]), int(joined[4:6]), int(joined[6:8])) if len(digits) == 1 else date(*map(int, digits))
        )
    elif isinstance(joined, datetime):
        joined = joined.date()
    birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sex = "M" if int(number[16]) % 2 else "F"
    person = (str(raw["name"]), number, birth, sex, str(raw["mobile"]), str(raw.get("household_registration") or ""))
    return (*person, employer_of[str(raw["employer"])], joined, raw.get("is_migrant_worker") == "是")


def insert_unchecked(
    batch: list[tuple[Any, ...]], ctx: Any, importing: Any, person: Any, membership: Any, event: Any
) -> int:
    if not batch:
        return 0
    from gonghui.core.crypto import blind_index, seal

    now = ctx.db_now
    # Stored as the import stores them: numbers encrypted, their look-up hashes last.
    people = [
        (
            pk,
            now,
            now,
            name,
            seal(number),
            birth,
            sex,
            seal(mobile),
            home,
            "",
            "",
            migrant,
            "",
            "",
            blind_index(number),
            blind_index(mobile),
        )
        for pk, (name, number, birth, sex, mobile, home, _, _, migrant) in zip(
            importing.allocate_ids(person, len(batch)), batch, strict=True
        )
    ]
    importing.bulk_insert(person, importing.PERSON_COLUMNS, people)
    importing.bulk_insert(
        person.history.model,
        importing.PERSON_HISTORY_COLUMNS,
        (p[:1] + p[3 : -importing.PERSON_HASHES] + ctx.history for p in people),
    )
    memberships = [
        (pk, now, now, p[0], ctx.union_id, row[6], row[7], None, "active", "", ctx.job_id, row[7], "", "")
        for pk, p, row in zip(importing.allocate_ids(membership, len(batch)), people, batch, strict=True)
    ]
    importing.bulk_insert(membership, importing.MEMBERSHIP_COLUMNS, memberships)
    importing.bulk_insert(
        membership.history.model,
        importing.MEMBERSHIP_HISTORY_COLUMNS,
        (m[:1] + m[3:] + ctx.history for m in memberships),
    )
    importing.bulk_insert(
        event,
        importing.EVENT_COLUMNS,
        ((m[3], m[0], "join", m[6], ctx.union_id, None, "", None, now) for m in memberships),
    )
    return len(batch)


def phase_orm(path: Path, sample: int) -> int:
    """The plain way: the join service, one row (and one transaction) at a time."""
    from gonghui.members import services
    from gonghui.members.roster import parse_date, read_roster
    from gonghui.organisations.models import Employer, Organisation

    union = Organisation.objects.get(code=UNION_CODE)
    employers = {e.name: e for e in Employer.objects.filter(union=union)}
    scope = city_scope()
    count = 0
    with path.open("rb") as file:
        for _, raw in read_roster(file, filename=path.name).rows:
            services.member_join(
                scope=scope,
                union=union,
                id_number=str(raw["id_number"]),
                name=str(raw["name"]),
                mobile=str(raw["mobile"]),
                employer=employers[str(raw["employer"])],
                joined_on=parse_date(raw["joined_on"]),
                household_registration=str(raw["household_registration"] or ""),
            )
            count += 1
            if count == sample:
                break
    return count


def phase_read(path: Path, engine: str) -> int:
    """Every row of the .xlsx's sheet, read by one reader and nothing else."""
    from gonghui.members.spreadsheets import opened

    with path.open("rb") as file, opened(file, "xlsx", engine=engine) as book:
        return sum(1 for _ in book.lines(book.sheets[0]))


def trimmed(cells: tuple[Any, ...]) -> tuple[Any, ...]:
    # calamine gives every row the sheet's width, openpyxl each row its own.
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


def phase_agree(path: Path) -> int:
    """Both readers in step; stops at the first row that differs. Prints what was compared."""
    from itertools import zip_longest

    from gonghui.members.spreadsheets import opened

    kinds: dict[str, int] = {}
    with (
        path.open("rb") as a,
        path.open("rb") as b,
        opened(a, "xlsx", engine="openpyxl") as slow,
        opened(b, "xlsx", engine="calamine") as fast,
    ):
        rows = 0
        pairs = zip_longest(slow.lines(slow.sheets[0]), fast.lines(fast.sheets[0]))
        for rows, (one, other) in enumerate(pairs, start=1):  # noqa: B007
            if one is None or other is None or one[0] != other[0] or trimmed(one[1]) != trimmed(other[1]):
                raise SystemExit(f"row {rows}: openpyxl {one!r} != calamine {other!r}")
            for cell in one[1]:
                kind = "empty" if cell is None else type(cell).__name__
                kinds[kind] = kinds.get(kind, 0) + 1
    print(json.dumps({"cells": kinds}), file=sys.stderr)
    return rows


def run_phase(args: argparse.Namespace) -> None:
    django_setup()
    path = Path(args.file)
    if args.phase.startswith("read") or args.phase == "agree":
        started = time.perf_counter()
        rows = phase_agree(path) if args.phase == "agree" else phase_read(path, args.phase.split("-")[1])
        print(json.dumps(measured(rows, started)))
        return
    clear_members()
    started = time.perf_counter()
    if args.phase == "import":
        rows = phase_import(path)
    elif args.phase == "limit":
        rows = phase_limit(path)
    else:
        rows = phase_orm(path, args.orm_sample)
    print(json.dumps(measured(rows, started)))


def measured(rows: int, started: float) -> dict[str, float]:
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "seconds": seconds, "peak_mib": peak_kib / 1024}


# --- the driver ------------------------------------------------------------------------------


def prepare_database() -> str:
    fresh_database(OUT / "bench.sqlite3")
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    build_federation()
    return database_label()


def child(phase: str, path: Path, orm_sample: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--phase", phase, "--file", str(path), "--orm-sample", str(orm_sample)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} {path.name} failed:\n{done.stdout}\n{done.stderr}")
    if phase == "agree":
        print(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare_readers(xlsx_path: Path) -> dict[str, dict[str, float]]:
    """Seconds and peak memory of each .xlsx reader, and whether they give the same rows."""
    results = {}
    for name, phase in [
        ("read openpyxl", "read-openpyxl"),
        ("read calamine", "read-calamine"),
        ("readers agree", "agree"),
    ]:
        results[name] = result = child(phase, xlsx_path, 0)
        print(f"{name:<16} {result['rows']:>8,} rows {result['seconds']:>8.1f} s {result['peak_mib']:>7.0f} MiB peak")
    ratio = results["read openpyxl"]["seconds"] / results["read calamine"]["seconds"]
    print(
        f"calamine reads the .xlsx {ratio:.1f}x faster than openpyxl; rows compared: {results['readers agree']['rows']:,}"
    )
    return results


def main(args: argparse.Namespace) -> None:
    csv_path, xlsx_path = roster_files(args.rows)
    if args.readers_only:
        django_setup()
        (OUT / "readers.json").write_text(json.dumps(compare_readers(xlsx_path), indent=2))
        return
    database = prepare_database()
    print(f"database: {database}; rows: {args.rows:,}; cores: {os.cpu_count()}")
    results = {}
    for name, phase, path in [
        ("limit csv", "limit", csv_path),
        ("import csv", "import", csv_path),
        ("limit xlsx", "limit", xlsx_path),
        ("import xlsx", "import", xlsx_path),
        ("orm row by row", "orm", csv_path),
    ]:
        results[name] = result = child(phase, path, args.orm_sample)
        result["rate"] = result["rows"] / result["seconds"]
        print(
            f"{name:<16} {result['rows']:>8,} rows {result['seconds']:>8.1f} s {result['rate']:>9,.0f} rows/s {result['peak_mib']:>7.0f} MiB peak"
        )
    report(results)
    results |= compare_readers(xlsx_path)
    (OUT / f"import-{database.split()[0]}.json").write_text(json.dumps(results, indent=2))


def report(results: dict[str, dict[str, float]]) -> None:
    orm_rate = results["orm row by row"]["rate"]
    csv_rate = results["import csv"]["rate"]
    print(
        f"import csv vs ORM row by row: {csv_rate / orm_rate:.0f}x faster ({csv_rate:,.0f} vs {orm_rate:,.0f} rows/s; target ≥ 20x)"
    )
    for kind in ("csv", "xlsx"):
        ratio = results[f"import {kind}"]["seconds"] / results[f"limit {kind}"]["seconds"]
        print(f"import {kind} vs its limit: {ratio:.2f}x the limit's time (target ≤ 3x)")
    peak = max(result["peak_mib"] for result in results.values())
    print(f"peak RSS of any phase: {peak:.0f} MiB (target < 1024 MiB)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--orm-sample", type=int, default=5_000)
    parser.add_argument("--readers-only", action="store_true", help="only compare the .xlsx readers")
    parser.add_argument(
        "--phase", choices=["import", "limit", "orm", "read-openpyxl", "read-calamine", "agree"], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.phase:
        run_phase(arguments)
    else:
        main(arguments)
