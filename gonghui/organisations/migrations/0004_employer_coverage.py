"""EmployerCoverage: which union covered an employer, from when to when. Each covered
employer gets one open stretch with its current union, from the day it was first covered
(covered_since), else its union's founding, else the day it was registered here. Earlier
unions are not known: closures moved employers without keeping where they came from."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.timezone import localdate

BATCH = 2000


def open_current_coverage(apps, schema_editor) -> None:
    Employer = apps.get_model("organisations", "Employer")
    EmployerCoverage = apps.get_model("organisations", "EmployerCoverage")
    covered = Employer.objects.filter(union__isnull=False).order_by("pk")
    rows = covered.values_list("pk", "union_id", "covered_since", "union__founded_on", "created_at")
    batch = []
    for pk, union_id, since, founded, created in rows.iterator(chunk_size=BATCH):
        batch.append(EmployerCoverage(employer_id=pk, union_id=union_id, started_on=since or founded or localdate(created)))
        if len(batch) >= BATCH:
            EmployerCoverage.objects.bulk_create(batch)
            batch = []
    EmployerCoverage.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0003_organisation_code_normalised'),
    ]

    operations = [
        migrations.CreateModel(
            name='EmployerCoverage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_on', models.DateField(verbose_name='覆盖起始日期')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='覆盖结束日期')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='变更说明')),
                ('employer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverage', to='organisations.employer', verbose_name='用人单位')),
                ('union', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='employer_coverage', to='organisations.organisation', verbose_name='覆盖工会')),
            ],
            options={
                'verbose_name': '单位覆盖记录',
                'verbose_name_plural': '单位覆盖记录',
                'ordering': ['employer', 'started_on', 'pk'],
                'indexes': [models.Index(fields=['union', 'started_on'], name='organisatio_union_i_689b88_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('employer',), name='one_open_coverage_per_employer'), models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='coverage_ends_after_start')],
            },
        ),
        migrations.RunPython(open_current_coverage, migrations.RunPython.noop),
    ]
