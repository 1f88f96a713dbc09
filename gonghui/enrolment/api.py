"""The public API for membership applications: no account, the same rules and limits as
the public page, and 429 JSON once an address or a phone has sent too many."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.core.api_support import ERRORS, ErrorOut
from gonghui.core.audit import client_ip
from gonghui.core.text import Line
from gonghui.enrolment import services

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
    status: str
    warnings: list[str] = Field(
        default_factory=list, description="已提交、但请核对的内容，如：15位旧身份证号已升为18位"
    )


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
    return Status(201, ApplicationOut(id=application.pk, status=application.status, warnings=warnings))
