"""A member files a claim on a phone (390x844) in a real browser, with a photo of the
invoice; once the union's officer has checked it and the town has approved it, the member
sees the status, the amount and how it was computed, in words. Screenshots go to
$GONGHUI_SCREENSHOTS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from gonghui.browser_testing import PHONE, SCREENSHOTS, no_sideways_scroll, sign_in
from gonghui.mutual_aid import member_claims as claims
from gonghui.mutual_aid.models import Claim, ClaimStatus
from gonghui.mutual_aid.tests.claim_helpers import image_bytes, scheme_with_member
from gonghui.testing import Federation

pytestmark = pytest.mark.browser


def test_a_member_files_a_claim_on_the_phone_and_reads_how_it_was_computed(
    open_page: Callable[..., Any], site: str, fed: Federation
) -> None:
    scheme_with_member(fed)
    page = open_page(viewport=PHONE)
    sign_in(page, site, "member_a1")
    page.goto(site + reverse("mutual_aid:my_claims"))
    page.get_by_role("button", name="申请补助").click()
    page.get_by_label("就诊类型").select_option(label="住院")
    page.get_by_label("医院").fill("上海交通大学医学院附属瑞金医院")
    page.get_by_label("入院（就诊）日期").fill("2026-05-10")
    page.get_by_label("出院日期").fill("2026-05-20")
    page.get_by_label("总费用（元）").fill("30000")
    page.get_by_label("政策范围内自付（元）").fill("15000")
    page.get_by_label("政策外自付（元）").fill("2000")
    page.get_by_label("发票号码").fill("31000026051012345678")
    camera = page.get_by_label("拍摄发票")
    assert (camera.get_attribute("accept"), camera.get_attribute("capture")) == ("image/*", "environment")
    invoice = {"name": "发票.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", (800, 600))}
    page.get_by_label("从相册选择").set_input_files(files=[invoice])
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "gonghui-member-claim-form.png"), full_page=True)
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("补助申请已提交，等待工会审核。").wait_for()
    assert page.locator("#claim-amount").get_by_text("待工会审核").is_visible()
    assert page.get_by_role("img", name="发票照片 1").evaluate("img => img.naturalWidth") == 800

    claim = Claim.objects.get()
    claims.claim_check(scope=fed.scope(fed.union_a1_officer), claim=claim)
    claims.claim_approve(scope=fed.scope(fed.town_a_staff), claim=claim)
    assert Claim.objects.get().status == ClaimStatus.APPROVED

    page.goto(site + reverse("mutual_aid:my_claims"))
    page.get_by_text("补助 7,500.00 元").wait_for()
    page.get_by_role("link", name="2026-05-10 上海交通大学医学院附属瑞金医院").click()
    amount = page.locator("#claim-amount")
    amount.get_by_text("7,500.00 元", exact=True).wait_for()
    assert amount.get_by_text("已批准").is_visible()
    explanation = page.locator("#claim-explanation").inner_text()
    assert "1,000.00 至 10,000.00 元部分 9,000.00 元 × 50% = 4,500.00 元" in explanation
    assert "10,000.00 元以上部分 5,000.00 元 × 60% = 3,000.00 元" in explanation
    decisions = page.locator("#claim-decisions").inner_text()
    assert "工会审核通过 · 海宁皮革城工会" in decisions and "审批通过 · 硖石街道总工会" in decisions
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "gonghui-member-claim-approved.png"), full_page=True)
