"""Structured logs: JSON lines with the request id, and no identity, mobile or account number."""

import io
import json
import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from gonghui.core.logging import (
    JsonFormatter,
    PersonalDataFilter,
    RequestIdFilter,
    RequestIdMiddleware,
    mask_personal_data,
)
from gonghui.testing import new_id_number, new_mobile


@pytest.fixture
def log_lines():
    """A logger wired as settings.LOGGING wires the console; yields (logger, read lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("gonghui.tests.logging")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_identity_mobile_and_account_numbers_are_masked_wherever_they_appear():
    id_number, old_id, mobile = new_id_number(), "330481900101123", new_mobile()
    text = f"查询 {id_number} 与 {old_id[:14]}X，{old_id}，电话{mobile}、+86 {mobile}，卡号6222021234567890123"
    masked = mask_personal_data(text)
    for number in (id_number, old_id, mobile, "6222021234567890123"):
        assert number not in masked
    assert masked.count("[ID-NUMBER]") == 2 and masked.count("[MOBILE]") == 2 and "[ACCOUNT]" in masked


def test_ordinary_numbers_are_left_alone():
    text = "导入记录 #1234567，共 248500 行，用时 0.293052789000226 秒，时间戳 1732530000.12345678901234567"
    assert mask_personal_data(text) == text


def test_a_log_line_is_json_with_the_number_masked_in_message_and_arguments(log_lines):
    logger, lines = log_lines
    id_number, mobile = new_id_number(), new_mobile()
    logger.warning("lookup of %s failed, mobile %s", id_number, mobile)
    (line,) = lines()
    assert line["level"] == "WARNING" and line["logger"] == "gonghui.tests.logging"
    assert line["message"] == "lookup of [ID-NUMBER] failed, mobile [MOBILE]"
    assert line["request_id"] == "-" and line["time"].endswith("+00:00")


def test_a_traceback_is_masked_too(log_lines):
    logger, lines = log_lines
    id_number = new_id_number()
    try:
        raise ValueError(f"bad row {id_number}")
    except ValueError:
        logger.exception("import failed")
    (line,) = lines()
    assert "ValueError: bad row [ID-NUMBER]" in line["exception"]
    assert id_number not in json.dumps(line)


def test_lines_written_during_a_request_carry_its_id_and_the_response_names_it(log_lines):
    logger, lines = log_lines

    def view(request):
        logger.info("working")
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))
    (line,) = lines()
    assert len(line["request_id"]) == 32 and response["X-Request-ID"] == line["request_id"]


def test_a_plain_request_id_from_the_proxy_is_kept_and_anything_else_replaced(log_lines):
    middleware = RequestIdMiddleware(lambda request: HttpResponse("ok"))
    kept = middleware(RequestFactory().get("/", headers={"X-Request-ID": "lb-7f3a9c21"}))
    assert kept["X-Request-ID"] == "lb-7f3a9c21"
    replaced = middleware(RequestFactory().get("/", headers={"X-Request-ID": "x\nforged log line"}))
    assert replaced["X-Request-ID"] != "x\nforged log line" and len(replaced["X-Request-ID"]) == 32


def test_every_response_of_the_app_carries_a_request_id(client, db):
    assert client.get("/healthz")["X-Request-ID"]


@pytest.fixture
def every_handler_output(settings):
    """What each handler on the way of Django's loggers writes, as development runs them
    (DEBUG on: Django's own console handler speaks only then). Yields a reader of all output."""
    settings.DEBUG = True
    streams: list[tuple[logging.StreamHandler, object, io.StringIO]] = []
    seen: set[int] = set()
    for name in ("django.request", "django.server", "django.security", "django"):
        logger: logging.Logger | None = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if isinstance(handler, logging.StreamHandler) and id(handler) not in seen:
                    seen.add(id(handler))
                    stream = io.StringIO()
                    streams.append((handler, handler.setStream(stream), stream))
            logger = logger.parent if logger.propagate else None
    yield lambda: "".join(stream.getvalue() for _, _, stream in streams)
    for handler, old, _ in streams:
        handler.setStream(old)


def test_django_s_own_not_found_and_server_lines_are_masked_too(every_handler_output, client, fed, caplog):
    id_number = new_id_number()
    client.force_login(fed.city_staff)
    assert client.get(f"/members/{id_number}/").status_code == 404
    assert client.get(f"/nowhere/{id_number}X/").status_code == 404
    # The line runserver writes for each request (django.core.servers.basehttp).
    logging.getLogger("django.server").warning('"%s" %s %s', f"GET /members/{id_number}/ HTTP/1.1", "404", "179")
    output = every_handler_output()
    assert "Not Found: /members/[ID-NUMBER]/" in output and "GET /members/[ID-NUMBER]/" in output
    assert id_number not in output and id_number[:17] not in output
    assert all(id_number[:17] not in record.getMessage() for record in caplog.records)


def test_every_handler_of_the_configuration_masks(settings):
    for name in ("django", "django.request", "django.server", "django.security.csrf", "celery", "gunicorn.error"):
        logger: logging.Logger | None = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if isinstance(handler, logging.NullHandler) or type(handler).__module__.startswith("_pytest"):
                    continue  # writes nothing, or pytest's own capture
                assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), (name, handler)
            logger = logger.parent if logger.propagate else None
