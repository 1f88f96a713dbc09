"""Approvals as data: a process kind lists its steps, each with the states it may be taken
from, the states it leads to and who may take it; `decide` takes one step the same way for
every process. Membership transfers (members.workflows) and applications
(enrolment.workflows) use it; hardship files, claims and arrears cases will too.

    decide(obj, "confirm_receiving", scope=scope, change=mark_received)

locks the object (through the process's own lock helper, which takes the app's rows in its
documented order), refuses a step that is not the scope's to take (403) or not open in the
object's state (409: skipped, repeated, or the case is closed), applies the service's
change, records a Decision (who, when, why), writes the audit entry, and, once the
transaction commits, sends `step_decided` (for later listeners; notifications are sent by the processes' own changes).

Written here rather than taken from django-fsm-2 (with django-fsm-log), which do support
Django 5.2: who may take a step depends on the asker's Scope (their organisation subtree)
and on the object, where django-fsm's permission sees only a user; a transfer's
confirmation by two sides leads to "waiting for the other side" or "completed" and reads
its state from two timestamps rather than one field; and the row locks, the 409 messages
and the audit entry would be ours anyway. What remained for the libraries was a
source-state check and a log table, both below."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_noop

from gonghui.core.access import Scope
from gonghui.core.audit import audit_record
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.models import AuditEntry, Decision

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=models.Model)

# The state of an object before its first step: the step that creates it starts from here.
INITIAL = ""

# Sent after the transaction that took a step commits (never for one that rolled back), with
# sender=the process kind, decision=the Decision row and subject=the object.
step_decided = Signal()

Who = Callable[[Scope, Any], bool]


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # "确认转入": said in messages and the audit log
    from_states: frozenset[str]
    to_states: frozenset[str]  # usually one; a confirmation may complete or wait for the other side
    # Who may take it, given the asker's scope and the (locked) object. None: nobody asks for
    # it; the system takes it as part of another change (e.g. a union closing).
    may: Who | None
    refusal: str = gettext_noop("您无权办理此项")  # the 403 message when `may` says no
    refusal_field: str | None = None  # default: the process's field
    # 409 when the step was already taken and the object waits for something else.
    repeated: str = ""
    needs_reason: bool = False
    reason_message: str = "请填写理由"


def _no_detail(obj: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Process:
    kind: str  # "members.transfer"
    model: type[models.Model]
    state_of: Callable[[Any], str]
    # Re-reads the object under row locks for the named step, taken in the owning app's
    # documented order (a step that writes into a union locks the union first).
    lock: Callable[[Any, str], Any]
    steps: tuple[Step, ...]
    field: str  # the error field naming the object: "transfer", "application"
    # The 409 message for a step not open in the object's present state (the case is done).
    closed_message: Callable[[Any, str], str]
    subject_label: Callable[[Any], str] = str
    audit_detail: Callable[[Any], dict[str, Any]] = _no_detail

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"{self.kind} has no step {name!r}")


_processes: dict[type[models.Model], Process] = {}


def register(process: Process) -> Process:
    """Make `process` the one for its model; done where the process is defined."""
    _processes[process.model] = process
    return process


def process_of(obj: models.Model) -> Process:
    return _processes[type(obj)]


def may(obj: models.Model, step: str, *, scope: Scope) -> bool:
    """Whether the scope may take the step on the object (in whatever state it is)."""
    who = process_of(obj).step(step).may
    return who is not None and who(scope, obj)


def is_open(obj: models.Model, step: str) -> bool:
    """Whether the step may be taken from the object's present state."""
    process = process_of(obj)
    return process.state_of(obj) in process.step(step).from_states


@transaction.atomic
def decide(
    obj: T,
    step: str,
    *,
    scope: Scope | None,
    reason: str = "",
    change: Callable[[T], None] | None = None,
    actor: Any = None,
) -> T:
    """Take one step on an existing object and return it, locked and changed. `change` is the
    service's own write (set fields, save, start a membership); it runs after the checks.
    `scope=None` (with `actor`) only for steps the system takes, whose `may` is None."""
    process = process_of(obj)
    definition = process.step(step)
    locked = process.lock(obj, step)
    _check_who(process, definition, scope, locked)
    before = process.state_of(locked)
    _check_open(process, definition, locked, before)
    reason = _check_reason(definition, reason)
    if change is not None:
        change(locked)
    _record(process, definition, locked, before, scope=scope, actor=actor, reason=reason)
    return locked


@transaction.atomic
def start(obj: T, step: str, *, scope: Scope, create: Callable[[T], T], reason: str = "") -> T:
    """Take a process's first step: check who may on the object not yet saved, let the
    service `create` it (the caller has taken its locks), and record the step."""
    process = _processes[type(obj)]
    definition = process.step(step)
    if INITIAL not in definition.from_states:
        raise ValueError(f"{process.kind}:{step} does not start the process")
    _check_who(process, definition, scope, obj)
    reason = _check_reason(definition, reason)
    created = create(obj)
    _record(process, definition, created, INITIAL, scope=scope, actor=None, reason=reason)
    return created


def decisions_of(obj: models.Model) -> models.QuerySet[Decision]:
    """The steps taken on the object, oldest first."""
    return Decision.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


def _check_who(process: Process, step: Step, scope: Scope | None, obj: Any) -> None:
    allowed = scope is None if step.may is None else scope is not None and step.may(scope, obj)
    if not allowed:
        raise Forbidden(step.refusal, field=step.refusal_field or process.field)


def _check_open(process: Process, step: Step, obj: Any, state: str) -> None:
    if state in step.from_states:
        return
    if step.repeated and state in step.to_states:
        raise Conflict(step.repeated, field=process.field, code="step_repeated")
    raise Conflict(process.closed_message(obj, state), field=process.field, code="step_not_open")


def _check_reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationFailed(step.reason_message, field="reason")
    return reason


def _record(
    process: Process, step: Step, obj: Any, before: str, *, scope: Scope | None, actor: Any, reason: str
) -> Decision:
    after = process.state_of(obj)
    if after not in step.to_states:
        # The service's change and the step's definition disagree: a bug, not a user's error.
        raise RuntimeError(f"{process.kind}:{step.name} led to {after!r}, not one of {sorted(step.to_states)}")
    user = scope.user if scope is not None else actor
    decision = Decision.objects.create(
        process=process.kind,
        step=step.name,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        from_state=before,
        to_state=after,
        decided_by=user if getattr(user, "is_authenticated", False) else None,
        decided_as=scope.role if scope is not None else "",
        reason=reason[:500],
    )
    audit_record(
        actor=user,
        action=AuditEntry.Action.DECISION,
        subject=obj,
        subject_label=process.subject_label(obj),
        reason=reason,
        detail={"process": process.kind, "step": step.name, "from": before, "to": after, **process.audit_detail(obj)},
    )
    transaction.on_commit(lambda: _announce(process.kind, decision, obj))
    return decision


def _announce(kind: str, decision: Decision, obj: Any) -> None:
    # The step is committed whatever a subscriber does: a failing notification is logged, not raised.
    for receiver, result in step_decided.send_robust(sender=kind, decision=decision, subject=obj):
        if isinstance(result, Exception):
            logger.error("step_decided receiver %r failed", receiver, exc_info=result)
