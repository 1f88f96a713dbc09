"""Import error reports stored before numbers were masked quoted a mistyped mobile (or a
number typed into the wrong column) in full; mask them as new reports are. One way only: the
masked digits are gone. The uploaded files themselves are removed by `purge_imports`."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gonghui.core.masking import mask_numbers

# An employer's credit code is quoted on purpose and is nobody's personal number.
UNMASKED_COLUMNS = {"统一社会信用代码"}


def masked(error: dict[str, Any]) -> dict[str, Any]:
    column, message = str(error.get("column", "")), str(error.get("message", ""))
    if column in UNMASKED_COLUMNS:
        return error
    mobile = column == "手机号码"
    return {**error, "column": mask_numbers(column), "message": mask_numbers(message, mobile=mobile)}


def mask_reports(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ImportJob = apps.get_model("members", "ImportJob")
    for job in ImportJob.objects.exclude(error_count=0).only("pk", "errors").iterator(chunk_size=500):
        errors = [masked(error) for error in job.errors]
        if errors != job.errors:
            ImportJob.objects.filter(pk=job.pk).update(errors=errors)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_encrypt_personal_numbers")]

    operations = [migrations.RunPython(mask_reports, migrations.RunPython.noop, elidable=True)]
