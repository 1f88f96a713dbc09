from django.db import migrations, models

import gonghui.enrolment.references


class Migration(migrations.Migration):

    dependencies = [
        ("enrolment", "0002_application_reference"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="reference",
            field=models.CharField(
                default=gonghui.enrolment.references.new_reference,
                editable=False,
                max_length=9,
                unique=True,
                verbose_name="申请编号",
            ),
        ),
    ]
