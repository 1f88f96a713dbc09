"""An import job's notices become its warnings: one list of what the officer should look at
but that blocks nothing, with a count beside it as the errors have."""

from django.db import migrations, models


def count_warnings(apps, schema_editor):  # type: ignore[no-untyped-def]
    ImportJob = apps.get_model("members", "ImportJob")
    for job in ImportJob.objects.exclude(warnings=[]).only("pk", "warnings").iterator():
        ImportJob.objects.filter(pk=job.pk).update(warning_count=len(job.warnings or []))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0008_membership_first_joined_on_required"),
    ]

    operations = [
        migrations.RenameField(model_name="importjob", old_name="notices", new_name="warnings"),
        migrations.AddField(
            model_name="importjob",
            name="warning_count",
            field=models.PositiveIntegerField(default=0, verbose_name="提示数"),
        ),
        migrations.RunPython(count_warnings, migrations.RunPython.noop),
    ]
