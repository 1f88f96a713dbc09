"""A member's consents (/api/v1/me/consents) and their data download
(/api/v1/members/me/data). Members only; staff are refused with 403."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.core.api_support import ERRORS, scope_of
from gonghui.privacy import selectors, services
from gonghui.privacy.models import Consent, ConsentCategory, ConsentChannel

consents_router = Router(tags=["个人信息保护"])
my_data_router = Router(tags=["个人信息保护"])


class ConsentTextOut(Schema):
    version: int
    text: str
    effective_from: date


class ConsentOut(Schema):
    id: int
    category: str
    text_version: int = Field(alias="text.version")
    given_at: datetime
    withdrawn_at: datetime | None
    channel: str


class ConsentStatusOut(Schema):
    category: str
    label: str
    given: bool
    text: ConsentTextOut | None = Field(description="现行同意书文本")
    consent: ConsentOut | None = Field(description="现有的同意（未撤回）")


class ConsentIn(Schema):
    category: ConsentCategory
    channel: ConsentChannel = ConsentChannel.API


@consents_router.get("", response={200: list[ConsentStatusOut], **ERRORS}, summary="我的敏感信息处理同意")
def consent_overview(request: HttpRequest) -> list[selectors.ConsentStatus]:
    return selectors.consent_overview(scope=scope_of(request))


@consents_router.post("", response={201: ConsentOut, **ERRORS}, summary="同意处理某类敏感信息")
def consent_give(request: HttpRequest, payload: ConsentIn) -> Status[Consent]:
    consent = services.consent_give(
        scope=scope_of(request), category=payload.category, channel=payload.channel, request=request
    )
    return Status(201, consent)


@consents_router.delete("/{category}", response={200: ConsentOut, **ERRORS}, summary="撤回同意")
def consent_withdraw(request: HttpRequest, category: ConsentCategory) -> Consent:
    return services.consent_withdraw(scope=scope_of(request), category=category, request=request)


class PersonalDataPartOut(Schema):
    label: str
    columns: dict[str, str] = Field(default_factory=dict, description="每个字段的中文（或英文界面下的英文）列名")
    rows: list[dict[str, Any]]


class PersonalDataOut(Schema):
    generated_at: datetime
    parts: dict[str, PersonalDataPartOut]


@my_data_router.get("", response={200: PersonalDataOut, **ERRORS}, summary="下载本人的全部个人信息")
def my_data(request: HttpRequest) -> dict[str, Any]:
    return services.personal_data_download(scope=scope_of(request), request=request)
