"""Activation codes: shown once, kept only as keyed hashes, good once, for a limited time, for
an enabled account, and only with the holder's mobile or identity number beside them. A
wrong try learns nothing and is counted; a password the rules refuse does not spend it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts import activation
from gonghui.accounts.activation import IssuedCode, activation_code_issue
from gonghui.accounts.models import ActivationCode
from gonghui.core.models import AuditEntry
from gonghui.testing import Federation

PASSWORD = "lotus pond under spring rain"
MOBILE = "13957310009"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def newcomer(fed: Federation) -> User:
    return User.objects.create_user(username="zhoumin", password=None, first_name="周敏")


@pytest.fixture
def issued(fed: Federation, newcomer: User) -> IssuedCode:
    return activation_code_issue(actor=fed.town_a_staff, user=newcomer, proofs=[MOBILE])


def post(
    code: str, proof: str = MOBILE, password: str = PASSWORD, again: str | None = None, ip: str = "10.9.0.1"
) -> Any:
    data = {"code": code, "proof": proof, "password": password, "password_again": password if again is None else again}
    return Client().post(reverse("accounts:activate"), data, REMOTE_ADDR=ip)


def error_text(response: Any) -> str:
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def test_the_page_reads_on_a_phone_in_both_languages(client: Client) -> None:
    page = client.get(reverse("accounts:activate")).content.decode()
    assert "激活账号" in page and 'name="viewport"' in page
    client.cookies["django_language"] = "en"
    english = client.get(reverse("accounts:activate")).content.decode()
    assert "Activate your account" in english and "激活账号" not in english


def test_a_code_sets_the_password_once(issued: IssuedCode, newcomer: User) -> None:
    assert post(issued.code).status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.check_password(PASSWORD)
    again = post(issued.code, password="another fine passphrase")
    assert again.status_code == 400 and "激活码或核对信息不正确" in error_text(again)
    newcomer.refresh_from_db()
    assert newcomer.check_password(PASSWORD)
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_ACTIVATED)
    assert entry.actor == newcomer and entry.ip_address == "10.9.0.1"


def test_only_hashes_are_stored(issued: IssuedCode) -> None:
    row = ActivationCode.objects.get()
    raw = activation.normalise_code(issued.code)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_activationcode")
        stored = repr(cursor.fetchall())
    assert raw not in stored and issued.code not in stored and MOBILE not in stored
    assert row.code_hash == activation.code_hash(issued.code) and len(row.proof_hashes) == 1


def test_unknown_code_and_wrong_proof_get_the_same_answer(issued: IssuedCode) -> None:
    wrong_proof = post(issued.code, proof="13900000000")
    unknown = post("ABCD-EFGH-JKMN")
    assert wrong_proof.status_code == unknown.status_code == 400
    assert error_text(wrong_proof) == error_text(unknown)
    failures = AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN_FAILED, detail__step="activation")
    assert sorted(entry.detail["code_known"] for entry in failures) == [False, True]


@pytest.mark.parametrize("spoil", ["expired", "disabled", "superseded"])
def test_a_dead_code_opens_nothing(fed: Federation, issued: IssuedCode, newcomer: User, spoil: str) -> None:
    if spoil == "expired":
        ActivationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "disabled":
        User.objects.filter(pk=newcomer.pk).update(is_active=False)
    else:
        fresh = activation_code_issue(actor=fed.town_a_staff, user=newcomer, proofs=[MOBILE])
        assert post(fresh.code, ip="10.9.0.2").status_code == 200
    response = post(issued.code)
    assert response.status_code == 400 and "激活码或核对信息不正确" in error_text(response)
    newcomer.refresh_from_db()
    assert newcomer.check_password(PASSWORD) is (spoil == "superseded")


def test_a_refused_password_leaves_the_code_usable(issued: IssuedCode, newcomer: User) -> None:
    short = post(issued.code, password="short")
    assert short.status_code == 400 and "password" in short.context["form"].errors
    mismatch = post(issued.code, again="not the same at all")
    assert mismatch.context["form"].errors["password_again"] == ["两次输入的密码不一致"]
    assert post(issued.code).status_code == 200


def test_a_code_is_typed_however_the_holder_likes(issued: IssuedCode) -> None:
    typed = issued.code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert post(typed, proof="+86 139-5731-0009").status_code == 200


def test_tries_are_counted_per_code_and_per_address(issued: IssuedCode) -> None:
    for n in range(activation.PER_CODE.limit):
        assert post(issued.code, proof="13900000000", ip=f"10.8.0.{n}").status_code == 400
    blocked = post(issued.code, ip="10.8.1.1")
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode()
    for n in range(activation.PER_ADDRESS.limit):
        assert post(f"ZZZZ-ZZZZ-ZZ{n:02d}", ip="10.7.0.1").status_code == 400
    assert post("ZZZZ-ZZZZ-ZZZZ", ip="10.7.0.1").status_code == 429
