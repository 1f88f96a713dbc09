"""The enrolment app's to-do on the workbench (core/todos.py): applications waiting."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core.access import Scope
from gonghui.core.todos import Todo
from gonghui.enrolment.selectors import application_list


def applications_waiting(scope: Scope) -> int:
    return application_list(scope=scope).count()  # pending, in the viewer's unions


TODOS = (
    Todo("enrolment.applications_waiting", _("待审核的入会申请"), applications_waiting, "enrolment:list", order=30),
)
