# Every application gets a reference number; those already submitted get one each, drawn the
# same way as new ones. The column becomes unique in the next migration: on PostgreSQL a
# table cannot be altered in the transaction that has just updated its rows.

from django.db import migrations, models

import gonghui.enrolment.references


def give_references(apps, schema_editor):
    Application = apps.get_model("enrolment", "Application")
    taken = set()
    for application in Application.objects.filter(reference__isnull=True).only("pk").iterator():
        reference = gonghui.enrolment.references.new_reference()
        while reference in taken:
            reference = gonghui.enrolment.references.new_reference()
        taken.add(reference)
        Application.objects.filter(pk=application.pk).update(reference=reference)


class Migration(migrations.Migration):

    dependencies = [
        ("enrolment", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="reference",
            field=models.CharField(editable=False, max_length=9, null=True, verbose_name="申请编号"),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
    ]
