"""Claims members file: valuing at filing and again at approval, the cover and the waiting
period, an invoice claimed once, the photos' checks and sealing, the steps and who may take
them (with the refusals), the notifications and to-dos, and the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from gonghui.core.access import Role
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEntry, Decision, Notification
from gonghui.core.todos import todos_for
from gonghui.mutual_aid import claim_invoices
from gonghui.mutual_aid import member_claims as claims
from gonghui.mutual_aid.accumulators import enrolment_so_far
from gonghui.mutual_aid.models import Claim, ClaimInvoice, ClaimStatus, Enrolment
from gonghui.mutual_aid.tests.claim_helpers import bill, image_bytes, photo, scheme_with_member
from gonghui.testing import Federation, make_member, make_user, signed_in


@pytest.fixture
def enrolment(fed: Federation) -> Enrolment:
    return scheme_with_member(fed)


def file(fed: Federation, **changes: Any) -> Claim:
    return claims.claim_file(scope=fed.scope(fed.member_user), bill=bill(**changes), photos=[photo()])


def checked_and_approved(fed: Federation, claim: Claim) -> claims.Approval:
    claims.claim_check(scope=fed.scope(fed.union_a1_officer), claim=claim)
    return claims.claim_approve(scope=fed.scope(fed.town_a_staff), claim=claim)


# --- filing ---------------------------------------------------------------------------------


def test_a_filed_claim_is_valued_by_the_years_rules_and_waits_for_the_union(
    fed: Federation, enrolment: Enrolment
) -> None:
    claim = file(fed)
    assert (claim.status, claim.amount, claim.filed_amount) == (ClaimStatus.SUBMITTED, Decimal("7500.00"), claim.amount)
    assert claim.fund_paid == Decimal("13000.00") and claim.filed_by == fed.member_user
    assert claim.rule_set.version == 1 and claim.added_inpatient == Decimal("7500.00")
    assert claim.explanation_lines() == [
        "住院：政策范围内自付 15,000.00 元，每次起付线 1,000.00 元",
        "1,000.00 至 10,000.00 元部分 9,000.00 元 × 50% = 4,500.00 元",
        "10,000.00 元以上部分 5,000.00 元 × 60% = 3,000.00 元",
        "住院补助 7,500.00 元",
    ]
    decision = Decision.objects.get(process="mutual_aid.claim")
    assert (decision.step, decision.to_state, decision.decided_by) == ("file", "submitted", fed.member_user)
    told = Notification.objects.get(kind="mutual_aid.claim_filed")
    assert told.recipient == fed.union_a1_officer and "张伟" in told.body_text and "30,000.00" in told.body_text
    # A claim waiting for its check already counts towards the member's year, as a fed one does.
    assert enrolment_so_far(enrolment.pk).inpatient_paid == Decimal("7500.00")


def test_care_outside_the_cover_or_in_the_waiting_period_is_not_filed(fed: Federation) -> None:
    enrolment = scheme_with_member(fed)
    with pytest.raises(ValidationFailed) as outside:
        file(fed, admitted_on=date(2025, 12, 30), discharged_on=date(2026, 1, 5))
    assert outside.value.field == "admitted_on" and "不在职工医疗互助保障的参保期内" in outside.value.message
    Enrolment.objects.filter(pk=enrolment.pk).update(first_time=True)
    with pytest.raises(ValidationFailed) as waiting:
        file(fed, admitted_on=date(2026, 2, 1), discharged_on=date(2026, 2, 3))
    assert "首次参保等待期内：2026-02-01 就诊，2026-04-01 起的就诊方可补助" in waiting.value.message
    assert not Claim.objects.exists() and not ClaimInvoice.objects.exists()


def test_a_member_who_is_not_enrolled_cannot_file(fed: Federation, enrolment: Enrolment) -> None:
    other = make_member(union=fed.union_a1, name="陈静", employer=fed.employer_a1, sex="F")
    user = make_user("chen_jing", role=Role.MEMBER, person=other.person)
    with pytest.raises(ValidationFailed, match="参保期内"):
        claims.claim_file(scope=fed.scope(user), bill=bill(), photos=[photo()])
    with pytest.raises(Forbidden):
        claims.claim_file(scope=fed.scope(fed.union_a1_officer), bill=bill(), photos=[photo()])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"in_policy_self_paid": Decimal("29000.00")}, "in_policy_self_paid"),  # with 2,000 outside: above the total
        ({"admitted_on": date(2026, 5, 21)}, "discharged_on"),  # discharged before admitted
        ({"invoice_number": "12"}, "invoice_number"),
        ({"hospital": "  "}, "hospital"),
        ({"visit_type": "dental"}, "visit_type"),
    ],
)
def test_a_bill_that_does_not_add_up_is_refused_naming_its_field(
    fed: Federation, enrolment: Enrolment, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        file(fed, **changes)
    assert refused.value.field == field


def test_an_invoice_is_claimed_once_unless_the_claim_was_turned_down(fed: Federation, enrolment: Enrolment) -> None:
    first = file(fed, invoice_number="3100 0026 0510 1234 5678")
    assert first.invoice_number == "31000026051012345678"
    with pytest.raises(ValidationFailed) as again:
        file(fed)
    assert again.value.field == "invoice_number" and "已申请过补助" in again.value.message
    claims.claim_reject(scope=fed.scope(fed.union_a1_officer), claim=first, reason="发票照片模糊，请重新拍摄后申请")
    assert file(fed).status == ClaimStatus.SUBMITTED


def test_special_outpatient_care_is_valued_with_the_listed_disease(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed, visit_type="special_outpatient", diagnosis="e11", in_policy_self_paid=Decimal("1500.00"))
    assert claim.diagnosis == "E11" and claim.amount == Decimal("500.00")  # (1,500 - 500 deductible) x 50%
    codes = dict(claims.diagnosis_codes(scope=fed.scope(fed.member_user)))
    assert "E11" in codes and "I21" in codes and codes["E11"] == "门诊特殊病 E11"


# --- invoice photos -------------------------------------------------------------------------


def test_photos_are_checked_by_their_bytes_and_kept_sealed(fed: Federation, enrolment: Enrolment) -> None:
    jpeg, png = image_bytes("JPEG"), image_bytes("PNG", (60, 90))
    claim = claims.claim_file(
        scope=fed.scope(fed.member_user), bill=bill(), photos=[photo(data=jpeg), photo("清单.png", data=png)]
    )
    first, second = claim.invoices.all()
    assert (first.content_type, second.content_type, second.width, second.height) == ("image/jpeg", "image/png", 60, 90)
    with first.file.open("rb") as stored:
        sealed = stored.read()
    assert jpeg not in sealed and not sealed.startswith(b"\xff\xd8")
    assert claim_invoices.invoice_open(first) == jpeg and claim_invoices.invoice_open(second) == png


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([photo("发票.jpg", data="这不是图片，只是改了扩展名".encode())], "发票.jpg：不是可识别的图片"),
        ([photo("半张.jpg", data=image_bytes("JPEG")[:300])], "半张.jpg：不是可识别的图片"),
        ([photo("动图.gif", data=image_bytes("GIF"))], "动图.gif：不是可识别的图片"),
        ([photo("空.jpg", data=b"")], "空.jpg：文件是空的"),
        ([], "请上传发票照片"),
        ([photo() for _ in range(7)], "最多上传 6 张发票照片"),
    ],
)
def test_what_is_not_an_invoice_photo_is_refused_saying_which_file(
    fed: Federation, enrolment: Enrolment, photos: list[Any], message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        claims.claim_file(scope=fed.scope(fed.member_user), bill=bill(), photos=photos)
    assert message in refused.value.message and refused.value.field == "photos"
    assert not Claim.objects.exists()


@override_settings(GONGHUI_INVOICE_MAX_BYTES=2 * 1024 * 1024)
def test_a_photo_above_the_size_limit_is_refused(fed: Federation, enrolment: Enrolment) -> None:
    big = photo("大图.png", data=image_bytes("PNG") + b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationFailed, match="大图.png：超过 2 MB 上限"):
        claims.claim_file(scope=fed.scope(fed.member_user), bill=bill(), photos=[big])


# --- the steps ------------------------------------------------------------------------------


def test_check_then_approve_tells_the_member_and_the_next_approver(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed)
    claims.claim_check(scope=fed.scope(fed.union_a1_officer), claim=Claim.objects.get())  # a plain Claim does too
    town = Notification.objects.get(kind="mutual_aid.claim_checked", recipient=fed.town_a_staff)
    assert "7,500.00" in town.body_text and town.link == reverse("mutual_aid:claim_detail", args=[claim.pk])
    assert Notification.objects.filter(kind="mutual_aid.claim_checked", recipient=fed.member_user).exists()
    assert not Notification.objects.filter(recipient=fed.town_b_staff).exists()

    approval = claims.claim_approve(scope=fed.scope(fed.town_a_staff), claim=claim)
    assert (approval.claim.status, approval.claim.amount, approval.changed) == ("approved", Decimal("7500.00"), False)
    told = Notification.objects.get(kind="mutual_aid.claim_approved")
    assert told.recipient == fed.member_user and "补助 7,500.00 元" in told.body_text
    steps = list(Decision.objects.filter(process="mutual_aid.claim").values_list("step", "decided_as"))
    assert steps == [("file", "member"), ("check", "union"), ("approve", "town")]


def test_the_annual_cap_left_by_a_turned_down_claim_is_given_back_at_approval(
    fed: Federation, enrolment: Enrolment
) -> None:
    big = {"total_cost": Decimal("50000.00"), "in_policy_self_paid": Decimal("40000.00")}
    first, second, third = (file(fed, **big, invoice_number=f"33000{n}2026") for n in (1, 2, 3))
    assert [c.amount for c in (first, second, third)] == [Decimal("20000.00"), Decimal("20000.00"), Decimal("10000.00")]
    assert "本年度已补助 40,000.00 元，年度封顶 50,000.00 元，本次最多 10,000.00 元" in third.explanation_lines()
    claims.claim_reject(scope=fed.scope(fed.town_a_staff), claim=first, reason="该次住院已由医保结算数据理赔")
    approval = checked_and_approved(fed, third)
    assert (approval.changed, approval.claim.amount, approval.claim.filed_amount) == (
        True,
        Decimal("20000.00"),
        Decimal("10000.00"),
    )
    told = Notification.objects.get(kind="mutual_aid.claim_approved")
    assert "补助 20,000.00 元（申请时为 10,000.00 元）" in told.body_text


def test_a_claim_the_rules_pay_nothing_for_is_approved_as_refused(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed, total_cost=Decimal("1500.00"), in_policy_self_paid=Decimal("800.00"), out_of_policy_self_paid=0)
    assert claim.amount == 0 and claim.reason == 3
    assert checked_and_approved(fed, claim).claim.status == ClaimStatus.REFUSED


def test_refusals(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed)
    union_b1 = make_user("union_b1", role=Role.UNION, organisation=fed.union_b1)
    for outsider in (union_b1, fed.town_b_staff):
        with pytest.raises(NotFound):
            claims.claim_get(scope=fed.scope(outsider), claim_id=claim.pk)
    with pytest.raises(Conflict) as skipped:  # the town cannot approve what the union has not checked
        claims.claim_approve(scope=fed.scope(fed.town_a_staff), claim=claim)
    assert skipped.value.code == "step_not_open" and "尚待工会审核" in skipped.value.message
    with pytest.raises(Forbidden):  # the town does not check for the union
        claims.claim_check(scope=fed.scope(fed.town_a_staff), claim=claim)
    claims.claim_check(scope=fed.scope(fed.union_a1_officer), claim=claim)
    with pytest.raises(Conflict):
        claims.claim_check(scope=fed.scope(fed.union_a1_officer), claim=claim)
    for not_an_approver in (fed.member_user, fed.union_a1_officer):
        with pytest.raises(Forbidden):
            claims.claim_approve(scope=fed.scope(not_an_approver), claim=claim)
    with pytest.raises(ValidationFailed):
        claims.claim_reject(scope=fed.scope(fed.town_a_staff), claim=claim, reason="  ")
    claims.claim_approve(scope=fed.scope(fed.city_staff), claim=claim)
    with pytest.raises(Conflict) as twice:
        claims.claim_approve(scope=fed.scope(fed.town_a_staff), claim=claim)
    assert twice.value.code == "step_repeated"
    with pytest.raises(Conflict):
        claims.claim_reject(scope=fed.scope(fed.town_a_staff), claim=claim, reason="重复申请")
    assert Claim.objects.get().status == ClaimStatus.APPROVED


def test_a_rejection_tells_the_member_why_and_counts_for_nothing(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed)
    claims.claim_reject(scope=fed.scope(fed.union_a1_officer), claim=claim, reason="发票与费用清单金额不一致")
    told = Notification.objects.get(kind="mutual_aid.claim_rejected")
    assert told.recipient == fed.member_user and "理由：发票与费用清单金额不一致" in told.body_text
    assert enrolment_so_far(enrolment.pk).inpatient_paid == 0
    lines = claims.decision_lines(Claim.objects.get())
    assert [(line.what, line.who, line.reason) for line in lines] == [
        ("提交申请", "申请人本人", ""),
        ("退回申请", "海宁皮革城工会", "发票与费用清单金额不一致"),
    ]


def test_the_to_dos_count_what_waits_for_each_viewer(fed: Federation, enrolment: Enrolment) -> None:
    def counts(user: Any) -> dict[str, int]:
        return {t.key: t.count for t in todos_for(scope=fed.scope(user)) if t.key.startswith("mutual_aid.claims")}

    claim = file(fed)
    assert counts(fed.union_a1_officer) == {"mutual_aid.claims_to_check": 1}
    assert counts(fed.town_a_staff) == {"mutual_aid.claims_to_approve": 0}
    claims.claim_check(scope=fed.scope(fed.union_a1_officer), claim=claim)
    assert counts(fed.town_a_staff) == {"mutual_aid.claims_to_approve": 1}
    assert counts(fed.town_b_staff) == {"mutual_aid.claims_to_approve": 0}
    assert counts(fed.member_user) == {}


# --- pages ----------------------------------------------------------------------------------


def test_a_member_files_on_the_page_and_reads_the_claim(fed: Federation, enrolment: Enrolment) -> None:
    client = signed_in(fed.member_user)
    form = client.get(reverse("mutual_aid:my_claim_new")).content.decode()
    assert 'accept="image/*"' in form and 'capture="environment"' in form and "门诊特殊病 E11" in form
    data = {
        "visit_type": "inpatient",
        "hospital": "浙江大学医学院附属第一医院",
        "admitted_on": "2026-05-10",
        "discharged_on": "2026-05-20",
        "total_cost": "30,000",
        "in_policy_self_paid": "15000",
        "out_of_policy_self_paid": "",
        "diagnosis": "",
        "invoice_number": "33000026051012345678",
        "note": "",
        "photos": [photo()],
    }
    answer = client.post(reverse("mutual_aid:my_claim_new"), data)
    claim = Claim.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("mutual_aid:my_claim", args=[claim.pk])
    page = client.get(answer["Location"]).content.decode()
    assert (
        "7,500.00" in page and "待工会审核" in page and "10,000.00 元以上部分 5,000.00 元 × 60% = 3,000.00 元" in page
    )
    listing = client.get(reverse("mutual_aid:my_claims")).content.decode()
    assert "浙江大学医学院附属第一医院" in listing and "补助 7,500.00 元" in listing

    refused = client.post(reverse("mutual_aid:my_claim_new"), {**data, "photos": [photo("x.jpg", data=b"GIF89a")]})
    assert refused.status_code == 400 and "x.jpg：不是可识别的图片" in refused.content.decode()


def test_staff_check_and_approve_on_the_pages(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed)
    officer = signed_in(fed.union_a1_officer)
    detail = officer.get(reverse("mutual_aid:claim_detail", args=[claim.pk])).content.decode()
    assert "审核通过" in detail and "批准" not in detail.split("claim-actions")[1].split("</article>")[0]
    assert "张伟" in officer.get(reverse("mutual_aid:claims")).content.decode()
    assert officer.post(reverse("mutual_aid:claim_check", args=[claim.pk])).status_code == 302
    town = signed_in(fed.town_a_staff)
    assert town.post(reverse("mutual_aid:claim_approve", args=[claim.pk])).status_code == 302
    again = town.post(reverse("mutual_aid:claim_approve", args=[claim.pk]))
    assert again.status_code == 409
    member = signed_in(fed.member_user)
    assert member.post(reverse("mutual_aid:claim_approve", args=[claim.pk])).status_code == 403
    union_b1 = signed_in(make_user("union_b1", role=Role.UNION, organisation=fed.union_b1))
    assert union_b1.get(reverse("mutual_aid:claim_detail", args=[claim.pk])).status_code == 404
    assert union_b1.post(reverse("mutual_aid:claim_check", args=[claim.pk])).status_code == 404
    assert officer.get(reverse("mutual_aid:my_claims")).status_code == 403


def test_a_reason_is_needed_to_turn_a_claim_down_on_the_page(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed)
    officer = signed_in(fed.union_a1_officer)
    empty = officer.post(reverse("mutual_aid:claim_reject", args=[claim.pk]), {"reason": ""})
    assert empty.status_code == 400 and Claim.objects.get().status == ClaimStatus.SUBMITTED
    done = officer.post(reverse("mutual_aid:claim_reject", args=[claim.pk]), {"reason": "非本人就医发票"})
    assert done.status_code == 302 and Claim.objects.get().status == ClaimStatus.REJECTED
    page = signed_in(fed.member_user).get(reverse("mutual_aid:my_claim", args=[claim.pk])).content.decode()
    assert "非本人就医发票" in page and "海宁皮革城工会" in page


def test_invoice_photos_open_only_for_who_may_see_the_claim(fed: Federation, enrolment: Enrolment) -> None:
    jpeg = image_bytes()
    claim = claims.claim_file(scope=fed.scope(fed.member_user), bill=bill(), photos=[photo(data=jpeg)])
    url = reverse("mutual_aid:claim_invoice", args=[claim.pk, 1])
    for user in (fed.member_user, fed.union_a1_officer, fed.town_a_staff, fed.city_staff):
        answer = signed_in(user).get(url)
        assert answer.status_code == 200 and answer.content == jpeg and answer["Content-Type"] == "image/jpeg"
        assert answer["Cache-Control"] == "private, no-store"
    fellow = make_member(union=fed.union_a1, name="陈静", employer=fed.employer_a1, sex="F")
    for outsider in (fed.town_b_staff, make_user("chen_jing", role=Role.MEMBER, person=fellow.person)):
        assert signed_in(outsider).get(url).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_SENSITIVE, subject_id=str(claim.pk)).count() == 3
    for wrong in (0, 2):
        assert (
            signed_in(fed.member_user).get(reverse("mutual_aid:claim_invoice", args=[claim.pk, wrong])).status_code
            == 404
        )


def test_the_member_reads_the_claim_in_english(fed: Federation, enrolment: Enrolment) -> None:
    claim = file(fed)
    client = signed_in(fed.member_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("mutual_aid:my_claim", args=[claim.pk])).content.decode()
    assert "How it was computed" in page and "Waiting for the union&#x27;s check" in page
    assert "住院" not in page.split('id="claim-explanation"')[1].split("</ol>")[0]
