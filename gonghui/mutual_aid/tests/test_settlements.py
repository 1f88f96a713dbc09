"""No-visit claims from settlement files: matching, the waiting period, duplicates, reversals,
annual caps within and across files, bad rows, and who may upload."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from gonghui.core.errors import Forbidden, ServiceError
from gonghui.core.jobs import job_execute
from gonghui.core.models import JobState
from gonghui.mutual_aid import enrolling, services, settlements
from gonghui.mutual_aid.calculator import Reason
from gonghui.mutual_aid.models import (
    BatchStatus,
    Claim,
    ClaimAdjustment,
    ClaimStatus,
    Enrolment,
    SchemeYear,
    SettlementBatch,
)
from gonghui.mutual_aid.settlement_file import COLUMNS
from gonghui.mutual_aid.settlements import settlement_batch_submit
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.testing import Federation, make_member

HEADER = [*COLUMNS, "原结算单号", "冲销标志"]


def record(member: Any, number: str, **changes: Any) -> dict[str, str]:
    values = {
        "结算单号": number,
        "身份证号": member.person.id_number if member else "330481199001019999",
        "姓名": member.person.name if member else "王芳",
        "医院": "海宁市人民医院",
        "就诊类型": "住院",
        "入院日期": "2026-05-10",
        "出院日期": "2026-05-20",
        "结算日期": "2026-05-20",
        "总费用": "30000.00",
        "统筹支付": "15000.00",
        "政策内自付": "15000.00",
        "政策外自付": "0.00",
        "诊断编码": "K35.8",
        "原结算单号": "",
        "冲销标志": "",
    }
    values.update(changes)
    return values


def csv_file(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def enrolled(fed: Federation, monkeypatch) -> SchemeYear:
    """2026's scheme; 张伟 (a1) was covered in 2025 too, 李娜 (b1) is a first-time enrolee."""
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    last_year = make_scheme(fed, 2025)
    monkeypatch.setattr(services, "today", lambda: date(2024, 11, 1))
    enrolling.enrolment_job_submit(scope=fed.scope(fed.city_staff), scheme_year=last_year, union=fed.union_a1)
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    scheme = make_scheme(fed)
    for union in (fed.union_a1, fed.union_b1):
        job = enrolling.enrolment_job_submit(scope=fed.scope(fed.city_staff), scheme_year=scheme, union=union)
        assert job.state == JobState.SUCCEEDED, job.error
    return scheme


def upload(
    fed: Federation, scheme: SchemeYear, content: bytes, *, user=None, name: str = "结算.csv"
) -> SettlementBatch:
    return settlement_batch_submit(
        scope=fed.scope(user or fed.city_staff),
        scheme_year=scheme,
        uploaded_file=io.BytesIO(content),
        filename=name,
        run_inline=True,
    )


def issues(batch: SettlementBatch) -> list[tuple[int, int]]:
    return list(batch.issues.values_list("row", "reason"))


# --- enrolment -----------------------------------------------------------------------------


def test_bulk_enrolment_takes_active_members_once_and_flags_first_timers(fed, enrolled) -> None:
    a1 = Enrolment.objects.get(scheme_year=enrolled, person=fed.member_a1.person)
    b1 = Enrolment.objects.get(scheme_year=enrolled, person=fed.member_b1.person)
    assert (a1.first_time, b1.first_time) == (False, True)
    assert (a1.coverage_from, a1.coverage_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert a1.history.count() == 1
    again = enrolling.enrolment_job_submit(scope=fed.scope(fed.city_staff), scheme_year=enrolled, union=fed.union_a1)
    assert again.result["enrolled"] == 0 and again.result["already"] == 1
    assert Enrolment.objects.filter(scheme_year=enrolled).count() == 2


def test_bulk_enrolment_from_a_list_reports_numbers_not_members(fed, enrolled) -> None:
    newcomer = make_member(union=fed.union_a1, name="陈静")
    job = enrolling.enrolment_job_submit(
        scope=fed.scope(fed.town_a_staff),
        scheme_year=enrolled,
        union=fed.union_a1,
        id_numbers=[newcomer.person.id_number, fed.member_b1.person.id_number],
    )
    assert job.result["enrolled"] == 1 and job.result["not_members_at"] == [2]
    assert Enrolment.objects.get(person=newcomer.person).first_time


def test_a_union_outside_ones_area_is_not_enrolled(fed, enrolled) -> None:
    with pytest.raises(ServiceError):
        enrolling.enrolment_job_submit(scope=fed.scope(fed.town_b_staff), scheme_year=enrolled, union=fed.union_a1)


# --- matching and valuing ------------------------------------------------------------------


def test_a_record_of_an_enrolled_member_becomes_a_claim_pending_review(fed, enrolled) -> None:
    batch = upload(fed, enrolled, csv_file([record(fed.member_a1, "JS0001")]))
    assert batch.status == BatchStatus.DONE and (batch.claim_count, batch.issue_count) == (1, 0)
    claim = Claim.objects.get(settlement_number="JS0001")
    assert claim.amount == Decimal("7500.00") and claim.status == ClaimStatus.PENDING_REVIEW
    assert claim.enrolment.person == fed.member_a1.person and claim.rule_set.version == 1
    assert claim.explanation[-1] == {"text": "住院补助 %(amount)s 元", "params": {"amount": "7,500.00"}}
    assert batch.amount == Decimal("7500.00")


def test_below_the_deductible_is_a_claim_paid_nothing_with_its_reason(fed, enrolled) -> None:
    upload(fed, enrolled, csv_file([record(fed.member_a1, "JS0002", 政策内自付="800.00")]))
    claim = Claim.objects.get(settlement_number="JS0002")
    assert (claim.amount, claim.reason, claim.status) == (Decimal("0.00"), Reason.BELOW_DEDUCTIBLE, ClaimStatus.REFUSED)


def test_the_waiting_period_holds_for_a_first_time_enrolee(fed, enrolled) -> None:
    rows = [
        record(fed.member_b1, "JS0010", 入院日期="2026-02-10"),
        record(fed.member_b1, "JS0011", 入院日期="2026-04-10"),
    ]
    batch = upload(fed, enrolled, csv_file(rows))
    assert issues(batch) == [(2, Reason.WAITING_PERIOD)]
    assert list(Claim.objects.values_list("settlement_number", flat=True)) == ["JS0011"]
    issue = batch.issues.get()
    assert "2026-03-31" in issue.text() or "2026-04-01" in issue.text()


def test_not_enrolled_name_mismatch_and_out_of_cover_are_listed_with_reasons(fed, enrolled) -> None:
    stranger = make_member(union=fed.union_a2, name="赵磊")  # a member, but not enrolled
    rows = [
        record(stranger, "JS0020"),
        record(fed.member_a1, "JS0021", 姓名="张卫"),
        record(fed.member_a1, "JS0022", 入院日期="2025-12-20"),
        record(None, "JS0023"),
    ]
    batch = upload(fed, enrolled, csv_file(rows))
    assert issues(batch) == [
        (2, Reason.NOT_ENROLLED),
        (3, Reason.NAME_MISMATCH),
        (4, Reason.NOT_COVERED),
        (5, Reason.NOT_ENROLLED),
    ]
    assert batch.claim_count == 0 and not Claim.objects.exists()


def test_town_staff_match_only_enrolments_in_their_town(fed, enrolled) -> None:
    batch = upload(
        fed,
        enrolled,
        csv_file([record(fed.member_a1, "JS0030"), record(fed.member_b1, "JS0031")]),
        user=fed.town_b_staff,
    )
    assert issues(batch) == [(2, Reason.NOT_ENROLLED)]
    assert list(Claim.objects.values_list("settlement_number", flat=True)) == ["JS0031"]


# --- duplicates and reversals -------------------------------------------------------------


def test_the_same_file_twice_creates_nothing_new(fed, enrolled) -> None:
    content = csv_file([record(fed.member_a1, "JS0040"), record(fed.member_a1, "JS0040")])
    first = upload(fed, enrolled, content)
    second = upload(fed, enrolled, content)
    assert (first.claim_count, issues(first)) == (1, [(3, Reason.ALREADY_CLAIMED)])
    assert (second.claim_count, issues(second)) == (0, [(2, Reason.ALREADY_CLAIMED), (3, Reason.ALREADY_CLAIMED)])
    assert Claim.objects.count() == 1
    with translation.override("zh-hans"):
        assert second.issues.all()[0].text() == "结算单号 JS0040 已理赔，跳过"


def test_a_reversal_in_a_later_file_adjusts_by_a_new_row(fed, enrolled) -> None:
    upload(fed, enrolled, csv_file([record(fed.member_a1, "JS0050")]))
    refund = record(
        fed.member_a1,
        "JS0050R",
        总费用="-30000.00",
        统筹支付="-15000.00",
        政策内自付="-15000.00",
        原结算单号="JS0050",
        冲销标志="是",
    )
    batch = upload(fed, enrolled, csv_file([refund]))
    claim = Claim.objects.get(settlement_number="JS0050")
    assert claim.amount == Decimal("7500.00") and claim.in_policy_self_paid == Decimal("15000.00")  # never edited
    adjustment = ClaimAdjustment.objects.get()
    assert (adjustment.claim, adjustment.amount, adjustment.added_inpatient) == (
        claim,
        Decimal("-7500.00"),
        Decimal("-7500.00"),
    )
    assert batch.adjustment_count == 1 and batch.amount == Decimal("-7500.00")
    again = upload(fed, enrolled, csv_file([refund]))
    assert issues(again) == [(2, Reason.ALREADY_CLAIMED)] and ClaimAdjustment.objects.count() == 1


def test_a_partial_correction_is_recomputed_and_frees_the_annual_cap(fed, enrolled) -> None:
    big = {"政策内自付": "50000.00", "总费用": "90000.00"}  # 4,500 + 24,000 → capped at 20,000 a claim
    rows = [record(fed.member_a1, f"JS006{n}", **big) for n in range(3)]
    upload(fed, enrolled, csv_file(rows))
    assert list(Claim.objects.order_by("settlement_number").values_list("amount", flat=True)) == [
        Decimal("20000.00"),
        Decimal("20000.00"),
        Decimal("10000.00"),  # what the 50,000 annual cap leaves
    ]
    correction = record(
        fed.member_a1, "JS0060C", 政策内自付="-35000.00", 总费用="-35000.00", 原结算单号="JS0060", 冲销标志="是"
    )
    upload(fed, enrolled, csv_file([correction, record(fed.member_a1, "JS0070", **big)]))
    # 15,000 self-paid now gives 7,500: 12,500 back, and the next claim may take it.
    assert ClaimAdjustment.objects.get().amount == Decimal("-12500.00")
    assert Claim.objects.get(settlement_number="JS0070").amount == Decimal("12500.00")


def test_the_annual_cap_holds_across_files(fed, enrolled) -> None:
    big = {"政策内自付": "50000.00", "总费用": "90000.00"}
    upload(fed, enrolled, csv_file([record(fed.member_a1, f"JS008{n}", **big) for n in range(2)]))
    later = upload(fed, enrolled, csv_file([record(fed.member_a1, f"JS009{n}", **big) for n in range(2)]))
    amounts = dict(later.claims.values_list("settlement_number", "amount"))
    assert amounts == {"JS0090": Decimal("10000.00"), "JS0091": Decimal("0.00")}
    assert later.claims.get(settlement_number="JS0091").reason == Reason.ANNUAL_CAP_REACHED


def test_a_reversal_of_a_settlement_never_claimed_is_listed(fed, enrolled) -> None:
    refund = record(fed.member_a1, "JS0100R", 政策内自付="-100.00", 原结算单号="JS0100", 冲销标志="是")
    batch = upload(fed, enrolled, csv_file([refund]))
    assert issues(batch) == [(2, Reason.ORIGINAL_NOT_CLAIMED)]


# --- the file ------------------------------------------------------------------------------


def test_bad_cells_are_reported_with_row_and_column_and_the_rest_adjudicated(fed, enrolled) -> None:
    rows = [
        record(fed.member_a1, "JS0110"),
        record(fed.member_a1, "JS0111", 政策内自付="12.345"),
        record(fed.member_a1, "JS0112", 入院日期="五月十日"),
        record(fed.member_a1, "JS0113", 就诊类型="急诊"),
        record(fed.member_a1, "JS0114", 总费用="-5.00"),
    ]
    batch = upload(fed, enrolled, csv_file(rows))
    found = list(batch.issues.values_list("row", "column", "reason"))
    assert found == [
        (3, "政策内自付", Reason.BAD_RECORD),
        (4, "入院日期", Reason.BAD_RECORD),
        (5, "就诊类型", Reason.BAD_RECORD),
        (6, "总费用", Reason.BAD_RECORD),
    ]
    with translation.override("zh-hans"):
        assert batch.issues.all()[0].text() == "第 3 行“政策内自付”：金额最多两位小数（12.345）"
    with translation.override("en"):
        assert "row 3" in batch.issues.all()[0].text().lower()
    assert batch.claim_count == 1


def test_a_file_missing_a_column_is_refused_whole(fed, enrolled) -> None:
    header = [name for name in HEADER if name != "政策内自付"]
    batch = upload(fed, enrolled, csv_file([record(fed.member_a1, "JS0120")], header))
    assert batch.status == BatchStatus.REJECTED and "政策内自付" in batch.error
    assert not Claim.objects.exists()


def test_an_xlsx_file_is_read_too(fed, enrolled) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    row = record(fed.member_a1, "JS0130")
    sheet.append(
        [
            *(row[name] for name in HEADER[:5]),
            date(2026, 5, 10),
            date(2026, 5, 20),
            date(2026, 5, 20),
            30000,
            15000,
            15000.5,
            0,
            "K35.8",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    batch = upload(fed, enrolled, out.getvalue(), name="结算.xlsx")
    assert batch.claim_count == 1
    assert Claim.objects.get().in_policy_self_paid == Decimal("15000.50")


def test_the_command_runs_the_same_adjudication(fed, enrolled, tmp_path) -> None:
    path = tmp_path / "settlements.csv"
    path.write_bytes(csv_file([record(fed.member_a1, "JS0140")]))
    out = io.StringIO()
    call_command("adjudicate_settlements", str(path), "--year", "2026", stdout=out)
    assert "理赔 1" in out.getvalue()
    batch = Claim.objects.get().batch
    assert batch is not None and batch.filename == "settlements.csv"


# --- access --------------------------------------------------------------------------------


def test_only_town_and_city_staff_may_upload(fed, enrolled) -> None:
    content = csv_file([record(fed.member_a1, "JS0150")])
    for user in (fed.union_a1_officer, fed.member_user):
        with pytest.raises(Forbidden):
            upload(fed, enrolled, content, user=user)
    assert not SettlementBatch.objects.exists()
    assert upload(fed, enrolled, content, user=fed.town_a_staff).claim_count == 1


def test_the_job_runs_once(fed, enrolled) -> None:
    batch = upload(fed, enrolled, csv_file([record(fed.member_a1, "JS0160")]))
    assert batch.job is not None
    assert job_execute(batch.job.pk) is False  # a second delivery finds nothing to claim
    assert Claim.objects.count() == 1


def test_dates_in_the_usual_spellings_are_read(fed, enrolled) -> None:
    rows = [
        record(fed.member_a1, "JS0170", 入院日期="2026/5/10"),
        record(fed.member_a1, "JS0171", 入院日期="20260510"),
        record(fed.member_a1, "JS0172", 入院日期="2026-05-10 08:30:00"),
    ]
    upload(fed, enrolled, csv_file(rows))
    assert set(Claim.objects.values_list("admitted_on", flat=True)) == {date(2026, 5, 10)}


def test_a_union_officer_enrols_their_own_union_only(fed, enrolled) -> None:
    officer = fed.scope(fed.union_a1_officer)
    job = enrolling.enrolment_job_submit(scope=officer, scheme_year=enrolled, union=fed.union_a1)
    assert job.state == JobState.SUCCEEDED
    with pytest.raises(ServiceError):
        enrolling.enrolment_job_submit(scope=officer, scheme_year=enrolled, union=fed.union_b1)


def test_an_insurers_gbk_export_with_thousands_separators_is_read(fed, enrolled) -> None:
    """Insurers' systems commonly export CSV in GBK, amounts written as 30,000.00."""
    row = record(fed.member_a1, "JS0180", 总费用="30,000.00", 统筹支付="15,000.00", 政策内自付="15,000.00")
    content = csv_file([row]).decode("utf-8-sig").encode("gbk")
    batch = upload(fed, enrolled, content)
    assert (batch.claim_count, issues(batch)) == (1, [])
    assert Claim.objects.get().amount == Decimal("7500.00")


def test_a_reversal_in_the_same_file_and_one_beyond_the_original(fed, enrolled) -> None:
    refund = {"总费用": "-30000.00", "统筹支付": "-15000.00", "政策内自付": "-15000.00", "冲销标志": "是"}
    rows = [
        record(fed.member_a1, "JS0190"),
        record(fed.member_a1, "JS0190R", 原结算单号="JS0190", **refund),
        record(fed.member_a1, "JS0190R2", 原结算单号="JS0190", **refund),  # refunds what is already refunded
    ]
    batch = upload(fed, enrolled, csv_file(rows))
    assert (batch.claim_count, batch.adjustment_count, batch.amount) == (1, 1, Decimal("0.00"))
    assert issues(batch) == [(4, Reason.BAD_RECORD)]
    assert ClaimAdjustment.objects.get().amount == Decimal("-7500.00")


# --- what counts towards the year ----------------------------------------------------------


def test_a_claim_rejected_on_review_does_not_eat_the_annual_cap_of_a_later_claim(fed, enrolled) -> None:
    big = {"政策内自付": "50000.00", "总费用": "90000.00"}  # 20,000 a claim (the cap per claim)
    upload(fed, enrolled, csv_file([record(fed.member_a1, f"JS020{n}", **big) for n in range(2)]))
    Claim.objects.filter(settlement_number="JS0200").update(status=ClaimStatus.REJECTED)
    later = upload(fed, enrolled, csv_file([record(fed.member_a1, "JS0210", **big)]))
    # 50,000 a year less the 20,000 that still counts leaves room for a whole 20,000.
    assert later.claims.get().amount == Decimal("20000.00")


def test_a_reversal_of_a_rejected_claim_is_listed_and_adjusts_nothing(fed, enrolled) -> None:
    upload(fed, enrolled, csv_file([record(fed.member_a1, "JS0220")]))
    Claim.objects.filter(settlement_number="JS0220").update(status=ClaimStatus.REJECTED)
    refund = record(
        fed.member_a1,
        "JS0220R",
        总费用="-30000.00",
        统筹支付="-15000.00",
        政策内自付="-15000.00",
        原结算单号="JS0220",
        冲销标志="是",
    )
    batch = upload(fed, enrolled, csv_file([refund]))
    assert issues(batch) == [(2, Reason.ORIGINAL_REJECTED)] and not ClaimAdjustment.objects.exists()


def test_a_reversal_of_another_years_claim_is_not_valued_against_this_year(fed, enrolled) -> None:
    last_year = SchemeYear.objects.get(year=2025)
    dates = {"入院日期": "2025-05-10", "出院日期": "2025-05-20", "结算日期": "2025-05-20"}
    upload(fed, last_year, csv_file([record(fed.member_a1, "JS0230", **dates)]))
    assert Claim.objects.get(settlement_number="JS0230").amount == Decimal("7500.00")
    refund = record(
        fed.member_a1,
        "JS0230R",
        **dates,
        总费用="-30000.00",
        统筹支付="-15000.00",
        政策内自付="-15000.00",
        原结算单号="JS0230",
        冲销标志="是",
    )
    batch = upload(fed, enrolled, csv_file([refund]))
    assert issues(batch) == [(2, Reason.ORIGINAL_NOT_CLAIMED)] and not ClaimAdjustment.objects.exists()
    with translation.override("zh-hans"):
        assert "不属于本年度" in batch.issues.get().text()
    back = upload(fed, last_year, csv_file([refund]))  # in its own year it is a reversal as ever
    assert back.adjustment_count == 1 and back.amount == Decimal("-7500.00")


def test_chunks_stored_behind_the_run_see_each_others_claims_and_corrections(fed, enrolled, monkeypatch) -> None:
    """Chunk k is stored while chunk k+1 is valued: a repeat and two corrections of one
    claim in the chunks after it are judged against the claim as it stands."""
    monkeypatch.setattr(settlements, "CHUNK", 2)
    big = {"政策内自付": "50000.00", "总费用": "90000.00"}  # 20,000 a claim
    a1 = fed.member_a1

    def correction(number: str, change: str) -> dict[str, str]:
        return record(a1, number, 政策内自付=change, 总费用=change, 原结算单号="JS0300", 冲销标志="是")

    rows = [
        record(a1, "JS0300", **big),
        record(a1, "JS0301", **big),
        correction("JS0300R", "-35000.00"),  # 15,000 self-paid gives 7,500: 12,500 back
        record(a1, "JS0302", **big),
        record(a1, "JS0300", **big),  # the same settlement again
        correction("JS0300S", "-5000.00"),  # 10,000 gives 4,500: 3,000 more back
        record(a1, "JS0303", **big),  # 50,000 less 4,500 + 20,000 + 20,000 leaves 5,500
    ]
    batch = upload(fed, enrolled, csv_file(rows))
    assert issues(batch) == [(6, Reason.ALREADY_CLAIMED)]
    assert list(ClaimAdjustment.objects.order_by("pk").values_list("amount", flat=True)) == [
        Decimal("-12500.00"),
        Decimal("-3000.00"),
    ]
    amounts = dict(Claim.objects.values_list("settlement_number", "amount"))
    assert amounts["JS0302"] == Decimal("20000.00") and amounts["JS0303"] == Decimal("5500.00")
