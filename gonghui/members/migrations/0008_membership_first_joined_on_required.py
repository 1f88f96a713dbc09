"""Membership.first_joined_on required (filled by 0007), joined_on relabelled 转入时间, and a
first join never after the stretch began."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_membership_first_joined_on"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="first_joined_on",
            field=models.DateField(verbose_name="入会时间"),
        ),
        migrations.AlterField(
            model_name="historicalmembership",
            name="first_joined_on",
            field=models.DateField(verbose_name="入会时间"),
        ),
        migrations.AlterField(
            model_name="membership",
            name="joined_on",
            field=models.DateField(verbose_name="转入时间"),
        ),
        migrations.AlterField(
            model_name="historicalmembership",
            name="joined_on",
            field=models.DateField(verbose_name="转入时间"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("first_joined_on__lte", models.F("joined_on"))),
                name="membership_first_join_not_after_start",
            ),
        ),
    ]
