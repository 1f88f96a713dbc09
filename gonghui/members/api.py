"""Members over HTTP: search, the one view of a worker, join, update, leave, transfer, the
member's own record, and the audited reveal of full identity numbers. Views parse input,
call a selector or a service, and shape the answer; access is decided in those layers.

Identity and mobile numbers leave this module masked, except from the reveal endpoint.
A person addressed in the URL must be visible to the asker (else 404); acting on a
membership whose union is outside the asker's subtree is refused by the service (403).
A former union (`past_only`) gets its own past memberships of the person and none of their
present: mobile and the other personal details come back null."""

from datetime import date
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from gonghui.core.api_jobs import JobOut
from gonghui.core.api_support import ERRORS, CappedPagination, IsoDate, omittable, scope_of, staff_scope_of
from gonghui.core.downloads import attachment
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.models import Job
from gonghui.core.text import Line, Note
from gonghui.core.xlsx import XLSX_TYPE
from gonghui.members import selectors, services
from gonghui.members.exports import member_export_submit, members_export_xlsx
from gonghui.members.models import (
    Education,
    Membership,
    MembershipEvent,
    Person,
    SkillLevel,
    Transfer,
)
from gonghui.organisations.models import Employer, Organisation
from gonghui.organisations.selectors import employer_target_get, organisation_target_get

router = Router(tags=["会员"])

# --- shapes --------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class EmployerRef(Schema):
    id: int
    name: str


def _present(obj: object) -> bool:
    # Rows come from the selectors with present_here; anything else shows nothing present.
    return bool(getattr(obj, "present_here", False))


FIRST_JOINED = "入会时间：首次入会的日期，转接和工会合并、撤销时不变；退会后重新入会则重新起算"
JOINED = "转入时间：转入（或加入）本会籍所在工会的日期"
YEARS = "会龄（整年），自入会时间起算"


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: date
    id_number_masked: str
    past_only: bool = Field(description="为真时您所在工会只是其曾经的工会：只见本辖区的历史会籍，不见其现状")
    mobile_masked: str | None
    household_registration: str | None
    education: str | None
    skill_level: str | None
    is_migrant_worker: bool
    ethnicity: str | None = Field(description="民族，如“汉族”")
    political_status: str | None = Field(description="政治面貌，GB/T 4762 代码：01 中共党员 … 13 群众")

    @staticmethod
    def resolve_id_number_masked(obj: Person) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_past_only(obj: Person) -> bool:
        return not _present(obj)

    @staticmethod
    def resolve_mobile_masked(obj: Person) -> str | None:
        return mask_mobile(obj.mobile) if _present(obj) else None

    @staticmethod
    def resolve_household_registration(obj: Person) -> str | None:
        return obj.household_registration if _present(obj) else None

    @staticmethod
    def resolve_education(obj: Person) -> str | None:
        return obj.education if _present(obj) else None

    @staticmethod
    def resolve_skill_level(obj: Person) -> str | None:
        return obj.skill_level if _present(obj) else None

    @staticmethod
    def resolve_ethnicity(obj: Person) -> str | None:
        return obj.ethnicity if _present(obj) else None

    @staticmethod
    def resolve_political_status(obj: Person) -> str | None:
        return obj.political_status if _present(obj) else None


class MemberOut(Schema):
    """One membership row of the member list."""

    membership_id: int
    person_id: int
    name: str
    sex: str
    id_number_masked: str
    past_only: bool = Field(description="为真时该职工已离开本辖区：本行只是本辖区的历史会籍，不显示手机号码")
    mobile_masked: str | None
    is_migrant_worker: bool
    union: OrganisationRef
    employer: EmployerRef | None
    first_joined_on: date = Field(description=FIRST_JOINED)
    joined_on: date = Field(description=JOINED)
    years: int = Field(description=YEARS)
    ended_on: date | None
    status: str
    status_label: str

    @staticmethod
    def resolve_membership_id(obj: Membership) -> int:
        return obj.pk

    @staticmethod
    def resolve_name(obj: Membership) -> str:
        return obj.person.name

    @staticmethod
    def resolve_sex(obj: Membership) -> str:
        return obj.person.sex

    @staticmethod
    def resolve_id_number_masked(obj: Membership) -> str:
        return mask_id_number(obj.person.id_number)

    @staticmethod
    def resolve_past_only(obj: Membership) -> bool:
        return not _present(obj)

    @staticmethod
    def resolve_mobile_masked(obj: Membership) -> str | None:
        return mask_mobile(obj.person.mobile) if _present(obj) else None

    @staticmethod
    def resolve_is_migrant_worker(obj: Membership) -> bool:
        return obj.person.is_migrant_worker

    @staticmethod
    def resolve_status_label(obj: Membership) -> str:
        return str(obj.get_status_display())


class MembershipOut(Schema):
    id: int
    union: OrganisationRef
    employer: EmployerRef | None
    department: str = Field(description="部门（车间），如花名册所填")
    job_title: str = Field(description="岗位/职务，如花名册所填")
    first_joined_on: date = Field(description=FIRST_JOINED)
    joined_on: date = Field(description=JOINED)
    years: int = Field(description=YEARS)
    ended_on: date | None
    status: str
    status_label: str
    leave_reason: str

    @staticmethod
    def resolve_status_label(obj: Membership) -> str:
        return str(obj.get_status_display())


class EventOut(Schema):
    kind: str
    kind_label: str
    on: date
    union: OrganisationRef
    counterpart: OrganisationRef | None
    reason: str

    @staticmethod
    def resolve_kind_label(obj: MembershipEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_counterpart(obj: MembershipEvent) -> Organisation | None:
        # The other side of a transfer outside the asker's subtree stays unnamed.
        return obj.counterpart if getattr(obj, "counterpart_shown", False) else None


class PersonDetailOut(Schema):
    person: PersonOut
    memberships: list[MembershipOut]
    events: list[EventOut]


class TransferOut(Schema):
    id: int
    person_id: int
    person_name: str
    id_number_masked: str
    from_union: OrganisationRef
    to_union: OrganisationRef
    to_employer: EmployerRef | None
    initiated_by: str
    status: str
    status_label: str
    requested_on: date
    effective_on: date | None
    sending_confirmed: bool
    receiving_confirmed: bool
    refuse_reason: str
    note: str

    @staticmethod
    def resolve_person_id(obj: Transfer) -> int:
        return obj.membership.person_id

    @staticmethod
    def resolve_person_name(obj: Transfer) -> str:
        return obj.membership.person.name

    @staticmethod
    def resolve_id_number_masked(obj: Transfer) -> str:
        return mask_id_number(obj.membership.person.id_number)

    @staticmethod
    def resolve_from_union(obj: Transfer) -> Organisation:
        return obj.membership.union

    @staticmethod
    def resolve_status_label(obj: Transfer) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_sending_confirmed(obj: Transfer) -> bool:
        return obj.sending_confirmed_at is not None

    @staticmethod
    def resolve_receiving_confirmed(obj: Transfer) -> bool:
        return obj.receiving_confirmed_at is not None


class IdentityOut(Schema):
    id_number: str
    mobile: str


StatusFilter = Literal["active", "transferred", "left", "deceased", "all"]


class MemberQuery(Schema):
    q: str = Field("", max_length=50, description="姓名开头、完整身份证号或完整手机号")
    union: int | None = Field(None, description="工会编号（含其下属）")
    status: StatusFilter = Field("active", description="会籍状态；all 为全部")
    migrant: bool = Field(False, description="只看新居民（农民工）")
    joined_from: IsoDate | None = None
    joined_to: IsoDate | None = None
    employer: int | None = Field(None, description="用人单位编号")


class MemberExportIn(MemberQuery):
    q: Line = Field("", max_length=50, description="姓名开头、完整身份证号或完整手机号")


class JoinIn(Schema):
    union_id: int
    id_number: Line = Field(min_length=1, max_length=30)
    name: Line = Field(min_length=1, max_length=50)
    joined_on: IsoDate
    employer_id: int | None = None
    mobile: Line = Field("", max_length=20)
    household_registration: Line = Field("", max_length=100)
    education: Education | Literal[""] = ""
    skill_level: SkillLevel = SkillLevel.NONE
    is_migrant_worker: bool = False
    confirm_name_change: bool = Field(
        False, description="该身份证号已登记而姓名不同（409 name_differs）时，确认是本人改名"
    )
    confirm_mobile_change: bool = Field(
        False, description="该身份证号已登记而手机号码不同（409 mobile_differs）时，确认更换手机号码"
    )


class PersonPatch(Schema):
    """Only the fields sent are changed; birth date and sex follow the identity number."""

    name: Line = omittable(min_length=1, max_length=50)
    mobile: Line = omittable(max_length=20)
    household_registration: Line = omittable(max_length=100)
    education: Education | Literal[""] = omittable()
    skill_level: SkillLevel = omittable()
    is_migrant_worker: bool = omittable()


class LeaveIn(Schema):
    on: IsoDate
    reason: Note = Field(min_length=1, max_length=200)
    deceased: bool = False


class TransferStartIn(Schema):
    to_union_id: int
    to_employer_id: int | None = None
    on: IsoDate
    note: Note = Field("", max_length=200)


class TransferRequestIn(Schema):
    to_union_id: int
    to_employer_id: int | None = None
    note: Note = Field("", max_length=200)


class ConfirmIn(Schema):
    on: IsoDate | None = Field(None, description="转接日期，默认今天")
    to_employer_id: int | None = Field(
        None,
        description="转入工会确认时选择会员的工作单位（须由转入工会覆盖）；不填则用发起时提出的单位，"
        "转入工会只覆盖一家单位时即为该单位",
    )


class RefuseIn(Schema):
    reason: Note = Field(min_length=1, max_length=200)


class RevealIn(Schema):
    # Not required here: the service refuses a missing reason, and logs the refusal.
    reason: Note = Field("", max_length=500, description="查看理由（必填，写入审计日志）")


# --- helpers -------------------------------------------------------------------------------


def _member_filter(request: HttpRequest, query: MemberQuery) -> selectors.MemberFilter:
    return selectors.member_filter(
        scope=scope_of(request),
        union_id=query.union,
        query=query.q,
        status=None if query.status == "all" else query.status,
        migrant_only=query.migrant,
        joined_from=query.joined_from,
        joined_to=query.joined_to,
        employer_id=query.employer,
    )


def _transfer_target(union_id: int, employer_id: int | None) -> tuple[Organisation, Employer | None]:
    to_union = organisation_target_get(pk=union_id, field="to_union_id")
    to_employer = employer_target_get(pk=employer_id, field="to_employer_id") if employer_id is not None else None
    return to_union, to_employer


# --- members -------------------------------------------------------------------------------


@router.get("", response={200: list[MemberOut], **ERRORS}, summary="会员查询（管辖范围内）")
@paginate(CappedPagination)
def member_list(request: HttpRequest, query: Query[MemberQuery]) -> object:
    scope = staff_scope_of(request)
    return selectors.member_search(scope=scope, filters=_member_filter(request, query))


@router.get(
    "/export.xlsx",
    response={200: None, **ERRORS},
    summary="导出会员名单（.xlsx，条件同查询）",
    openapi_extra={"responses": {200: {"description": "xlsx", "content": {XLSX_TYPE: {}}}}},
)
def member_export(request: HttpRequest, query: Query[MemberQuery]) -> HttpResponse:
    scope = staff_scope_of(request)
    content = members_export_xlsx(scope=scope, filters=_member_filter(request, query), request=request)
    return attachment(content, XLSX_TYPE, "会员名单.xlsx")


@router.post(
    "/exports",
    response={202: JobOut, **ERRORS},
    summary="在后台导出会员名单（条件同查询）；返回任务，完成后从 /api/v1/jobs/{id}/download 下载",
)
def member_export_start(request: HttpRequest, payload: MemberExportIn) -> Status[Job]:
    scope = staff_scope_of(request)
    return Status(202, member_export_submit(scope=scope, filters=_member_filter(request, payload)))


class JoinOut(MemberOut):
    warnings: list[str] = Field(
        default_factory=list,
        description="已入会、但请核对的内容，如：15位旧身份证号已升为18位、入会时年龄超过75岁",
    )


@router.post("", response={201: JoinOut, **ERRORS}, summary="入会")
def member_join(request: HttpRequest, payload: JoinIn) -> Status[JoinOut]:
    union = organisation_target_get(pk=payload.union_id, field="union_id")
    employer = (
        employer_target_get(pk=payload.employer_id, field="employer_id") if payload.employer_id is not None else None
    )
    fields = payload.model_dump(exclude={"union_id", "employer_id"})
    scope = scope_of(request)
    membership = services.member_join(scope=scope, union=union, employer=employer, **fields)
    # Asked after the join, which made the same check: refusals come in the service's order.
    warnings = services.member_join_check(id_number=payload.id_number, joined_on=payload.joined_on).warnings
    out = JoinOut.from_orm(selectors.membership_get(scope=scope, pk=membership.pk))
    out.warnings = warnings
    return Status(201, out)


@router.get("/me", response={200: PersonDetailOut, **ERRORS}, summary="我的会籍（会员本人）")
def member_me(request: HttpRequest) -> selectors.PersonDetail:
    return selectors.own_person_detail(scope=scope_of(request))


@router.post("/me/transfer", response={201: TransferOut, **ERRORS}, summary="会员本人申请转接")
def member_me_transfer(request: HttpRequest, payload: TransferRequestIn) -> Status[Transfer]:
    to_union, to_employer = _transfer_target(payload.to_union_id, payload.to_employer_id)
    transfer = services.transfer_request_by_member(
        scope=scope_of(request), to_union=to_union, to_employer=to_employer, note=payload.note
    )
    return Status(201, transfer)


@router.get("/{int:person_id}", response={200: PersonDetailOut, **ERRORS}, summary="会员详情与会籍历史")
def member_detail(request: HttpRequest, person_id: int) -> selectors.PersonDetail:
    return selectors.person_detail(scope=scope_of(request), pk=person_id)


@router.patch("/{int:person_id}", response={200: PersonOut, **ERRORS}, summary="修改会员资料")
def member_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    scope = scope_of(request)
    person = selectors.person_get(scope=scope, pk=person_id)
    services.person_update(scope=scope, person=person, **payload.model_dump(exclude_unset=True))
    return selectors.person_get(scope=scope, pk=person_id)


@router.post("/{int:person_id}/leave", response={200: MemberOut, **ERRORS}, summary="退会")
def member_leave(request: HttpRequest, person_id: int, payload: LeaveIn) -> Membership:
    scope = scope_of(request)
    membership = selectors.person_active_membership(scope=scope, pk=person_id)
    services.membership_leave(
        scope=scope, membership=membership, on=payload.on, reason=payload.reason, deceased=payload.deceased
    )
    return selectors.membership_get(scope=scope, pk=membership.pk)


@router.post("/{int:person_id}/transfer", response={201: TransferOut, **ERRORS}, summary="转出工会发起转接")
def member_transfer_start(request: HttpRequest, person_id: int, payload: TransferStartIn) -> Status[Transfer]:
    scope = scope_of(request)
    membership = selectors.person_active_membership(scope=scope, pk=person_id)
    to_union, to_employer = _transfer_target(payload.to_union_id, payload.to_employer_id)
    transfer = services.transfer_start(
        scope=scope, membership=membership, to_union=to_union, to_employer=to_employer, on=payload.on, note=payload.note
    )
    return Status(201, transfer)


@router.post("/{int:person_id}/reveal", response={200: IdentityOut, **ERRORS}, summary="查看完整身份证号和手机号")
def member_reveal(request: HttpRequest, person_id: int, payload: RevealIn) -> dict[str, str]:
    scope = scope_of(request)
    person = selectors.person_get(scope=scope, pk=person_id)
    return services.person_reveal_identity(scope=scope, person=person, reason=payload.reason, request=request)


# --- transfers -----------------------------------------------------------------------------

TransferStatusFilter = Literal["pending", "completed", "refused", "cancelled", "all"]


@router.get("/transfers", response={200: list[TransferOut], **ERRORS}, summary="转接申请（转出、转入或本人）")
@paginate(CappedPagination)
def transfer_list(request: HttpRequest, status: TransferStatusFilter = "pending") -> object:
    return selectors.transfer_list(scope=scope_of(request), status=None if status == "all" else status)


@router.get("/transfers/{int:transfer_id}", response={200: TransferOut, **ERRORS}, summary="转接详情")
def transfer_detail(request: HttpRequest, transfer_id: int) -> Transfer:
    return selectors.transfer_get(scope=scope_of(request), pk=transfer_id)


@router.post("/transfers/{int:transfer_id}/confirm", response={200: TransferOut, **ERRORS}, summary="确认转接")
def transfer_confirm(request: HttpRequest, transfer_id: int, payload: ConfirmIn) -> Transfer:
    scope = scope_of(request)
    transfer = selectors.transfer_get(scope=scope, pk=transfer_id)
    to_employer = (
        employer_target_get(pk=payload.to_employer_id, field="to_employer_id")
        if payload.to_employer_id is not None
        else None
    )
    services.transfer_confirm(scope=scope, transfer=transfer, on=payload.on, to_employer=to_employer)
    return selectors.transfer_get(scope=scope, pk=transfer_id)


@router.post("/transfers/{int:transfer_id}/refuse", response={200: TransferOut, **ERRORS}, summary="拒绝转接")
def transfer_refuse(request: HttpRequest, transfer_id: int, payload: RefuseIn) -> Transfer:
    scope = scope_of(request)
    transfer = selectors.transfer_get(scope=scope, pk=transfer_id)
    services.transfer_refuse(scope=scope, transfer=transfer, reason=payload.reason)
    return selectors.transfer_get(scope=scope, pk=transfer_id)


@router.post("/transfers/{int:transfer_id}/cancel", response={200: TransferOut, **ERRORS}, summary="撤回转接")
def transfer_cancel(request: HttpRequest, transfer_id: int) -> Transfer:
    scope = scope_of(request)
    transfer = selectors.transfer_get(scope=scope, pk=transfer_id)
    services.transfer_cancel(scope=scope, transfer=transfer)
    return selectors.transfer_get(scope=scope, pk=transfer_id)
