"""The report's side-by-side table, its print view and the workbench's chart in Debian's
Chromium (the fixtures are the root conftest's, the helpers gonghui/browser_testing.py). Screenshots and the
printed PDF go to $GONGHUI_SCREENSHOTS (default /tmp)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from gonghui.browser_testing import DESKTOP, PHONE, SCREENSHOTS, no_sideways_scroll, sign_in
from gonghui.organisations.models import Organisation, OrganisationKind
from gonghui.testing import Federation, make_employer, make_member

pytestmark = pytest.mark.browser
REVIEW = "start=2021-01-01&end=2025-12-31"


def town_a_with_unions(fed: Federation, count: int) -> None:
    """Unions of 1, 2, 3 … members in town A, named so that name order and size order differ."""
    for n in range(count):
        fed.town_a.refresh_from_db()
        union = Organisation.objects.add_child(
            fed.town_a,
            instance=Organisation(
                code=f"HN-XF-2{n:02d}", name=f"硖石{n:02d}号联合工会", kind=OrganisationKind.JOINT_UNION
            ),
        )
        employer = make_employer(town=fed.town_a, union=union, name=f"硖石{n:02d}号服装厂")
        for i in range((n * 7) % 5 + 1):
            make_member(union=union, name=f"职工{n}-{i}", employer=employer, joined_on=date(2023, 3, 1))


def column(page: Any, index: int) -> list[str]:
    cells = page.locator(f"table.compare tbody tr > :nth-child({index})")
    return [cells.nth(i).get_attribute("data-value") or cells.nth(i).inner_text() for i in range(cells.count())]


def test_the_side_by_side_table_sorts_by_a_column(open_page: Callable[..., Any], site: str, fed: Federation) -> None:
    town_a_with_unions(fed, 6)
    page = open_page()
    sign_in(page, site, "town_a")
    page.goto(f"{site}{reverse('reports:index')}?{REVIEW}")
    page.get_by_role("button", name="下级组织对比").click()
    page.get_by_role("heading", name="硖石街道总工会 · 下级组织对比").wait_for()
    headers = [h.strip() for h in page.locator("table.compare thead th").all_inner_texts()]
    members = next(i for i, h in enumerate(headers, start=1) if h.startswith("会员"))
    assert "海宁皮革城工会" in page.locator("table.compare tbody").inner_text()

    page.locator("table.compare thead th").nth(members - 1).get_by_role("link").click()
    page.wait_for_url("**sort=members.members&dir=desc**")
    values = [int(v) for v in column(page, members)]
    assert values == sorted(values, reverse=True) and values[0] == 5
    assert page.locator("table.compare thead th").nth(members - 1).get_attribute("aria-sort") == "descending"
    page.screenshot(path=str(SCREENSHOTS / "gonghui-report-compare.png"), full_page=True)

    page.locator("table.compare thead th").nth(members - 1).get_by_role("link").click()
    page.wait_for_url("**sort=members.members&dir=asc**")
    values = [int(v) for v in column(page, members)]
    assert values == sorted(values) and values[0] == 0

    # On a phone the table scrolls inside its frame, the page itself does not.
    page.set_viewport_size(PHONE)
    page.reload()
    assert no_sideways_scroll(page)
    wrap = page.locator(".compare-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    page.screenshot(path=str(SCREENSHOTS / "gonghui-report-compare-phone.png"), full_page=True)


def test_the_print_view_is_laid_out_for_a4(open_page: Callable[..., Any], site: str, fed: Federation) -> None:
    town_a_with_unions(fed, 40)
    page = open_page()
    sign_in(page, site, "town_a")
    page.goto(f"{site}{reverse('reports:index')}?{REVIEW}")
    page.get_by_role("button", name="打印版").click()
    page.get_by_role("heading", name="硖石街道总工会 工会工作报表").wait_for()
    assert page.get_by_text("统计期间：2021-01-01 至 2025-12-31").first.is_visible()
    assert page.get_by_text("统计范围：硖石街道总工会及其下级组织").is_visible()
    assert page.locator(".site-header, .site-nav").count() == 0
    page_rule = page.evaluate(
        "() => [...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r instanceof CSSPageRule)"
        ".map(r => r.style.getPropertyValue('size'))"
    )
    assert page_rule == ["a4"]  # as Chromium reads "A4 portrait"

    page.emulate_media(media="print")
    assert page.locator(".toolbar").is_hidden()
    assert page.locator("table.compare thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
    assert page.locator("table.compare tbody tr").first.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    assert page.locator("table.compare a").count() == 0
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (SCREENSHOTS / "gonghui-report-print.pdf").write_bytes(pdf)
    assert (
        pdf.count(b"/Type /Page\n")
        + pdf.count(b"/Type /Page\r")
        + pdf.count(b"/Type /Page ")
        + pdf.count(b"/Type /Page/")
        >= 2
    )
    page.emulate_media(media="screen")
    page.screenshot(path=str(SCREENSHOTS / "gonghui-report-print.png"))


def test_the_workbench_chart_draws_on_a_phone(open_page: Callable[..., Any], site: str, fed: Federation) -> None:
    page = open_page(PHONE)
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    sign_in(page, site, "town_a")
    assert page.url == site + reverse("organisations:workbench")
    chart = page.locator("#trend-chart[data-state=ready]")
    chart.wait_for()
    assert chart.locator("canvas").count() >= 1
    months = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('trend-chart')).getOption().xAxis[0].data.length"
    )
    assert months == 24
    members = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('trend-chart')).getOption().series[0].data"
    )
    assert members[-1] == 1
    page.locator(".headlines[data-figure], .headlines .stat").first.wait_for()
    assert page.locator(".headlines .stat").count() == 4
    assert no_sideways_scroll(page)
    box = chart.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    assert refused == []
    page.screenshot(path=str(SCREENSHOTS / "gonghui-workbench-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / "gonghui-workbench-chart.png"))
