"""The public API for membership applications: no account, the same rules and limits as
the public page, and 429 JSON once an address or a phone has sent too many."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.core.api_support import ERRORS, ErrorOut
from gonghui.core.audit import client_ip
from gonghui.core.text import Line
from gonghui.enrolment import selectors, services

router = Router(tags=["入会申请"])


class ApplicationIn(Schema):
    name: Line = Field(max_length=50, description="姓名")
    id_number: Line = Field(max_length=30, description="身份证号")
    mobile: Line = Field(max_length=20, description="手机号码")
    employer_name: Line = Field(max_length=200, description="工作单位")
    union: Line = Field(max_length=32, description="申请加入的工会代码")
    consent: bool = Field(description="已阅读并同意个人信息处理告知")


class ApplicationOut(Schema):
    id: int
    reference: str = Field(description="申请编号：与手机号码一起查询审核进度")
    status: str
    warnings: list[str] = Field(
        default_factory=list, description="已提交、但请核对的内容，如：15位旧身份证号已升为18位"
    )


class StatusIn(Schema):
    reference: Line = Field(max_length=20, description="申请编号")
    mobile: Line = Field(max_length=20, description="申请时填写的手机号码")


class StatusOut(Schema):
    reference: str
    status: str = Field(description="pending 待审核 / accepted 已接收 / refused 已拒绝")
    union: str = Field(description="申请加入的工会名称")
    submitted_at: datetime
    decided_at: datetime | None
    refusal_reason: str


@router.post(
    "/applications", auth=None, response={201: ApplicationOut, **ERRORS, 429: ErrorOut}, url_name="application_submit"
)
def submit_application(request: HttpRequest, payload: ApplicationIn) -> Status[ApplicationOut]:
    application = services.application_submit(
        union_code=payload.union,
        name=payload.name,
        id_number=payload.id_number,
        mobile=payload.mobile,
        employer_name=payload.employer_name,
        consented=payload.consent,
        client_ip=client_ip(request),
    )
    warnings = services.application_id_check(payload.id_number).warnings
    out = ApplicationOut(
        id=application.pk, reference=application.reference, status=application.status, warnings=warnings
    )
    return Status(201, out)


@router.post(
    "/applications/status",
    auth=None,
    response={200: StatusOut, **ERRORS, 429: ErrorOut},
    url_name="application_status",
)
def application_status(request: HttpRequest, payload: StatusIn) -> StatusOut:
    """How an application stands, given its reference and the phone number it was sent with.
    Either one wrong answers 404 alike; attempts are limited per address and per reference."""
    application = selectors.application_find_own(
        reference=payload.reference, mobile=payload.mobile, client_ip=client_ip(request)
    )
    return StatusOut(
        reference=application.reference,
        status=application.status,
        union=application.union.name,
        submitted_at=application.created_at,
        decided_at=application.decided_at,
        refusal_reason=application.refusal_reason,
    )
