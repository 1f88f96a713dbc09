"""The member registry's to-dos on the workbench (core/todos.py): transfers waiting for the
viewer's side to confirm, out of their unions and into them, and roster imports refused for
errors that nobody has uploaded again since."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from gonghui.core.access import Scope
from gonghui.core.todos import Todo
from gonghui.members.importing import import_job_list
from gonghui.members.models import ImportJob, ImportStatus, TransferStatus
from gonghui.members.selectors import transfer_list


def transfers_out_to_confirm(scope: Scope) -> int:
    """Pending transfers leaving the viewer's unions that their side has not confirmed."""
    scope.require_staff()
    pending = transfer_list(scope=scope, status=TransferStatus.PENDING)
    return pending.filter(scope.organisation_q("membership__union__"), sending_confirmed_at__isnull=True).count()


def transfers_in_to_confirm(scope: Scope) -> int:
    """Pending transfers into the viewer's unions that their side has not confirmed."""
    scope.require_staff()
    pending = transfer_list(scope=scope, status=TransferStatus.PENDING)
    return pending.filter(scope.organisation_q("to_union__"), receiving_confirmed_at__isnull=True).count()


def imports_with_errors(scope: Scope) -> int:
    """Refused imports with no later upload for the same union: the file still needs fixing."""
    scope.require_staff()
    later = ImportJob.objects.filter(union=OuterRef("union"), created_at__gt=OuterRef("created_at"))
    waiting = (ImportStatus.REJECTED, ImportStatus.CHOOSE_SHEET)  # a sheet to choose is the officer's to do too
    return import_job_list(scope=scope).filter(status__in=waiting).exclude(Exists(later)).count()


TODOS = (
    Todo("members.transfers_out", _("待确认的转出"), transfers_out_to_confirm, "members:transfers", order=10),
    Todo("members.transfers_in", _("待确认的转入"), transfers_in_to_confirm, "members:transfers", order=20),
    Todo("members.imports_with_errors", _("有错误的花名册导入"), imports_with_errors, "members:import", order=40),
)
