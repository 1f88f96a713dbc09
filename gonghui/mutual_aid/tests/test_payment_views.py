"""The payment pages and the bank-account pages: what each shows (masked), what they do,
and who is refused."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.core import demo, personal_data
from gonghui.core.ledger import fund_balance
from gonghui.core.models import AuditEntry
from gonghui.mutual_aid import payments
from gonghui.mutual_aid.funds import scheme_pool
from gonghui.mutual_aid.models import BankAccount, Claim, ClaimStatus, PaymentBatch, SchemeYear
from gonghui.mutual_aid.payments_demo import pay_demo_claims
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.mutual_aid.tests.payment_helpers import approved_claim, enrol, fund_pool, give_account
from gonghui.testing import Federation, make_member


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scheme(fed: Federation) -> SchemeYear:
    scheme = make_scheme(fed)
    fund_pool(fed.city, "20000.00")
    return scheme


@pytest.fixture
def batch(fed: Federation, scheme: SchemeYear) -> PaymentBatch:
    give_account(fed.member_a1)
    approved_claim(enrol(scheme, fed.member_a1), "7500.00")
    approved_claim(enrol(scheme, fed.member_b1), "900.00")  # 李娜 has no account: held back
    return payments.payment_batch_create(scope=fed.scope(fed.city_staff))


def test_the_city_makes_a_batch_from_the_page_seeing_what_is_held_back(fed, scheme) -> None:
    give_account(fed.member_a1)
    approved_claim(enrol(scheme, fed.member_a1), "7500.00")
    approved_claim(enrol(scheme, fed.member_b1), "900.00")
    city = client_for(fed.city_staff)
    page = city.get(reverse("mutual_aid:payment_batch_new")).content.decode()
    assert "6222 **** **** 1234" in page and "6222021202034561234" not in page
    assert "李娜" in page and "未登记收款银行账户" in page
    response = city.post(reverse("mutual_aid:payment_batch_new"), {"note": "6月份补助"})
    made = PaymentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mutual_aid:payment_batch", args=[made.pk])
    detail = city.get(response["Location"]).content.decode()
    assert made.number in detail and "6222 **** **** 1234" in detail and "6222021202034561234" not in detail
    assert "补助支付" in city.get(reverse("mutual_aid:payment_batches")).content.decode()


def test_marking_paid_from_the_page_and_again(fed, batch) -> None:
    city = client_for(fed.city_staff)
    url = reverse("mutual_aid:payment_batch_paid", args=[batch.pk])
    form = {"bank_reference": "ICBC2026061500123", "paid_on": "2026-06-15"}
    assert city.post(url, form).status_code == 302
    assert city.post(url, form).status_code == 302  # the same confirmation twice
    assert Claim.objects.filter(status=ClaimStatus.PAID).count() == 1
    response = city.post(url, {**form, "bank_reference": "ICBC2026061500999"})
    assert response.status_code == 409 and "已于 2026-06-15 支付" in response.content.decode()


def test_a_short_pool_is_shown_and_nothing_is_paid(fed, scheme) -> None:
    give_account(fed.member_a1)
    approved_claim(enrol(scheme, fed.member_a1), "25000.00")
    made = payments.payment_batch_create(scope=fed.scope(fed.city_staff))
    response = client_for(fed.city_staff).post(
        reverse("mutual_aid:payment_batch_paid", args=[made.pk]),
        {"bank_reference": "ICBC2026061500123", "paid_on": "2026-06-15"},
    )
    assert response.status_code == 409
    assert "资金不足，未作任何支付" in response.content.decode()
    assert "余额 20,000.00 元" in response.content.decode()
    assert Claim.objects.get().status == ClaimStatus.APPROVED
    assert fund_balance(scheme_pool(fed.city)) == 20000


def test_the_transfer_file_downloads_and_the_batch_cancels(fed, batch) -> None:
    city = client_for(fed.city_staff)
    response = city.get(reverse("mutual_aid:payment_transfer_file", args=[batch.pk, "csv"]))
    assert response.status_code == 200 and "6222021202034561234" in response.content.decode("utf-8-sig")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, path__contains="transfer").exists()
    assert city.post(reverse("mutual_aid:payment_batch_cancel", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "cancelled"


def test_refusals_union_officer_403_other_town_404_member_403(fed, batch) -> None:
    pages = [
        ("get", reverse("mutual_aid:payment_batches")),
        ("get", reverse("mutual_aid:payment_batch", args=[batch.pk])),
        ("get", reverse("mutual_aid:payment_transfer_file", args=[batch.pk, "xlsx"])),
        ("post", reverse("mutual_aid:payment_batch_paid", args=[batch.pk])),
        ("post", reverse("mutual_aid:payment_batch_cancel", args=[batch.pk])),
    ]
    for user, status in ((fed.union_a1_officer, 403), (fed.member_user, 403)):
        client = client_for(user)
        for method, url in pages:
            assert getattr(client, method)(url).status_code == status, (user, url)
    town_b = client_for(fed.town_b_staff)
    for method, url in pages[1:]:
        assert getattr(town_b, method)(url).status_code == 404, url
    batch.refresh_from_db()
    assert batch.status == "draft"


def test_a_member_sets_their_own_account_on_the_phone_page(fed) -> None:
    member = client_for(fed.member_user)
    url = reverse("mutual_aid:my_bank_account")
    assert "登记账户" in member.get(url).content.decode()
    bad = member.post(url, {"holder_name": "张伟", "bank_name": "中国农业银行海宁支行", "account_number": "6228-48"})
    assert bad.status_code == 400 and "12 到 30 位数字" in bad.content.decode()
    form = {"holder_name": "张伟", "bank_name": "中国农业银行海宁支行", "account_number": "6228 4803 2801 2345 678"}
    assert member.post(url, form).status_code == 302
    assert BankAccount.objects.get(person=fed.member_a1.person).account_number == "6228480328012345678"
    page = member.get(url).content.decode()
    assert "6228 **** **** 5678" in page and "6228480328012345678" not in page
    parts = {part.key: part for part in personal_data.personal_data_parts()}
    assert parts["mutual_aid_bank_account"].collect(fed.member_a1.person)[0]["account_number"] == "6228 **** **** 5678"


def test_officers_over_the_member_set_it_and_reveal_it_with_a_reason(fed) -> None:
    url = reverse("mutual_aid:bank_account", args=[fed.member_a1.person.pk])
    form = {"holder_name": "张伟", "bank_name": "中国工商银行海宁支行", "account_number": "6222021202034561234"}
    assert client_for(fed.union_a1_officer).post(url, form).status_code == 302
    assert client_for(fed.town_b_staff).get(url).status_code == 404
    assert client_for(fed.member_user).get(url).status_code == 403
    reveal = reverse("mutual_aid:bank_account_reveal", args=[fed.member_a1.person.pk])
    assert client_for(fed.union_a1_officer).post(reveal, {"reason": "核对"}).status_code == 403  # no permission
    shown = client_for(fed.city_staff).post(reveal, {"reason": "银行退票核对账号"})
    assert shown.status_code == 200 and "6222021202034561234" in shown.content.decode()
    looks = AuditEntry.objects.filter(data_subject_id=fed.member_a1.person.pk)
    assert looks.filter(action=AuditEntry.Action.VIEW_SENSITIVE, reason="银行退票核对账号").count() == 1
    assert looks.filter(action=AuditEntry.Action.ACCESS_DENIED).exists()


def test_the_demo_pays_approved_claims_in_monthly_batches(fed, scheme) -> None:
    fund_pool(fed.city, "100000.00", ref="2026-more")
    people = [fed.member_a1, fed.member_b1, make_member(union=fed.union_a2, name="王强")]
    for n, membership in enumerate(people):
        enrolment = enrol(scheme, membership)
        for month in (3, 4, 6):
            approved_claim(enrolment, f"{1000 + n * 100}.00", settled_on=date(2026, month, 10 + n))
    approved_claim(enrolment, "500.00", settled_on=date(2026, 11, 20))  # paid on 12-15: after as_of
    ctx = demo.DemoContext(seed=7, as_of=date(2026, 11, 30), log=lambda _text: None)
    ctx.city = SimpleNamespace(node=SimpleNamespace(org=fed.city))
    ctx.city_spec = SimpleNamespace(name="海宁市")
    pay_demo_claims(ctx)
    assert BankAccount.objects.count() == 3
    assert BankAccount.objects.filter(bank_name__endswith="海宁支行").count() == 3
    batches = PaymentBatch.objects.order_by("paid_on")
    assert [(b.paid_on, b.line_count) for b in batches] == [
        (date(2026, 4, 15), 3),
        (date(2026, 5, 15), 3),
        (date(2026, 7, 15), 3),
    ]
    assert all(b.bank_reference.startswith(f"ICBC{b.paid_on:%Y%m%d}") for b in batches)
    assert Claim.objects.filter(status=ClaimStatus.PAID).count() == 9
    assert Claim.objects.filter(status=ClaimStatus.APPROVED).count() == 1
