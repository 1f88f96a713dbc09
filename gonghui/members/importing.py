"""Roster import: check every row of an uploaded file, then save all of it or nothing.

The check streams the file: only checked rows are kept, as tuples, and none at all once the
file is known to have an error. Checks against stored data (already a member, re-joining)
run once per batch of rows with one IN query. Saving is one transaction that writes people,
memberships, join events and their history rows in large chunks — COPY on PostgreSQL,
executemany on SQLite — with ids taken up front so rows can point at each other without
being read back.

Which employers a roster may name: those covered by the importing union, and those covered
by no union that lie in the union's own town (workers of an employer without a union may
join the local union). Anything else is an "unknown employer" error on that row."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from simple_history.utils import bulk_update_with_history

from gonghui.core.access import Scope
from gonghui.core.audit import audit_record
from gonghui.core.crypto import DecryptionError, blind_index, seal
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.jobs import Progress, job_enqueue, job_execute, job_retry, job_submit
from gonghui.core.models import AuditEntry, Job
from gonghui.members.identity import birth_date_and_sex
from gonghui.members.import_files import discard_roster_file, open_roster_file, read_upload, store_roster_file
from gonghui.members.locks import lock_organisation
from gonghui.members.models import (
    PERSON_DETAILS,
    ImportJob,
    ImportStatus,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipStatus,
    Person,
)
from gonghui.members.roster import (
    COLUMNS,
    FILE_COLUMN,
    HEADER_ROW,
    EmployerIndex,
    RawRow,
    RosterFileError,
    RosterRow,
    RosterTooLong,
    RowChecker,
    RowError,
    SheetChoiceNeeded,
    file_kind,
    id_number_text,
    match_key,
    read_roster,
)
from gonghui.organisations.models import Employer, Organisation, OrganisationStatus

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1000
MAX_STORED_WARNINGS = 1000
LOOKUP_BATCH = 2000  # rows per stored-data query
INSERT_CHUNK = 20000  # rows per insert round; bounds the tuples built for one COPY
COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}
ID_COLUMN = "身份证号"
MOBILE_COLUMN = "手机号码"
MOBILE_KEPT = gettext_noop("该职工已登记的手机号码与本行不同，导入时保留原号码；如确需更换，请在会员资料中修改")
IMPORT_KIND = "members.import"
ENDED = (ImportStatus.DONE, ImportStatus.REJECTED)
# Types the reader takes; the message says so when another is uploaded.
WRONG_TYPE = gettext_noop("只能导入 .xlsx、.xls、.ods 或 .csv 文件")
CHECKING = gettext_noop("正在检查")
SAVING = gettext_noop("正在保存")


# --- reads ---------------------------------------------------------------------------------


def import_job_list(*, scope: Scope) -> QuerySet[ImportJob]:
    """Import jobs of unions in the scope's subtree, newest first (none for a member)."""
    return (
        ImportJob.objects.filter(scope.organisation_q("union__"))
        .select_related("union", "uploaded_by", "job")
        .order_by("-created_at", "-pk")
    )


def import_job_get(*, scope: Scope, pk: int) -> ImportJob:
    job = import_job_list(scope=scope).filter(pk=pk).first()
    if job is None:
        raise NotFound(gettext("没有找到该导入记录，或不在您的管辖范围内"), field="import_job")
    return job


# --- the check ------------------------------------------------------------------------------


@dataclass
class RosterCheck:
    """What the check found. `rows` and `rejoining` are filled only while the file is clean:
    once an error is found nothing will be saved, so nothing more is kept. Errors block the
    file; warnings (the header's and the rows') do not, and are kept either way, so that a
    rejected file's report shows them too. Both lists are capped; the counts count all."""

    total_rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[RosterRow] = field(default_factory=list)
    rejoining: dict[str, int] = field(default_factory=dict)  # id number → Person pk of someone who left
    warning_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    sheet_choices: list[str] = field(default_factory=list)  # when the officer must say which sheet

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_errors(self, errors: Sequence[RowError]) -> None:
        if not errors:
            return
        self.error_count += len(errors)
        room = MAX_STORED_ERRORS - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])
        self.rows.clear()
        self.rejoining.clear()

    def add_warnings(self, warnings: Sequence[RowError]) -> None:
        if not warnings:
            return
        self.warning_count += len(warnings)
        room = MAX_STORED_WARNINGS - len(self.warnings)
        self.warnings.extend(warnings[: max(room, 0)])


class StoredPerson(NamedTuple):
    pk: int
    name: str
    mobile_hash: str
    union_id: int | None  # of the active membership, if any
    union_name: str


def employer_index(*, union: Organisation) -> EmployerIndex:
    town_paths = [union.path[: Organisation.steplen * depth] for depth in range(1, union.depth)]
    covered = Q(union=union) | Q(union__isnull=True, town__path__in=town_paths)
    index = EmployerIndex()
    for pk, name, uscc in Employer.objects.filter(covered).values_list("pk", "name", "uscc").order_by("pk"):
        index.add(pk=pk, name=name, uscc=uscc)
    return index


def roster_check(
    *,
    union: Organisation,
    file: IO[bytes],
    filename: str,
    today: date | None = None,
    max_rows: int | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> RosterCheck:
    """Check every row of a roster for `union` (in `sheet`, or the workbook's one roster
    sheet); saves nothing. Reading stops at the row limit (settings.GONGHUI_IMPORT_MAX_ROWS),
    and the report then says only that."""
    check = RosterCheck()
    limit = settings.GONGHUI_IMPORT_MAX_ROWS if max_rows is None else max_rows
    try:
        roster = read_roster(file, filename=filename, max_rows=limit, sheet=sheet or None)
        check.add_errors(roster.errors)
        check.add_warnings(roster.warnings)
        _check_rows(check, union, roster.rows, today or timezone.localdate(), progress or _no_progress)
    except RosterTooLong as exc:
        return _file_failure(str(exc), check.total_rows)
    except SheetChoiceNeeded as exc:
        check.add_errors([RowError(HEADER_ROW, FILE_COLUMN, str(exc))])
        check.sheet_choices = exc.sheets
    except RosterFileError as exc:
        check.add_errors([RowError(HEADER_ROW, FILE_COLUMN, str(exc))])
    return check


def _no_progress(done: int, total: int | None = None, message: str | None = None) -> None:
    pass


def _check_rows(
    check: RosterCheck, union: Organisation, rows: Iterator[tuple[int, RawRow]], today: date, progress: Progress
) -> None:
    checker = RowChecker(employers=employer_index(union=union), today=today)
    first_row_of: dict[str, int] = {}
    pending: list[RosterRow] = []
    errors: list[RowError] = []
    warnings: list[RowError] = []
    for number, raw in rows:
        check.total_rows += 1
        result = checker.check(number, raw)
        if result.errors:
            errors.extend(RowError(number, column, message) for column, message in result.errors)
        if result.warnings:
            warnings.extend(RowError(number, column, message) for column, message in result.warnings)
        # Noted even when the row has other faults, so a duplicate is found on the first try;
        # by the number as stored, so an old 15-digit number meets its 18-digit form.
        key = result.id_number or id_number_text(raw.get("id_number"))
        first = first_row_of.setdefault(key, number) if key else number
        if first != number:
            errors.append(RowError(number, ID_COLUMN, gettext("身份证号与第%(first)s行重复") % {"first": first}))
        elif result.row is not None:
            pending.append(result.row)
        if check.total_rows % LOOKUP_BATCH == 0:
            _settle(check, union, pending, errors, warnings)
            pending, errors, warnings = [], [], []
            progress(check.total_rows, 0, CHECKING)
    _settle(check, union, pending, errors, warnings)


def _settle(
    check: RosterCheck, union: Organisation, rows: list[RosterRow], errors: list[RowError], warnings: list[RowError]
) -> None:
    """Check a batch against stored people, then file its errors and warnings in row order."""
    stored = stored_people([row.id_number for row in rows]) if rows else {}
    kept: list[RosterRow] = []
    rejoining: dict[str, int] = {}
    for row in rows:
        person = stored.get(row.id_number)
        problem = _stored_problem(person, row, union) if person else None
        if problem:
            errors.append(RowError(row.row, ID_COLUMN, problem))
            continue
        if person and _mobile_differs(person, row):
            # Never overwritten in bulk: the stored mobile stays, and the report says so.
            warnings.append(RowError(row.row, MOBILE_COLUMN, gettext(MOBILE_KEPT)))
            row = row._replace(mobile="")
        kept.append(row)
        if person:
            rejoining[row.id_number] = person.pk
    errors.sort(key=_report_order)
    warnings.sort(key=_report_order)
    check.add_errors(errors)
    if check.ok:
        check.rows.extend(kept)
        check.rejoining.update(rejoining)
    check.add_warnings(warnings)


def _report_order(error: RowError) -> tuple[int, int]:
    return error.row, COLUMN_ORDER.get(error.column, len(COLUMN_ORDER))


def stored_people(id_numbers: list[str]) -> dict[str, StoredPerson]:
    """Registered people among these id numbers, with their active membership if any.
    Found by the numbers' hashes, so no stored number needs decrypting."""
    number_of = {blind_index(number): number for number in id_numbers}
    people = {
        number_of[digest]: (pk, name, mobile_hash)
        for pk, digest, name, mobile_hash in Person.objects.filter(id_number_hash__in=number_of).values_list(
            "pk", "id_number_hash", "name", "mobile_hash"
        )
    }
    if not people:
        return {}
    active = {
        person_id: (union_id, union_name)
        for person_id, union_id, union_name in Membership.objects.filter(
            person_id__in=[pk for pk, _, _ in people.values()], status=MembershipStatus.ACTIVE
        ).values_list("person_id", "union_id", "union__name")
    }
    return {
        number: StoredPerson(pk, name, mobile_hash, *active.get(pk, (None, "")))
        for number, (pk, name, mobile_hash) in people.items()
    }


def _mobile_differs(person: StoredPerson, row: RosterRow) -> bool:
    return bool(row.mobile and person.mobile_hash and blind_index(row.mobile) != person.mobile_hash)


def _stored_problem(person: StoredPerson, row: RosterRow, union: Organisation) -> str | None:
    # A different name usually means a mistyped number that happens to pass the check digit,
    # so it is reported first, and the stored name is not shown.
    if match_key(person.name) != match_key(row.name):
        return gettext("该身份证号已登记的姓名与本行姓名不符，请核对身份证号")
    if person.union_id == union.pk:
        return gettext("该职工已是本工会会员")
    if person.union_id is not None:
        return gettext("该职工已是%(union)s的会员，请办理组织关系转接") % {"union": person.union_name}
    return None


# --- saving ---------------------------------------------------------------------------------

PERSON_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "name",
    "id_number",
    "birth_date",
    "sex",
    "mobile",
    "household_registration",
    "education",
    "skill_level",
    "is_migrant_worker",
    "ethnicity",
    "political_status",
    "id_number_hash",
    "mobile_hash",
)
PERSON_HASHES = 2  # the last columns above, which the history leaves out
MEMBERSHIP_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "person_id",
    "union_id",
    "employer_id",
    "joined_on",
    "ended_on",
    "status",
    "leave_reason",
    "import_job_id",
    "first_joined_on",
    "department",
    "job_title",
)
HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
# A history row is its row without the two timestamps (and a person's without the hashes),
# which the history leaves out.
PERSON_HISTORY_COLUMNS = PERSON_COLUMNS[:1] + PERSON_COLUMNS[3:-PERSON_HASHES] + HISTORY_COLUMNS
MEMBERSHIP_HISTORY_COLUMNS = MEMBERSHIP_COLUMNS[:1] + MEMBERSHIP_COLUMNS[3:] + HISTORY_COLUMNS
EVENT_COLUMNS = (
    "person_id",
    "membership_id",
    "kind",
    "on",
    "union_id",
    "counterpart_id",
    "reason",
    "recorded_by_id",
    "recorded_at",
)
# Re-joining people take the file's values for these, where the file gives one.
REJOIN_FIELDS = PERSON_DETAILS


# The default SQLite page cache is 2 MiB; a quarter of a million random keys going into a
# unique index then cost a trip to the OS each. 128 MiB, for the length of one bulk load.
SQLITE_BULK_CACHE_KIB = 128 * 1024


@contextmanager
def bulk_load() -> Iterator[None]:
    """Connection settings for a bulk load, put back afterwards (SQLite's page cache)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def allocate_ids(model: type[models.Model], count: int) -> Sequence[int]:
    """`count` fresh primary keys for `model`, taken before inserting."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite: the transaction began IMMEDIATE, so it holds the write lock and no one else
        # can take ids meanwhile. AUTOINCREMENT never reuses a number, so start past both
        # the highest row and the highest number ever handed out.
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"  # noqa: S608 (model table name)
            f" COALESCE((SELECT MAX(id) FROM {quoted}), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
        return range(start, start + count)


def bulk_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert plain tuples (values ready for the database) into `model`'s table, by the
    fastest path each database has: COPY on PostgreSQL, executemany elsewhere."""
    column_of = {f.attname: f.column for f in model._meta.concrete_fields if f.column}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column_of[name]) for name in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The raw psycopg cursor: Django's wrapper has no COPY. Its errors are turned
            # into Django's (IntegrityError...) here, as the wrapper would.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        # The stubs ask for a Sequence; Django's SQLite cursor takes any iterable (it peeks at a
        # generator), and a large roster's rows are better not all held at once.
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # type: ignore[arg-type]  # noqa: S608 (model names)


@dataclass(frozen=True)
class StoreContext:
    union_id: int
    job_id: int
    user_id: int | None
    db_now: datetime | str  # as the database takes it (SQLite wants text)
    history: tuple[Any, ...]  # the history columns' values for a created row

    @classmethod
    def for_job(cls, job: ImportJob) -> StoreContext:
        db_now = connection.ops.adapt_datetimefield_value(timezone.now())
        assert db_now is not None, "a datetime adapts to a value, not NULL"
        reason = f"花名册导入 #{job.pk}"
        return cls(job.union_id, job.pk, job.uploaded_by_id, db_now, (db_now, reason, "+", job.uploaded_by_id))


def roster_store(*, check: RosterCheck, job: ImportJob, progress: Progress | None = None) -> int:
    """Save a clean check's rows for `job`; the caller holds the transaction.

    The union is locked once, first (members.locks), and must still be open: it may have been
    merged or dissolved since the file was checked. Row locks are then taken in one order
    whatever the file's order, so that two imports naming the same people wait for each other
    instead of deadlocking: returning people's rows first, by primary key, then new people by
    the hash of their number (the unique index they meet)."""
    union = lock_organisation(job.union)
    if union.status != OrganisationStatus.ACTIVE:
        raise Conflict(
            gettext("%(union)s%(status)s，未导入任何数据")
            % {"union": union.name, "status": gettext(union.get_status_display())},
            field="union",
        )
    ctx = StoreContext.for_job(job)
    rows = sorted(check.rows, key=lambda row: blind_index(row.id_number))
    report = progress or _no_progress
    with bulk_load():
        _update_rejoining(check, job)
        for start in range(0, len(rows), INSERT_CHUNK):
            report(start, len(rows), SAVING)
            _store_chunk(rows[start : start + INSERT_CHUNK], check.rejoining, ctx)
    report(len(rows), len(rows), SAVING)
    return len(rows)


def _store_chunk(rows: list[RosterRow], rejoining: dict[str, int], ctx: StoreContext) -> None:
    new_rows = [row for row in rows if row.id_number not in rejoining]
    person_of = dict(rejoining) | dict(
        zip((row.id_number for row in new_rows), allocate_ids(Person, len(new_rows)), strict=True)
    )
    people = [_person_values(person_of[row.id_number], row, ctx) for row in new_rows]
    bulk_insert(Person, PERSON_COLUMNS, people)
    bulk_insert(
        Person.history.model,
        PERSON_HISTORY_COLUMNS,
        (p[:1] + p[3:-PERSON_HASHES] + ctx.history for p in people),
    )
    memberships = [
        _membership_values(pk, person_of[row.id_number], row, ctx)
        for pk, row in zip(allocate_ids(Membership, len(rows)), rows, strict=True)
    ]
    bulk_insert(Membership, MEMBERSHIP_COLUMNS, memberships)
    bulk_insert(
        Membership.history.model, MEMBERSHIP_HISTORY_COLUMNS, (m[:1] + m[3:] + ctx.history for m in memberships)
    )
    bulk_insert(MembershipEvent, EVENT_COLUMNS, (_join_event_values(m, ctx) for m in memberships))


def _person_values(pk: int, row: RosterRow, ctx: StoreContext) -> tuple[Any, ...]:
    """A person row as stored: the numbers sealed (the model's fields would do it on save;
    this path bypasses them), their hashes last."""
    birth_date, sex = birth_date_and_sex(row.id_number)
    return (
        pk,
        ctx.db_now,
        ctx.db_now,
        row.name,
        seal(row.id_number),
        birth_date,
        sex,
        seal(row.mobile),
        row.household_registration or "",
        row.education or "",
        row.skill_level or "",
        bool(row.is_migrant_worker),
        row.ethnicity or "",
        row.political_status or "",
        blind_index(row.id_number),
        blind_index(row.mobile),
    )


def _membership_values(pk: int, person_id: int, row: RosterRow, ctx: StoreContext) -> tuple[Any, ...]:
    active = MembershipStatus.ACTIVE.value
    return (
        pk,
        ctx.db_now,
        ctx.db_now,
        person_id,
        ctx.union_id,
        row.employer_id,
        row.joined_on,
        None,
        active,
        "",
        ctx.job_id,
        row.joined_on,  # a join (or a rejoin after leaving) starts the membership years
        row.department or "",
        row.job_title or "",
    )


def _join_event_values(membership: tuple[Any, ...], ctx: StoreContext) -> tuple[Any, ...]:
    pk, person_id, joined_on = membership[0], membership[3], membership[6]
    join = MembershipEventKind.JOIN.value
    return (person_id, pk, join, joined_on, ctx.union_id, None, "", ctx.user_id, ctx.db_now)


def _update_rejoining(check: RosterCheck, job: ImportJob) -> None:
    """People who left earlier keep their Person row; the file's non-empty values update it."""
    if not check.rejoining:
        return
    rows = {row.id_number: row for row in check.rows if row.id_number in check.rejoining}
    people = list(Person.objects.filter(pk__in=check.rejoining.values()).order_by("pk").select_for_update())
    for person in people:
        row = rows[person.id_number]
        for name in REJOIN_FIELDS:
            value = getattr(row, name)
            if value not in (None, ""):
                setattr(person, name, value)
        person.mobile_hash = blind_index(person.mobile)  # bulk_update does not run pre_save
        person.updated_at = timezone.now()
    bulk_update_with_history(
        people,
        Person,
        [*REJOIN_FIELDS, "mobile_hash", "updated_at"],
        batch_size=500,
        default_user=job.uploaded_by,
        default_change_reason=f"花名册导入 #{job.pk}",
    )


# --- the job --------------------------------------------------------------------------------


def _check_importer(scope: Scope, union: Organisation) -> None:
    scope.require_covers(union, field="union", message=gettext("该工会不在您的管辖范围内"))
    if not union.is_grassroots:
        raise ValidationFailed(
            gettext("%(union)s不是基层工会；花名册只能导入到基层工会") % {"union": union.name}, field="union"
        )
    if union.status != OrganisationStatus.ACTIVE:
        raise ValidationFailed(
            gettext("%(union)s%(status)s，不能再接收会员")
            % {"union": union.name, "status": gettext(union.get_status_display())},
            field="union",
        )


def import_job_submit(
    *,
    scope: Scope,
    union: Organisation,
    uploaded_file: IO[bytes],
    filename: str,
    sheet: str = "",
    run_inline: bool = False,
) -> ImportJob:
    """Keep the uploaded roster, encrypted, with a new import job and start its background
    job (core/jobs.py): queued for a worker, or run right here with `run_inline`. A file over
    the size limit is refused before it is read; the rows are counted by the job. `sheet`
    names the workbook's sheet to read; without it, the one with a roster's header is read."""
    _check_importer(scope, union)
    if file_kind(filename) is None:
        raise ValidationFailed(WRONG_TYPE, field="file")
    data = read_upload(uploaded_file)
    user = _user(scope)
    import_job = ImportJob(union=union, uploaded_by=user, filename=filename[-200:], sheet_name=sheet.strip()[:100])
    store_roster_file(import_job, data)
    with transaction.atomic():
        import_job.save()
        _start(import_job, user)
    _run_now_or_queue(import_job, run_inline)
    return import_job


def _user(scope: Scope) -> Any:
    return scope.user if getattr(scope.user, "is_authenticated", False) else None


def _start(import_job: ImportJob, user: Any) -> None:
    """A new background job for the import (not yet queued); the caller holds the transaction."""
    import_job.job = job_submit(
        kind=IMPORT_KIND,
        label=f"花名册导入 {import_job.filename}",
        owner=user,
        scope_path=import_job.union.path,
        params={"import_job": import_job.pk},
        start=False,
    )
    import_job.save(update_fields=["job", "updated_at"])


def _run_now_or_queue(import_job: ImportJob, run_inline: bool) -> None:
    assert import_job.job is not None, "the import has its job"
    if run_inline:
        job_execute(import_job.job.pk)
    else:
        job_enqueue(import_job.job)
    import_job.refresh_from_db()


def import_job_run(import_job_id: int) -> ImportJob:
    """Run the import's job now, if no one else has it (a second delivery does nothing)."""
    import_job = ImportJob.objects.get(pk=import_job_id)
    if import_job.job_id is not None:
        job_execute(import_job.job_id)
        import_job.refresh_from_db()
    return import_job


def import_job_retry(*, scope: Scope, import_job: ImportJob, sheet: str = "", run_inline: bool = False) -> ImportJob:
    """Run an import again on its kept roster: after its run stopped, or, with the `sheet`
    the officer chose, when two sheets of the workbook looked like rosters."""
    _check_importer(scope, import_job.union)
    if import_job.status == ImportStatus.CHOOSE_SHEET and import_job.file:
        return _run_chosen_sheet(scope, import_job, sheet.strip(), run_inline)
    if import_job.status != ImportStatus.FAILED or not import_job.file or import_job.job is None:
        raise Conflict(gettext("该导入不能重试，请重新上传文件"), field="import_job")
    chosen = {"sheet_name": sheet.strip()[:100]} if sheet.strip() else {}
    ImportJob.objects.filter(pk=import_job.pk).update(
        status=ImportStatus.PENDING, errors=[], error_count=0, warnings=[], warning_count=0, **chosen
    )
    job_retry(scope=scope, job=import_job.job)
    import_job.refresh_from_db()
    return import_job


def _run_chosen_sheet(scope: Scope, import_job: ImportJob, sheet: str, run_inline: bool) -> ImportJob:
    if sheet not in import_job.sheet_choices:
        names = "、".join(import_job.sheet_choices)
        raise ValidationFailed(gettext("请从这些工作表中选择一个：%(names)s") % {"names": names}, field="sheet")
    with transaction.atomic():
        # Only one choice starts a run, however often the button is pressed.
        chosen = ImportJob.objects.filter(pk=import_job.pk, status=ImportStatus.CHOOSE_SHEET).update(
            status=ImportStatus.PENDING, sheet_name=sheet, sheet_choices=[], errors=[], error_count=0
        )
        if not chosen:
            raise Conflict(gettext("该导入已在进行，请刷新页面"), field="import_job")
        import_job.refresh_from_db()
        _start(import_job, _user(scope))
    _run_now_or_queue(import_job, run_inline)
    return import_job


def import_job_work(job: Job, progress: Progress) -> None:
    """The "members.import" job: check the file; if it is clean, save it all in one
    transaction. An exception (a deadlock, the worker dying) leaves nothing saved, and the
    job mechanism tries again or fails the job; the roster is kept until the import ends."""
    import_job = ImportJob.objects.select_related("union", "uploaded_by").get(pk=job.params["import_job"])
    if import_job.status in ENDED:
        return  # rejected by the purge meanwhile, or an older run finished it
    import_job.status = ImportStatus.RUNNING
    import_job.save(update_fields=["status", "updated_at"])
    _run(import_job, progress)
    # Imported or rejected, the roster is not needed again: a new try is a new upload. When
    # the officer must choose a sheet, the same file is read again.
    if import_job.status != ImportStatus.CHOOSE_SHEET:
        discard_roster_file(import_job)


def import_job_ended(job: Job) -> None:
    """The job failed or was cancelled: the import says so, with the job's message."""
    ImportJob.objects.filter(job=job).exclude(status__in=ENDED).update(
        status=ImportStatus.FAILED,
        error_count=1,
        errors=[RowError(HEADER_ROW, FILE_COLUMN, job.message).as_dict()],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _file_failure(message: str, total_rows: int = 0) -> RosterCheck:
    return RosterCheck(total_rows=total_rows, error_count=1, errors=[RowError(HEADER_ROW, FILE_COLUMN, message)])


def _run(job: ImportJob, progress: Progress) -> None:
    try:
        data = open_roster_file(job)
    except (DecryptionError, FileNotFoundError, ValueError):  # ValueError: the job has no file
        message = "上传的文件已无法读取（已删除或密钥已更换），未导入任何数据，请重新上传"
        _finish(job, _file_failure(message), 0)
        return
    check = roster_check(
        union=job.union, file=io.BytesIO(data), filename=job.filename, progress=progress, sheet=job.sheet_name
    )
    del data  # the check keeps what it needs; the file's bytes can go
    if not check.ok:
        _finish(job, check, 0)
        return
    try:
        with transaction.atomic():
            created = roster_store(check=check, job=job, progress=progress)
            _finish(job, check, created)
            _audit(job, check)
    except Conflict as err:  # the union closed meanwhile
        _finish(job, _file_failure(err.message, check.total_rows), 0)
    except IntegrityError:
        # Someone registered one of these people between the check and the save.
        message = "检查后有其他人登记了本文件中的职工，未导入任何数据，请重新导入"
        _finish(job, _file_failure(message, check.total_rows), 0)


def _finish(job: ImportJob, check: RosterCheck, created: int) -> None:
    job.status = ImportStatus.DONE if check.ok else ImportStatus.REJECTED
    if check.sheet_choices:
        job.status = ImportStatus.CHOOSE_SHEET
    job.sheet_choices = check.sheet_choices
    job.total_rows, job.created_count, job.error_count = check.total_rows, created, check.error_count
    job.errors = [error.as_dict() for error in check.errors]
    job.warning_count = check.warning_count
    job.warnings = [warning.as_dict() for warning in check.warnings]
    job.finished_at = timezone.now()
    job.save()


def _audit(job: ImportJob, check: RosterCheck) -> None:
    audit_record(
        actor=job.uploaded_by,
        action=AuditEntry.Action.IMPORT,
        subject=job,
        subject_label=f"{job.union.name} 花名册 {job.filename}",
        detail={
            "union": job.union.code,
            "rows": check.total_rows,
            "rejoined": len(check.rejoining),
            "warnings": check.warning_count,
        },
    )
