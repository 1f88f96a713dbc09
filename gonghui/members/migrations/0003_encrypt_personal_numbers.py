"""Identity and mobile numbers sealed at rest, with keyed hashes to search by.

The columns are converted in place: their type becomes text, every stored value is replaced
by its token (history rows too), the hashes are filled, and only then are the unique
constraint and the index built on the hashes. Reversible: going back opens every token.
Runs with the keys of the environment it is run in (GONGHUI_FIELD_KEYS, GONGHUI_HASH_KEY).
On PostgreSQL the old values linger in dead row versions until VACUUM: see docs/operations.md."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import gonghui.core.crypto
from gonghui.core.crypto import TableColumns, rewrite_rows, seal_plain, unseal_tokens

PERSON = TableColumns(
    table="members_person",
    pk="id",
    columns=["id_number", "mobile"],
    hashes={"id_number_hash": "id_number", "mobile_hash": "mobile"},
)
HISTORY = TableColumns(table="members_historicalperson", pk="history_id", columns=["id_number", "mobile"], hashes={})


def seal_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for spec in (PERSON, HISTORY):
        rewrite_rows(schema_editor.connection, spec, seal_plain(spec))


def open_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for spec in (PERSON, HISTORY):
        rewrite_rows(schema_editor.connection, spec, unseal_tokens(spec))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=gonghui.core.crypto.EncryptedTextField(max_length=18, verbose_name="身份证号"),
        ),
        migrations.AlterField(
            model_name="person",
            name="mobile",
            field=gonghui.core.crypto.EncryptedTextField(blank=True, max_length=11, verbose_name="手机号码"),
        ),
        migrations.AlterField(
            model_name="historicalperson",
            name="id_number",
            field=gonghui.core.crypto.EncryptedTextField(max_length=18, verbose_name="身份证号"),
        ),
        migrations.AlterField(
            model_name="historicalperson",
            name="mobile",
            field=gonghui.core.crypto.EncryptedTextField(blank=True, max_length=11, verbose_name="手机号码"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=gonghui.core.crypto.BlindIndexField(default="", source="id_number"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="person",
            name="mobile_hash",
            field=gonghui.core.crypto.BlindIndexField(default="", source="mobile"),
            preserve_default=False,
        ),
        migrations.RunPython(seal_rows, open_rows),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(fields=("id_number_hash",), name="person_id_number_hash_unique"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["mobile_hash"], name="person_mobile_hash_idx"),
        ),
    ]
