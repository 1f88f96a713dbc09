"""No-visit claims: a medical-insurance settlement file, adjudicated as one job.

Each record is matched to a member enrolled for the year (by the blind index of the ID
number, against the year's enrolments loaded once into a dict), checked for cover and the
waiting period, and valued by the rules in force on its admission date, carrying each
member's year so far in memory across the file (`so_far + benefit.adds`). Claims,
adjustments and issues are written in chunks by the bulk path of the roster import (COPY on
PostgreSQL), all in one transaction: a file is adjudicated whole or not at all.

A settlement number is claimed at most once: numbers already in the database are skipped
with reason 10 (结算单已申领), and a unique constraint backs it. An insurer's reversal
(冲销标志 = 是, 原结算单号 set) never edits a claim: it adds a ClaimAdjustment with the
recomputed benefit's difference. The year's row is locked for the run, so two batches of
one year never value against the same annual caps at once. See docs/mutual-aid.md."""

from __future__ import annotations

import bisect
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import IO, Any, NamedTuple
from uuid import uuid4

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from gonghui.core.access import Role, Scope
from gonghui.core.crypto import blind_index, decrypt_bytes, encrypt_bytes
from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.jobs import Progress, job_enqueue, job_execute, job_submit
from gonghui.core.models import Job
from gonghui.core.money import ZERO
from gonghui.core.tree import STEPLEN
from gonghui.members.import_files import read_upload
from gonghui.members.importing import allocate_ids, bulk_load
from gonghui.members.models import Person
from gonghui.mutual_aid.accumulators import ADDED, ADJUSTMENT_COUNTS, CLAIM_COUNTS, sum_row
from gonghui.mutual_aid.calculator import Accumulated, Bill, Cover, Reason, Step, benefit_compute, is_shared
from gonghui.mutual_aid.claim_store import Table, chunk_store
from gonghui.mutual_aid.models import (
    BatchStatus,
    Claim,
    ClaimAdjustment,
    ClaimStatus,
    Enrolment,
    SchemeYear,
    SettlementBatch,
    SettlementRecordIssue,
)
from gonghui.mutual_aid.rules import Rules
from gonghui.mutual_aid.settlement_file import (
    FILE_COLUMN,
    HEADER_ROW,
    RecordProblem,
    SettlementFileError,
    SettlementRecord,
    file_kind,
    read_settlements,
)
from gonghui.organisations.models import Organisation

KIND = "mutual_aid.settlements"
PURPOSE = b"gonghui settlement upload"
CHUNK = 5000
ENCODED_LIMIT = 10_000
UPLOADERS = {Role.CITY, Role.TOWN}
UPLOADERS_ONLY = gettext_noop("只有市、镇（街道）总工会工作人员可以上传医保结算文件")
ADJUDICATING = gettext_noop("正在理赔计算")
# The calculator's refusals of a whole bill: the record gives no claim, only an issue.
REFUSALS = {Reason.NOT_COVERED, Reason.WAITING_PERIOD, Reason.INCONSISTENT_BILL}

CLAIM_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "batch_id",
    "settlement_number",
    "enrolment_id",
    "person_id",
    "scheme_year_id",
    "rule_set_id",
    "visit_type",
    "hospital",
    "diagnosis",
    "admitted_on",
    "discharged_on",
    "settled_on",
    "total_cost",
    "fund_paid",
    "in_policy_self_paid",
    "out_of_policy_self_paid",
    "amount",
    "reason",
    "explanation",
    "added_inpatient",
    "added_outpatient",
    "added_deductible",
    "added_critical",
    "status",
)
ADJUSTMENT_COLUMNS = (
    "created_at",
    "updated_at",
    "claim_id",
    "batch_id",
    "settlement_number",
    "rule_set_id",
    "total_cost_change",
    "fund_paid_change",
    "in_policy_change",
    "out_of_policy_change",
    "amount",
    "reason",
    "explanation",
    "added_inpatient",
    "added_outpatient",
    "added_deductible",
    "added_critical",
    "status",
)
ISSUE_COLUMNS = ("batch_id", "row", "column", "settlement_number", "name", "reason", "message", "params")


# --- what the run holds in memory ----------------------------------------------------------


class Member(NamedTuple):  # a quarter of a million made at the start: a tuple is the cheapest
    enrolment_id: int
    person_id: int
    name: str
    cover: Cover


Amounts = tuple[Decimal, Decimal, Decimal, Decimal]  # a bill: total, fund-paid, in-policy, out-of-policy


def _plus(bill: Amounts, change: Amounts) -> Amounts:
    return (bill[0] + change[0], bill[1] + change[1], bill[2] + change[2], bill[3] + change[3])


@dataclass(frozen=True, slots=True)
class Valued:
    """A claim as it stands (its bill and benefit net of adjustments), for a reversal."""

    claim_id: int
    enrolment_id: int
    visit_type: str
    admitted_on: date
    diagnosis: str
    bill: Amounts
    amount: Decimal
    adds: Accumulated
    scheme_year_id: int
    rejected: bool = False  # on review: it counts for nothing, so there is nothing to reverse


class RuleVersions:
    """The year's rule versions, parsed once; the one in force on a date by bisection."""

    def __init__(self, scheme_year: SchemeYear) -> None:
        versions = list(scheme_year.rule_sets.order_by("effective_from"))
        self.starts = [version.effective_from for version in versions]
        self.versions = [(version.pk, version.parsed()) for version in versions]

    def on(self, day: date) -> tuple[int, Rules] | None:
        at = bisect.bisect_right(self.starts, day) - 1
        return self.versions[at] if at >= 0 else None


def members_enrolled(batch: SettlementBatch) -> dict[str, Member]:
    """The year's enrolments in the batch's area, keyed by the ID number's blind index: one
    query, read by a plain cursor (the ORM's per-value converters cost more than the query)."""
    enrolment, person = Enrolment._meta.db_table, Person._meta.db_table
    organisation = Organisation._meta.db_table
    sql = (
        f"SELECT e.id, e.person_id, p.id_number_hash, p.name, e.coverage_from, e.coverage_to, e.first_time"  # noqa: S608 (model tables)
        f" FROM {enrolment} e JOIN {person} p ON p.id = e.person_id JOIN {organisation} o ON o.id = e.union_id"
        " WHERE e.scheme_year_id = %s AND o.path LIKE %s"
    )
    waiting = batch.scheme_year.waiting_days
    covers: dict[tuple[Any, Any, bool], Cover] = {}  # a few distinct covers, shared
    found: dict[str, Member] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [batch.scheme_year_id, batch.scope_path + "%"])
        while rows := cursor.fetchmany(20000):
            for pk, person_id, number_hash, name, starts, ends, first_time in rows:
                key = (starts, ends, bool(first_time))
                cover = covers.get(key)
                if cover is None:
                    cover = covers[key] = Cover.of(
                        _day(starts), _day(ends), first_time=bool(first_time), waiting_days=waiting
                    )
                found[number_hash] = Member(pk, person_id, name, cover)
    return found


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite gives text


def accumulated(scheme_year: SchemeYear) -> dict[int, Accumulated]:
    """Each enrolment's year so far, by the one rule of what counts (accumulators.py): its
    claims and their adjustments, none of those rejected on review."""
    sums = {name: Sum(name) for name in ADDED}
    found: dict[int, Accumulated] = {}
    claims = (
        Claim.objects.filter(CLAIM_COUNTS, scheme_year=scheme_year).values("enrolment_id").annotate(**sums).order_by()
    )
    adjusted = (
        ClaimAdjustment.objects.filter(ADJUSTMENT_COUNTS, claim__scheme_year=scheme_year)
        .values("claim__enrolment_id")
        .annotate(**sums)
        .order_by()
    )
    for claimed in claims:
        found[claimed["enrolment_id"]] = sum_row(dict(claimed))
    for change in adjusted:
        key = change["claim__enrolment_id"]
        found[key] = found.get(key, Accumulated()) + sum_row(dict(change))
    return found


# --- the run -------------------------------------------------------------------------------


@dataclass
class Counts:
    records: int = 0
    claims: int = 0
    refused: int = 0
    adjustments: int = 0
    issues: int = 0
    amount: Decimal = ZERO


class Adjudicator:
    """One batch's run: call `chunk()` with successive lists of records, then `close()`.

    Chunk k is stored (claim_store.py: on PostgreSQL a thread COPYs it) while chunk k+1 is
    valued, so when chunk k+1's settlement numbers and reversed claims are looked up the
    database holds the chunks before k only: chunk k's stored numbers and the claims it made
    or adjusted are carried over in memory (`pending_*`), which makes the look-up exact."""

    def __init__(self, batch: SettlementBatch, report: Callable[[int], None] = lambda done: None) -> None:
        self.batch = batch
        self.year = batch.scheme_year
        self.batch_id, self.year_id = batch.pk, batch.scheme_year_id  # plain ints: read a million times
        self.report = report
        self.members = members_enrolled(batch)
        self.rules = RuleVersions(self.year)
        self.so_far = accumulated(self.year)
        self.counts = Counts()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.now = now
        self.claims: list[tuple[Any, ...]] = []
        self.adjustments: list[tuple[Any, ...]] = []
        self.issues: list[tuple[Any, ...]] = []
        self.store = chunk_store()
        self.pending: list[Table] = []  # the last chunk's rows, stored while the next is valued
        self.pending_numbers: set[str] = set()
        self.pending_valued: dict[str, Valued] = {}
        self.touched: set[str] = set()

    def chunk(self, records: list[SettlementRecord | RecordProblem]) -> None:
        read = [record for record in records if isinstance(record, SettlementRecord)]
        self.store.wait()  # the chunk before the last is stored: the connection is free
        self.report(self.counts.records)
        self.counts.records += len(records)
        taken = _numbers_taken([record.settlement_number for record in read])
        valued = _claims_valued({record.original_number for record in read if record.is_reversal})
        valued.update(self.pending_valued)  # newer than the database's
        if not self.store.concurrent:
            self.store.store(self.pending)  # first: SQLite's ids follow the rows stored
        self.ids = iter(allocate_ids(Claim, sum(1 for record in read if not record.is_reversal)))
        if self.store.concurrent:
            self.store.store(self.pending)
        seen = set(self.pending_numbers)
        self.touched = set()
        for record in records:
            if isinstance(record, RecordProblem):
                self._issue_of_problem(record)
            elif record.settlement_number in taken or record.settlement_number in seen:
                self._issue(record, Reason.ALREADY_CLAIMED, gettext_noop("结算单号 %(number)s 已理赔，跳过"))
            elif record.is_reversal:
                seen.add(record.settlement_number)
                self._reversal(record, valued)
            else:
                seen.add(record.settlement_number)
                self._original(record, valued)
        self.pending = [
            (Claim, CLAIM_COLUMNS, self.claims),
            (ClaimAdjustment, ADJUSTMENT_COLUMNS, self.adjustments),
            (SettlementRecordIssue, ISSUE_COLUMNS, self.issues),
        ]
        self.pending_numbers = {row[4] for row in self.claims} | {row[4] for row in self.adjustments}
        self.pending_valued = {number: valued[number] for number in self.touched}
        self.claims, self.adjustments, self.issues = [], [], []

    def close(self) -> None:
        """Store the last chunk and wait for it."""
        self.store.wait()
        self.store.store(self.pending)
        self.pending = []
        self.store.close()

    # --- one record ---

    def _member(self, record: SettlementRecord) -> Member | None:
        member = self.members.get(blind_index(record.id_number))
        if member is None:
            self._issue(record, Reason.NOT_ENROLLED, gettext_noop("%(name)s 未参加本年度互助保障（或不在本辖区参保）"))
        elif record.name != member.name and _name_key(member.name) != _name_key(record.name):
            self._issue(record, Reason.NAME_MISMATCH, gettext_noop("姓名“%(name)s”与该身份证号的参保职工不符"))
            return None
        return member

    def _original(self, record: SettlementRecord, valued: dict[str, Valued]) -> None:
        member = self._member(record)
        if member is None:
            return
        version = self.rules.on(record.admitted_on)
        if version is None:
            self._issue(record, Reason.NOT_COVERED, gettext_noop("入院日期 %(on)s 不在本年度保障期内"))
            return
        so_far = self.so_far.get(member.enrolment_id, Accumulated())
        benefit = benefit_compute(rules=version[1], bill=_bill(record), cover=member.cover, so_far=so_far)
        if benefit.reason in REFUSALS:
            step = benefit.steps[0]
            self._issue(record, benefit.reason, step.text_id, step.params)
            return
        self.so_far[member.enrolment_id] = so_far + benefit.adds
        pk = next(self.ids)
        status = ClaimStatus.PENDING_REVIEW if benefit.amount > 0 else ClaimStatus.REFUSED
        adds = benefit.adds
        self.claims.append(
            (
                pk,
                self.now,
                self.now,
                self.batch_id,
                record.settlement_number,
                member.enrolment_id,
                member.person_id,
                self.year_id,
                version[0],
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
                benefit.amount,
                None if benefit.reason is None else int(benefit.reason),
                _explanation(benefit.all_steps()),
                adds.inpatient_paid,
                adds.outpatient_paid,
                adds.outpatient_deductible_met,
                adds.critical_paid,
                status.value,
            )
        )
        self.counts.claims += 1
        self.counts.refused += benefit.amount == 0
        self.counts.amount += benefit.amount
        bill = (record.total_cost, record.fund_paid, record.in_policy_self_paid, record.out_of_policy_self_paid)
        valued[record.settlement_number] = Valued(
            pk,
            member.enrolment_id,
            record.visit_type,
            record.admitted_on,
            record.diagnosis,
            bill,
            benefit.amount,
            adds,
            self.year_id,
        )
        self.touched.add(record.settlement_number)

    def _reversal(self, record: SettlementRecord, valued: dict[str, Valued]) -> None:
        claim = valued.get(record.original_number)
        if claim is None:
            text = gettext_noop("冲销记录的原结算单号 %(original)s 没有理赔记录")
            self._issue(record, Reason.ORIGINAL_NOT_CLAIMED, text, {"original": record.original_number})
            return
        if claim.scheme_year_id != self.year_id:  # never valued against this year's caps
            text = gettext_noop("冲销记录的原结算单 %(original)s 不属于本年度，请在其所属年度上传")
            self._issue(record, Reason.ORIGINAL_NOT_CLAIMED, text, {"original": record.original_number})
            return
        if claim.rejected:
            text = gettext_noop("冲销记录的原结算单 %(original)s 审核未通过，没有可冲销的补助")
            self._issue(record, Reason.ORIGINAL_REJECTED, text, {"original": record.original_number})
            return
        member = self._member(record)
        if member is None:
            return
        if member.enrolment_id != claim.enrolment_id:
            text = gettext_noop("冲销记录的身份证号与原结算单 %(original)s 的参保职工不符")
            self._issue(record, Reason.NAME_MISMATCH, text, {"original": record.original_number})
            return
        change = (record.total_cost, record.fund_paid, record.in_policy_self_paid, record.out_of_policy_self_paid)
        corrected = _plus(claim.bill, change)
        if any(amount < 0 for amount in corrected):
            text = gettext_noop("冲销金额超过原结算单 %(original)s 的金额")
            self._issue(record, Reason.BAD_RECORD, text, {"original": record.original_number})
            return
        version = self.rules.on(claim.admitted_on)
        assert version is not None, "the claim was valued under a version in force then"
        bill = Bill(claim.visit_type, claim.admitted_on, corrected[2], claim.diagnosis, corrected[0])
        so_far = self.so_far.get(claim.enrolment_id, Accumulated()) - claim.adds  # the claim left out
        benefit = benefit_compute(rules=version[1], bill=bill, cover=member.cover, so_far=so_far)
        self.so_far[claim.enrolment_id] = so_far + benefit.adds
        delta, adds = benefit.amount - claim.amount, benefit.adds - claim.adds
        self.adjustments.append(
            (
                self.now,
                self.now,
                claim.claim_id,
                self.batch_id,
                record.settlement_number,
                version[0],
                *change,
                delta,
                None if benefit.reason is None else int(benefit.reason),
                _explanation(benefit.all_steps()),
                adds.inpatient_paid,
                adds.outpatient_paid,
                adds.outpatient_deductible_met,
                adds.critical_paid,
                ClaimStatus.PENDING_REVIEW.value,
            )
        )
        self.counts.adjustments += 1
        self.counts.amount += delta
        valued[record.original_number] = replace(claim, bill=corrected, amount=benefit.amount, adds=benefit.adds)
        self.touched.add(record.original_number)

    def _issue(self, record: SettlementRecord, reason: Reason, text: str, params: dict[str, str] | None = None) -> None:
        values = {
            "number": record.settlement_number,
            "name": record.name,
            "on": record.admitted_on.isoformat(),
            **(params or {}),
        }
        self._add_issue(record.row, "", record.settlement_number, record.name, reason, text, values)

    def _issue_of_problem(self, problem: RecordProblem) -> None:
        self._add_issue(
            problem.row,
            problem.column,
            problem.settlement_number,
            problem.name,
            Reason.BAD_RECORD,
            problem.message,
            problem.params,
        )

    def _add_issue(
        self, row: int, column: str, number: str, name: str, reason: Reason, text: str, params: dict[str, str]
    ) -> None:
        self.issues.append(
            (self.batch_id, row, column, number, name[:50], int(reason), text, json.dumps(params, ensure_ascii=False))
        )
        self.counts.issues += 1


def _name_key(name: str) -> str:
    return "".join(name.split()).replace("·", "").replace("•", "")


def _bill(record: SettlementRecord) -> Bill:
    return Bill(record.visit_type, record.admitted_on, record.in_policy_self_paid, record.diagnosis, record.total_cost)


_HEADS: dict[str, str] = {}
_ENCODED: dict[int, tuple[Step, str]] = {}  # steps the calculator shares between claims, by id
_quoted = json.encoder.encode_basestring  # C, as json.dumps(ensure_ascii=False) uses


def _explanation(steps: Iterable[Step]) -> str:
    """The steps as JSON (`[Step.as_data(), ...]`), the few source texts encoded once each,
    and a step the calculator reuses (a band passed wholly) encoded once."""
    parts = []
    for step in steps:
        known = _ENCODED.get(id(step))
        if known is not None and known[0] is step:
            parts.append(known[1])
            continue
        head = _HEADS.get(step.text_id)
        if head is None:
            head = _HEADS[step.text_id] = '{"text": ' + json.dumps(step.text_id, ensure_ascii=False) + ', "params": '
        values = ", ".join(f'"{key}": {_quoted(value)}' for key, value in step.params.items())  # keys are names
        parts.append(head + "{" + values + "}}")
        if is_shared(step):
            if len(_ENCODED) > ENCODED_LIMIT:
                _ENCODED.clear()
            _ENCODED[id(step)] = (step, parts[-1])
    return "[" + ", ".join(parts) + "]"


def _numbers_taken(numbers: list[str]) -> set[str]:
    """Which of these settlement numbers a claim or an adjustment already has (by a plain
    cursor: building an ORM IN-list of thousands of values costs more than the query)."""
    if not numbers:
        return set()
    claims, adjustments = Claim._meta.db_table, ClaimAdjustment._meta.db_table
    params: list[Any]
    if connection.vendor == "postgresql":
        where, params = "= ANY(%s)", [numbers, numbers]  # two arrays
    else:
        where = "IN (" + ", ".join(["%s"] * len(numbers)) + ")"
        params = [*numbers, *numbers]
    sql = (
        f"SELECT settlement_number FROM {claims} WHERE settlement_number {where}"  # noqa: S608 (model tables)
        f" UNION SELECT settlement_number FROM {adjustments} WHERE settlement_number {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {number for (number,) in cursor.fetchall()}


def _claims_valued(numbers: set[str]) -> dict[str, Valued]:
    """The claims these reversals correct, as they stand after earlier adjustments (those
    rejected on review left out, as accumulators.py leaves them out of the year)."""
    if not numbers:
        return {}
    claims = list(Claim.objects.filter(settlement_number__in=numbers))
    changes: dict[int, list[ClaimAdjustment]] = {}
    counted = ClaimAdjustment.objects.filter(claim__in=[claim.pk for claim in claims]).exclude(
        status=ClaimStatus.REJECTED
    )
    for adjustment in counted.order_by("pk"):
        changes.setdefault(adjustment.claim_id, []).append(adjustment)
    found: dict[str, Valued] = {}
    for claim in claims:
        bill: Amounts = (claim.total_cost, claim.fund_paid, claim.in_policy_self_paid, claim.out_of_policy_self_paid)
        amount, adds = claim.amount, _adds_of(claim)
        for change in changes.get(claim.pk, []):
            deltas = (
                change.total_cost_change,
                change.fund_paid_change,
                change.in_policy_change,
                change.out_of_policy_change,
            )
            bill = _plus(bill, deltas)
            amount, adds = amount + change.amount, adds + _adds_of(change)
        assert claim.settlement_number is not None
        found[claim.settlement_number] = Valued(
            claim.pk,
            claim.enrolment_id,
            claim.visit_type,
            claim.admitted_on,
            claim.diagnosis,
            bill,
            amount,
            adds,
            claim.scheme_year_id,
            claim.status == ClaimStatus.REJECTED,
        )
    return found


def _adds_of(row: Claim | ClaimAdjustment) -> Accumulated:
    return Accumulated(row.added_inpatient, row.added_outpatient, row.added_deductible, row.added_critical)


def _no_progress(done: int, total: int | None = None, message: str | None = None) -> None:
    """Nothing follows the command-line run's progress but its own output."""


def settlements_adjudicate(
    *, batch: SettlementBatch, file: IO[bytes], progress: Progress | Callable[..., None] = _no_progress
) -> SettlementBatch:
    """Read, match, value and store the whole file in one transaction; the batch ends done,
    or rejected with the file's problem (nothing stored)."""
    total = _line_count(file) if file_kind(batch.filename) == "csv" else None
    try:
        with transaction.atomic(), bulk_load():
            SchemeYear.objects.select_for_update().filter(pk=batch.scheme_year_id).first()
            SettlementBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)
            run = Adjudicator(batch, lambda done: progress(done, total, ADJUDICATING))
            try:
                chunk: list[SettlementRecord | RecordProblem] = []
                for record in read_settlements(file, batch.filename):
                    chunk.append(record)
                    if len(chunk) == CHUNK:
                        run.chunk(chunk)
                        chunk = []
                run.chunk(chunk)
                run.close()
            finally:
                run.store.halt()  # a failed run's COPY ends before its transaction is rolled back
            _finish(batch, run.counts)
    except SettlementFileError as err:
        _reject(batch, err)
    batch.refresh_from_db()
    return batch


def _line_count(file: IO[bytes]) -> int | None:
    """Rows of a CSV (for the progress bar) by counting line ends: a second or so a million.
    Not of a workbook, whose compressed bytes hold line ends at random."""
    try:
        file.seek(0)
        count = sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 20), b""))
        file.seek(0)
    except (OSError, ValueError):
        return None
    return max(0, count - HEADER_ROW)


def _finish(batch: SettlementBatch, counts: Counts) -> None:
    SettlementBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.DONE,
        record_count=counts.records,
        claim_count=counts.claims,
        refused_count=counts.refused,
        adjustment_count=counts.adjustments,
        issue_count=counts.issues,
        amount=counts.amount,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _reject(batch: SettlementBatch, err: SettlementFileError) -> None:
    """The file as a whole could not be read: one issue says where, nothing else is kept."""
    SettlementRecordIssue.objects.create(
        batch=batch,
        row=HEADER_ROW,
        column=FILE_COLUMN,
        reason=Reason.BAD_RECORD,
        message=err.message,
        params=err.params,
    )
    SettlementBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.REJECTED, issue_count=1, error=err.text(), finished_at=timezone.now()
    )


# --- uploads and the job -------------------------------------------------------------------


def require_uploader(scope: Scope, scheme_year: SchemeYear) -> Any:
    """City or town staff of the scheme's city; a union officer or a member is refused."""
    staff = scope.require_staff()
    if staff.role not in UPLOADERS or staff.organisation_path[:STEPLEN] != scheme_year.federation.path:
        raise Forbidden(UPLOADERS_ONLY)
    return staff


def settlement_batch_submit(
    *, scope: Scope, scheme_year: SchemeYear, uploaded_file: IO[bytes], filename: str, run_inline: bool = False
) -> SettlementBatch:
    """Keep the uploaded file sealed with a new batch and start its job."""
    staff = require_uploader(scope, scheme_year)
    if file_kind(filename) is None:
        raise ValidationFailed(gettext_noop("只能上传 .csv、.xlsx 或 .xls 格式的结算文件"), field="file")
    data = read_upload(uploaded_file)
    user = scope.user if getattr(scope.user, "is_authenticated", False) else None
    batch = SettlementBatch(
        scheme_year=scheme_year,
        organisation_id=staff.organisation_id,
        scope_path=staff.organisation_path,
        uploaded_by=user,
        filename=filename[-200:],
    )
    batch.file.save(f"{uuid4().hex}.sealed", ContentFile(encrypt_bytes(data, purpose=PURPOSE)), save=False)
    with transaction.atomic():
        batch.save()
        batch.job = job_submit(
            kind=KIND,
            label=f"医保结算理赔 {batch.filename}",
            owner=user,
            scope_path=staff.organisation_path,
            params={"batch": batch.pk},
            start=False,
        )
        batch.save(update_fields=["job", "updated_at"])
    if run_inline:
        job_execute(batch.job.pk)
    else:
        job_enqueue(batch.job)
    batch.refresh_from_db()
    return batch


def settlement_job_work(job: Job, progress: Progress) -> None:
    """The job: open the sealed file, adjudicate it, then forget the file."""
    batch = SettlementBatch.objects.select_related("scheme_year").get(pk=job.params["batch"])
    if batch.status in (BatchStatus.DONE, BatchStatus.REJECTED):
        return  # an earlier run finished it
    with batch.file.open("rb") as stored:
        data = decrypt_bytes(stored.read(), purpose=PURPOSE)
    settlements_adjudicate(batch=batch, file=io.BytesIO(data), progress=progress)
    batch.file.delete(save=False)
    SettlementBatch.objects.filter(pk=batch.pk).update(file="")


def settlement_job_ended(job: Job) -> None:
    SettlementBatch.objects.filter(pk=job.params.get("batch")).exclude(
        status__in=[BatchStatus.DONE, BatchStatus.REJECTED]
    ).update(status=BatchStatus.FAILED, error=job.message, finished_at=timezone.now())
