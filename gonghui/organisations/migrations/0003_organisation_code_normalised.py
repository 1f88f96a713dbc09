"""Organisation codes stored normalised (NFKC, no invisible format characters, upper case),
and no two codes that read the same once O is taken for 0 and I for 1."""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gonghui.organisations.identity import code_skeleton, normalise_code


def normalise_codes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    organisations = apps.get_model("organisations", "Organisation").objects.using(schema_editor.connection.alias)
    rows = list(organisations.values_list("pk", "code"))
    seen: dict[str, str] = {}
    for _, code in rows:
        skeleton = code_skeleton(code)
        if skeleton in seen:
            raise RuntimeError(
                f"organisation codes {seen[skeleton]!r} and {code!r} read the same; rename one before migrating"
            )
        seen[skeleton] = code
    for pk, code in rows:
        if normalise_code(code) != code:
            organisations.filter(pk=pk).update(code=normalise_code(code))


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_encrypt_phones"),
    ]

    operations = [
        # Codes already normalised are left alone; going back keeps them so.
        migrations.RunPython(normalise_codes, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Replace(
                    django.db.models.functions.text.Replace(
                        django.db.models.functions.text.Upper("code"), models.Value("O"), models.Value("0")
                    ),
                    models.Value("I"),
                    models.Value("1"),
                ),
                name="org_code_reads_unique",
            ),
        ),
    ]
