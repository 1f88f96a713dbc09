"""Officers' and organisations' phone numbers sealed at rest, like members' mobiles (no
look-up hash: nothing searches by them). Converted in place and reversible; see
members/0003_encrypt_personal_numbers for the pattern."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import gonghui.core.crypto
from gonghui.core.crypto import TableColumns, rewrite_rows, seal_plain, unseal_tokens

TABLES = [
    TableColumns(table="organisations_organisation", pk="id", columns=["contact_phone"], hashes={}),
    TableColumns(table="organisations_historicalorganisation", pk="history_id", columns=["contact_phone"], hashes={}),
    TableColumns(table="organisations_officer", pk="id", columns=["phone"], hashes={}),
    TableColumns(table="organisations_historicalofficer", pk="history_id", columns=["phone"], hashes={}),
]


def seal_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for spec in TABLES:
        rewrite_rows(schema_editor.connection, spec, seal_plain(spec))


def open_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for spec in TABLES:
        rewrite_rows(schema_editor.connection, spec, unseal_tokens(spec))


def sealed(model_name: str, name: str, verbose_name: str) -> migrations.AlterField:
    return migrations.AlterField(
        model_name=model_name,
        name=name,
        field=gonghui.core.crypto.EncryptedTextField(blank=True, max_length=30, verbose_name=verbose_name),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
    ]

    operations = [
        sealed("historicalofficer", "phone", "电话"),
        sealed("historicalorganisation", "contact_phone", "联系电话"),
        sealed("officer", "phone", "电话"),
        sealed("organisation", "contact_phone", "联系电话"),
        migrations.RunPython(seal_rows, open_rows),
    ]
