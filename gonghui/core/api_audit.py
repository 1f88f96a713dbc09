"""GET /api/v1/audit: the audit log, for city staff holding core.view_auditentry."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api_support import ERRORS, CappedPagination, IsoDate, scope_of
from gonghui.core.audit import AuditFilter, audit_entry_list
from gonghui.core.models import AuditEntry

router = Router(tags=["审计日志"])


class AuditQuery(Schema):
    actor: str = Field("", description="操作人账号（精确匹配）")
    action: AuditEntry.Action | None = Field(None, description="操作")
    result: AuditEntry.Result | None = Field(None, description="结果")
    subject_type: str = Field("", description="对象类型，如 members.person")
    subject_id: str = Field("", description="对象编号")
    subject: str = Field("", description="对象名称包含")
    person_id: int | None = Field(None, description="涉及的职工编号")
    date_from: IsoDate | None = Field(None, description="起始日期（含）")
    date_to: IsoDate | None = Field(None, description="截止日期（含）")


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str = Field(alias="actor_username")
    action: str
    result: str
    subject_type: str
    subject_id: str
    subject_label: str
    person_id: int | None = Field(alias="data_subject_id")
    reason: str
    ip_address: str | None
    path: str
    detail: dict


@router.get("", response={200: list[AuditEntryOut], **ERRORS}, summary="审计日志查询（市总工会审计权限）")
@paginate(CappedPagination)
def audit_list(request: HttpRequest, query: Query[AuditQuery]) -> object:
    filters = AuditFilter(**{**query.dict(), "action": query.action or "", "result": query.result or ""})
    return audit_entry_list(scope=scope_of(request), filters=filters)
