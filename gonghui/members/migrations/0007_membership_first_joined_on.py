"""Membership.first_joined_on (入会时间): the day the worker first joined, carried across
transfers and union closures, while joined_on becomes the day they came into this union
(转入时间). Existing rows are filled by following each person's chain of stretches: a
stretch that ended as transferred is continued by the person's next one. The column
becomes required in the next migration: on PostgreSQL a table cannot be altered in the
transaction that has just updated its rows."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

BATCH = 2000


def _chained_first_joins(Membership) -> dict[int, object]:
    """{membership id: first join date} for the stretches that continue a transfer."""
    moved = Membership.objects.filter(status="transferred").values("person_id")
    rows = (
        Membership.objects.filter(person_id__in=moved)
        .order_by("person_id", "joined_on", "pk")
        .values_list("pk", "person_id", "joined_on", "status")
    )
    first_of: dict[int, object] = {}
    person, first, carried = None, None, False
    for pk, person_id, joined_on, status in rows.iterator(chunk_size=BATCH):
        if person_id != person:
            person, carried = person_id, False
        if not carried:
            first = joined_on
        elif first != joined_on:
            first_of[pk] = first
        carried = status == "transferred"
    return first_of


def fill_first_joins(apps, schema_editor) -> None:
    Membership = apps.get_model("members", "Membership")
    History = apps.get_model("members", "HistoricalMembership")
    Membership.objects.update(first_joined_on=F("joined_on"))
    first_of = _chained_first_joins(Membership)
    ids = sorted(first_of)
    for start in range(0, len(ids), BATCH):
        chunk = [Membership(pk=pk, first_joined_on=first_of[pk]) for pk in ids[start : start + BATCH]]
        Membership.objects.bulk_update(chunk, ["first_joined_on"])
    # Past versions of a row take the row's value: the worker's first join did not change.
    current = Membership.objects.filter(pk=OuterRef("id")).values("first_joined_on")[:1]
    History.objects.update(first_joined_on=Coalesce(Subquery(current), F("joined_on")))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_import_job_runs_as_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="first_joined_on",
            field=models.DateField(null=True, verbose_name="入会时间"),
        ),
        migrations.AddField(
            model_name="historicalmembership",
            name="first_joined_on",
            field=models.DateField(null=True, verbose_name="入会时间"),
        ),
        migrations.RunPython(fill_first_joins, migrations.RunPython.noop),
    ]
