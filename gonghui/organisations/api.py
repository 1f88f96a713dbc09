"""Organisations and employers over HTTP. Each view parses input, calls a selector or a
service, and shapes the answer; who may see or change what is decided in those layers.

What the URL addresses must be visible to the asker (otherwise 404); an organisation named
in the body as a destination (a parent, a town, a covering union) is resolved unscoped and
refused by the service with 403."""

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from gonghui.core.api_support import ERRORS, CappedPagination, IsoDate, omittable, staff_scope_of
from gonghui.core.text import Line, Note
from gonghui.organisations import selectors, services
from gonghui.organisations.models import (
    Employer,
    EmployerCategory,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationStatusChange,
)

router = Router(tags=["组织"])
employers_router = Router(tags=["用人单位"])


# --- shapes --------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    depth: int
    uscc: str
    founded_on: date | None
    status: str
    status_label: str
    status_since: date | None
    merged_into_id: int | None
    contact_name: str
    contact_phone: str
    address: str

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Organisation) -> str:
        return str(obj.get_status_display())


class OfficerOut(Schema):
    id: int
    role: str
    role_label: str
    name: str
    started_on: date | None
    ended_on: date | None

    @staticmethod
    def resolve_role_label(obj: Officer) -> str:
        return str(obj.get_role_display())


class StatusChangeOut(Schema):
    status: str
    on: date
    merged_into: OrganisationRef | None
    note: str

    @staticmethod
    def resolve_merged_into(obj: OrganisationStatusChange) -> Organisation | None:
        return obj.merged_into


class OrganisationDetailOut(Schema):
    organisation: OrganisationOut
    parent: OrganisationRef | None
    officers: list[OfficerOut] = Field(description="现任干部；带 include_ended=true 时其后是已离任的干部")
    status_changes: list[StatusChangeOut]

    @staticmethod
    def resolve_officers(obj: selectors.OrganisationDetail) -> list[Officer]:
        return [*obj.officers, *obj.former_officers]


class CountsOut(Schema):
    unions: int = Field(description="在册基层工会数（正常状态）")
    employers: int = Field(description="覆盖用人单位数")
    members: int = Field(description="在会会员数")


class TreeNodeOut(Schema):
    organisation: OrganisationOut
    counts: CountsOut
    has_children: bool


class TreeOut(Schema):
    parent: OrganisationOut
    children: list[TreeNodeOut]


class StatsOut(CountsOut):
    organisation: OrganisationRef


class OrganisationIn(Schema):
    parent_id: int
    code: Line = Field(min_length=1, max_length=32)
    name: Line = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    founded_on: IsoDate | None = None
    uscc: Line = Field("", max_length=30)
    contact_name: Line = Field("", max_length=50)
    contact_phone: Line = Field("", max_length=30)
    address: Line = Field("", max_length=200)


class OrganisationPatch(Schema):
    """Only the fields sent are changed. Text fields take no null (send "" to clear); dates
    take null to clear."""

    name: Line = omittable(min_length=1, max_length=200)
    uscc: Line = omittable(max_length=30)
    founded_on: IsoDate | None = None
    contact_name: Line = omittable(max_length=50)
    contact_phone: Line = omittable(max_length=30)
    address: Line = omittable(max_length=200)


class StatusChangeIn(Schema):
    status: Literal["merged", "dissolved"] = Field(description="merged 合并 / dissolved 撤销")
    on: IsoDate
    merged_into_id: int | None = None
    note: Note = Field("", max_length=300)


class EmployerOut(Schema):
    id: int
    name: str
    uscc: str
    category: str
    category_label: str
    industry: str
    staff_count: int
    address: str
    town: OrganisationRef
    union: OrganisationRef | None
    covered_since: date | None

    @staticmethod
    def resolve_category_label(obj: Employer) -> str:
        return str(obj.get_category_display())


class EmployerIn(Schema):
    name: Line = Field(min_length=1, max_length=200)
    uscc: Line = Field(min_length=1, max_length=30)
    town_id: int
    union_id: int | None = None
    category: EmployerCategory = EmployerCategory.PRIVATE
    industry: Line = Field("", max_length=60)
    staff_count: int = Field(0, ge=0)
    address: Line = Field("", max_length=200)
    covered_since: IsoDate | None = None


class EmployerPatch(Schema):
    """Only the fields sent are changed; union_id null means no union covers it any more."""

    name: Line = omittable(min_length=1, max_length=200)
    uscc: Line = omittable(min_length=1, max_length=30)
    town_id: int = omittable()
    union_id: int | None = None
    category: EmployerCategory = omittable()
    industry: Line = omittable(max_length=60)
    staff_count: int = omittable(ge=0)
    address: Line = omittable(max_length=200)
    covered_since: IsoDate | None = None
    union_changed_on: IsoDate | None = Field(
        None, description="覆盖工会变更的日期（默认今天），记入单位覆盖记录；只在变更 union_id 时填写"
    )


class OrganisationFilter(Schema):
    kind: OrganisationKind | None = None
    q: str | None = Field(None, max_length=100, description="名称包含，或组织代码")


class EmployerFilter(Schema):
    q: str | None = Field(None, max_length=100, description="名称包含，或统一社会信用代码")
    union: int | None = Field(None, description="覆盖工会编号")


# --- organisations -------------------------------------------------------------------------


@router.get("", response={200: list[OrganisationOut], **ERRORS}, summary="组织列表（管辖范围内）")
@paginate(CappedPagination)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> object:
    kind = filters.kind.value if filters.kind else None
    return selectors.organisation_list(scope=staff_scope_of(request), kind=kind, query=filters.q)


@router.get("/tree", response={200: TreeOut, **ERRORS}, summary="下一级组织及其下属统计")
def organisation_tree(request: HttpRequest, parent: int | None = None) -> dict[str, object]:
    scope = staff_scope_of(request)
    node = selectors.scope_root(scope=scope) if parent is None else selectors.organisation_get(scope=scope, pk=parent)
    children = selectors.children_with_counts(scope=scope, parent=node)
    return {
        "parent": node,
        "children": [
            {"organisation": child, "counts": counts, "has_children": child.numchild > 0} for child, counts in children
        ],
    }


@router.get("/{int:org_id}", response={200: OrganisationDetailOut, **ERRORS}, summary="组织详情")
def organisation_detail(request: HttpRequest, org_id: int, include_ended: bool = False) -> selectors.OrganisationDetail:
    return selectors.organisation_detail(scope=staff_scope_of(request), pk=org_id, include_ended=include_ended)


@router.get("/{int:org_id}/subtree", response={200: list[OrganisationOut], **ERRORS}, summary="下属全部组织")
@paginate(CappedPagination)
def organisation_subtree(request: HttpRequest, org_id: int, kind: OrganisationKind | None = None) -> object:
    scope = staff_scope_of(request)
    org = selectors.organisation_get(scope=scope, pk=org_id)
    return selectors.organisation_subtree(scope=scope, organisation=org, kind=kind.value if kind else None)


@router.get("/{int:org_id}/stats", response={200: StatsOut, **ERRORS}, summary="下属工会、单位、会员合计")
def organisation_stats(request: HttpRequest, org_id: int) -> dict[str, object]:
    scope = staff_scope_of(request)
    org = selectors.organisation_get(scope=scope, pk=org_id)
    totals = selectors.organisation_totals(scope=scope, organisation=org)
    return {"organisation": org, **totals}


@router.post("", response={201: OrganisationOut, **ERRORS}, summary="设立组织")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    scope = staff_scope_of(request)
    parent = selectors.organisation_target_get(pk=payload.parent_id, field="parent_id")
    fields = payload.model_dump(exclude={"parent_id", "kind"})
    org = services.organisation_create(scope=scope, parent=parent, kind=payload.kind.value, **fields)
    return Status(201, org)


@router.patch("/{int:org_id}", response={200: OrganisationOut, **ERRORS}, summary="修改组织信息")
def organisation_update(request: HttpRequest, org_id: int, payload: OrganisationPatch) -> Organisation:
    scope = staff_scope_of(request)
    org = selectors.organisation_get(scope=scope, pk=org_id)
    return services.organisation_update(scope=scope, organisation=org, **payload.model_dump(exclude_unset=True))


@router.post("/{int:org_id}/status", response={200: OrganisationOut, **ERRORS}, summary="合并或撤销组织")
def organisation_change_status(request: HttpRequest, org_id: int, payload: StatusChangeIn) -> Organisation:
    scope = staff_scope_of(request)
    org = selectors.organisation_get(scope=scope, pk=org_id)
    merged_into = (
        selectors.organisation_target_get(pk=payload.merged_into_id, field="merged_into_id")
        if payload.merged_into_id is not None
        else None
    )
    return services.organisation_change_status(
        scope=scope, organisation=org, status=payload.status, on=payload.on, merged_into=merged_into, note=payload.note
    )


# --- employers -----------------------------------------------------------------------------


@employers_router.get("", response={200: list[EmployerOut], **ERRORS}, summary="用人单位列表（管辖范围内）")
@paginate(CappedPagination)
def employer_list(request: HttpRequest, filters: Query[EmployerFilter]) -> object:
    scope = staff_scope_of(request)
    union = selectors.organisation_get(scope=scope, pk=filters.union) if filters.union is not None else None
    return selectors.employer_list(scope=scope, query=filters.q, union=union)


@employers_router.get("/{int:employer_id}", response={200: EmployerOut, **ERRORS}, summary="用人单位详情")
def employer_detail(request: HttpRequest, employer_id: int) -> Employer:
    return selectors.employer_get(scope=staff_scope_of(request), pk=employer_id)


@employers_router.post("", response={201: EmployerOut, **ERRORS}, summary="登记用人单位")
def employer_create(request: HttpRequest, payload: EmployerIn) -> Status[Employer]:
    scope = staff_scope_of(request)
    town = selectors.organisation_target_get(pk=payload.town_id, field="town_id")
    union = (
        selectors.organisation_target_get(pk=payload.union_id, field="union_id")
        if payload.union_id is not None
        else None
    )
    fields = payload.model_dump(exclude={"town_id", "union_id", "category"})
    employer = services.employer_create(scope=scope, town=town, union=union, category=payload.category.value, **fields)
    return Status(201, employer)


@employers_router.patch("/{int:employer_id}", response={200: EmployerOut, **ERRORS}, summary="修改用人单位")
def employer_update(request: HttpRequest, employer_id: int, payload: EmployerPatch) -> Employer:
    scope = staff_scope_of(request)
    employer = selectors.employer_get(scope=scope, pk=employer_id)
    fields = payload.model_dump(exclude_unset=True)
    for key, name in (("town_id", "town"), ("union_id", "union")):
        if key in fields:
            pk = fields.pop(key)
            fields[name] = selectors.organisation_target_get(pk=pk, field=key) if pk is not None else None
    if "category" in fields:
        fields["category"] = EmployerCategory(fields["category"]).value
    return services.employer_update(scope=scope, employer=employer, **fields)
