"""Reviewing settlement batches: approval of the whole batch, rejection of single claims with
a reason, and the refusals (403 for a union officer, 404 for another town, 409 for a step
taken twice or too late), through the services; then the pages."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from functools import partial
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from gonghui.core.demo import DemoContext
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.jobs import job_submit
from gonghui.core.models import AuditEntry, Decision
from gonghui.core.workflow import decisions_of
from gonghui.enrolment.tests.test_accept_races import _at_once as at_once
from gonghui.mutual_aid import enrolling, reviewing
from gonghui.mutual_aid.accumulators import enrolment_so_far
from gonghui.mutual_aid.calculator import Reason
from gonghui.mutual_aid.models import (
    BatchApproval,
    BatchStatus,
    Claim,
    ClaimAdjustment,
    ClaimStatus,
    SchemeYear,
    SettlementBatch,
)
from gonghui.mutual_aid.settlements import KIND, settlement_batch_submit
from gonghui.mutual_aid.tests.settlement_files import scheme_with_enrolments, settlement_csv, stay
from gonghui.testing import Federation, make_member, new_id_number, signed_in


@pytest.fixture
def scheme(fed: Federation, monkeypatch: pytest.MonkeyPatch) -> SchemeYear:
    return scheme_with_enrolments(fed, monkeypatch)


@pytest.fixture
def colleague(fed: Federation) -> Any:
    """A second member of 皮革城 (town A), enrolled with the union."""
    return make_member(union=fed.union_a1, name="陈静", employer=fed.employer_a1, sex="F")


def upload(fed: Federation, scheme: SchemeYear, rows: list[dict[str, str]], *, user: Any = None) -> SettlementBatch:
    return settlement_batch_submit(
        scope=fed.scope(user or fed.town_a_staff),
        scheme_year=scheme,
        uploaded_file=io.BytesIO(settlement_csv(rows)),
        filename="海宁医保结算2026年5月.csv",
        run_inline=True,
    )


@pytest.fixture
def batch(fed: Federation, scheme: SchemeYear) -> SettlementBatch:
    """Town A's batch: two stays of 张伟, one below the deductible, and a stranger's record."""
    rows = [
        stay(fed.member_a1, "ZY202605100137"),
        stay(fed.member_a1, "ZY202606020211", 入院日期="2026-06-02", 政策内自付="6000.00"),
        stay(fed.member_a1, "ZY202606150045", 入院日期="2026-06-15", 政策内自付="800.00"),
        stay(fed.member_a1, "ZY202607010009", 身份证号=new_id_number(birth=date(1988, 5, 12)), 姓名="王建华"),
    ]
    done = upload(fed, scheme, rows)
    assert done.status == BatchStatus.DONE and (done.claim_count, done.issue_count) == (3, 1)
    return done


def statuses(batch: SettlementBatch) -> dict[str | None, str]:
    return dict(Claim.objects.filter(batch=batch).values_list("settlement_number", "status"))


# --- services ------------------------------------------------------------------------------


def test_approval_approves_every_pending_claim_and_records_the_decision(fed, batch) -> None:
    approval = reviewing.batch_approve(scope=fed.scope(fed.town_a_staff), batch=batch)
    assert (approval.claim_count, approval.amount) == (2, Decimal("10000.00"))  # 7,500 + 2,500
    assert statuses(batch) == {
        "ZY202605100137": ClaimStatus.APPROVED,
        "ZY202606020211": ClaimStatus.APPROVED,
        "ZY202606150045": ClaimStatus.REFUSED,  # the rules pay nothing: nothing to approve
    }
    decision = decisions_of(batch).get()
    assert (decision.process, decision.step, decision.from_state, decision.to_state) == (
        reviewing.KIND,
        "approve",
        "to_review",
        "approved",
    )
    assert decision.decided_by == fed.town_a_staff
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DECISION, subject_id=str(batch.pk)).exists()


def test_city_staff_may_approve_a_towns_batch(fed, batch) -> None:
    reviewing.batch_approve(scope=fed.scope(fed.city_staff), batch=batch)
    assert BatchApproval.objects.get(batch=batch).approved_by == fed.city_staff


def test_a_rejected_claim_stays_rejected_and_counts_for_nothing(fed, batch) -> None:
    scope = fed.scope(fed.town_a_staff)
    claim = Claim.objects.get(settlement_number="ZY202605100137")
    before = enrolment_so_far(claim.enrolment_id)
    rejected = reviewing.claim_reject(
        scope=scope, batch=batch, claim_id=claim.pk, reason="住院期间已退会，核实后不予补助"
    )
    assert rejected.status == ClaimStatus.REJECTED and rejected.rejection.reason == "住院期间已退会，核实后不予补助"
    assert enrolment_so_far(claim.enrolment_id).inpatient_paid == before.inpatient_paid - Decimal("7500.00")
    step = Decision.objects.get(step="reject_claim")
    assert (step.reason, step.from_state, step.to_state) == ("住院期间已退会，核实后不予补助", "to_review", "to_review")
    audited = AuditEntry.objects.get(subject_type="mutual_aid.claim", subject_id=str(claim.pk))
    assert audited.data_subject_id == fed.member_a1.person.pk

    approval = reviewing.batch_approve(scope=scope, batch=batch)
    assert approval.claim_count == 1 and statuses(batch)["ZY202605100137"] == ClaimStatus.REJECTED


def test_a_rejection_needs_a_reason_and_a_pending_claim(fed, batch) -> None:
    scope = fed.scope(fed.town_a_staff)
    pending = Claim.objects.get(settlement_number="ZY202605100137")
    with pytest.raises(ValidationFailed):
        reviewing.claim_reject(scope=scope, batch=batch, claim_id=pending.pk, reason="  ")
    refused = Claim.objects.get(settlement_number="ZY202606150045")
    with pytest.raises(Conflict):
        reviewing.claim_reject(scope=scope, batch=batch, claim_id=refused.pk, reason="重复")
    with pytest.raises(NotFound):
        reviewing.claim_reject(scope=scope, batch=batch, claim_id=pending.pk + 1000, reason="重复")
    assert statuses(batch)["ZY202605100137"] == ClaimStatus.PENDING_REVIEW
    assert not Decision.objects.exists()


def test_a_union_officer_is_refused_and_another_town_does_not_find_the_batch(fed, batch) -> None:
    claim = Claim.objects.filter(batch=batch).first()
    assert claim is not None
    for user, error in ((fed.union_a1_officer, Forbidden), (fed.member_user, Forbidden), (fed.town_b_staff, NotFound)):
        with pytest.raises(error):
            reviewing.batch_approve(scope=fed.scope(user), batch=batch)
        with pytest.raises(error):
            reviewing.claim_reject(scope=fed.scope(user), batch=batch, claim_id=claim.pk, reason="不予补助")
        with pytest.raises(error):
            reviewing.batch_get(scope=fed.scope(user), pk=batch.pk)
    assert not BatchApproval.objects.exists() and not Decision.objects.exists()


def test_a_batch_is_reviewed_by_the_city_or_its_uploader_only(fed, scheme) -> None:
    """The city's own batch is not town A's to see; a town's batch not another town's."""
    city_batch = upload(fed, scheme, [stay(fed.member_b1, "ZY202605110002")], user=fed.city_staff)
    with pytest.raises(NotFound):
        reviewing.batch_approve(scope=fed.scope(fed.town_a_staff), batch=city_batch)
    assert [b.pk for b in reviewing.batch_list(scope=fed.scope(fed.town_b_staff))] == []
    assert [b.pk for b in reviewing.batch_list(scope=fed.scope(fed.city_staff))] == [city_batch.pk]


def test_approving_twice_or_rejecting_after_approval_is_a_conflict(fed, batch) -> None:
    scope = fed.scope(fed.town_a_staff)
    reviewing.batch_approve(scope=scope, batch=batch)
    with pytest.raises(Conflict) as twice:
        reviewing.batch_approve(scope=fed.scope(fed.city_staff), batch=batch)
    assert twice.value.code == "step_repeated"
    claim = Claim.objects.get(settlement_number="ZY202605100137")
    with pytest.raises(Conflict) as late:
        reviewing.claim_reject(scope=scope, batch=batch, claim_id=claim.pk, reason="不予补助")
    assert late.value.code == "step_not_open"
    assert claim.status == ClaimStatus.APPROVED and Decision.objects.count() == 1


def test_a_batch_still_running_or_unread_cannot_be_approved(fed, scheme) -> None:
    for status in (BatchStatus.PENDING, BatchStatus.RUNNING, BatchStatus.REJECTED):
        waiting = SettlementBatch.objects.create(
            scheme_year=scheme, organisation=fed.town_a, scope_path=fed.town_a.path, filename="结算.csv", status=status
        )
        with pytest.raises(Conflict):
            reviewing.batch_approve(scope=fed.scope(fed.town_a_staff), batch=waiting)


def test_adjustments_are_approved_with_their_batch_and_a_rejected_claims_reversal_is_listed(
    fed, scheme, colleague
) -> None:
    scope = fed.scope(fed.town_a_staff)
    enrolling.enrolment_job_submit(scope=fed.scope(fed.city_staff), scheme_year=scheme, union=fed.union_a1)
    first = upload(fed, scheme, [stay(fed.member_a1, "ZY202605100137"), stay(colleague, "ZY202605120088")])
    rejected = Claim.objects.get(settlement_number="ZY202605120088")
    reviewing.claim_reject(scope=scope, batch=first, claim_id=rejected.pk, reason="结算单与住院记录不符")
    reviewing.batch_approve(scope=scope, batch=first)
    refund = {"总费用": "-2000.00", "统筹支付": "-1000.00", "政策内自付": "-1000.00", "冲销标志": "是"}
    second = upload(
        fed,
        scheme,
        [
            stay(fed.member_a1, "CX202607010001", 原结算单号="ZY202605100137", **refund),
            stay(colleague, "CX202607010002", 原结算单号="ZY202605120088", **refund),
        ],
    )
    # The rejected claim's reversal is listed, not adjusted (reason 16: 原结算单审核未通过).
    assert (second.adjustment_count, second.issue_count) == (1, 1)
    assert second.issues.get().reason == 16
    approval = reviewing.batch_approve(scope=scope, batch=second)
    assert (approval.claim_count, approval.adjustment_count) == (0, 1)
    assert dict(ClaimAdjustment.objects.values_list("settlement_number", "status")) == {
        "CX202607010001": ClaimStatus.APPROVED,
    }


def test_issue_texts_and_their_workbook_mask_names(fed, batch) -> None:
    issue = reviewing.batch_issues(batch).get()
    assert issue.reason == Reason.NOT_ENROLLED
    assert reviewing.issue_text(issue).startswith("王** 未参加") and "王建华" not in reviewing.issue_text(issue)
    book = load_workbook(io.BytesIO(reviewing.issues_xlsx(batch)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:6] == (5, None, "ZY202607010009", "王**", 9, "未参保")
    assert "王建华" not in str(rows)


def test_the_demo_approves_the_citys_done_batches(fed, batch) -> None:
    said: list[str] = []
    ctx = cast(DemoContext, SimpleNamespace(city=SimpleNamespace(node=SimpleNamespace(org=fed.city)), log=said.append))
    reviewing.review_demo(ctx)
    reviewing.review_demo(ctx)  # again: nothing left to approve
    approval = BatchApproval.objects.get(batch=batch)
    assert approval.approved_by is None and approval.claim_count == 2 and len(said) == 1
    assert Decision.objects.get().decided_as == "city"


# --- pages ---------------------------------------------------------------------------------


def test_town_staff_reach_the_settlement_pages_and_a_union_officer_is_refused(fed, scheme) -> None:
    page = signed_in(fed.town_a_staff).get(reverse("mutual_aid:batches"))
    assert page.status_code == 200
    assert "医保结算" in page.content.decode() and "2026 年度" in page.content.decode()
    assert signed_in(fed.union_a1_officer).get(reverse("mutual_aid:batches")).status_code == 403
    assert signed_in(fed.member_user).get(reverse("mutual_aid:batches")).status_code == 403


def test_the_upload_form_says_what_is_wrong(fed, scheme) -> None:
    client = signed_in(fed.town_a_staff)
    url = reverse("mutual_aid:batches")
    no_year = client.post(url, {"scheme_year": "", "file": io.BytesIO(b"x")})
    assert no_year.status_code == 400 and "请选择互助保障年度" in no_year.content.decode()
    text = io.BytesIO(b"not a settlement file")
    text.name = "结算.txt"
    wrong = client.post(url, {"scheme_year": scheme.pk, "file": text})
    assert wrong.status_code == 400 and "只能上传 .csv、.xlsx 或 .xls 格式的结算文件" in wrong.content.decode()
    assert not SettlementBatch.objects.exists()


def test_an_upload_leads_to_its_batch_page_with_counts_claims_and_issues(fed, scheme) -> None:
    client = signed_in(fed.town_a_staff)
    content = io.BytesIO(settlement_csv([stay(fed.member_a1, "ZY202605100137"), stay(fed.member_b1, "ZY202605100138")]))
    content.name = "海宁医保结算2026年5月.csv"
    response = client.post(reverse("mutual_aid:batches"), {"scheme_year": scheme.pk, "file": content})
    batch = SettlementBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mutual_aid:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "7,500.00" in page and "张*" in page and "张伟" not in page
    assert "李*" in page and "未参加本年度互助保障" in page  # town B's member is not town A's to claim
    assert reverse("members:detail", args=[fed.member_a1.person.pk]) in page
    assert "审核通过本批次" in page
    none = client.get(reverse("mutual_aid:batch", args=[batch.pk]), {"status": "approved"}).content.decode()
    assert "没有符合条件的理赔" in none
    download = client.get(reverse("mutual_aid:batch_issues", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_running_batch_shows_its_progress_and_polls(fed, scheme) -> None:
    batch = SettlementBatch.objects.create(
        scheme_year=scheme, organisation=fed.town_a, scope_path=fed.town_a.path, filename="结算.csv"
    )
    params = {"batch": batch.pk}
    batch.job = job_submit(
        kind=KIND, label="医保结算理赔 结算.csv", owner=None, scope_path=fed.town_a.path, params=params, start=False
    )
    batch.save()
    client = signed_in(fed.town_a_staff)
    job_page = client.get(reverse("job_detail", args=[batch.job.pk])).content.decode()
    assert f'href="{reverse("mutual_aid:batch", args=[batch.pk])}"' in job_page  # 查看详情
    fragment = client.get(reverse("mutual_aid:batch", args=[batch.pk]), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert '<div id="batch"' in text and 'hx-trigger="every 2s"' in text and "<progress" in text
    assert "<html" not in text


def test_approve_and_reject_through_the_pages(fed, batch) -> None:
    client = signed_in(fed.town_a_staff)
    claim = Claim.objects.get(settlement_number="ZY202605100137")
    reject = reverse("mutual_aid:batch_claim_reject", args=[batch.pk])
    empty = client.post(reject, {"claim": claim.pk, "reason": ""}, follow=True)
    assert "请填写驳回理由" in empty.content.decode()
    done = client.post(reject, {"claim": claim.pk, "reason": "重复结算"}, follow=True)
    assert "已驳回理赔 ZY202605100137" in done.content.decode()
    approve = reverse("mutual_aid:batch_approve", args=[batch.pk])
    assert signed_in(fed.town_b_staff).post(approve).status_code == 404
    assert signed_in(fed.union_a1_officer).post(approve).status_code == 403
    approved = client.post(approve, follow=True).content.decode()
    assert "批次已审核通过：批准理赔 1 件" in approved
    assert client.post(approve).status_code == 409
    assert client.post(reject, {"claim": claim.pk, "reason": "重复结算"}).status_code == 409
    assert statuses(batch)["ZY202606020211"] == ClaimStatus.APPROVED


def test_the_batch_pages_read_in_english(fed, batch) -> None:
    client = signed_in(fed.town_a_staff)
    page = client.get(reverse("mutual_aid:batch", args=[batch.pk]), headers={"Accept-Language": "en"})
    text = page.content.decode()
    assert "Approve this batch" in text and "Claims" in text and "9 Not enrolled" in text


def test_the_command_speaks_english_when_asked(fed, scheme, tmp_path) -> None:
    path = tmp_path / "settlements.csv"
    path.write_bytes(settlement_csv([stay(fed.member_a1, "ZY202605100137")]))
    out = io.StringIO()
    with translation.override("en"):
        call_command("adjudicate_settlements", str(path), "--year", "2026", stdout=out, stderr=io.StringIO())
        assert "claims 1" in out.getvalue()
        with pytest.raises(Exception, match="No scheme for 2031"):
            call_command("adjudicate_settlements", str(path), "--year", "2031")


# --- at once (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_reviewers_at_once_approve_a_batch_once_and_never_lose_a_rejection(fed, scheme) -> None:
    town, city = signed_in(fed.town_a_staff), signed_in(fed.city_staff)
    small = {"政策内自付": "3000.00"}  # 1,000 each: the annual cap stays far away
    for n in range(5):
        batch = upload(
            fed,
            scheme,
            [stay(fed.member_a1, f"ZY2026051{n:02d}01", **small), stay(fed.member_a1, f"ZY2026051{n:02d}02", **small)],
        )
        approve = reverse("mutual_aid:batch_approve", args=[batch.pk])
        assert sorted(at_once(partial(town.post, approve), partial(city.post, approve))) == [302, 409]
        assert BatchApproval.objects.filter(batch=batch).count() == 1
        assert Decision.objects.filter(object_id=batch.pk, step="approve").count() == 1

        second = upload(fed, scheme, [stay(fed.member_a1, f"ZY2026061{n:02d}01", **small)])
        claim = Claim.objects.get(batch=second)
        reject = reverse("mutual_aid:batch_claim_reject", args=[second.pk])
        approve = reverse("mutual_aid:batch_approve", args=[second.pk])
        rejecting = partial(town.post, reject, {"claim": claim.pk, "reason": "重复结算"})
        statuses = sorted(at_once(rejecting, partial(city.post, approve)))
        claim.refresh_from_db()
        approval = BatchApproval.objects.get(batch=second)
        if statuses == [302, 302]:  # the rejection came first
            assert claim.status == ClaimStatus.REJECTED and approval.claim_count == 0
        else:  # the approval came first: the rejection was too late
            assert statuses == [302, 409] and claim.status == ClaimStatus.APPROVED and approval.claim_count == 1
