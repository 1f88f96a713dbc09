"""Test helpers for signing in."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from gonghui.accounts.second_factor import confirmed_device

_plain_force_login = Client.force_login


def force_login_with_second_factor(client: Client, user: Any, backend: str | None = None) -> None:
    """Client.force_login, plus the second factor for a user who has a confirmed device."""
    _plain_force_login(client, user, backend)
    device = confirmed_device(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
