"""One-time activation codes: how a new account, staff or member, gets its first password
without anyone else ever knowing it.

The issuer (city or town staff creating an account, or the officer accepting a membership
application) is shown the code once, or it goes out by text message; the holder types it at
/accounts/activate/ with their mobile or identity number and chooses a password. The code
works once, for GONGHUI_ACTIVATION_CODE_DAYS, and only while the account is enabled. The
database holds keyed hashes (HMAC with the field hash key, core.crypto) of the code and of
what must be typed beside it, so a copy of the table opens no account: the code has 60 bits,
and guessing it against the hash needs the key.

A code typed wrongly gets one answer, whatever was wrong, so the page tells a stranger
nothing; the attempts are counted per address and per code (core.ratelimit) and logged."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from gonghui.accounts.models import ActivationCode
from gonghui.accounts.services import sessions_end
from gonghui.core.audit import audit_record, client_ip
from gonghui.core.codes import random_code, typed_code
from gonghui.core.crypto import field_keys
from gonghui.core.errors import ValidationFailed
from gonghui.core.models import AuditEntry
from gonghui.core.ratelimit import Limit, enforce

CODE_LENGTH = 12  # 60 bits of Crockford base32 (core.codes)

PER_ADDRESS = Limit("activate-address", limit=10, period_seconds=3600)
PER_CODE = Limit("activate-code", limit=5, period_seconds=86400)

WRONG_CODE = gettext_noop("激活码或核对信息不正确，或激活码已失效。请核对后重试，或请发放激活码的工作人员重新发放")
TOO_MANY = gettext_noop("尝试次数过多，请稍后再试")


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: the only moment its text exists outside its holder's hands."""

    user: User
    code: str
    expires_at: datetime
    sent_to: str = ""  # the number it was sent to by text message, if it was

    @property
    def username(self) -> str:
        return self.user.get_username()


def _keyed_hash(purpose: str, value: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(field_keys().hash_key, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    return random_code(CODE_LENGTH)


def normalise_code(text: str) -> str:
    """The code as typed, made comparable: fullwidth folded, case, spaces and dashes ignored."""
    return typed_code(text)


def normalise_proof(text: str) -> str:
    """A mobile or identity number as typed, the same way whatever its spacing: "+86 139 5731
    2345" is 13957312345, an identity number's final x is X."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    kept = "".join(char for char in folded if char.isascii() and char.isalnum())
    return kept[2:] if len(kept) == 13 and kept.startswith("86") else kept


def proof_hash(value: str) -> str:
    return _keyed_hash("proof", normalise_proof(value))


def code_hash(code: str) -> str:
    return _keyed_hash("code", normalise_code(code))


def activation_code_issue(
    *,
    actor: Any,
    user: User,
    proofs: Iterable[str] = (),
    proof_hashes: Iterable[str] = (),
    person_id: int | None = None,
    request: HttpRequest | None = None,
    sent_to: str = "",
) -> IssuedCode:
    """A new code for `user`; any earlier unused one stops working. `proofs` are what the
    holder may type beside it (plain), or `proof_hashes` those of an earlier code."""
    hashes = sorted({*(proof_hash(p) for p in proofs if normalise_proof(p)), *proof_hashes})
    if not hashes:
        raise ValueError("an activation code needs something its holder types beside it")
    now = timezone.now()
    expires_at = now + timedelta(days=settings.GONGHUI_ACTIVATION_CODE_DAYS)
    ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
    code = new_code()
    ActivationCode.objects.create(
        user=user,
        code_hash=code_hash(code),
        proof_hashes=hashes,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        issued_at=now,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.ACTIVATION_CODE_ISSUED,
        subject=user,
        request=request,
        data_subject_id=person_id,
        detail={"expires_at": expires_at.isoformat(), "sent_by_sms": bool(sent_to)},
    )
    return IssuedCode(user=user, code=code, expires_at=expires_at, sent_to=sent_to)


def last_proof_hashes(*, user: User) -> list[str]:
    """What the user's latest code asked for, to ask the same of a new one."""
    latest = ActivationCode.objects.filter(user=user).order_by("-issued_at", "-pk").first()
    return list(latest.proof_hashes) if latest is not None else []


def activation_pending(*, user: User) -> bool:
    return ActivationCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now()).exists()


# --- using a code ----------------------------------------------------------------------------


def account_activate(*, code: str, proof: str, password: str, request: HttpRequest | None = None) -> User:
    """Set the password of the account the code was issued to. The code is spent only when
    the password is accepted, so a password refused by the rules can be chosen again."""
    typed = normalise_code(code)
    enforce(PER_ADDRESS, client_ip(request), message=TOO_MANY)
    enforce(PER_CODE, typed, message=TOO_MANY)
    row = _live_code(typed)
    if row is None or not _proof_matches(row, proof):
        _failed(request, row)
        raise ValidationFailed(WRONG_CODE, field="code")
    user = row.user
    try:
        validate_password(password, user)
    except DjangoValidationError as err:
        raise ValidationFailed("；".join(str(message) for message in err.messages), field="password") from None
    return _spend(row, user, password, request)


def _live_code(typed: str) -> ActivationCode | None:
    if len(typed) != CODE_LENGTH:
        return None
    return (
        ActivationCode.objects.select_related("user")
        .filter(code_hash=code_hash(typed), used_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )


def _proof_matches(row: ActivationCode, proof: str) -> bool:
    typed = proof_hash(proof) if normalise_proof(proof) else ""
    return any(hmac.compare_digest(typed, stored) for stored in row.proof_hashes)


def _failed(request: HttpRequest | None, row: ActivationCode | None) -> None:
    audit_record(
        actor=None,
        action=AuditEntry.Action.SIGN_IN_FAILED,
        result=AuditEntry.Result.FAILED,
        subject=row.user if row is not None else None,
        request=request,
        detail={"step": "activation", "code_known": row is not None},
    )


def _spend(row: ActivationCode, user: User, password: str, request: HttpRequest | None) -> User:
    with transaction.atomic():
        # Two tabs sending the same code: only the first one to mark it used sets a password.
        spent = ActivationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not spent:
            raise ValidationFailed(WRONG_CODE, field="code")
        ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
        user.set_password(password)
        user.save(update_fields=["password"])
        ended = sessions_end(user=user)
        audit_record(
            actor=user,
            action=AuditEntry.Action.ACCOUNT_ACTIVATED,
            subject=user,
            request=request,
            data_subject_id=getattr(getattr(user, "account", None), "person_id", None),
            detail={"sessions_ended": ended},
        )
    return user
