"""Text messages (SMS) through a pluggable gateway, named by settings.GONGHUI_SMS_BACKEND.

    ConsoleBackend   development: prints the text and the masked number, sends nothing
    LocmemBackend    tests: keeps each message in `outbox`, like Django's mail outbox
    HttpBackend      a provider's HTTP gateway, configured from the environment

A message is sent through `send_sms`, which never raises: a gateway that is down must not
turn a decision that has already been committed into an error page. Nothing here writes a
full number anywhere; the log and the console see it masked (core.masking).

Call it through core.notifications.notify(sms_to=...), which sends only once the
transaction has committed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import urllib.request
from dataclasses import dataclass
from typing import IO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gonghui.core.masking import mask_mobile

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused the message or could not be reached."""


class SmsBackend(Protocol):
    def send(self, number: str, text: str) -> None: ...


@dataclass(frozen=True)
class SmsMessage:
    number: str
    text: str


# What LocmemBackend has "sent", oldest first; tests empty it (see conftest.py).
outbox: list[SmsMessage] = []


class LocmemBackend:
    def send(self, number: str, text: str) -> None:
        outbox.append(SmsMessage(number=number, text=text))


class ConsoleBackend:
    """For development: the message on standard output, its number masked, so a developer
    sees what would be sent without a real number reaching a terminal or its scrollback."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def send(self, number: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"[短信] {mask_mobile(number)}：{text}\n")
        stream.flush()


@dataclass(frozen=True)
class HttpGatewayConfig:
    url: str
    token: str
    sign: str
    timeout: float

    @classmethod
    def from_environment(cls) -> HttpGatewayConfig:
        return cls(
            url=os.environ.get("GONGHUI_SMS_HTTP_URL", "").strip(),
            token=os.environ.get("GONGHUI_SMS_HTTP_TOKEN", "").strip(),
            sign=os.environ.get("GONGHUI_SMS_SIGN", "海宁工会").strip(),
            timeout=float(os.environ.get("GONGHUI_SMS_HTTP_TIMEOUT", "5")),
        )


class HttpBackend:
    """A provider reached by one JSON POST: {"to", "text", "sign"} with a bearer token,
    answering 2xx when it has accepted the message. A provider with another request shape
    gets a subclass overriding `payload` (and `headers`), not a new mechanism.

    Written with urllib rather than an HTTP client package: it is one POST with a timeout,
    and the project has no other use for such a package."""

    def __init__(self, config: HttpGatewayConfig | None = None) -> None:
        self.config = config or HttpGatewayConfig.from_environment()
        # urllib would open file: and other schemes too; a gateway is only ever http(s).
        if not self.config.url.startswith(("https://", "http://")):
            raise SmsError("GONGHUI_SMS_HTTP_URL must be the gateway's http(s) address")

    def payload(self, number: str, text: str) -> dict[str, str]:
        return {"to": number, "text": text, "sign": self.config.sign}

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        return headers

    def send(self, number: str, text: str) -> None:
        body = json.dumps(self.payload(number, text), ensure_ascii=False).encode()
        url, headers = self.config.url, self.headers()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked in __init__
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:  # noqa: S310 - as above
                status = response.status
        except OSError as exc:  # URLError and HTTPError are OSErrors, and so is a timeout
            raise SmsError(f"短信网关无法发送：{exc}") from None
        if not 200 <= status < 300:
            raise SmsError(f"短信网关返回 {status}")


def sms_backend() -> SmsBackend:
    return import_string(settings.GONGHUI_SMS_BACKEND)()


def send_sms(number: str, text: str) -> bool:
    """Send one message; False (and a log line with the masked number) if it failed."""
    masked = mask_mobile(number)
    try:
        sms_backend().send(number, text)
    except Exception:
        # Any failure, the gateway's or its configuration's: the decision behind the message
        # has been committed already, and the log says which message did not go.
        logger.exception("sms not sent to %s", masked)
        return False
    logger.info("sms sent to %s", masked)
    return True
