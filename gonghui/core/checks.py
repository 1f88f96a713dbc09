"""System checks for settings that would otherwise fail late: the personal-data keys at
the first sealed value, a wildcard host never. `manage.py check --deploy` refuses them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from gonghui.core.crypto import decode_key


@register(Tags.security)
def check_field_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every field key and the hash key decode to a 32-byte key, as crypto.py reads them.
    Not deploy-only: a malformed key breaks every page and migration that touches members."""
    keys = [("GONGHUI_FIELD_KEYS", text, "core.E001") for text in settings.GONGHUI_FIELD_KEYS]
    keys.append(("GONGHUI_HASH_KEY", settings.GONGHUI_HASH_KEY, "core.E002"))
    errors = [_key_error(name, text, check_id) for name, text, check_id in keys]
    if not settings.GONGHUI_FIELD_KEYS:
        errors.append(Error("GONGHUI_FIELD_KEYS is empty", hint=_KEY_HINT, id="core.E001"))
    return [error for error in errors if error is not None]


_KEY_HINT = 'Each key is 32 random bytes in URL-safe base64 (docs/operations.md, "Keys").'


def _key_error(name: str, text: str, check_id: str) -> Error | None:
    if not text:
        return Error(f"{name} is empty", hint=_KEY_HINT, id=check_id)
    try:
        decode_key(text)
    except ImproperlyConfigured as exc:
        # The message names the fault, never the key itself.
        return Error(f"{name}: {exc}", hint=_KEY_HINT, id=check_id)
    return None


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A wildcard lets any Host header through, so absolute URLs built from the request can
    point to a site of the sender's choosing. Django itself does not check for it."""
    wild = [host for host in settings.ALLOWED_HOSTS if "*" in host]
    if not wild:
        return []
    return [
        Error(
            f"ALLOWED_HOSTS contains {', '.join(wild)}",
            hint="Name the site's host(s) in DJANGO_ALLOWED_HOSTS; '.example.com' covers its subdomains.",
            id="core.E003",
        )
    ]
