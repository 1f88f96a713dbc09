"""Bulk enrolment: a union enrols its members for a scheme year as one job, all its active
members, a selection of them or those of an uploaded list of ID numbers. Enrolling twice changes nothing (one
enrolment per person and year, a unique constraint); a member not covered the year before
is a first-time enrolee, so the waiting period applies. The job's result is the list of
members it enrolled, as a CSV with the ID numbers masked."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from simple_history.utils import bulk_create_with_history

from gonghui.core.access import Scope
from gonghui.core.crypto import blind_index
from gonghui.core.errors import ValidationFailed
from gonghui.core.jobs import JobResult, Progress, job_submit
from gonghui.core.masking import mask_id_number
from gonghui.core.models import Job
from gonghui.core.tree import STEPLEN
from gonghui.members import spreadsheets
from gonghui.members.identity import normalise_id_number
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.mutual_aid import coverage, services
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
    person_ids: list[int] | None = None,
) -> Job:
    """Start enrolling `union`'s active members (or those of `id_numbers`, or the people
    `person_ids` chosen from its list) for the year. The list travels to the job as blind
    indexes, never as the numbers themselves. Before the window opens nobody is enrolled;
    after it closes only late joiners are (coverage.late_joiners)."""
    scope.require_covers(union, field="union", message=gettext_noop("该工会不在您的管辖范围内"))
    if not union.is_grassroots or union.status != OrganisationStatus.ACTIVE:
        raise ValidationFailed(gettext("%(union)s不是在册的基层工会，不能参保") % {"union": union.name}, field="union")
    if union.path[:STEPLEN] != scheme_year.federation.path:
        raise ValidationFailed(gettext_noop("该工会不属于本年度互助保障的市总工会"), field="union")
    if services.today() > scheme_year.coverage_ends_on:
        raise ValidationFailed(gettext_noop("本年度保障期已结束，不能再参保"), field="year")
    if services.today() < scheme_year.enrolment_opens_on:
        raise ValidationFailed(
            gettext("%(year)s 年度参保登记自 %(day)s 开始，尚未开放")
            % {"year": scheme_year.year, "day": scheme_year.enrolment_opens_on.isoformat()},
            field="year",
        )
    hashes = None if id_numbers is None else [blind_index(normalise_id_number(number)) for number in id_numbers]
    if person_ids is not None:
        chosen = Person.objects.filter(pk__in=person_ids).values_list("id_number_hash", flat=True)
        hashes = sorted(set(chosen))
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
        late = None
        if services.today() > scheme_year.enrolment_closes_on:  # the window closed: late joiners only
            late = coverage.late_joiners(scheme_year=scheme_year, union=union)
            already = _people(Enrolment.objects.filter(scheme_year=scheme_year), {member[0] for member in members})
            candidates = len(members)
            members = [member for member in members if member[0] in late or member[0] in already]
            outside_window = candidates - len(members)
        enrolled = members_enrol(
            scheme_year=scheme_year, union=union, members=members, progress=progress, cover_from=late
        )
    summary: dict[str, Any] = {"enrolled": len(enrolled), "already": len(members) - len(enrolled)}
    if late is not None:
        summary["outside_window"] = outside_window  # joined before the window closed: too late now
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
    *,
    scheme_year: SchemeYear,
    union: Organisation,
    members: list[tuple[int, int | None, str]],
    progress: Progress,
    cover_from: dict[int, date] | None = None,
) -> list[Enrolment]:
    """Enrol those of `members` not enrolled for the year yet; the caller holds the
    transaction. Cover runs from the start of the year, or from today once it has begun;
    `cover_from` gives late joiners' own first day (the day they joined)."""
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
            coverage_from=cover_from.get(person_id, starts) if cover_from else starts,
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


MAX_LIST = 20_000  # numbers in one uploaded list: a large union's whole roster
ID_LIKE = re.compile(r"^(\d{17}[\dXx]|\d{15})$")


def id_numbers_read(file: IO[bytes], filename: str) -> list[str]:
    """The ID numbers of an uploaded list (.csv, .xlsx or .xls; the first sheet): in each
    row, the first cell that looks like one. A header row and blank rows are passed over."""
    kind = spreadsheets.file_kind(filename)
    if kind not in ("csv", "xlsx", "xls"):
        raise ValidationFailed(gettext_noop("只能上传 .csv、.xlsx 或 .xls 格式的名单"), field="file")
    numbers: list[str] = []
    try:
        with spreadsheets.opened(file, kind) as book:
            for _, cells in book.lines(book.sheets[0]) if book.sheets else iter(()):
                found = next((text for cell in cells if ID_LIKE.match(text := str(cell or "").strip())), None)
                if found:
                    numbers.append(found.upper())
    except spreadsheets.RosterFileError as err:
        raise ValidationFailed(gettext("无法读取该文件：%(error)s") % {"error": str(err)[:200]}, field="file") from None
    if not numbers:
        raise ValidationFailed(gettext_noop("名单中没有找到身份证号"), field="file")
    if len(numbers) > MAX_LIST:
        raise ValidationFailed(gettext("名单最多 %(max)s 个身份证号") % {"max": MAX_LIST}, field="file")
    return numbers


def enrolment_job_page(job: Job) -> str:
    """The union's enrolment list for the job's year, linked from the job's page."""
    year = SchemeYear.objects.filter(pk=job.params["scheme_year"]).values_list("year", flat=True).first()
    return reverse("mutual_aid:enrol_list", args=[year, job.params["union"]]) if year else ""
