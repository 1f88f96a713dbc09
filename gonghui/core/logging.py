"""Structured logs: one JSON object per line, each carrying the id of the request it came from,
and never an identity or mobile number, whoever logged it (a library's message, a traceback,
a URL in an error report).

Nothing here imports Django at module level, so gunicorn.conf.py can use the formatter and the
filter for gunicorn's own logs before Django is loaded."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# A proxy's request id is kept only when it is short and plain, so it cannot smuggle text into logs.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# 18-character identity numbers (the last may be X), 15-digit old ones, and mainland mobiles;
# digit boundaries keep longer numbers (bank cards, timestamps) from being half-masked.
_ID_NUMBER = re.compile(r"(?<!\d)(?<!\d\.)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)(?<!\d\.)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
# Bank card and account numbers: any other plain run of 16 to 19 digits.
_ACCOUNT = re.compile(r"(?<!\d)(?<!\d\.)\d{16,19}(?!\d)")
ID_NUMBER_MASK = "[ID-NUMBER]"
MOBILE_MASK = "[MOBILE]"
ACCOUNT_MASK = "[ACCOUNT]"


def mask_personal_data(text: str) -> str:
    """`text` with everything that looks like an identity, mobile or account number replaced."""
    text = _ID_NUMBER.sub(ID_NUMBER_MASK, text)
    return _ACCOUNT.sub(ACCOUNT_MASK, _MOBILE.sub(MOBILE_MASK, text))


class PersonalDataFilter(logging.Filter):
    """Masks the rendered message and any traceback of every record; attach it to handlers,
    since a logger's own filters do not see records propagated from its children."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id[, exception]."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when it is plain, else a new one),
    puts it on every log line written while the request runs and on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
