"""Bulk enrolment: a union enrols its members for a scheme year as one job, all its active
members or those of an uploaded list of ID numbers. Enrolling twice changes nothing (one
enrolment per person and year, a unique constraint); a member not covered the year before
is a first-time enrolee, so the waiting period applies. The job's result is the list of
members it enrolled, as a CSV with the ID numbers masked."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_noop
from simple_history.utils import bulk_create_with_history

from gonghui.core.access import Scope
from gonghui.core.crypto import blind_index
from gonghui.core.errors import ValidationFailed
from gonghui.core.jobs import JobResult, Progress, job_submit
from gonghui.core.masking import mask_id_number
from gonghui.core.models import Job
from gonghui.core.tree import STEPLEN
from gonghui.members.identity import normalise_id_number
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.mutual_aid import services
from gonghui.mutual_aid.models import Enrolment, SchemeYear
from gonghui.organisations.models import Organisation, OrganisationStatus

ENROL_KIND = "mutual_aid.enrol"
CHUNK = 2000
MAX_LISTED = 100  # numbers of a list not enrolled, kept on the job for the officer


def enrolment_job_submit(
    *,
    scope: Scope,
    scheme_year: SchemeYear,
    union: Organisation,
    id_numbers: list[str] | None = None,
) -> Job:
    """Start enrolling `union`'s active members (or those of `id_numbers`) for the year. The
    list travels to the job as blind indexes, never as the numbers themselves."""
    scope.require_covers(union, field="union", message=gettext_noop("该工会不在您的管辖范围内"))
    if not union.is_grassroots or union.status != OrganisationStatus.ACTIVE:
        raise ValidationFailed(gettext("%(union)s不是在册的基层工会，不能参保") % {"union": union.name}, field="union")
    if union.path[:STEPLEN] != scheme_year.federation.path:
        raise ValidationFailed(gettext_noop("该工会不属于本年度互助保障的市总工会"), field="union")
    if services.today() > scheme_year.coverage_ends_on:
        raise ValidationFailed(gettext_noop("本年度保障期已结束，不能再参保"), field="year")
    hashes = None if id_numbers is None else [blind_index(normalise_id_number(number)) for number in id_numbers]
    return job_submit(
        kind=ENROL_KIND,
        label=f"{union.name} {scheme_year.year}年度互助保障参保",
        owner=scope.user,
        scope_path=union.path,
        params={"scheme_year": scheme_year.pk, "union": union.pk, "hashes": hashes},
    )


def enrolment_job_work(job: Job, progress: Progress) -> JobResult:
    scheme_year = SchemeYear.objects.get(pk=job.params["scheme_year"])
    union = Organisation.objects.get(pk=job.params["union"])
    hashes: list[str] | None = job.params.get("hashes")
    with transaction.atomic():
        members = _active_members(union, hashes)
        enrolled = members_enrol(scheme_year=scheme_year, union=union, members=members, progress=progress)
    summary: dict[str, Any] = {"enrolled": len(enrolled), "already": len(members) - len(enrolled)}
    if hashes is not None:
        found = {member[2] for member in members}
        missing = [index + 1 for index, number_hash in enumerate(hashes) if number_hash not in found]
        summary["not_members"] = len(missing)
        summary["not_members_at"] = missing[:MAX_LISTED]  # their places in the uploaded list
    return JobResult(_list_csv(enrolled), f"{scheme_year.year}-enrolments.csv", "text/csv", summary)


def _active_members(union: Organisation, hashes: list[str] | None) -> list[tuple[int, int | None, str]]:
    """(person, employer, number hash) of the union's active members, of the list if given."""
    rows = Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE)
    if hashes is not None:
        rows = rows.filter(person__id_number_hash__in=set(hashes))
    return list(rows.values_list("person_id", "employer_id", "person__id_number_hash").order_by("person_id"))


def members_enrol(
    *, scheme_year: SchemeYear, union: Organisation, members: list[tuple[int, int | None, str]], progress: Progress
) -> list[Enrolment]:
    """Enrol those of `members` not enrolled for the year yet; the caller holds the
    transaction. Cover runs from the start of the year, or from today for a late joiner."""
    people = {person_id for person_id, _, _ in members}
    already = _people(Enrolment.objects.filter(scheme_year=scheme_year), people)
    covered_before = _people(
        Enrolment.objects.filter(
            scheme_year__federation_id=scheme_year.federation_id, scheme_year__year=scheme_year.year - 1
        ),
        people,
    )
    on = services.today()
    starts: date = max(scheme_year.coverage_starts_on, on)
    new = [
        Enrolment(
            person_id=person_id,
            scheme_year=scheme_year,
            union=union,
            employer_id=employer_id,
            enrolled_on=on,
            coverage_from=starts,
            coverage_to=scheme_year.coverage_ends_on,
            first_time=person_id not in covered_before,
        )
        for person_id, employer_id, _ in members
        if person_id not in already
    ]
    for start in range(0, len(new), CHUNK):
        progress(start, len(new), gettext_noop("正在登记参保"))
        bulk_create_with_history(new[start : start + CHUNK], Enrolment, default_change_reason="批量参保")
    progress(len(new), len(new))
    return new


def _people(enrolments: QuerySet[Enrolment], among: set[int]) -> set[int]:
    """Which of `among` these enrolments hold (the whole year's, read once, then filtered:
    no IN list of a quarter of a million)."""
    return {pk for pk in enrolments.values_list("person_id", flat=True).iterator(chunk_size=20000) if pk in among}


def _list_csv(enrolled: list[Enrolment]) -> bytes:
    """The list of members enrolled, to print: names and masked ID numbers."""
    by_person = {row.person_id: row for row in enrolled}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "保障起始", "保障截止", "首次参保"])
    ids = sorted(by_person)
    for start in range(0, len(ids), CHUNK):
        for person in Person.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk"):
            row = by_person[person.pk]
            first = "是" if row.first_time else "否"
            writer.writerow([person.name, mask_id_number(person.id_number), row.coverage_from, row.coverage_to, first])
    return out.getvalue().encode("utf-8-sig")
