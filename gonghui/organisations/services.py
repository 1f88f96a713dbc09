"""Writes to the organisation tree and employers; each runs in one transaction."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from gonghui.core.access import Scope
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.tree import subtree_q
from gonghui.organisations import hooks
from gonghui.organisations.identity import check_code, check_uscc
from gonghui.organisations.locks import lock_employer, lock_employers_of, lock_organisation, lock_organisations
from gonghui.organisations.models import (
    GRASSROOTS_KINDS,
    Employer,
    EmployerCoverage,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    OrganisationStatusChange,
)
from gonghui.organisations.selectors import organisation_code_look_alike

# Which kinds may sit under which: the city holds towns (and city-wide industry federations),
# towns hold grassroots unions, industry federations and district unions hold member unions.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    OrganisationKind.CITY_FEDERATION: {OrganisationKind.TOWN_FEDERATION, *GRASSROOTS_KINDS},
    OrganisationKind.TOWN_FEDERATION: set(GRASSROOTS_KINDS),
    OrganisationKind.INDUSTRY_FEDERATION: {OrganisationKind.ENTERPRISE_UNION, OrganisationKind.JOINT_UNION},
    OrganisationKind.DISTRICT_UNION: {OrganisationKind.ENTERPRISE_UNION, OrganisationKind.JOINT_UNION},
    OrganisationKind.JOINT_UNION: set(),
    OrganisationKind.ENTERPRISE_UNION: set(),
}


def _check_not_future(on: date | None, field: str) -> None:
    if on and on > timezone.localdate():
        raise ValidationFailed(gettext("日期不能晚于今天"), field=field)


@transaction.atomic
def organisation_create(
    *,
    scope: Scope,
    parent: Organisation | None,
    code: str,
    name: str,
    kind: str,
    founded_on: date | None = None,
    **fields: Any,
) -> Organisation:
    _check_not_future(founded_on, "founded_on")
    code = check_code(code)
    if fields.get("uscc"):
        fields["uscc"] = check_uscc(fields["uscc"])
    if parent is None:
        if not scope.user.is_superuser:
            raise Forbidden(gettext("只有系统管理员可以建立市总工会"))
        _check_code_free(code)
        return Organisation.objects.add_root(
            instance=Organisation(
                code=code, name=name, kind=kind, founded_on=founded_on, status_since=founded_on, **fields
            )
        )
    scope.require_covers(parent)
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationFailed(
            gettext("%(kind)s下不能设立%(label)s")
            % {"kind": gettext(parent.get_kind_display()), "label": gettext(OrganisationKind(kind).label)},
            field="kind",
        )
    _check_code_free(code)
    try:
        with transaction.atomic():  # the code may be taken between the check and the insert
            child = Organisation.objects.add_child(
                parent,
                instance=Organisation(
                    code=code, name=name, kind=kind, founded_on=founded_on, status_since=founded_on, **fields
                ),
            )
    except IntegrityError:
        raise Conflict(gettext("组织代码 %(code)s 已被使用") % {"code": code}, field="code") from None
    OrganisationStatusChange.objects.create(
        organisation=child,
        status=OrganisationStatus.ACTIVE,
        on=founded_on or timezone.localdate(),
        note="成立",
        recorded_by=scope.user,
    )
    return child


def _check_code_free(code: str) -> None:
    if Organisation.objects.filter(code=code).exists():
        raise Conflict(gettext("组织代码 %(code)s 已被使用") % {"code": code}, field="code")
    similar = organisation_code_look_alike(code=code)
    if similar:
        raise Conflict(
            gettext("组织代码 %(code)s 与已有的 %(similar)s 只差字母 O、I 与数字 0、1，容易看错，请换一个")
            % {"code": code, "similar": similar},
            field="code",
        )


UPDATABLE_ORG_FIELDS = {"name", "uscc", "founded_on", "contact_name", "contact_phone", "address"}


@transaction.atomic
def organisation_update(*, scope: Scope, organisation: Organisation, **fields: Any) -> Organisation:
    scope.require_covers(organisation)
    unknown = set(fields) - UPDATABLE_ORG_FIELDS
    if unknown:
        raise ValidationFailed(
            gettext("不能修改字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    if fields.get("uscc"):
        fields["uscc"] = check_uscc(fields["uscc"])
    _check_not_future(fields.get("founded_on"), "founded_on")
    for key, value in fields.items():
        setattr(organisation, key, value)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_change_status(
    *,
    scope: Scope,
    organisation: Organisation,
    status: str,
    on: date,
    merged_into: Organisation | None = None,
    note: str = "",
) -> Organisation:
    """Merge or dissolve a union. Its employers, and through the closure hooks its active
    members (and what programmes hold for them), follow: into the union it merged into, or,
    on dissolution, to the organisation one level up.

    The closing union and the one its members go to are locked first (organisations.locks)
    and every check is made under the lock: each write into a union (join, import, a
    transfer's start and completion) takes the same lock and re-checks the status, so none
    lands in a union that closed meanwhile, and a second closing waits, then gets 409."""
    scope.require_covers(organisation)
    _check_not_future(on, "on")
    if status not in (OrganisationStatus.MERGED, OrganisationStatus.DISSOLVED):
        raise ValidationFailed(gettext("状态只能是合并或撤销"), field="status")
    if status == OrganisationStatus.MERGED:
        if merged_into is None or merged_into.pk == organisation.pk:
            raise ValidationFailed(gettext("请选择一个正常状态的合并对象"), field="merged_into")
        scope.require_covers(merged_into)
        target = merged_into
    else:
        target = Organisation.objects.get_parent(organisation)
        if target is None:
            raise ValidationFailed(gettext("最上级组织不能撤销"), field="status")
    organisation, target = lock_organisations(organisation, target)
    _check_can_close(organisation, target, status)
    organisation.status, organisation.status_since = status, on
    organisation.merged_into = target if status == OrganisationStatus.MERGED else None
    organisation.save()
    OrganisationStatusChange.objects.create(
        organisation=organisation,
        status=status,
        on=on,
        merged_into=organisation.merged_into,
        note=note,
        recorded_by=scope.user,
    )
    _employers_follow(organisation, target, on, reason=f"{organisation.name}{OrganisationStatus(status).label}")
    hooks.announce_closure(
        hooks.UnionClosure(
            union=organisation,
            kind=status,
            target=target,
            on=on,
            reason=note or str(OrganisationStatus(status).label),
            actor=scope.user,
        )
    )
    return organisation


def _check_can_close(organisation: Organisation, target: Organisation, status: str) -> None:
    """Checked on the locked rows: the union is still open, has no open units below it, and
    the union its members go to is open too."""
    if organisation.status != OrganisationStatus.ACTIVE:
        raise Conflict(gettext("该组织已不是正常状态"), field="status")
    if (
        organisation.numchild
        and Organisation.objects.filter(
            subtree_q(organisation.path), depth__gt=organisation.depth, status=OrganisationStatus.ACTIVE
        ).exists()
    ):
        raise Conflict(gettext("请先处理其下属组织"), field="status")
    if target.status != OrganisationStatus.ACTIVE:
        if status == OrganisationStatus.MERGED:
            raise ValidationFailed(gettext("请选择一个正常状态的合并对象"), field="merged_into")
        raise Conflict(gettext("上级组织已不是正常状态，不能撤销"), field="status")


def _employers_follow(organisation: Organisation, target: Organisation, on: date, *, reason: str) -> None:
    """A closing union's employers pass to the target from the closing day, their coverage
    history saying so. Under the closing's locks on both unions; employers locked next."""
    for employer in lock_employers_of(organisation):
        _coverage_change(employer, target, on, reason=reason, strict=False)
    Employer.objects.filter(union=organisation).update(union=target)


def _coverage_change(employer: Employer, union: Organisation | None, on: date, *, reason: str, strict: bool) -> None:
    """End the employer's open coverage on `on` and, if a union takes it over, open the next
    from the same day (end dates are exclusive). A change dated before the open stretch
    began is refused when an officer typed the date (`strict`); a closing recorded late
    ends that stretch the day it began instead, as memberships do."""
    current = EmployerCoverage.objects.select_for_update().filter(employer=employer, ended_on__isnull=True).first()
    if current is not None:
        if union is not None and current.union_id == union.pk:
            return
        if on < current.started_on and strict:
            raise ValidationFailed(
                _("变更日期早于%(union)s开始覆盖该单位的日期（%(since)s）")
                % {"union": current.union.name, "since": current.started_on.isoformat()},
                field="union_changed_on",
            )
        on = max(on, current.started_on)
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    if union is not None:
        EmployerCoverage.objects.create(employer=employer, union=union, started_on=on, reason=reason)


def _check_union_takes_employers(union: Organisation) -> None:
    if union.status != OrganisationStatus.ACTIVE:
        raise ValidationFailed(_("%(union)s已不是正常状态，不能覆盖用人单位") % {"union": union.name}, field="union")


@transaction.atomic
def employer_create(
    *, scope: Scope, name: str, uscc: str, town: Organisation, union: Organisation | None = None, **fields: Any
) -> Employer:
    """Register an employer; one covered by a union starts its coverage history on the day
    it was first covered (covered_since), else today."""
    scope.require_covers(town)
    if town.kind != OrganisationKind.TOWN_FEDERATION:
        raise ValidationFailed(gettext("所在地须为镇（街道）总工会"), field="town")
    _check_not_future(fields.get("covered_since"), "covered_since")
    if union is not None:
        scope.require_covers(union)
        _check_union_takes_employers(union)
        union = lock_organisation(union)
        _check_union_takes_employers(union)
    code = check_uscc(uscc)
    try:
        with transaction.atomic():
            employer = Employer.objects.create(name=name, uscc=code, town=town, union=union, **fields)
    except IntegrityError:
        raise Conflict(gettext("统一社会信用代码 %(code)s 已登记") % {"code": code}, field="uscc") from None
    if union is not None:
        start = employer.covered_since or timezone.localdate()
        EmployerCoverage.objects.create(employer=employer, union=union, started_on=start)
    return employer


@transaction.atomic
def employer_update(
    *, scope: Scope, employer: Employer, union_changed_on: date | None = None, **fields: Any
) -> Employer:
    """Change an employer. A new union (or none) is dated `union_changed_on` (default today)
    in the coverage history; the first union an employer gets is dated from its covered_since
    when it has one. A corrected covered_since moves the start of its first stretch."""
    scope.require_covers(employer.union or employer.town)
    if "uscc" in fields:
        fields["uscc"] = check_uscc(fields["uscc"])
    for target in ("union", "town"):
        if fields.get(target) is not None:
            scope.require_covers(fields[target])
    new_union = fields.get("union")
    union_changes = "union" in fields and (new_union.pk if new_union else None) != employer.union_id
    _check_union_change(union_changes, new_union, union_changed_on, fields.get("covered_since"))
    if union_changes and new_union is not None:
        fields["union"] = lock_organisation(new_union)
        _check_union_takes_employers(fields["union"])
    employer = lock_employer(employer)
    had_union = employer.union_id is not None
    for key, value in fields.items():
        setattr(employer, key, value)
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError:
        raise Conflict(gettext("统一社会信用代码已登记"), field="uscc") from None
    if union_changes:
        first_day = None if had_union else employer.covered_since
        on = union_changed_on or first_day or timezone.localdate()
        _coverage_change(employer, employer.union, on, reason="变更覆盖工会", strict=True)
    elif fields.get("covered_since") is not None:
        _first_coverage_starts(employer, fields["covered_since"])
    return employer


def _check_union_change(
    union_changes: bool, union: Organisation | None, on: date | None, covered_since: date | None
) -> None:
    _check_not_future(on, "union_changed_on")
    _check_not_future(covered_since, "covered_since")
    if on is not None and not union_changes:
        raise ValidationFailed(_("覆盖工会没有变更，不需要填写变更日期"), field="union_changed_on")
    if union_changes and union is not None:
        _check_union_takes_employers(union)


def _first_coverage_starts(employer: Employer, day: date) -> None:
    """covered_since corrected: the employer's first stretch of coverage starts that day."""
    first = EmployerCoverage.objects.select_for_update().filter(employer=employer).order_by("started_on", "pk").first()
    if first is None or first.started_on == day:
        return
    if first.ended_on is not None and day > first.ended_on:
        raise ValidationFailed(
            _("建会（覆盖）日期晚于该单位由%(union)s覆盖结束的日期（%(until)s）")
            % {"union": first.union.name, "until": first.ended_on.isoformat()},
            field="covered_since",
        )
    first.started_on = day
    first.save(update_fields=["started_on"])


@transaction.atomic
def officer_appoint(
    *, scope: Scope, organisation: Organisation, role: str, name: str, started_on: date, **fields: Any
) -> Officer:
    scope.require_covers(organisation)
    _check_not_future(started_on, "started_on")
    return Officer.objects.create(organisation=organisation, role=role, name=name, started_on=started_on, **fields)
