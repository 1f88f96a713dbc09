"""Accounts over HTTP, for city and town staff: the accounts in their scope, one account with
its sign-ins, and the same writes as the pages (create, disable, enable, reset the second
factor, a new activation code). Each operation parses, calls one selector or service and
shapes the answer; the rule of who manages whom is accounts.rules, so a union officer or a
member is refused with 403 and an account outside the scope is not found (404).

An activation code leaves this module only in the answer to the request that issued it.
Mobiles leave it masked."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from gonghui.accounts import administration, selectors
from gonghui.accounts.activation import IssuedCode
from gonghui.accounts.models import Account
from gonghui.core.access import Role
from gonghui.core.api_support import ERRORS, CappedPagination, staff_scope_of
from gonghui.core.models import AuditEntry
from gonghui.core.text import Line
from gonghui.organisations.selectors import organisation_target_get

router = Router(tags=["账号管理"])


# --- shapes --------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str


class AccountOut(Schema):
    id: int = Field(description="用户编号")
    username: str
    name: str
    role: str
    organisation: OrganisationRef | None
    mobile_masked: str
    status: str = Field(description="active 正常 / pending 待激活 / disabled 已停用")
    last_login: datetime | None

    @staticmethod
    def resolve_id(obj: Account) -> int:
        return obj.user_id

    @staticmethod
    def resolve_username(obj: Account) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_name(obj: Account) -> str:
        return obj.user.first_name

    @staticmethod
    def resolve_mobile_masked(obj: Account) -> str:
        return obj.masked_mobile

    @staticmethod
    def resolve_status(obj: Account) -> str:
        return str(obj.status)

    @staticmethod
    def resolve_last_login(obj: Account) -> datetime | None:
        return timezone.localtime(obj.user.last_login) if obj.user.last_login else None


class EntryOut(Schema):
    at: datetime
    action: str
    result: str
    actor: str
    subject: str
    ip_address: str | None
    step: str = ""

    @staticmethod
    def resolve_at(obj: AuditEntry) -> datetime:
        return timezone.localtime(obj.at)

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str:
        return obj.actor_username

    @staticmethod
    def resolve_subject(obj: AuditEntry) -> str:
        return obj.subject_label

    @staticmethod
    def resolve_step(obj: AuditEntry) -> str:
        return str(obj.detail.get("step", "")) if isinstance(obj.detail, dict) else ""


class AccountDetailOut(Schema):
    account: AccountOut
    sign_ins: list[EntryOut]
    events: list[EntryOut]
    actions: list[EntryOut]
    open_sessions: list[datetime] = Field(description="当前登录会话的开始时间")

    @staticmethod
    def resolve_open_sessions(obj: selectors.AccountDetail) -> list[datetime]:
        return [timezone.localtime(session.signed_in_at) for session in obj.sessions]


class CodeOut(Schema):
    account: AccountOut
    code: str | None = Field(description="激活码，只在此次返回；已用短信发送时为空")
    sent_by_sms: bool
    expires_at: datetime


class AccountQuery(Schema):
    q: str = Field("", max_length=50, description="用户名或姓名的开头")
    role: Literal["", "city", "town", "union", "member"] = ""
    status: Literal["", "active", "pending", "disabled"] = ""


class AccountIn(Schema):
    username: Line = Field(max_length=150)
    name: Line = Field(max_length=50, description="姓名")
    mobile: Line = Field(max_length=20, description="手机号码：激活时核对，也可接收激活码")
    role: Literal["town", "union"] = Field(description="town 镇（街道）总工会 / union 基层工会")
    organisation_id: int
    delivery: Literal["slip", "sms"] = Field("slip", description="slip 在答复中返回激活码 / sms 短信发送")


class CodeIn(Schema):
    delivery: Literal["slip", "sms"] = "slip"


def _code_out(account: Account, issued: IssuedCode) -> dict[str, object]:
    return {
        "account": account,
        "code": None if issued.sent_to else issued.code,
        "sent_by_sms": bool(issued.sent_to),
        "expires_at": timezone.localtime(issued.expires_at),
    }


# --- reads ---------------------------------------------------------------------------------


@router.get("", response={200: list[AccountOut], **ERRORS}, summary="账号列表（管辖范围内）")
@paginate(CappedPagination)
def account_list(request: HttpRequest, query: Query[AccountQuery]) -> object:
    filters = selectors.AccountFilter(query=query.q.strip(), role=query.role, status=query.status)
    return selectors.account_search(scope=staff_scope_of(request), filters=filters)


@router.get("/{int:user_id}", response={200: AccountDetailOut, **ERRORS}, summary="账号详情与登录记录")
def account_detail(request: HttpRequest, user_id: int) -> selectors.AccountDetail:
    return selectors.account_detail(scope=staff_scope_of(request), user_id=user_id)


# --- writes --------------------------------------------------------------------------------


@router.post("", response={201: CodeOut, **ERRORS}, summary="新建工作人员账号（返回一次性激活码）")
def account_create(request: HttpRequest, payload: AccountIn) -> Status[dict[str, object]]:
    organisation = organisation_target_get(pk=payload.organisation_id, field="organisation_id")
    created = administration.account_create(
        scope=staff_scope_of(request),
        username=payload.username,
        name=payload.name,
        mobile=payload.mobile,
        role=Role(payload.role),
        organisation=organisation,
        delivery=payload.delivery,
        request=request,
    )
    return Status(201, _code_out(created.account, created.code))


def _managed(request: HttpRequest, user_id: int) -> Account:
    return selectors.account_get(scope=staff_scope_of(request), user_id=user_id)


@router.post("/{int:user_id}/disable", response={200: AccountOut, **ERRORS}, summary="停用账号")
def account_disable(request: HttpRequest, user_id: int) -> Account:
    account = _managed(request, user_id)
    return administration.account_deactivate(scope=staff_scope_of(request), account=account, request=request)


@router.post("/{int:user_id}/enable", response={200: AccountOut, **ERRORS}, summary="启用账号")
def account_enable(request: HttpRequest, user_id: int) -> Account:
    account = _managed(request, user_id)
    return administration.account_reactivate(scope=staff_scope_of(request), account=account, request=request)


@router.post("/{int:user_id}/second-factor/reset", response={200: AccountOut, **ERRORS}, summary="重置动态验证码")
def account_reset_second_factor(request: HttpRequest, user_id: int) -> Account:
    account = _managed(request, user_id)
    scope = staff_scope_of(request)
    return administration.account_second_factor_reset(scope=scope, account=account, request=request)


@router.post("/{int:user_id}/activation-code", response={201: CodeOut, **ERRORS}, summary="发放新的激活码")
def account_code(request: HttpRequest, user_id: int, payload: CodeIn) -> Status[dict[str, object]]:
    account = _managed(request, user_id)
    scope = staff_scope_of(request)
    issued = administration.account_code_reissue(
        scope=scope, account=account, delivery=payload.delivery, request=request
    )
    return Status(201, _code_out(account, issued))
