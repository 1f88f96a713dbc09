"""An officer of 硖石街道 uploads the insurer's settlement file in a real browser, watches the
batch's progress bar (htmx polling the job) until the run is done, rejects one claim with a
reason, approves the batch and sees its claims approved. The job waits in the queue, as it
does for a worker, until the test runs it as the worker would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gonghui.browser_testing import SCREENSHOTS, sign_in
from gonghui.core.jobs import job_execute
from gonghui.mutual_aid import settlements
from gonghui.mutual_aid.models import BatchApproval, Claim, ClaimStatus, SettlementBatch
from gonghui.mutual_aid.tests.settlement_files import scheme_with_enrolments, settlement_csv, stay
from gonghui.testing import Federation

pytestmark = pytest.mark.browser


def test_an_officer_uploads_watches_the_progress_and_approves_the_batch(
    open_page: Callable[..., Any], site: str, fed: Federation, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheme_with_enrolments(fed, monkeypatch)
    queued: list[int] = []
    monkeypatch.setattr(settlements, "job_enqueue", lambda job: queued.append(job.pk))  # no worker yet
    content = settlement_csv(
        [
            stay(fed.member_a1, "ZY202605100137"),
            stay(fed.member_a1, "ZY202606020211", 入院日期="2026-06-02", 政策内自付="6000.00"),
            stay(fed.member_a1, "ZY202606150045", 入院日期="2026-06-15", 医院="海宁市中医院"),
            stay(fed.member_b1, "ZY202605180021"),  # 许村's member: not 硖石's to claim
        ]
    )
    page = open_page()
    sign_in(page, site, "town_a")
    page.get_by_role("link", name="医保结算").click()
    page.get_by_label("互助保障年度").select_option(label="2026 年度")
    page.get_by_label("医保结算文件（.csv、.xlsx 或 .xls）").set_input_files(
        {"name": "海宁医保结算2026年6月.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="上传并理赔计算").click()
    page.locator("#batch progress").wait_for()
    assert page.get_by_text("排队中，请稍候…").is_visible()

    assert len(queued) == 1 and job_execute(queued[0])  # the worker takes the job
    page.get_by_role("button", name="审核通过本批次").wait_for(timeout=15_000)  # the next poll
    assert page.locator("#batch progress").count() == 0
    stat = {
        label: page.locator(".stat", has_text=label).locator("strong").inner_text()
        for label in ("记录数", "生成理赔", "未匹配或拒绝", "补助合计（元）")
    }
    assert stat == {"记录数": "4", "生成理赔": "3", "未匹配或拒绝": "1", "补助合计（元）": "17,500.00"}
    issues = page.locator("#issues").inner_text()
    assert "9 未参保" in issues and "李* 未参加本年度互助保障" in issues

    page.locator("#claims tr", has_text="ZY202606150045").get_by_text("驳回", exact=True).click()
    page.get_by_label("驳回 ZY202606150045 的理由").fill("与 ZY202605100137 为同一次住院，重复结算")
    page.get_by_role("button", name="确认驳回").click()
    page.get_by_text("已驳回理赔 ZY202606150045").wait_for()

    page.get_by_role("button", name="审核通过本批次").click()
    page.get_by_text("批次已审核通过：批准理赔 2 件").wait_for()
    rows = page.locator("#claims tbody tr")
    shown = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert sum("已批准" in row for row in shown) == 2 and sum("审核未通过" in row for row in shown) == 1
    assert all("张伟" not in row and "张*" in row for row in shown)
    page.screenshot(path=str(SCREENSHOTS / "gonghui-mutual-aid-batch-approved.png"), full_page=True)

    batch = SettlementBatch.objects.get()
    assert BatchApproval.objects.get(batch=batch).approved_by == fed.town_a_staff
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.APPROVED, ClaimStatus.REJECTED}
