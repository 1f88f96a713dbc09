"""Sensitive personal fields encrypted at rest (PIPL art. 51), with a keyed hash beside
them for exact look-ups.

Values are sealed with AES-256-GCM (the `cryptography` package) under the newest key of
settings.GONGHUI_FIELD_KEYS; each token starts with the id of its key, so old keys keep
opening old rows until `manage.py rotate_field_keys` has re-sealed them. Look-ups go
through a blind index: HMAC-SHA256 under the separate settings.GONGHUI_HASH_KEY, which
never rotates with the field keys (changing it means re-hashing every row: `--rehash`).

Why the Django glue is written here and not taken from a library: the encrypted-field
packages for Django seal values but give no keyed hash to search by, and a member search by
identity or mobile number has to stay one index look-up. The cryptography itself is not
written here; only the token layout and the two fields are.

    person.id_number                          # the plain number, decrypted on load
    Person.objects.filter(id_number_hash=blind_index(number))
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
HASH_LENGTH = 32  # hex digits: the first 128 bits of the HMAC, ample for a unique index
SEPARATOR = ":"


class DecryptionError(Exception):
    """A stored token that no configured key opens (a key removed too early, or tampering)."""


@dataclass(frozen=True)
class FieldKeys:
    newest_id: str
    ciphers: dict[str, AESGCM]
    hash_key: bytes


# Either base64 alphabet, padding optional. The decoder itself would silently drop any other
# character, so a key mangled in a secrets store could still decode to some 32 bytes.
_KEY_TEXT = re.compile(r"[A-Za-z0-9_+/-]+={0,2}")


def decode_key(text: str) -> bytes:
    """A key as configured: 32 random bytes in URL-safe base64 (see `generate_key`)."""
    text = text.strip()
    if not _KEY_TEXT.fullmatch(text):
        raise ImproperlyConfigured("a field key is not valid URL-safe base64")
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("a field key is not valid URL-safe base64") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"a field key must be {KEY_BYTES} bytes, not {len(key)}")
    return key


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def key_id(key: bytes) -> str:
    """A short public name for a key, derived from it so operators never have to assign one."""
    return hmac.new(key, b"gonghui field key id", hashlib.sha256).hexdigest()[:8]


@cache
def field_keys() -> FieldKeys:
    texts = list(settings.GONGHUI_FIELD_KEYS)
    if not texts or not settings.GONGHUI_HASH_KEY:
        raise ImproperlyConfigured("GONGHUI_FIELD_KEYS and GONGHUI_HASH_KEY must be set")
    keys = [decode_key(text) for text in texts]
    ciphers = {key_id(key): AESGCM(key) for key in keys}
    return FieldKeys(newest_id=key_id(keys[0]), ciphers=ciphers, hash_key=decode_key(settings.GONGHUI_HASH_KEY))


def _forget_keys(*, setting: str, **_: Any) -> None:
    if setting in {"GONGHUI_FIELD_KEYS", "GONGHUI_HASH_KEY"}:
        field_keys.cache_clear()


setting_changed.connect(_forget_keys, dispatch_uid="core.crypto.forget_keys")


# --- values ---------------------------------------------------------------------------------


def encrypt(plain: str) -> str:
    """`<key id>:<base64 of nonce + ciphertext + tag>`; a fresh nonce each time, so equal
    values give different tokens and the stored column reveals nothing about repeats."""
    keys = field_keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys.ciphers[keys.newest_id].encrypt(nonce, plain.encode(), None)
    return keys.newest_id + SEPARATOR + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    kid, _, body = token.partition(SEPARATOR)
    cipher = field_keys().ciphers.get(kid)
    if cipher is None:
        raise DecryptionError(f"no configured field key has id {kid!r}")
    raw = base64.urlsafe_b64decode(body)
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except InvalidTag as exc:
        raise DecryptionError(f"a token under key {kid} does not open") from exc


def encrypt_bytes(plain: bytes, *, purpose: bytes) -> bytes:
    """A whole file sealed as one AES-GCM message: `<key id>:` + nonce + ciphertext + tag.
    `purpose` is authenticated with it, so bytes sealed for one use do not open for another."""
    keys = field_keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys.ciphers[keys.newest_id].encrypt(nonce, plain, purpose)
    return (keys.newest_id + SEPARATOR).encode() + nonce + sealed


def decrypt_bytes(token: bytes, *, purpose: bytes) -> bytes:
    kid, separator, raw = token.partition(SEPARATOR.encode())
    cipher = field_keys().ciphers.get(kid.decode("ascii", "replace")) if separator else None
    if cipher is None:
        raise DecryptionError("no configured field key opens these bytes")
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose)
    except (InvalidTag, ValueError) as exc:  # ValueError: cut short, not even a whole nonce
        raise DecryptionError(f"bytes under key {kid.decode('ascii', 'replace')} do not open") from exc


def token_key_id(token: str) -> str:
    return token.partition(SEPARATOR)[0]


def blind_index(value: str) -> str:
    """The keyed hash to search by. Give it the value normalised as stored (identity numbers
    upper-case, mobiles as 11 digits). An empty value has an empty index, so "no mobile"
    stays findable and costs no HMAC."""
    if not value:
        return ""
    return hmac.new(field_keys().hash_key, value.encode(), hashlib.sha256).hexdigest()[:HASH_LENGTH]


def seal(value: str | None) -> str | None:
    """What the database holds for a value: empty stays empty (emptiness is not sensitive)."""
    return encrypt(value) if value else value


def unseal(stored: str | None) -> str | None:
    return decrypt(stored) if stored else stored


# --- fields ---------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """Text held encrypted in the database and plain in Python. It cannot be filtered on —
    every token differs — so a lookup raises instead of silently finding nothing; pair it
    with a BlindIndexField to search. `max_length` (if given) applies to the plain text in
    forms; the column is unbounded text because tokens are longer than the values."""

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        return unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        return seal(super().get_prep_value(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.name} is encrypted and cannot be searched with '{lookup_name}'; "
            f"filter on its hash field with blind_index(value)"
        )


class BlindIndexField(models.CharField):
    """The keyed hash of another field of the same model, kept up to date on every save and
    bulk_create. bulk_update and QuerySet.update skip pre_save: set it with blind_index()
    and list it beside its source there."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", HASH_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: Model, add: bool) -> str:
        value = blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model: type[Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def blind_index_fields(model: type[Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


# --- rewriting stored rows (migrations and key rotation) ------------------------------------


@dataclass(frozen=True)
class TableColumns:
    """The encrypted columns of one table and the hash columns computed from them."""

    table: str
    pk: str
    columns: Sequence[str]
    hashes: dict[str, str]  # hash column → the encrypted column it indexes

    @classmethod
    def of(cls, model: type[Model]) -> TableColumns:
        column_of = {f.name: _column(f) for f in model._meta.concrete_fields}
        return cls(
            table=model._meta.db_table,
            pk=_column(model._meta.pk),
            columns=[_column(f) for f in encrypted_fields(model)],
            hashes={_column(f): column_of[f.source] for f in blind_index_fields(model)},
        )


def _column(field: Field[Any, Any]) -> str:
    # A concrete field bound to a model always has its column; the stubs allow None for a
    # field not yet bound.
    assert field.column is not None, f"{field} has no column"
    return field.column


Rewrite = Callable[[Sequence[str | None]], Sequence[str | None] | None]


def rewrite_rows(
    connection: BaseDatabaseWrapper, spec: TableColumns, rewrite: Rewrite, *, batch_size: int = 2000
) -> int:
    """Walk `spec.table` in primary-key order, one transaction per batch, and store what
    `rewrite` makes of each row's stored (columns + hashes) values; it returns None to leave
    a row alone. Raw SQL, so migrations can use it whatever their model state says.
    Returns the number of rows changed."""
    quote = connection.ops.quote_name
    names = [*spec.columns, *spec.hashes]
    # Rows are locked until their batch commits, so a change made meanwhile by the site is
    # not overwritten with the value read before it (SQLite locks the whole file anyway).
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = (
        f"SELECT {quote(spec.pk)}, {', '.join(quote(n) for n in names)} FROM {quote(spec.table)}"  # noqa: S608
        f" WHERE {quote(spec.pk)} > %s ORDER BY {quote(spec.pk)} LIMIT %s{lock}"
    )
    update = (
        f"UPDATE {quote(spec.table)} SET {', '.join(f'{quote(n)} = %s' for n in names)}"  # noqa: S608
        f" WHERE {quote(spec.pk)} = %s"
    )
    changed, last = 0, 0  # auto-increment keys start at 1
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(select, [last, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return changed
            last = rows[-1][0]
            updates = [(*new, pk) for pk, *old in rows if (new := rewrite(old)) is not None]
            if updates:
                cursor.executemany(update, updates)
            changed += len(updates)


def seal_plain(spec: TableColumns) -> Rewrite:
    """Plain stored values → tokens and hashes (the migration that turns encryption on)."""

    def rewrite(old: Sequence[str | None]) -> Sequence[str | None]:
        plain = dict(zip(spec.columns, old, strict=False))
        return [*(seal(v) for v in plain.values()), *(blind_index(plain[c] or "") for c in spec.hashes.values())]

    return rewrite


def unseal_tokens(spec: TableColumns) -> Rewrite:
    """Tokens → plain values (reversing that migration); hashes are left as they are."""

    def rewrite(old: Sequence[str | None]) -> Sequence[str | None]:
        tokens = old[: len(spec.columns)]
        return [*(unseal(v) for v in tokens), *old[len(spec.columns) :]]

    return rewrite


def reseal(spec: TableColumns, *, rehash: bool) -> Rewrite:
    """Tokens under an older key → tokens under the newest key; with `rehash`, every hash
    recomputed under the current hash key. Rows already current are left alone, so an
    interrupted rotation can simply be run again."""
    newest = field_keys().newest_id

    def rewrite(old: Sequence[str | None]) -> Sequence[str | None] | None:
        tokens = old[: len(spec.columns)]
        stale = any(t and token_key_id(t) != newest for t in tokens)
        if not stale and not (rehash and spec.hashes):
            return None
        plain = dict(zip(spec.columns, (unseal(t) for t in tokens), strict=True))
        new_tokens = [seal(v) if stale else t for v, t in zip(plain.values(), tokens, strict=True)]
        hashes = [blind_index(plain[c] or "") for c in spec.hashes.values()] if rehash else old[len(spec.columns) :]
        return [*new_tokens, *hashes]

    return rewrite


def models_with_sealed_fields() -> list[type[Model]]:
    """Every installed model holding encrypted fields, history models included."""
    from django.apps import apps

    return [model for model in apps.get_models() if encrypted_fields(model)]


def rotate_field_keys(*, rehash: bool = False, batch_size: int = 2000) -> dict[str, int]:
    """Re-seal every stored value under the newest field key (and with `rehash`, recompute
    every look-up hash under the current hash key). Returns rows changed per model label."""
    from django.db import connections, router

    changed: dict[str, int] = {}
    for model in models_with_sealed_fields():
        spec = TableColumns.of(model)
        connection = connections[router.db_for_write(model)]
        changed[model._meta.label] = rewrite_rows(connection, spec, reseal(spec, rehash=rehash), batch_size=batch_size)
    return changed
