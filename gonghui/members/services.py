"""Writes to the member registry. Each is one transaction; the database constraint on one
active membership per person is the last word, these checks only give a clearer message."""

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from gonghui.core import workflow
from gonghui.core.access import MemberScope, Scope
from gonghui.core.audit import audit_record
from gonghui.core.crypto import blind_index
from gonghui.core.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from gonghui.core.masking import mask_name
from gonghui.core.models import AuditEntry
from gonghui.members import hooks, notifications
from gonghui.members.ages import join_age_check
from gonghui.members.identity import IdNumber, birth_date_of, check_id_number, check_mobile, sex_of
from gonghui.members.leave_reasons import leave_reason_get
from gonghui.members.locks import (
    lock_membership,
    lock_memberships_of,
    lock_open_union,
    lock_pending_transfers,
    lock_transfer,
)
from gonghui.members.models import (
    PERSON_DETAILS,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipStatus,
    Person,
    Transfer,
    TransferInitiator,
    TransferStatus,
)
from gonghui.members.roster import match_key
from gonghui.members.selectors import active_membership
from gonghui.members.workflows import covers_receiving, covers_sending, sides_of
from gonghui.organisations.models import Employer, Organisation, OrganisationStatus

PERSON_FIELDS = {"name", *PERSON_DETAILS}
# Read from the identity number, so never edited on their own (see person_update).
IDENTITY_FIELDS = {"id_number", "birth_date", "sex"}
ID_NUMBER_FIXED = gettext_noop(
    "身份证号不能在资料修改中更改，出生日期和性别随身份证号而定。如登记的身份证号有误，"
    "请联系市总工会核实后在管理后台更正（留有修改记录）"
)


def _check_date(on: date, field: str) -> None:
    if on > timezone.localdate():
        raise ValidationFailed(gettext("日期不能晚于今天"), field=field)


def _check_union_open(union: Organisation, field: str = "union") -> None:
    if not union.is_grassroots or union.status != OrganisationStatus.ACTIVE:
        raise ValidationFailed(
            gettext("%(union)s不是正常状态的基层工会，不能接收会员") % {"union": union.name}, field=field
        )


def _check_employer(employer: Employer | None, union: Organisation, field: str = "employer") -> None:
    if employer is not None and employer.union_id not in (None, union.pk):
        raise ValidationFailed(
            gettext("%(employer)s不由%(union)s覆盖") % {"employer": employer.name, "union": union.name}, field=field
        )


def _event(
    membership: Membership, kind: str, on: date, actor: Any, counterpart: Organisation | None = None, reason: str = ""
) -> None:
    MembershipEvent.objects.create(
        person_id=membership.person_id,
        membership=membership,
        kind=kind,
        on=on,
        union_id=membership.union_id,
        counterpart=counterpart,
        reason=reason,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _clean_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    fixed = set(fields) & IDENTITY_FIELDS
    if fixed:
        raise ValidationFailed(ID_NUMBER_FIXED, field=sorted(fixed)[0], code="identity_fixed")
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ValidationFailed(
            gettext("不能修改字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    if "name" in fields and not str(fields["name"]).strip():
        raise ValidationFailed(gettext("姓名不能为空"), field="name")
    if "mobile" in fields:
        fields["mobile"] = check_mobile(fields["mobile"] or "")
    return fields


def member_join_check(*, id_number: str, joined_on: date) -> IdNumber:
    """The identity number as stored, and what to check about this join although it is
    accepted (an old 15-digit number upgraded, an age over the warning age). ValidationFailed
    for a number that cannot be genuine, a join before the birth date or before the minimum
    working age. member_join runs it; pages and the API call it too, to show the warnings."""
    found = check_id_number(id_number)
    birth = birth_date_of(found.number)
    if joined_on < birth:
        raise ValidationFailed(gettext("入会日期早于身份证号中的出生日期"), field="joined_on")
    age = join_age_check(birth, joined_on)
    if age.problem:
        raise ValidationFailed(age.problem, field="joined_on")
    return IdNumber(found.number, [*found.warnings, *([age.warning] if age.warning else [])])


@transaction.atomic
def member_join(
    *,
    scope: Scope,
    union: Organisation,
    id_number: str,
    name: str,
    joined_on: date,
    employer: Employer | None = None,
    confirm_name_change: bool = False,
    confirm_mobile_change: bool = False,
    **person_fields: Any,
) -> Membership:
    """Register a worker (or find them by identity number) and start a membership. A known
    person's name and mobile are changed only when the caller confirms it (see _rejoin).
    The number and the age are checked by member_join_check, whose warnings the caller shows."""
    scope.require_covers(union, field="union")
    _check_union_open(union)
    _check_employer(employer, union)
    _check_date(joined_on, "joined_on")
    number = member_join_check(id_number=id_number, joined_on=joined_on).number
    fields = _clean_person_fields({"name": name, **person_fields})
    union = lock_open_union(union)  # it may have closed since the check above (members.locks)
    person, created = _person_for_join(number, fields)
    if not created:
        current = active_membership(person=person)
        if current is not None:
            raise Conflict(
                gettext("该职工已是%(union)s的会员，请办理转接") % {"union": current.union.name}, field="id_number"
            )
        _rejoin(scope, person, fields, confirm_name=confirm_name_change, confirm_mobile=confirm_mobile_change)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person, union=union, employer=employer, joined_on=joined_on, first_joined_on=joined_on
            )
    except IntegrityError:
        raise Conflict(gettext("该职工已有有效会籍"), field="id_number") from None
    _event(membership, MembershipEventKind.JOIN, joined_on, scope.user)
    return membership


def _person_for_join(number: str, fields: dict[str, Any]) -> tuple[Person, bool]:
    """The person with this identity number, locked, or a new one (and True)."""
    person = _locked_person(number)
    if person is not None:
        return person, False
    try:
        with transaction.atomic():
            person = Person.objects.create(
                id_number=number, birth_date=birth_date_of(number), sex=sex_of(number), **fields
            )
            return person, True
    except IntegrityError:
        # Registered by another request since the look-up (say, joined through the API while
        # their application was accepted on its page): read again and go on as for a known
        # person, whose checks give the message.
        person = _locked_person(number)
        if person is None:
            raise Conflict(gettext("该职工刚由他人登记，请刷新后重试"), field="id_number") from None
        return person, False


def _locked_person(number: str) -> Person | None:
    return Person.objects.select_for_update().filter(id_number_hash=blind_index(number)).first()


def _rejoin(scope: Scope, person: Person, fields: dict[str, Any], *, confirm_name: bool, confirm_mobile: bool) -> None:
    """Someone who was a member before joins again. A different name usually means a
    mistyped identity number that passes the check digit, and a different mobile may be a
    stranger's application, so neither replaces the stored one unless confirmed; a confirmed
    change is kept in the person's history (and so in the audit log) with its reason.
    Empty values keep what is stored."""
    changes = []
    if match_key(fields["name"]) == match_key(person.name):
        fields["name"] = person.name  # the same name with other spacing: keep it as stored
    elif confirm_name:
        changes.append("姓名")
    else:
        raise Conflict(
            gettext(
                "该身份证号已登记的姓名为「%(name)s」，与填写的「%(typed)s」不一致。请核对身份证号；如确为本人改名，请确认修改姓名后再提交"
            )
            % {"name": mask_name(person.name), "typed": fields["name"]},
            field="name",
            code="name_differs",
        )
    mobile = fields.get("mobile")
    if mobile and person.mobile and mobile != person.mobile:
        if not confirm_mobile:
            raise Conflict(
                gettext(
                    "该职工已登记的手机号码与填写的不一致。如确需更换，请确认修改手机号码后再提交；"
                    "不填手机号码则保留原号码"
                ),
                field="mobile",
                code="mobile_differs",
            )
        changes.append("手机号码")
    for key, value in fields.items():
        if value not in (None, ""):
            setattr(person, key, value)
    if changes:
        person._change_reason = f"重新入会时确认修改{'、'.join(changes)}"  # type: ignore[attr-defined]
    if getattr(scope.user, "is_authenticated", False):
        person._history_user = scope.user  # type: ignore[attr-defined]
    person.save()


@transaction.atomic
def person_update(*, scope: Scope, person: Person, **fields: Any) -> Person:
    """Correct a member's details. The person's history (django-simple-history) keeps every
    earlier version with who changed it; the identity number is not changed here."""
    scope.require_staff()
    current = active_membership(person=person)
    if current is None or not scope.covers_path(current.union.path):
        raise Forbidden(gettext("只有会员所在工会及其上级可以修改资料"), field="person")
    cleaned = _clean_person_fields(fields)
    person = Person.objects.select_for_update().get(pk=person.pk)
    for key, value in cleaned.items():
        setattr(person, key, value)
    if getattr(scope.user, "is_authenticated", False):
        person._history_user = scope.user  # type: ignore[attr-defined]
    person._change_reason = "修改资料"  # type: ignore[attr-defined]
    person.save()
    return person


def _require_active(membership: Membership) -> Membership:
    if membership.status != MembershipStatus.ACTIVE:
        raise Conflict(gettext("该会籍已不在有效状态"), field="membership")
    return membership


def _locked_active(membership: Membership) -> Membership:
    return _require_active(lock_membership(membership))


@transaction.atomic
def membership_leave(
    *, scope: Scope, membership: Membership, on: date, reason: str = "", deceased: bool = False, category: str = ""
) -> Membership:
    """End a membership by leaving: with a standard `category` (members/leave_reasons.py;
    去世 ends it as deceased) and `reason` as its note, or with a reason alone."""
    scope.require_covers(membership.union, field="membership")
    _check_date(on, "on")
    reason, deceased = _leave_reason(category, reason.strip(), deceased)
    locked = _locked_active(membership)
    if on < locked.joined_on:
        raise ValidationFailed(gettext("退会日期早于入会日期"), field="on")
    if Transfer.objects.filter(membership=locked, status=TransferStatus.PENDING).exists():
        raise Conflict(gettext("该会员有未完成的转接，请先处理"), field="membership")
    locked.status = MembershipStatus.DECEASED if deceased else MembershipStatus.LEFT
    locked.ended_on, locked.leave_reason = on, reason
    locked.save()
    _event(locked, MembershipEventKind.DEATH if deceased else MembershipEventKind.LEAVE, on, scope.user, reason=reason)
    hooks.announce_membership_ended(hooks.MembershipEnded(locked, on, None, scope.user))
    return locked


def _leave_reason(category: str, note: str, deceased: bool) -> tuple[str, bool]:
    """The reason stored with the leave (the category's Chinese label, then the note) and
    whether the member died."""
    if not category:
        if not note:
            raise ValidationFailed(gettext("请填写退会原因"), field="reason")
        return note, deceased
    found = leave_reason_get(category)
    if found is None:
        raise ValidationFailed(gettext("请从列表中选择退会原因"), field="category")
    with translation.override("zh-hans"):
        label = str(found.label)
    return (f"{label}：{note}" if note else label)[:200], deceased or found.deceased


def _check_transfer_target(membership: Membership, to_union: Organisation, to_employer: Employer | None) -> None:
    _check_union_open(to_union, "to_union")
    if to_employer is not None:
        _check_employer_covered(to_employer, to_union, "to_employer")
    if to_union.pk == membership.union_id:
        raise ValidationFailed(gettext("转入工会与现工会相同"), field="to_union")


def _check_employer_covered(employer: Employer, union: Organisation, field: str) -> None:
    """The employer a transfer lands at must be one the receiving union covers."""
    if employer.union_id != union.pk:
        raise ValidationFailed(
            gettext("%(employer)s不由%(union)s覆盖，请从%(union)s覆盖的单位中选择")
            % {"employer": employer.name, "union": union.name},
            field=field,
        )


def _refuse_second_transfer(membership: Membership) -> None:
    """One pending transfer at a time (the database constraint one_pending_transfer_per_membership
    is the last word): say which one is waiting, so the officer can find it."""
    pending = (
        Transfer.objects.filter(membership=membership, status=TransferStatus.PENDING).select_related("to_union").first()
    )
    if pending is not None:
        raise Conflict(
            gettext("该会员已有一笔待确认的转接（转往%(union)s，%(on)s发起），请先处理")
            % {"union": pending.to_union.name, "on": pending.requested_on.isoformat()},
            field="membership",
            code="transfer_pending",
        )


def _save_new_transfer(transfer: Transfer) -> Transfer:
    try:
        with transaction.atomic():
            transfer.save()
            return transfer
    except IntegrityError:
        raise Conflict(gettext("该会员已有一笔待确认的转接"), field="membership") from None


def _locked_for_transfer(
    membership: Membership, to_union: Organisation, to_employer: Employer | None
) -> tuple[Membership, Organisation]:
    """Checks first for a clear message, then the locks in members.locks order (receiving
    union, then membership) and the checks again on what is now locked."""
    _check_transfer_target(membership, to_union, to_employer)
    to_union = lock_open_union(to_union, field="to_union")
    locked = _locked_active(membership)
    _check_transfer_target(locked, to_union, to_employer)
    _refuse_second_transfer(locked)
    return locked, to_union


@transaction.atomic
def transfer_start(
    *,
    scope: Scope,
    membership: Membership,
    to_union: Organisation,
    on: date,
    to_employer: Employer | None = None,
    note: str = "",
) -> Transfer:
    """The sending union starts a transfer; its start is its own confirmation."""
    scope.require_covers(membership.union, field="membership")
    _check_date(on, "on")
    locked, to_union = _locked_for_transfer(membership, to_union, to_employer)
    transfer = Transfer(
        membership=locked,
        to_union=to_union,
        to_employer=to_employer,
        initiated_by=TransferInitiator.SENDING_UNION,
        requested_on=on,
        sending_confirmed_at=timezone.now(),
        note=note,
        requested_by=scope.user,
    )
    return workflow.start(transfer, "start", scope=scope, create=_save_new_transfer)


@transaction.atomic
def transfer_request_by_member(
    *, scope: Scope, to_union: Organisation, to_employer: Employer | None = None, note: str = ""
) -> Transfer:
    """A member asks to move; both unions must then confirm."""
    if not isinstance(scope, MemberScope):
        raise Forbidden(gettext("只有会员本人可以申请转接"))
    current = Membership.objects.filter(person_id=scope.person_id, status=MembershipStatus.ACTIVE).first()
    if current is None:
        raise Conflict(gettext("您目前没有有效会籍"), field="membership")
    locked, to_union = _locked_for_transfer(current, to_union, to_employer)
    transfer = Transfer(
        membership=locked,
        to_union=to_union,
        to_employer=to_employer,
        initiated_by=TransferInitiator.MEMBER,
        requested_on=timezone.localdate(),
        note=note,
        requested_by=scope.user,
    )
    return workflow.start(transfer, "request", scope=scope, create=_save_new_transfer)


@dataclass(frozen=True)
class TransferSides:
    sending: bool
    receiving: bool


def transfer_sides(*, scope: Scope, transfer: Transfer) -> TransferSides:
    return TransferSides(sending=covers_sending(scope, transfer), receiving=covers_receiving(scope, transfer))


@transaction.atomic
def transfer_confirm(
    *, scope: Scope, transfer: Transfer, on: date | None = None, to_employer: Employer | None = None
) -> Transfer:
    """Confirm for whichever side(s) the scope covers; completes once both have confirmed.
    A side that has already confirmed is told so (409) rather than confirming again.

    The receiving side says where the worker now works: `to_employer`, one of the receiving
    union's employers; without it, the one the sender proposed, else the union's only one."""
    locked = lock_transfer(transfer, completing=True)
    sides = sides_of(scope, locked)
    if not sides:
        raise Forbidden(gettext("您不是该转接的转出或转入方"), field="transfer")
    # Nothing open: the first one's decision says why (already confirmed, or closed).
    steps = [step for step in sides if workflow.is_open(locked, step)] or sides[:1]
    if to_employer is not None and "confirm_receiving" not in steps:
        raise ValidationFailed(gettext("工作单位由转入工会确认接收时选择"), field="to_employer")
    for step in steps:
        change = partial(
            _confirm_side, step=step, on=on or timezone.localdate(), actor=scope.user, to_employer=to_employer
        )
        locked = workflow.decide(locked, step, scope=scope, change=change)
    return locked


def _receiving_employer(transfer: Transfer, chosen: Employer | None) -> Employer | None:
    """The employer the receiving union takes the worker in at (see transfer_confirm)."""
    employer = chosen or transfer.to_employer
    if employer is None:
        covered = list(Employer.objects.filter(union=transfer.to_union).order_by("pk")[:2])
        if len(covered) > 1:
            raise ValidationFailed(
                gettext("请选择该会员在%(union)s的工作单位") % {"union": transfer.to_union.name}, field="to_employer"
            )
        employer = covered[0] if covered else None
    if employer is not None:
        _check_employer_covered(employer, transfer.to_union, "to_employer")
    return employer


def _confirm_side(transfer: Transfer, *, step: str, on: date, actor: Any, to_employer: Employer | None) -> None:
    if step == "confirm_sending":
        transfer.sending_confirmed_at = timezone.now()
    else:
        transfer.to_employer = _receiving_employer(transfer, to_employer)
        transfer.receiving_confirmed_at = timezone.now()
    if transfer.sending_confirmed_at and transfer.receiving_confirmed_at:
        _transfer_complete(transfer, on, actor)
    else:
        transfer.save()


@transaction.atomic
def transfer_refuse(*, scope: Scope, transfer: Transfer, reason: str) -> Transfer:
    change = partial(_refused, reason=reason, actor=scope.user)
    return workflow.decide(transfer, "refuse", scope=scope, reason=reason, change=change)


def _refused(transfer: Transfer, *, reason: str, actor: Any) -> None:
    transfer.status, transfer.refuse_reason = TransferStatus.REFUSED, reason.strip()
    transfer.save()
    notifications.transfer_decided(transfer, actor=actor)


@transaction.atomic
def transfer_cancel(*, scope: Scope, transfer: Transfer) -> Transfer:
    return workflow.decide(transfer, "cancel", scope=scope, change=partial(_cancelled, actor=scope.user))


def _cancelled(transfer: Transfer, *, actor: Any) -> None:
    transfer.status = TransferStatus.CANCELLED
    transfer.save()
    notifications.transfer_decided(transfer, actor=actor)


def _transfer_complete(transfer: Transfer, on: date, actor: Any) -> None:
    """Under the locks of transfer_confirm: the receiving union, then the membership."""
    if transfer.to_union.status != OrganisationStatus.ACTIVE:
        raise Conflict(
            gettext("%(union)s已不是正常状态，不能完成转接") % {"union": transfer.to_union.name}, field="transfer"
        )
    old = _require_active(transfer.membership)
    on = max(on, old.joined_on)
    old.status, old.ended_on = MembershipStatus.TRANSFERRED, on
    old.save()
    new = Membership.objects.create(
        person_id=old.person_id,
        union=transfer.to_union,
        employer=transfer.to_employer,
        joined_on=on,
        first_joined_on=old.first_joined_on,
    )
    _event(old, MembershipEventKind.TRANSFER_OUT, on, actor, counterpart=transfer.to_union)
    _event(new, MembershipEventKind.TRANSFER_IN, on, actor, counterpart=old.union)
    hooks.announce_membership_ended(hooks.MembershipEnded(old, on, new, actor))
    transfer.status, transfer.effective_on = TransferStatus.COMPLETED, on
    transfer.save()
    notifications.transfer_decided(transfer, actor=actor)


def memberships_move_all(*, from_union: Organisation, to_union: Organisation, on: date, reason: str, actor: Any) -> int:
    """Move every active member of a closing union (merge or dissolution) in one go, and
    withdraw the pending transfers out of it and into it, saying why. The closing has
    locked both unions (organisations.services.organisation_change_status), so no join,
    import or transfer lands in the closing union meanwhile; the rows below are locked in
    members.locks order: memberships, then transfers."""
    moved = 0
    for old in lock_memberships_of(from_union):
        old.status, old.ended_on = MembershipStatus.TRANSFERRED, max(on, old.joined_on)
        old.save()
        new = Membership.objects.create(
            person_id=old.person_id,
            union=to_union,
            employer=old.employer,
            joined_on=old.ended_on,
            first_joined_on=old.first_joined_on,
        )
        _event(old, MembershipEventKind.TRANSFER_OUT, old.ended_on, actor, counterpart=to_union, reason=reason)
        _event(new, MembershipEventKind.TRANSFER_IN, old.ended_on, actor, counterpart=from_union, reason=reason)
        moved += 1
    closed = f"{from_union.name}{from_union.get_status_display()}"
    why = closed if reason in ("", str(from_union.get_status_display())) else f"{closed}（{reason}）"
    for transfer in [*lock_pending_transfers(out_of=from_union), *lock_pending_transfers(into=from_union)]:
        change = partial(_cancelled, actor=actor)
        workflow.decide(transfer, "cancel_union_closed", scope=None, actor=actor, reason=why, change=change)
    return moved


def person_reveal_identity(
    *, scope: Scope, person: Person, reason: str, request: HttpRequest | None = None
) -> dict[str, str]:
    """The full identity and mobile numbers, for holders of the permission in the union that
    holds the person's present membership (or above it) who give a reason, always audited: a
    refusal as a denied entry naming whom it was about."""
    try:
        person = _reveal_allowed(scope=scope, person=person, reason=reason)
    except ServiceError as err:
        audit_record(
            actor=scope.user,
            action=AuditEntry.Action.ACCESS_DENIED,
            result=AuditEntry.Result.DENIED,
            subject=person,
            reason=reason,
            request=request,
            detail={"attempted": AuditEntry.Action.REVEAL_ID_NUMBER, "status": err.status_code, "code": err.code},
        )
        raise
    audit_record(
        actor=scope.user, action=AuditEntry.Action.REVEAL_ID_NUMBER, subject=person, reason=reason, request=request
    )
    return {"id_number": person.id_number, "mobile": person.mobile}


def _reveal_allowed(*, scope: Scope, person: Person, reason: str) -> Person:
    from gonghui.members.selectors import person_get

    seen = person_get(scope=scope, pk=person.pk)
    if not scope.is_staff or not scope.has_perm("members.view_full_identity"):
        raise Forbidden(gettext("您没有查看完整身份信息的权限"))
    if not seen.present_here:
        raise Forbidden(gettext("该职工已不在您管辖范围内的工会，不能查看其完整身份信息"), field="person")
    if not reason.strip():
        raise ValidationFailed(gettext("请填写查看理由"), field="reason")
    return seen
