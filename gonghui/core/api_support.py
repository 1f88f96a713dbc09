"""What every API router shares: the asking user's scope (sign-in itself, by browser session
or bearer token, is accounts/api_auth.py), how a list is paged without counting a quarter of
a million rows, and how errors look (JSON with a Chinese message, the field at fault and a
code, under the right status)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any

from django.conf import settings
from django.db import DataError, IntegrityError, OperationalError, connections, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from gonghui.core.access import Scope, StaffScope, request_scope
from gonghui.core.audit import audit_refusal, audit_service_refusal
from gonghui.core.errors import ServiceError
from gonghui.core.text import CONTROL_CODE, CONTROL_MESSAGE


def scope_of(request: HttpRequest) -> Scope:
    """The asking user's scope; auth has already computed and cached it."""
    return request_scope(request)


def staff_scope_of(request: HttpRequest) -> StaffScope:
    """The scope of a staff user; a member is refused with 403 rather than shown an empty
    list, so a client learns at once that the endpoint is not for them."""
    return request_scope(request).require_staff()


# --- paging --------------------------------------------------------------------------------

COUNT_CAP = 1000
# What a page may spend on its count, on PostgreSQL: a common surname searched by a town
# officer means checking thousands of people against the town's unions to count them,
# while the page itself needs only the first fifty.
COUNT_BUDGET_MS = 10
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout


class CappedPagination(PaginationBase):
    """limit/offset paging with a count that stays cheap. An exact count over a whole city's
    members is a full scan on every page, and nobody pages through a thousand rows to find
    someone (they narrow the search), so the count stops at COUNT_CAP; on PostgreSQL it is
    also given up after COUNT_BUDGET_MS. A page that reaches the end of the list is its own
    count, so a search that finds a few people costs no count query at all.

    count_capped true means there are more rows than `count`."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=200)
        offset: int = Field(0, ge=0)

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="匹配条数；count_capped 为真时实际条数多于此数")
        count_capped: bool = Field(description="为真时实际条数多于 count（超过上限或未及统计）")

    def __init__(self, *, cap: int = COUNT_CAP, budget_ms: int = COUNT_BUDGET_MS, **kwargs: Any) -> None:
        self.cap = cap
        self.budget_ms = budget_ms
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any) -> Any:
        start, limit = pagination.offset, pagination.limit
        rows = list(queryset[start : start + limit + 1])
        items, more = rows[:limit], len(rows) > limit
        if not more and (items or start == 0):
            return {"items": items, "count": start + len(items), "count_capped": False}
        # Kept in the list's order, so the database walks the same index and stops at the cap.
        counted = bounded_count(queryset.values("pk")[: self.cap + 1], budget_ms=self.budget_ms)
        if counted is None:
            return {"items": items, "count": start + len(items), "count_capped": True}
        return {"items": items, "count": min(counted, self.cap), "count_capped": counted > self.cap}


def bounded_count(queryset: QuerySet, *, budget_ms: int) -> int | None:
    """queryset.count(), or None if PostgreSQL could not finish it within budget_ms."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count()
    try:
        # A savepoint, so that a cancelled count leaves the request's transaction usable.
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute(_LIMIT_COUNT, [f"{budget_ms}ms"])
            previous = cursor.fetchone()[:2]
            counted = queryset.count()
            # set_config(..., true) lasts to the end of the outer transaction, not the savepoint.
            cursor.execute(_RESTORE, previous)
            return counted
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != QUERY_CANCELED:
            raise
        return None


# Parallel workers take longer to start and to stop than the whole budget, so a count that
# is cancelled with them running overruns it several times over; the count runs alone.
_LIMIT_COUNT = """
    SELECT current_setting('statement_timeout'), current_setting('max_parallel_workers_per_gather'),
           set_config('statement_timeout', %s, true), set_config('max_parallel_workers_per_gather', '0', true)
"""
_RESTORE = """
    SELECT set_config('statement_timeout', %s, true), set_config('max_parallel_workers_per_gather', %s, true)
"""


# --- input ---------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_as_written(value: Any) -> Any:
    """Only YYYY-MM-DD, then checked as a calendar date. Pydantic alone also takes seconds
    since 1970 (so "0" is 1 January 1970) and a datetime at midnight, which a client
    sending either did not mean as a date."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_parsing", "date should be YYYY-MM-DD")


# Every date an API client sends, in a query or a body.
IsoDate = Annotated[date, BeforeValidator(_date_as_written)]


def omittable(**constraints: Any) -> Any:
    """A PATCH field that may be left out but, when sent, must be of the field's type (null
    too is refused unless the type allows it). pydantic makes a field optional to send only
    by giving it a default; None stands for "not sent", is never validated, and is never
    read, since the patch is applied with model_dump(exclude_unset=True). Typed Any so the
    annotation states what a value that was sent is."""
    return Field(None, **constraints)


# --- errors --------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="错误说明（中文）")
    field: str | None = Field(None, description="出错的字段")
    code: str = Field(description="错误代码")


# Spread into an operation's `response=` so the schema documents the error shape.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class LocalTimeEncoder(NinjaJSONEncoder):
    """Times in the federation's time zone (Asia/Shanghai), with their offset: 2026-03-01T09:30:00+08:00,
    the same moment the pages show, rather than UTC that a reader would take for local."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            return super().default(timezone.localtime(o))
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder


def error_response(
    api: NinjaAPI, request: HttpRequest, *, status: int, detail: str, code: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "field": field, "code": code}, status=status)


def _on_service_error(api: NinjaAPI, request: HttpRequest, exc: ServiceError) -> HttpResponse:
    audit_service_refusal(request=request, err=exc)
    # Services raise their messages as catalogue ids (or already translated): shown in the
    # asker's language here, as pages do with form_error.
    detail = _(exc.message)
    return error_response(api, request, status=exc.status_code, detail=detail, field=exc.field, code=exc.code)


def _on_unauthenticated(api: NinjaAPI, request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        api, request, status=401, detail=_("请先登录，或提供有效的 API 令牌"), code="unauthenticated"
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


HTTP_ERROR_TEXT = {
    401: ("unauthenticated", gettext_noop("请先登录，或提供有效的 API 令牌")),
    403: ("forbidden", gettext_noop("没有权限执行该操作")),
    404: ("not_found", gettext_noop("没有找到")),
    405: ("method_not_allowed", gettext_noop("不支持该请求方法")),
    429: ("throttled", gettext_noop("请求过于频繁，请稍后再试")),
}


def _on_http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, text = HTTP_ERROR_TEXT.get(exc.status_code, ("invalid", "请求有误"))
    audit_refusal(request=request, status=exc.status_code, message=text, code=code)
    return error_response(api, request, status=exc.status_code, detail=_(text), code=code)


def _on_not_found(api: NinjaAPI, request: HttpRequest, exc: Http404) -> HttpResponse:
    audit_refusal(request=request, status=404, message="没有找到", code="not_found")
    return error_response(api, request, status=404, detail=_("没有找到"), code="not_found")


def _on_unstorable_input(api: NinjaAPI, request: HttpRequest, exc: DataError | OverflowError) -> HttpResponse:
    # Found by fuzzing on PostgreSQL: a NUL character in any text, or a number past the
    # column's range, is refused by the database itself. Forms reject NUL before that;
    # the API's schemas do not, so the refusal is the client's fault, not a server error.
    return error_response(api, request, status=400, detail=_("请求含有无法保存的字符或超出范围的数值"), code="invalid")


def _on_integrity_error(api: NinjaAPI, request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Services turn the constraints they expect into Conflict; one that slips through is
    # still a conflict with the stored data, never a server fault.
    return error_response(api, request, status=409, detail=_("与已有数据冲突，请刷新后重试"), code="conflict")


def _on_invalid_input(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    field = error_field(first)
    reason = error_reason(first)
    detail = f"{field}：{reason}" if field else reason
    return error_response(api, request, status=400, detail=detail, field=field, code="invalid")


# Where the request put a value is not part of the field's name; for a body, neither is the
# name of the view's schema argument.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def error_field(error: dict[str, Any]) -> str | None:
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        source, loc = loc[0], loc[1:]
        if source in {"body", "form"} and len(loc) > 1:
            loc = loc[1:]
    return ".".join(loc) or None


_REASONS = {
    "missing": gettext_noop("必须填写"),
    "json_invalid": gettext_noop("请求内容不是有效的 JSON"),
    "int_parsing": gettext_noop("应为整数"),
    "int_type": gettext_noop("应为整数"),
    "bool_parsing": gettext_noop("应为 true 或 false"),
    "bool_type": gettext_noop("应为 true 或 false"),
    "date_parsing": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "date_type": gettext_noop("日期格式应为 YYYY-MM-DD"),
    "string_type": gettext_noop("应为文本"),
    "literal_error": gettext_noop("取值不在允许范围内"),
    "enum": gettext_noop("取值不在允许范围内"),
    "extra_forbidden": gettext_noop("不认识的字段"),
    CONTROL_CODE: CONTROL_MESSAGE,
}


def error_reason(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _REASONS:
        return _(_REASONS[kind])
    if kind == "string_too_short":
        return _("不能为空") if ctx.get("min_length") == 1 else _("至少 %(n)s 个字符") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("最多 %(n)s 个字符") % {"n": ctx.get("max_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("应不小于 %(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("应不大于 %(n)s") % {"n": ctx.get("le", ctx.get("lt"))}
    return _("格式不正确")


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure the API can meet, answered as ErrorOut with its own status."""
    handlers: list[tuple[type[Exception], Any]] = [
        (ServiceError, _on_service_error),
        (AuthenticationError, _on_unauthenticated),
        (HttpError, _on_http_error),
        (Http404, _on_not_found),
        (IntegrityError, _on_integrity_error),
        (DataError, _on_unstorable_input),
        # SQLite's driver refuses integers past 64 bits in Python, before the database does.
        (OverflowError, _on_unstorable_input),
        (ValidationError, _on_invalid_input),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, partial(handler, api))


# --- errors answered outside the API's handlers ---------------------------------------------

API_PREFIX = "/api/"
JSON_TYPE = "application/json; charset=utf-8"  # as ninja's renderer answers
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
SERVER_ERROR_TEXT = ("server_error", gettext_noop("服务器出错，请稍后再试"))
OTHER_ERROR_TEXT = ("invalid", gettext_noop("请求有误"))


class ApiErrorsAsJson:
    """Middleware: every error under /api/ answers as ErrorOut, also the ones Django gives
    before or around the API's own handlers: an unknown path or a non-numeric id (the URL
    resolver's 404 page), a method an operation lacks (ninja's plain-text 405), a server
    error (handler500's page). Clients then read one shape whatever went wrong."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        return _as_error_out(response) if _needs_json(request, response) else response


def _needs_json(request: HttpRequest, response: HttpResponse) -> bool:
    if not request.path_info.startswith(API_PREFIX) or response.status_code < 400 or response.streaming:
        return False
    if response.get("Content-Type", "").startswith("application/json"):
        return False
    # A developer's traceback page stays a page.
    return not (settings.DEBUG and response.status_code >= 500)


def _as_error_out(response: HttpResponse) -> HttpResponse:
    status = response.status_code
    code, text = HTTP_ERROR_TEXT.get(status, SERVER_ERROR_TEXT if status >= 500 else OTHER_ERROR_TEXT)
    shaped = HttpResponse(
        json.dumps({"detail": _(text), "field": None, "code": code}), status=status, content_type=JSON_TYPE
    )
    for header in KEPT_HEADERS:
        if header in response:
            shaped[header] = response[header]
    return shaped
