import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core import sections
from gonghui.core.errors import Forbidden
from gonghui.core.masking import mask_id_number
from gonghui.core.models import AuditEntry
from gonghui.members.models import ImportJob, MembershipStatus, Person, Transfer, TransferInitiator, TransferStatus
from gonghui.testing import make_member, new_id_number

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(membership) -> str:
    return reverse("members:detail", args=[membership.person_id])


# Search


def test_search_by_name_prefix_lists_the_member_with_masked_numbers(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("members:list"), {"q": "张"})
    page = response.content.decode()
    person = fed.member_a1.person
    assert response.status_code == 200
    assert "张伟" in page and mask_id_number(person.id_number) in page
    assert person.id_number not in page and person.mobile not in page


def test_search_by_full_identity_number_finds_the_member(client, fed):
    client.force_login(fed.city_staff)
    page = client.get(reverse("members:list"), {"q": fed.member_b1.person.id_number}).content.decode()
    assert "李娜" in page and "张伟" not in page


def test_live_search_answers_htmx_with_the_results_fragment(client, fed):
    client.force_login(fed.town_a_staff)
    fragment = client.get(reverse("members:list"), {"q": "张"}, **HTMX).content.decode()
    assert "张伟" in fragment and "<html" not in fragment


def test_filters_by_union_and_migrant_flag(client, fed):
    client.force_login(fed.city_staff)
    url = reverse("members:list")
    assert [m.person.name for m in client.get(url, {"union": "HN-XC"}).context["page_obj"]] == ["李娜"]
    assert [m.person.name for m in client.get(url, {"migrant": "on"}).context["page_obj"]] == ["李娜"]


def test_another_towns_member_is_absent_from_the_list(client, fed):
    client.force_login(fed.town_b_staff)
    url = reverse("members:list")
    assert "张伟" not in client.get(url).content.decode()
    assert "张伟" not in client.get(url, {"q": fed.member_a1.person.id_number}).content.decode()
    response = client.get(url, {"union": "HN-XF-001"})
    assert response.status_code == 400 and "张伟" not in response.content.decode()


def test_list_page_query_count_does_not_grow_with_the_rows(client, fed, django_assert_max_num_queries):
    for n in range(30):
        make_member(union=fed.union_a2, name=f"王{n}")
    client.force_login(fed.town_a_staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:list"))
    assert len(response.context["page_obj"]) == 25


def test_members_cannot_use_the_staff_search(client, fed):
    client.force_login(fed.member_user)
    assert client.get(reverse("members:list")).status_code == 403


# Detail


def test_detail_shows_person_memberships_and_events(client, fed):
    client.force_login(fed.town_a_staff)
    page = client.get(detail_url(fed.member_a1)).content.decode()
    assert "张伟" in page and "海宁皮革城工会" in page and "海宁中国皮革城股份有限公司" in page
    assert "2022-03-01" in page and "入会" in page
    assert mask_id_number(fed.member_a1.person.id_number) in page
    assert fed.member_a1.person.id_number not in page


def test_another_towns_staff_get_404_on_the_detail_page(client, fed):
    client.force_login(fed.town_b_staff)
    response = client.get(detail_url(fed.member_a1))
    assert response.status_code == 404
    assert "张伟" not in response.content.decode()


def test_a_member_sees_only_their_own_record(client, fed):
    client.force_login(fed.member_user)
    assert client.get(detail_url(fed.member_b1)).status_code == 404
    page = client.get(reverse("members:my_membership")).content.decode()
    assert "张伟" in page and "海宁皮革城工会" in page and "李娜" not in page


def test_reveal_without_permission_is_refused_and_audited(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.post(reverse("members:reveal", args=[fed.member_a1.person_id]), {"reason": "核对"}, **HTMX)
    assert response.status_code == 403
    page = response.content.decode()
    assert "您没有查看完整身份信息的权限" in page and fed.member_a1.person.id_number not in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED, actor=fed.town_a_staff).exists()


def test_reveal_with_permission_shows_the_full_numbers_and_is_audited(client, fed):
    client.force_login(fed.city_staff)
    response = client.post(reverse("members:reveal", args=[fed.member_a1.person_id]), {"reason": "办理医疗互助"})
    assert response.status_code == 200
    page = response.content.decode()
    assert fed.member_a1.person.id_number in page and fed.member_a1.person.mobile in page
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_ID_NUMBER)
    assert (entry.actor, entry.reason, entry.subject_id) == (
        fed.city_staff,
        "办理医疗互助",
        str(fed.member_a1.person_id),
    )


def test_reveal_needs_a_reason(client, fed):
    client.force_login(fed.city_staff)
    response = client.post(reverse("members:reveal", args=[fed.member_a1.person_id]), {"reason": ""}, **HTMX)
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_ID_NUMBER).exists()


def test_a_reveal_refused_on_the_page_is_logged_as_denied(client, fed):
    client.force_login(fed.city_staff)
    response = client.post(reverse("members:reveal", args=[fed.member_a1.person_id]), {"reason": ""}, **HTMX)
    assert response.status_code == 400 and "请填写查看理由" in response.content.decode()
    client.force_login(fed.town_a_staff)
    client.post(reverse("members:reveal", args=[fed.member_a1.person_id]), {"reason": "核对"}, **HTMX)
    client.force_login(fed.town_b_staff)
    client.post(reverse("members:reveal", args=[fed.member_a1.person_id]), {"reason": "核对"})
    refused = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED).order_by("pk")
    assert [(e.actor_username, e.result) for e in refused] == [
        ("city", "denied"),
        ("town_a", "denied"),
        ("town_b", "denied"),
    ]


def test_reveal_for_another_towns_member_is_not_found(client, fed):
    client.force_login(fed.town_b_staff)
    response = client.post(reverse("members:reveal", args=[fed.member_a1.person_id]), {"reason": "x"})
    assert response.status_code == 404


# Sections registered by other programmes


@pytest.fixture
def claims_section():
    sections.member_sections()  # discover first, so the test's section is not duplicated later
    sections.register_member_section(
        key="test_claims",
        label="医疗互助",
        template="core/_error.html",
        context=lambda scope, person: {"message": f"{person.name}的补助记录"},
        order=10,
    )
    yield
    sections.unregister_member_section("test_claims")


def test_detail_page_renders_registered_sections(client, fed, claims_section):
    client.force_login(fed.town_a_staff)
    page = client.get(detail_url(fed.member_a1)).content.decode()
    assert 'id="section-test_claims"' in page and "张伟的补助记录" in page


def test_a_section_the_viewer_may_not_see_is_left_out(client, fed):
    def refuse(scope, person):
        raise Forbidden("no")

    sections.member_sections()
    sections.register_member_section(key="test_secret", label="保密", template="core/_error.html", context=refuse)
    try:
        client.force_login(fed.town_a_staff)
        response = client.get(detail_url(fed.member_a1))
        assert response.status_code == 200 and "section-test_secret" not in response.content.decode()
    finally:
        sections.unregister_member_section("test_secret")


# Transfers and leave


def test_transfer_started_by_town_a_is_confirmed_by_town_b(client, fed):
    client.force_login(fed.town_a_staff)
    url = reverse("members:transfer_start", args=[fed.member_a1.person_id])
    response = client.post(url, {"to_union": "HN-XC-001", "on": "2025-06-01", "note": "调动"})
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.to_union, transfer.status) == (fed.union_b1, TransferStatus.PENDING)

    client.force_login(fed.town_b_staff)
    inbox = client.get(reverse("members:transfers")).content.decode()
    assert "张伟" in inbox and "确认接收" in inbox
    response = client.post(reverse("members:transfer_confirm", args=[transfer.pk]), follow=True)
    assert "已完成转接" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED


def test_transfer_to_an_unknown_union_shows_the_error_by_the_field(client, fed):
    client.force_login(fed.town_a_staff)
    url = reverse("members:transfer_start", args=[fed.member_a1.person_id])
    response = client.post(url, {"to_union": "NO-SUCH", "on": "2025-06-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["to_union"]
    assert not Transfer.objects.exists()


def test_transfer_to_the_same_union_is_refused_with_the_service_message(client, fed):
    client.force_login(fed.town_a_staff)
    url = reverse("members:transfer_start", args=[fed.member_a1.person_id])
    response = client.post(url, {"to_union": "HN-XF-001", "on": "2025-06-01"})
    assert response.status_code == 400
    assert "转入工会与现工会相同" in response.content.decode()


def test_town_b_cannot_start_a_transfer_for_town_a_member(client, fed):
    client.force_login(fed.town_b_staff)
    url = reverse("members:transfer_start", args=[fed.member_a1.person_id])
    assert client.post(url, {"to_union": "HN-XC-001", "on": "2025-06-01"}).status_code == 404


def test_refusing_a_transfer_needs_a_reason(client, fed):
    transfer = Transfer.objects.create(
        membership=fed.member_a1,
        to_union=fed.union_b1,
        initiated_by=TransferInitiator.SENDING_UNION,
        requested_on=date(2025, 6, 1),
    )
    client.force_login(fed.town_b_staff)
    url = reverse("members:transfer_refuse", args=[transfer.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "请填写拒绝原因" in response.content.decode()
    client.post(url, {"reason": "不在本单位工作"})
    transfer.refresh_from_db()
    assert (transfer.status, transfer.refuse_reason) == (TransferStatus.REFUSED, "不在本单位工作")


def test_leave_records_the_date_and_reason(client, fed):
    client.force_login(fed.union_a1_officer)
    url = reverse("members:leave", args=[fed.member_a1.person_id])
    assert client.post(url, {"on": "2025-01-31", "category": ""}).status_code == 400
    response = client.post(url, {"on": "2025-01-31", "category": "resigned"})
    assert response.status_code == 302
    fed.member_a1.refresh_from_db()
    assert (fed.member_a1.status, fed.member_a1.ended_on, fed.member_a1.leave_reason) == (
        MembershipStatus.LEFT,
        date(2025, 1, 31),
        "离职",
    )


def test_a_reason_with_a_control_character_is_refused_next_to_the_field(client, fed):
    client.force_login(fed.union_a1_officer)
    url = reverse("members:leave", args=[fed.member_a1.person_id])
    response = client.post(url, {"on": "2025-01-31", "category": "resigned", "reason": "回老家\x1b"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["退会说明含有不可见的控制字符"]
    fed.member_a1.refresh_from_db()
    assert fed.member_a1.status == MembershipStatus.ACTIVE


def test_leave_in_the_future_is_refused_next_to_the_date(client, fed):
    client.force_login(fed.union_a1_officer)
    url = reverse("members:leave", args=[fed.member_a1.person_id])
    response = client.post(url, {"on": "2999-01-01", "category": "resigned"})
    assert response.status_code == 400
    assert response.context["form"].errors["on"] == ["日期不能晚于今天"]


# The member's own page


def test_member_requests_a_transfer_from_their_page(client, fed):
    client.force_login(fed.member_user)
    response = client.post(reverse("members:my_membership"), {"to_union": "HN-XC-001", "note": "换工作"}, follow=True)
    page = response.content.decode()
    assert "转接申请已提交" in page and "许村家纺工会" in page
    transfer = Transfer.objects.get()
    assert (transfer.initiated_by, transfer.membership) == (TransferInitiator.MEMBER, fed.member_a1)

    client.post(reverse("members:transfer_cancel", args=[transfer.pk]))
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED


def test_a_member_cannot_confirm_their_own_transfer(client, fed):
    transfer = Transfer.objects.create(
        membership=fed.member_a1,
        to_union=fed.union_b1,
        initiated_by=TransferInitiator.MEMBER,
        requested_on=date(2025, 6, 1),
    )
    client.force_login(fed.member_user)
    response = client.post(reverse("members:transfer_confirm", args=[transfer.pk]))
    assert response.status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_staff_visiting_my_membership_go_to_their_workbench(client, fed):
    client.force_login(fed.town_a_staff)
    assert client.get(reverse("members:my_membership")).status_code == 302


# Roster import and export


def roster_csv(*rows: list[str]) -> SimpleUploadedFile:
    header = ["姓名", "身份证号", "手机号码", "工作单位", "入会时间"]
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    return SimpleUploadedFile("花名册.csv", text.encode("utf-8-sig"), content_type="text/csv")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_import_with_errors_lists_them_by_row_and_column_and_saves_nothing(client, fed, media):
    good, bad = new_id_number(), new_id_number()
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    upload = roster_csv(
        ["王芳", good, "13912345678", "海宁中国皮革城股份有限公司", "2024-03-01"],
        ["赵强", bad, "13912345679", "海宁中国皮革城股份有限公司", "2024-03-01"],
    )
    client.force_login(fed.union_a1_officer)
    response = client.post(reverse("members:import"), {"union": "HN-XF-001", "file": upload}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/members/import/")
    assert "有错误，未导入" in page and "校验位" in page and "身份证号" in page
    assert '<td class="num">3</td>' in page  # the bad row, header being row 1
    assert not Person.objects.filter(name="王芳").exists()


def test_a_clean_import_adds_the_members(client, fed, media):
    upload = roster_csv(["王芳", new_id_number(), "13912345678", "海宁中国皮革城股份有限公司", "2024-03-01"])
    client.force_login(fed.town_a_staff)
    response = client.post(reverse("members:import"), {"union": "HN-XF-001", "file": upload}, follow=True)
    assert "已导入" in response.content.decode()
    assert Person.objects.get(name="王芳").memberships.get().union == fed.union_a1
    assert "花名册.csv" in client.get(reverse("members:import")).content.decode()


def test_import_into_another_towns_union_is_refused_by_the_field(client, fed, media):
    client.force_login(fed.town_b_staff)
    upload = roster_csv(["王芳", new_id_number(), "13912345678", "海宁中国皮革城股份有限公司", "2024-03-01"])
    response = client.post(reverse("members:import"), {"union": "HN-XF-001", "file": upload})
    assert response.status_code == 400
    assert response.context["form"].errors["union"]
    assert not ImportJob.objects.exists()


def test_another_towns_import_job_is_not_found(client, fed, media):
    client.force_login(fed.town_a_staff)
    upload = roster_csv(["王芳", new_id_number(), "13912345678", "海宁中国皮革城股份有限公司", "2024-03-01"])
    client.post(reverse("members:import"), {"union": "HN-XF-001", "file": upload})
    job = ImportJob.objects.get()
    client.force_login(fed.town_b_staff)
    assert client.get(reverse("members:import_job", args=[job.pk])).status_code == 404
    assert "花名册.csv" not in client.get(reverse("members:import")).content.decode()


def test_roster_templates_download_with_the_chinese_headers(client, fed):
    client.force_login(fed.union_a1_officer)
    response = client.get(reverse("members:import_template", args=["csv"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").startswith("姓名,身份证号,手机号码")
    xlsx = client.get(reverse("members:import_template", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("members:import_template", args=["xls"])).status_code == 404


def exported_names(response) -> list[object]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_export_follows_the_filter_and_masks_numbers(client, fed):
    client.force_login(fed.city_staff)
    response = client.get(reverse("members:export"), {"migrant": "on"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert exported_names(response) == ["李娜"]
    assert fed.member_b1.person.id_number.encode() not in response.content


def test_another_towns_member_is_absent_from_the_export(client, fed):
    client.force_login(fed.town_b_staff)
    names = exported_names(client.get(reverse("members:export"), {"status": "all"}))
    assert names == ["李娜"]
    assert client.get(reverse("members:export"), {"union": "HN-XF"}).status_code == 400
