"""The long member pages: transfer history with filters, import jobs, the member list's sort
and search help; each page's queries do not grow with its rows."""

from datetime import date

from django.core.files.base import ContentFile
from django.urls import reverse

from gonghui.members.models import ImportJob, ImportStatus, TransferStatus
from gonghui.members.services import transfer_cancel, transfer_start
from gonghui.testing import make_member


def start(fed, membership, to_union, on=date(2025, 3, 1), officer=None):
    scope = fed.scope(officer or fed.city_staff)
    return transfer_start(scope=scope, membership=membership, to_union=to_union, on=on)


def history(client, **params) -> list[str]:
    response = client.get(reverse("members:transfers"), params)
    assert response.status_code == 200
    return [t.membership.person.name for t in response.context["history"]]


def test_transfer_history_shows_decided_ones_and_filters_them(client, fed):
    out = start(fed, fed.member_a1, fed.union_b1, on=date(2025, 1, 10))
    transfer_cancel(scope=fed.scope(fed.city_staff), transfer=out)
    start(fed, fed.member_b1, fed.union_a2, on=date(2025, 4, 1))
    client.force_login(fed.town_a_staff)
    assert history(client) == ["李娜", "张伟"]
    assert history(client, status=TransferStatus.CANCELLED) == ["张伟"]
    assert history(client, status=TransferStatus.PENDING) == ["李娜"]
    assert history(client, direction="in") == ["李娜"]
    assert history(client, direction="out") == ["张伟"]
    assert history(client, since="2025-02-01") == ["李娜"]
    assert history(client, until="2025-02-01") == ["张伟"]
    page = client.get(reverse("members:transfers"), {"since": "2030-01-01"}).content.decode()
    assert "没有符合条件的转接记录" in page


def test_transfer_history_is_scoped(client, fed):
    client.force_login(fed.town_a_staff)
    start(fed, fed.member_b1, fed.union_a2)
    assert history(client) == ["李娜"]
    client.force_login(fed.union_a1_officer)
    assert history(client) == []


def test_transfer_history_queries_do_not_grow_with_rows(client, fed, django_assert_max_num_queries):
    client.force_login(fed.town_b_staff)
    for n in range(12):
        member = make_member(union=fed.union_a1, name=f"钱{n}")
        transfer_cancel(scope=fed.scope(fed.city_staff), transfer=start(fed, member, fed.union_b1))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("members:transfers"), {"status": "cancelled"})
    assert len(response.context["history"]) == 12


def make_job(fed, status, name="花名册.xlsx"):
    return ImportJob.objects.create(
        union=fed.union_a1, file=ContentFile(b"x", name=name), filename=name, status=status, total_rows=1234
    )


def test_import_jobs_are_filtered_paged_and_numbers_grouped(client, fed):
    for _ in range(21):
        make_job(fed, ImportStatus.DONE)
    make_job(fed, ImportStatus.REJECTED, name="有错.xlsx")
    client.force_login(fed.union_a1_officer)
    response = client.get(reverse("members:import"))
    assert len(response.context["jobs"].object_list) == 20 and "1,234" in response.content.decode()
    rejected = client.get(reverse("members:import"), {"status": ImportStatus.REJECTED}).context["jobs"]
    assert [job.filename for job in rejected] == ["有错.xlsx"]
    client.force_login(fed.town_b_staff)
    assert client.get(reverse("members:import")).context["jobs"].paginator.count == 0


def test_import_page_queries_do_not_grow_with_jobs(client, fed, django_assert_max_num_queries):
    for _ in range(15):
        make_job(fed, ImportStatus.DONE)
    client.force_login(fed.town_a_staff)
    with django_assert_max_num_queries(14):
        client.get(reverse("members:import"))


def test_member_list_sorts_by_name_and_join_date(client, fed):
    make_member(union=fed.union_a1, name="阿强", joined_on=date(2010, 1, 1))
    client.force_login(fed.town_a_staff)
    url = reverse("members:list")
    by_name = [m.person.name for m in client.get(url, {"sort": "name"}).context["page_obj"]]
    assert by_name == sorted(by_name)
    oldest = [m.person.name for m in client.get(url, {"sort": "joined"}).context["page_obj"]]
    assert oldest[0] == "阿强"


def test_member_list_says_what_it_searches_and_suggests_when_nothing_is_found(client, fed):
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("members:list"), {"q": "欧阳"}).content.decode()
    assert "可搜索：姓名开头" in page
    assert "没有找到。可按姓名开头、完整身份证号或完整手机号搜索" in page


def test_member_list_queries_do_not_grow_with_rows(client, fed, django_assert_max_num_queries):
    for n in range(20):
        make_member(union=fed.union_a1, name=f"孙{n}", employer=fed.employer_a1)
    client.force_login(fed.town_a_staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("members:list"), {"sort": "name"})
    assert len(response.context["page_obj"]) == 21
