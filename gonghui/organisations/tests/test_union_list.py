"""A town's list of grassroots unions: search, filters, sort, pages, counts without a query per row."""

from django.urls import reverse

from gonghui.organisations.models import Organisation, OrganisationKind, OrganisationStatus
from gonghui.testing import make_employer, make_member


def unions_url(org) -> str:
    return reverse("organisations:unions", args=[org.pk])


def names(response) -> list[str]:
    return [union.name for union, _counts in response.context["rows"]]


def test_a_town_lists_its_unions_with_their_counts(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.get(unions_url(fed.town_a))
    assert response.status_code == 200
    assert names(response) == ["海宁皮革城工会", "硖石联合工会"]
    counts = dict((union.name, c) for union, c in response.context["rows"])
    assert (counts["海宁皮革城工会"]["members"], counts["海宁皮革城工会"]["employers"]) == (1, 1)
    assert counts["硖石联合工会"]["members"] == 0


def test_search_kind_status_and_sort(client, fed):
    client.force_login(fed.city_staff)
    url = unions_url(fed.city)
    assert names(client.get(url, {"q": "家纺"})) == ["许村家纺工会"]
    assert names(client.get(url, {"q": "HN-XF-002"})) == ["硖石联合工会"]
    assert names(client.get(url, {"kind": OrganisationKind.JOINT_UNION})) == ["硖石联合工会"]
    Organisation.objects.filter(pk=fed.union_a2.pk).update(status=OrganisationStatus.DISSOLVED)
    assert "硖石联合工会" not in names(client.get(url, {"status": "active"}))
    assert names(client.get(url, {"sort": "code"}))[0] == "许村家纺工会"  # HN-XC before HN-XF
    empty = client.get(url, {"q": "没有这个"}).content.decode()
    assert "没有找到。可按名称中的一段或完整的组织代码搜索" in empty


def test_numbers_have_thousands_separators_and_pages(client, fed):
    town = Organisation.objects.get(pk=fed.town_b.pk)
    for n in range(30):
        town.refresh_from_db()
        Organisation.objects.add_child(
            town, instance=Organisation(code=f"HN-XC-2{n:02d}", name=f"许村{n:02d}号联合工会", kind="joint_union")
        )
    client.force_login(fed.town_b_staff)
    first = client.get(unions_url(fed.town_b))
    assert len(first.context["rows"]) == 25 and "第 1 / 2 页" in first.content.decode()
    assert len(client.get(unions_url(fed.town_b), {"page": 2}).context["rows"]) == 6


def test_the_query_count_does_not_grow_with_the_page(client, fed, django_assert_max_num_queries):
    client.force_login(fed.town_a_staff)
    client.get(unions_url(fed.town_a))
    town = Organisation.objects.get(pk=fed.town_a.pk)
    for n in range(20):
        town.refresh_from_db()
        union = Organisation.objects.add_child(
            town, instance=Organisation(code=f"HN-XF-3{n:02d}", name=f"硖石{n:02d}号工会", kind="enterprise_union")
        )
        make_member(union=union, name=f"王{n}", employer=make_employer(town=fed.town_a, union=union, name=f"硖石{n}厂"))
    with django_assert_max_num_queries(14):
        response = client.get(unions_url(fed.town_a))
    assert len(response.context["rows"]) == 22


def test_another_town_and_a_member_are_refused(client, fed):
    client.force_login(fed.town_b_staff)
    assert client.get(unions_url(fed.town_a)).status_code == 404
    client.force_login(fed.union_a1_officer)
    assert client.get(unions_url(fed.town_a)).status_code == 404
    client.force_login(fed.member_user)
    assert client.get(unions_url(fed.town_a)).status_code == 403
