"""The roster with full numbers in the national real-name system's layout: a permission of
its own, a reason, the scope, one audit entry, a job, and a file only holders may fetch."""

import io

import pytest
from django.test import Client
from django.urls import resolve, reverse
from openpyxl import load_workbook

from gonghui.core.access import Role
from gonghui.core.errors import Forbidden, NotFound, ValidationFailed
from gonghui.core.jobs import job_get, job_result_download
from gonghui.core.models import AuditEntry, JobState
from gonghui.members.models import Membership, Person, PoliticalStatus
from gonghui.members.realname import COLUMNS, REALNAME_KIND, realname_export_submit
from gonghui.testing import make_member, make_user

HEADERS = (
    "序号", "姓名", "性别", "民族", "出生日期", "身份证号", "政治面貌", "学历", "技能等级", "户籍地",
    "是否农民工", "手机号码", "工作单位", "统一社会信用代码", "部门", "职务", "入会时间", "会员状态", "所在工会",
)  # fmt: skip


@pytest.fixture
def exporter(fed):
    return make_user("town_a_export", role=Role.TOWN, organisation=fed.town_a, perms=("members.export_full_identity",))


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_layout_is_the_national_systems_column_order():
    assert tuple(column.header for column in COLUMNS) == HEADERS


def test_a_holder_exports_full_numbers_of_the_scope_as_a_job_with_one_audit_entry(fed, exporter):
    make_member(union=fed.union_a2, name="王芳")
    person = fed.member_a1.person
    Person.objects.filter(pk=person.pk).update(ethnicity="回族", political_status=PoliticalStatus.CPC_MEMBER)
    Membership.objects.filter(pk=fed.member_a1.pk).update(department="质检部", job_title="质检员")
    scope = fed.scope(exporter)
    job = realname_export_submit(scope=scope, reason="年度实名制数据上报")
    job = job_get(scope=scope, pk=job.pk)
    assert (job.kind, job.state, job.result["rows"]) == (REALNAME_KIND, JobState.SUCCEEDED, 2)
    header, *rows = rows_of(job_result_download(scope=scope, job=job).content)
    assert header == HEADERS
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_name) == {"张伟", "王芳"}  # 许村 is another town
    zhang = by_name["张伟"]
    assert (zhang["民族"], zhang["政治面貌"], zhang["部门"], zhang["职务"]) == ("回族", "中共党员", "质检部", "质检员")
    assert by_name["王芳"]["民族"] is None
    assert (zhang["身份证号"], zhang["手机号码"]) == (person.id_number, person.mobile)
    assert (zhang["工作单位"], zhang["统一社会信用代码"]) == (fed.employer_a1.name, fed.employer_a1.uscc)
    assert (zhang["会员状态"], zhang["所在工会"], zhang["是否农民工"]) == ("在会", "海宁皮革城工会", "否")
    assert sorted(row[0] for row in rows) == [1, 2]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, detail__kind="members.realname")
    assert (entry.actor, entry.reason, entry.detail["rows"]) == (exporter, "年度实名制数据上报", 2)
    assert "2 人" in entry.subject_label


def test_one_union_of_the_scope_only(fed, exporter):
    make_member(union=fed.union_a2, name="王芳")
    scope = fed.scope(exporter)
    job = realname_export_submit(scope=scope, union_code="HN-XF-002", reason="联合工会换届核对名单")
    names = [
        row[1] for row in rows_of(job_result_download(scope=scope, job=job_get(scope=scope, pk=job.pk)).content)[1:]
    ]
    assert names == ["王芳"]


def test_viewing_full_numbers_is_not_enough_to_export_them(fed):
    # city_staff may view one person's full numbers, not export the roster with them.
    with pytest.raises(Forbidden):
        realname_export_submit(scope=fed.scope(fed.city_staff), reason="上报")
    denied = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_DENIED)
    assert (denied.actor, denied.detail["attempted"], denied.reason) == (fed.city_staff, REALNAME_KIND, "上报")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_union_outside_the_scope_is_refused_and_audited(fed, exporter):
    with pytest.raises(NotFound):
        realname_export_submit(scope=fed.scope(exporter), union_code="HN-XC-001", reason="核对")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED, actor=exporter).count() == 1
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(fed, exporter, reason):
    with pytest.raises(ValidationFailed) as err:
        realname_export_submit(scope=fed.scope(exporter), reason=reason)
    assert err.value.field == "reason"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_member_cannot_export(fed):
    with pytest.raises(Forbidden):
        realname_export_submit(scope=fed.scope(fed.member_user), reason="上报")


def test_overseeing_the_subtree_does_not_open_the_file(fed, exporter):
    job = realname_export_submit(scope=fed.scope(exporter), reason="年度上报")
    city = fed.scope(fed.city_staff)  # sees the town's jobs, holds no export permission
    with pytest.raises(Forbidden):
        job_result_download(scope=city, job=job_get(scope=city, pk=job.pk))
    assert signed_in(fed.city_staff).get(reverse("job_download", args=[job.pk])).status_code == 403


def test_the_page_starts_the_job_and_says_what_is_wrong(fed, exporter):
    client = signed_in(exporter)
    page = client.get(reverse("members:realname_export"))
    assert page.status_code == 200 and "统一社会信用代码" in page.content.decode()
    refused = client.post(reverse("members:realname_export"), {"union": "", "reason": ""})
    assert refused.status_code == 400 and "请填写导出理由" in refused.content.decode()
    outside = client.post(reverse("members:realname_export"), {"union": "HN-XC-001", "reason": "核对"})
    assert outside.status_code == 404
    started = client.post(reverse("members:realname_export"), {"union": "HN-XF-001", "reason": "年度上报"})
    assert started.status_code == 302
    job_page = started["Location"]
    job_pk = resolve(job_page).kwargs["pk"]
    assert client.get(job_page).status_code == 200
    download = client.get(reverse("job_download", args=[job_pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_the_page_refuses_without_the_permission(fed):
    response = signed_in(fed.town_a_staff).post(reverse("members:realname_export"), {"reason": "上报"})
    assert response.status_code == 403
    assert signed_in(fed.member_user).get(reverse("members:realname_export")).status_code == 403


def test_an_empty_post_is_answered_not_crashed(fed, exporter):
    response = signed_in(exporter).post(reverse("members:realname_export"))
    assert response.status_code == 400 and "请填写导出理由" in response.content.decode()
