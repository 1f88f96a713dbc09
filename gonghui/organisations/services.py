"""Writes to the organisation tree and employers; each runs in one transaction."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core.access import Scope
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.tree import subtree_q
from gonghui.organisations import hooks
from gonghui.organisations.identity import check_code, check_uscc
from gonghui.organisations.locks import lock_organisations
from gonghui.organisations.models import (
    GRASSROOTS_KINDS,
    Employer,
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
        raise ValidationFailed("日期不能晚于今天", field=field)


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
            raise Forbidden("只有系统管理员可以建立市总工会")
        _check_code_free(code)
        return Organisation.objects.add_root(
            instance=Organisation(
                code=code, name=name, kind=kind, founded_on=founded_on, status_since=founded_on, **fields
            )
        )
    scope.require_covers(parent)
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationFailed(f"{parent.get_kind_display()}下不能设立{OrganisationKind(kind).label}", field="kind")
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
        raise Conflict(f"组织代码 {code} 已被使用", field="code") from None
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
        raise Conflict(f"组织代码 {code} 已被使用", field="code")
    similar = organisation_code_look_alike(code=code)
    if similar:
        raise Conflict(
            f"组织代码 {code} 与已有的 {similar} 只差字母 O、I 与数字 0、1，容易看错，请换一个", field="code"
        )


UPDATABLE_ORG_FIELDS = {"name", "uscc", "founded_on", "contact_name", "contact_phone", "address"}


@transaction.atomic
def organisation_update(*, scope: Scope, organisation: Organisation, **fields: Any) -> Organisation:
    scope.require_covers(organisation)
    unknown = set(fields) - UPDATABLE_ORG_FIELDS
    if unknown:
        raise ValidationFailed(f"不能修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
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
        raise ValidationFailed("状态只能是合并或撤销", field="status")
    if status == OrganisationStatus.MERGED:
        if merged_into is None or merged_into.pk == organisation.pk:
            raise ValidationFailed("请选择一个正常状态的合并对象", field="merged_into")
        scope.require_covers(merged_into)
        target = merged_into
    else:
        target = Organisation.objects.get_parent(organisation)
        if target is None:
            raise ValidationFailed("最上级组织不能撤销", field="status")
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
    Employer.objects.filter(union=organisation).update(union=target)
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
        raise Conflict("该组织已不是正常状态", field="status")
    if (
        organisation.numchild
        and Organisation.objects.filter(
            subtree_q(organisation.path), depth__gt=organisation.depth, status=OrganisationStatus.ACTIVE
        ).exists()
    ):
        raise Conflict("请先处理其下属组织", field="status")
    if target.status != OrganisationStatus.ACTIVE:
        if status == OrganisationStatus.MERGED:
            raise ValidationFailed("请选择一个正常状态的合并对象", field="merged_into")
        raise Conflict("上级组织已不是正常状态，不能撤销", field="status")


@transaction.atomic
def employer_create(
    *, scope: Scope, name: str, uscc: str, town: Organisation, union: Organisation | None = None, **fields: Any
) -> Employer:
    scope.require_covers(town)
    if town.kind != OrganisationKind.TOWN_FEDERATION:
        raise ValidationFailed("所在地须为镇（街道）总工会", field="town")
    if union is not None:
        scope.require_covers(union)
    code = check_uscc(uscc)
    try:
        with transaction.atomic():
            return Employer.objects.create(name=name, uscc=code, town=town, union=union, **fields)
    except IntegrityError:
        raise Conflict(f"统一社会信用代码 {code} 已登记", field="uscc") from None


@transaction.atomic
def employer_update(*, scope: Scope, employer: Employer, **fields: Any) -> Employer:
    scope.require_covers(employer.union or employer.town)
    if "uscc" in fields:
        fields["uscc"] = check_uscc(fields["uscc"])
    for target in ("union", "town"):
        if fields.get(target) is not None:
            scope.require_covers(fields[target])
    for key, value in fields.items():
        setattr(employer, key, value)
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError:
        raise Conflict("统一社会信用代码已登记", field="uscc") from None
    return employer


@transaction.atomic
def officer_appoint(
    *, scope: Scope, organisation: Organisation, role: str, name: str, started_on: date, **fields: Any
) -> Officer:
    scope.require_covers(organisation)
    _check_not_future(started_on, "started_on")
    return Officer.objects.create(organisation=organisation, role=role, name=name, started_on=started_on, **fields)
