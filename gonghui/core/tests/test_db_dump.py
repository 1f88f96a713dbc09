"""Dump the whole database after members arrive by every path (the join service, a roster
import's bulk path, a change of mobile) and officers' and unions' phones are written, and find
no plain identity or mobile number anywhere: not in the tables, not in their history."""

import io
import re
from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection

from gonghui.core.crypto import decrypt
from gonghui.members import importing, services
from gonghui.members.identity import id_number_problem
from gonghui.members.models import Person
from gonghui.members.tests.rosterfiles import HEADERS, csv_bytes
from gonghui.organisations.models import Officer, OfficerRole
from gonghui.testing import new_id_number

# A whole 18-character identity number or 11-digit mobile, not a run of digits inside a
# longer token or hash. (Credit codes of employers are 18 characters too: an identity number
# is told apart by its check digit and birth date.)
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z_-])\d{17}[\dXx](?![0-9A-Za-z_-])")
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z_-])1[3-9]\d{9}(?![0-9A-Za-z_-])")


def dump_lines() -> Iterator[str]:
    """Every row of every table as text: SQLite's own dump, or on PostgreSQL each row cast
    to text (which covers every column of every type)."""
    if connection.vendor == "sqlite":
        yield from connection.connection.iterdump()
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT CAST(t AS text) FROM {quote(table)} AS t")  # noqa: S608
            yield from (f"{table}: {row}" for (row,) in cursor.fetchall())


def members_by_every_path(fed) -> list[Person]:
    scope = fed.scope(fed.city_staff)
    joined = services.member_join(
        scope=scope,
        union=fed.union_a2,
        id_number=new_id_number(birth=date(1991, 3, 3)),
        name="陈静",
        mobile="13811112222",
        joined_on=date(2024, 1, 1),
    )
    services.person_update(scope=scope, person=joined.person, mobile="13833334444")
    rows = [
        ["王芳", new_id_number(birth=date(1992, 5, 17), sex="F"), "13955556666", fed.employer_a1.name, "2024-03-01"],
        ["赵磊", new_id_number(birth=date(1992, 5, 17)), "", fed.employer_a1.name, "2024/3/2"],
    ]
    job = importing.import_job_submit(
        scope=fed.scope(fed.union_a1_officer),
        union=fed.union_a1,
        uploaded_file=io.BytesIO(csv_bytes([HEADERS, *rows])),
        filename="名册.csv",
    )
    assert job.created_count == 2, job.errors
    Officer.objects.create(organisation=fed.union_a1, role=OfficerRole.CHAIR, name="周明", phone="13877778888")
    fed.union_a1.contact_phone = "13899990000"
    fed.union_a1.save()
    return list(Person.objects.all())


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_plain_identity_or_mobile_number(fed):
    people = members_by_every_path(fed)
    assert len(people) == 5 and all(p.id_number for p in people)
    dump = "\n".join(dump_lines())
    for person in people:
        assert person.id_number not in dump
        assert not person.mobile or person.mobile not in dump
    assert "13811112222" not in dump  # the mobile before the change, kept in the history
    assert "13877778888" not in dump and "13899990000" not in dump  # officers' and unions' phones
    assert [n for n in ID_NUMBER_RE.findall(dump) if id_number_problem(n.upper()) is None] == []
    assert MOBILE_RE.findall(dump) == []


@pytest.mark.django_db(transaction=True)
def test_the_history_tables_hold_tokens_that_open(fed):
    people = {p.id_number for p in members_by_every_path(fed)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM members_historicalperson")
        rows = cursor.fetchall()
    assert len(rows) >= 6  # five created, one changed
    assert {decrypt(token) for token, _ in rows} == people
    assert all(mobile == "" or decrypt(mobile).startswith("1") for _, mobile in rows)
