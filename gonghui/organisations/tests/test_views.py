from datetime import date

from django.urls import reverse

from gonghui.organisations.models import (
    Officer,
    OfficerRole,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    OrganisationStatusChange,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_workbench_shows_the_towns_tree_with_subtree_counts(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("organisations:workbench"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "硖石街道总工会" in page and "海宁皮革城工会" in page and "硖石联合工会" in page
    assert response.context["totals"] == {"unions": 2, "employers": 1, "members": 1}
    assert "许村" not in page


def test_city_workbench_counts_each_town_and_opens_a_town_on_demand(client, fed):
    client.force_login(fed.city_staff)
    response = client.get(reverse("organisations:workbench"))
    counts = {org.name: c for org, c in response.context["children"]}
    assert counts["硖石街道总工会"] == {"unions": 2, "employers": 1, "members": 1}
    assert counts["许村镇总工会"] == {"unions": 1, "employers": 1, "members": 1}
    assert f'hx-get="{reverse("organisations:children", args=[fed.town_a.pk])}"' in response.content.decode()

    fragment = client.get(reverse("organisations:children", args=[fed.town_a.pk]), **HTMX).content.decode()
    assert "海宁皮革城工会" in fragment and "<html" not in fragment


def test_another_towns_branch_is_not_found(client, fed):
    client.force_login(fed.town_b_staff)
    assert client.get(reverse("organisations:children", args=[fed.town_a.pk]), **HTMX).status_code == 404
    response = client.get(reverse("organisations:detail", args=[fed.union_a1.pk]))
    assert response.status_code == 404
    assert "海宁皮革城工会" not in response.content.decode()


def test_union_page_shows_officers_employers_and_status_history(client, fed):
    Officer.objects.create(
        organisation=fed.union_a1, role=OfficerRole.CHAIR, name="陈主席", started_on=date(2021, 1, 1)
    )
    OrganisationStatusChange.objects.create(
        organisation=fed.union_a1, status=OrganisationStatus.ACTIVE, on=date(2008, 5, 1), note="成立"
    )
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("organisations:detail", args=[fed.union_a1.pk])).content.decode()
    assert "陈主席" in page and "主席" in page
    assert "海宁中国皮革城股份有限公司" in page and fed.employer_a1.uscc in page
    assert "2008-05-01" in page and "成立" in page
    # Breadcrumbs stop at the viewer's own organisation: the city is above town A's staff.
    assert "硖石街道总工会" in page and reverse("organisations:detail", args=[fed.city.pk]) not in page


def test_union_page_lists_former_officers_apart_from_current_ones(client, fed):
    Officer.objects.create(organisation=fed.union_a1, role=OfficerRole.CHAIR, name="陈敏", started_on=date(2021, 5, 1))
    Officer.objects.create(
        organisation=fed.union_a1,
        role=OfficerRole.CHAIR,
        name="徐建国",
        started_on=date(2016, 5, 1),
        ended_on=date(2021, 4, 30),
    )
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("organisations:detail", args=[fed.union_a1.pk]))
    assert [o.name for o in response.context["officers"]] == ["陈敏"]
    assert [o.name for o in response.context["former_officers"]] == ["徐建国"]
    page = response.content.decode()
    assert page.index("陈敏") < page.index("离任干部") < page.index("徐建国") and "2021-04-30" in page


def test_members_cannot_open_the_workbench(client, fed):
    client.force_login(fed.member_user)
    assert client.get(reverse("organisations:workbench")).status_code == 403


def test_union_options_offer_scoped_or_federation_wide_unions(client, fed):
    client.force_login(fed.town_a_staff)
    url = reverse("organisations:union_options")
    mine = client.get(url, {"field": "union", "union": "工会"}).content.decode()
    assert "海宁皮革城工会" in mine and "许村家纺工会" not in mine and "HN-XF-001" not in mine
    everywhere = client.get(url, {"field": "to_union", "to_union": "许村", "within": "all"}).content.decode()
    assert '<option value="许村家纺工会">许村镇总工会</option>' in everywhere
    # The report's picker still takes codes, named and placed beside them.
    report = client.get(url, {"field": "code", "code": "皮革"}).content.decode()
    assert '<option value="HN-XF-001">海宁皮革城工会 · 硖石街道总工会</option>' in report


def test_union_options_find_the_town_in_one_query(client, fed, django_assert_max_num_queries):
    client.force_login(fed.city_staff)
    url = reverse("organisations:union_options")
    client.get(url, {"field": "union", "union": "工会"})
    with django_assert_max_num_queries(12):
        client.get(url, {"field": "union", "union": "工会"})


def test_employer_options_are_scoped_and_show_the_town(client, fed):
    client.force_login(fed.town_a_staff)
    url = reverse("organisations:employer_options")
    options = client.get(url, {"field": "employer", "employer": "有限公司"}).content.decode()
    assert '<option value="海宁中国皮革城股份有限公司">硖石街道总工会 · 海宁皮革城工会</option>' in options
    assert "许村家纺有限公司" not in options
    client.force_login(fed.member_user)
    assert client.get(url, {"employer": "有限公司"}).status_code == 403


def test_workbench_query_count_does_not_grow_with_the_tree(client, fed, django_assert_max_num_queries):
    for n in range(12):
        fed.town_b.refresh_from_db()
        Organisation.objects.add_child(
            fed.town_b,
            instance=Organisation(code=f"HN-XC-1{n:02d}", name=f"许村{n}号工会", kind=OrganisationKind.JOINT_UNION),
        )
    client.force_login(fed.city_staff)
    # 12 for the page, one for the navigation's unread-message badge that every page shows.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("organisations:workbench"))
    counts = {org.name: c for org, c in response.context["children"]}
    assert counts["许村镇总工会"]["unions"] == 13
