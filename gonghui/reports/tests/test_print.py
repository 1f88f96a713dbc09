"""The report's print view: the whole report on A4 paper, without the site's navigation,
headed by the organisation, the period and who printed it."""

from django.urls import reverse

REVIEW = {"start": "2021-01-01", "end": "2025-12-31"}


def test_the_print_view_holds_the_whole_report_and_no_navigation(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("reports:print"), {**REVIEW, "sort": "members.members", "dir": "desc"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "硖石街道总工会 工会工作报表" in page
    assert "统计期间：2021-01-01 至 2025-12-31" in page and "统计范围：硖石街道总工会及其下级组织" in page
    assert "site-nav" not in page and "退出登录" not in page
    assert "reports/print.css" in page and "reports/print.js" in page
    for part in ("指标", "会员构成", "下级组织对比", "建会率", "入会率", "海宁皮革城工会", "25岁及以下"):
        assert part in page, part
    assert "<thead>" in page and "许村" not in page
    assert response.context["rows"][0].organisation == fed.union_a1  # the only one with a member
    values = {f.name: v for _, items in response.context["groups"] for f, v in items}
    assert values["members.members"] == "1" and values["organisations.unions"] == "2"


def test_a_union_prints_without_a_side_by_side_table(client, fed):
    client.force_login(fed.union_a1_officer)
    page = client.get(reverse("reports:print"), REVIEW).content.decode()
    assert "海宁皮革城工会 工会工作报表" in page and "下级组织对比" not in page


def test_the_print_view_query_count(client, fed, django_assert_max_num_queries):
    client.force_login(fed.city_staff)
    url = reverse("reports:print")
    client.get(url, REVIEW)
    # Session, user, device, account (no navigation); organisation, viewer, children; one
    # grouped query per figure (10); one for every breakdown of members.
    with django_assert_max_num_queries(18):
        client.get(url, REVIEW)


def test_the_print_view_reads_in_english(client, fed, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("reports:print"), REVIEW).content.decode()
    assert "Reporting period: 2021-01-01 to 2025-12-31" in page and "Subordinate organisations side by side" in page
    assert "Unionisation rate" in page and "Membership rate" in page and "Aged 25 or under" in page
    assert "统计" not in page and "会员构成" not in page
