"""The subordinate organisations side by side: each child's row holds every registered figure,
equal to that figure computed for the child alone, in one grouped query per figure whatever
the number of children; sorted by any column; exported; refused outside the viewer's subtree."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.accounts.scopes import scope_for
from gonghui.core.figures import Period, all_figures
from gonghui.core.models import AuditEntry
from gonghui.organisations.models import Organisation, OrganisationKind
from gonghui.reports import exports, selectors
from gonghui.testing import make_employer, make_member

REVIEW = {"start": "2021-01-01", "end": "2025-12-31"}
YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))


def add_union(town: Organisation, code: str, name: str) -> Organisation:
    town.refresh_from_db()
    return Organisation.objects.add_child(
        town, instance=Organisation(code=code, name=name, kind=OrganisationKind.JOINT_UNION)
    )


def grow_town_a(fed, unions: int) -> list[Organisation]:
    """More unions in town A, each with members, an employer with staff and one left without a union."""
    added = []
    for n in range(unions):
        union = add_union(fed.town_a, f"HN-XF-1{n:02d}", f"硖石{n}号联合工会")
        employer = make_employer(town=fed.town_a, union=union, name=f"硖石{n}号服装厂")
        employer.staff_count = 10 + n
        employer.save()
        for i in range(n % 3 + 1):
            make_member(union=union, name=f"职工{n}-{i}", employer=employer, sex="F" if i % 2 else "M")
        added.append(union)
    make_employer(town=fed.town_a, union=None, name="硖石无工会小店")
    return added


def test_every_row_equals_each_figure_for_that_child_alone(fed):
    grow_town_a(fed, 4)
    make_employer(town=fed.town_a, union=fed.town_a, name="硖石街道直属单位")  # the town's own record
    for viewer, org in ((fed.city_staff, fed.city), (fed.town_a_staff, fed.town_a)):
        comparison = selectors.comparison(scope=fed.scope(viewer), organisation=org, period=YEAR_2024)
        assert [f.name for f in comparison.figures] == [f.name for f in all_figures()]
        for row in comparison.rows:
            for figure in comparison.figures:
                expected = figure.compute(row.organisation.path, YEAR_2024)
                assert row.value(figure) == expected, (figure.name, row.organisation.name)
        for figure in comparison.figures:
            assert comparison.total.value(figure) == figure.compute(org.path, YEAR_2024), figure.name
    town = selectors.comparison(scope=fed.scope(fed.town_a_staff), organisation=fed.town_a, period=YEAR_2024)
    assert town.own is not None and town.own.values["organisations.employers_covered"] == 1


def test_a_city_sees_its_towns_and_a_town_its_unions(client, fed):
    client.force_login(fed.city_staff)
    response = client.get(reverse("reports:compare"), REVIEW)
    assert response.status_code == 200
    assert [r.organisation for r in response.context["rows"]] == [fed.town_a, fed.town_b]
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("reports:compare"), REVIEW)
    assert [r.organisation for r in response.context["rows"]] == [fed.union_a1, fed.union_a2]
    page = response.content.decode()
    assert "许村" not in page and "李娜" not in page
    assert reverse("reports:records", args=["members.members"]) in page


def test_rows_sort_by_any_column_either_way(client, fed):
    unions = grow_town_a(fed, 3)  # 1, 2 and 3 members
    client.force_login(fed.town_a_staff)
    url = reverse("reports:compare")
    response = client.get(url, {**REVIEW, "sort": "members.members", "dir": "desc"})
    names = [r.organisation.name for r in response.context["rows"]]
    # 3 and 2 members, then the unions of one member in the tree's order, then none.
    assert names == [unions[2].name, unions[1].name, "海宁皮革城工会", unions[0].name, "硖石联合工会"]
    header = next(link for link in response.context["sort_links"] if link.key == "members.members")
    assert header.aria_sort == "descending" and "dir=asc" in header.query
    response = client.get(url, {**REVIEW, "sort": "members.members", "dir": "asc"})
    assert response.context["rows"][0].organisation.name == "硖石联合工会"
    response = client.get(url, {**REVIEW, "sort": "name", "dir": "desc"})
    assert response.context["rows"][0].organisation == unions[-1]


def test_a_rate_over_nothing_sorts_last_and_shows_a_dash(client, fed):
    client.force_login(fed.city_staff)
    construction = Organisation.objects.add_child(
        fed.city,
        instance=Organisation(code="HN-JZ", name="海宁市建筑业工会联合会", kind=OrganisationKind.INDUSTRY_FEDERATION),
    )
    response = client.get(reverse("reports:compare"), {**REVIEW, "sort": "organisations.coverage_rate", "dir": "asc"})
    rows = response.context["rows"]
    assert rows[-1].organisation == construction
    cells = {cell.figure.name: cell.text for cell in rows[-1].cells}
    assert cells["organisations.coverage_rate"] == "—"


def test_an_unknown_column_is_named_and_the_tree_order_kept(client, fed):
    client.force_login(fed.city_staff)
    response = client.get(reverse("reports:compare"), {**REVIEW, "sort": "nope"})
    assert response.status_code == 200 and "没有这个排序列" in response.content.decode()
    assert [r.organisation for r in response.context["rows"]] == [fed.town_a, fed.town_b]


def test_a_union_officer_sees_only_their_union(client, fed):
    client.force_login(fed.union_a1_officer)
    response = client.get(reverse("reports:compare"), REVIEW)
    assert response.status_code == 200 and response.context["rows"] == []
    assert response.context["total_row"].organisation == fed.union_a1
    page = response.content.decode()
    assert "硖石联合工会" not in page and "许村" not in page
    assert client.get(reverse("reports:compare"), {**REVIEW, "organisation": fed.town_a.pk}).status_code == 404


@pytest.mark.parametrize("name", ["reports:compare", "reports:compare_export", "reports:print"])
def test_another_towns_rows_are_not_found(client, fed, name):
    client.force_login(fed.town_b_staff)
    response = client.get(reverse(name), {**REVIEW, "organisation": fed.town_a.pk})
    assert response.status_code == 404
    assert "海宁皮革城工会" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


@pytest.mark.parametrize("name", ["reports:compare", "reports:compare_export", "reports:print", "reports:breakdowns"])
def test_members_are_refused(client, fed, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(fed.member_user)
    assert client.get(reverse(name)).status_code == 403


def test_the_export_keeps_the_order_shown_and_is_audited(client, fed):
    grow_town_a(fed, 2)
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("reports:compare_export"), {**REVIEW, "sort": "members.members", "dir": "desc"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "硖石街道总工会 下级组织对比" and rows[1][0] == "统计期间：2021-01-01 至 2025-12-31"
    header = rows[3]
    assert header[0] == "组织" and "会员（人）" in header and "建会率（%）" in header
    members = header.index("会员（人）")
    body = [int(r[members]) for r in rows[4:-1]]  # type: ignore[arg-type]
    assert body == sorted(body, reverse=True)
    assert rows[-1][0] == "合计" and rows[-1][members] == 4  # 张伟 and three in the new unions
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == fed.town_a_staff and entry.detail["rows"] == 4


def test_the_query_count_does_not_grow_with_the_children(client, fed, django_assert_max_num_queries):
    client.force_login(fed.town_a_staff)
    url = reverse("reports:compare")
    client.get(url, REVIEW)  # session and second factor loaded once
    # Session, user, device, account, unread badge; the organisation, its ancestors and
    # children; one grouped query per figure (10: 7 of organisation building, 3 of mutual aid).
    with django_assert_max_num_queries(18):
        small = client.get(url, REVIEW)
    grow_town_a(fed, 12)
    with django_assert_max_num_queries(18):
        large = client.get(url, REVIEW)
    assert len(large.context["rows"]) == len(small.context["rows"]) + 12


def test_the_report_page_links_to_the_table_and_its_print_view(client, fed):
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("reports:index"), REVIEW).content.decode()
    assert reverse("reports:compare") in page and reverse("reports:print") in page
    assert reverse("reports:breakdowns") in page


def test_the_report_page_query_count(client, fed, django_assert_max_num_queries):
    client.force_login(fed.town_a_staff)
    url = reverse("reports:index")
    client.get(url, REVIEW)
    grow_town_a(fed, 5)
    # The four of every page, the badge; organisation, picker, crumbs, children; one per figure (10).
    with django_assert_max_num_queries(19):
        client.get(url, REVIEW)


def test_the_exports_figures_are_the_tables_total_and_the_reports_values(client, fed):
    """The export counts the figures once, from the side-by-side table's total row: the same
    numbers the report page computes one by one."""
    grow_town_a(fed, 3)
    scope = scope_for(fed.city_staff)
    period = Period(date(2021, 1, 1), date(2025, 12, 31))
    expected = {
        str(r.figure.label): r.value for r in selectors.figure_values(scope=scope, organisation=fed.city, period=period)
    }
    file = exports.export_report(scope=scope, organisation=fed.city, period=period, with_records=False)
    rows = list(load_workbook(io.BytesIO(file.content), read_only=True)["指标"].iter_rows(values_only=True))
    shown = {row[1]: row[2] for row in rows if len(row) > 2 and row[1] in expected}
    assert shown == {label: None if value is None else float(value) for label, value in expected.items()}
