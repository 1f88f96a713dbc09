"""The officers' rule editor and its 试算: city staff edit and try rules; everyone else is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gonghui.mutual_aid import services
from gonghui.mutual_aid.forms import RuleSetForm
from gonghui.mutual_aid.models import BenefitRuleSet
from gonghui.mutual_aid.rules import EXAMPLE
from gonghui.mutual_aid.tests.helpers import make_scheme

EDIT = reverse("mutual_aid:rule_set_edit", args=[2026, 1])
TRY = reverse("mutual_aid:rule_set_try", args=[2026, 1])
HTMX = {"HX-Request": "true"}


@pytest.fixture
def scheme(fed):
    return make_scheme(fed)


@pytest.fixture
def city(fed) -> Client:
    client = Client()
    client.force_login(fed.city_staff)
    return client


def posted(rules: dict[str, Any] = EXAMPLE, **changes: str) -> dict[str, str]:
    """What the editor posts for `rules`, with some boxes retyped."""
    data = {}
    for name, value in RuleSetForm.initial_from(rules).items():
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = str(value)
    data.update(changes)
    return data


def example_bill(**changes: str) -> dict[str, str]:
    bill = {
        "try-visit_type": "inpatient",
        "try-admitted_on": "2026-05-06",
        "try-in_policy_self_paid": "15000.00",
        "try-diagnosis": "K80.1",
    }
    return {**bill, **changes}


def stored(scheme) -> dict[str, Any]:
    return BenefitRuleSet.objects.get(scheme_year=scheme, version=1).rules


def test_city_staff_see_the_rules_of_the_year_in_the_editor(city, scheme) -> None:
    page = city.get(EDIT).content.decode()
    assert "2026 年度补助规则 第 1 版" in page
    assert 'value="1000.00"' in page and 'value="10000.00"' in page and 'value="60"' in page
    assert "E10, E11, I10" in page
    assert city.get(reverse("mutual_aid:rule_sets", args=[2026])).status_code == 200
    assert "2026" in city.get(reverse("mutual_aid:schemes")).content.decode()


def test_a_change_is_saved_in_place_while_no_claim_was_paid(city, scheme) -> None:
    response = city.post(EDIT, posted(inpatient__bands__2__ratio="65", note="提高大额段比例"))
    assert response.status_code == 302 and response["Location"] == reverse("mutual_aid:rule_sets", args=[2026])
    assert stored(scheme)["inpatient"]["bands"][1]["ratio"] == "65"
    assert BenefitRuleSet.objects.get(version=1).note == "提高大额段比例"


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        (
            {"inpatient__bands__2__from": "8000.00"},
            "住院补助第2档：与第1档重叠：第1档止于 10,000.00 元，本档始于 8,000.00 元",
        ),
        ({"inpatient__bands__2__from": "12000.00"}, "住院补助第2档：与第1档之间有空档"),
        ({"inpatient__bands__1__ratio": "120"}, "住院补助第1档：补助比例应在 0% 到 100% 之间，现为 120%"),
        ({"special_outpatient__ratio": "-5"}, "门诊特殊病补助补助比例：补助比例应在 0% 到 100% 之间"),
        (
            {"inpatient__cap_per_claim": "800.00"},
            "住院补助每次封顶：每次封顶（800.00 元）低于每次起付线（1,000.00 元）",
        ),
        ({"critical_illness__diseases": ""}, "重大疾病补助病种目录：病种目录不能为空"),
        ({"special_outpatient__diseases": "糖尿病"}, "不是 ICD-10 编码"),
    ],
)
def test_nonsense_is_refused_saying_what_and_where_and_nothing_is_saved(city, scheme, changes, shown) -> None:
    response = city.post(EDIT, posted(**changes))
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert stored(scheme) == EXAMPLE


def test_a_change_to_frozen_rules_asks_for_a_start_and_makes_the_next_version(city, scheme, monkeypatch) -> None:
    monkeypatch.setattr(services, "today", lambda: date(2026, 6, 15))
    services.rule_set_freeze(rule_set=BenefitRuleSet.objects.get(version=1))
    page = city.get(EDIT).content.decode()
    assert "本版已冻结" in page and "保存为新版本" in page
    refused = city.post(EDIT, posted(inpatient__bands__2__ratio="65"))
    assert refused.status_code == 400 and "请填写新版本的生效日期" in refused.content.decode()
    done = city.post(EDIT, posted(inpatient__bands__2__ratio="65", effective_from="2026-07-01"), follow=True)
    assert "已生成第 2 版规则，自 2026-07-01 起生效" in done.content.decode()
    assert stored(scheme) == EXAMPLE
    assert BenefitRuleSet.objects.get(version=2).rules["inpatient"]["bands"][1]["ratio"] == "65"


def test_the_trial_computes_the_example_bill_under_the_rules_as_typed(city, scheme) -> None:
    response = city.post(TRY, {**posted(inpatient__bands__2__ratio="70"), **example_bill()}, headers=HTMX)
    text = response.content.decode()
    assert response.status_code == 200
    assert "补助 8,000.00 元" in text  # 9,000 x 50% + 5,000 x 70%
    assert "10,000.00 元以上部分 5,000.00 元 × 70% = 3,500.00 元" in text
    assert "<html" not in text
    assert stored(scheme) == EXAMPLE  # trying saves nothing


def test_the_trial_shows_the_reason_when_nothing_is_paid(city, scheme) -> None:
    bill = example_bill(**{"try-in_policy_self_paid": "800", "try-inpatient_paid": "0"})
    text = city.post(TRY, {**posted(), **bill}, headers=HTMX).content.decode()
    assert "补助 0.00 元" in text and "3 低于起付线" in text


def test_the_trial_of_nonsense_lists_the_problems(city, scheme) -> None:
    response = city.post(TRY, {**posted(inpatient__bands__2__from="8000.00"), **example_bill()}, headers=HTMX)
    assert response.status_code == 400
    assert "规则有误，不能试算" in response.content.decode() and "重叠" in response.content.decode()


def test_the_trial_of_a_bad_bill_says_which_box(city, scheme) -> None:
    response = city.post(TRY, {**posted(), **example_bill(**{"try-in_policy_self_paid": "1.234"})}, headers=HTMX)
    assert response.status_code == 400 and "政策范围内自付（元）：金额最多两位小数" in response.content.decode()


def test_the_editor_reads_in_english(city, scheme) -> None:
    city.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = city.get(EDIT).content.decode()
    assert "Benefit rules for 2026, version 1" in page and "Try it" in page
    text = city.post(TRY, {**posted(), **example_bill()}, headers=HTMX).content.decode()
    assert "Benefit CNY 7,500.00" in text and "Above CNY 10,000.00" in text


@pytest.mark.parametrize("persona", ["town_a_staff", "town_b_staff", "union_a1_officer", "member_user"])
def test_everyone_but_city_staff_is_refused(fed, scheme, persona) -> None:
    client = Client()
    client.force_login(getattr(fed, persona))
    for url in (reverse("mutual_aid:schemes"), reverse("mutual_aid:rule_sets", args=[2026]), EDIT):
        assert client.get(url).status_code == 403
    assert client.post(EDIT, posted(inpatient__bands__2__ratio="65")).status_code == 403
    assert client.post(TRY, {**posted(), **example_bill()}, headers=HTMX).status_code == 403
    assert stored(scheme) == EXAMPLE


def test_a_year_or_version_that_does_not_exist_is_not_found(city, scheme) -> None:
    assert city.get(reverse("mutual_aid:rule_set_edit", args=[2026, 9])).status_code == 404
    assert city.get(reverse("mutual_aid:rule_sets", args=[2031])).status_code == 404


def test_the_navigation_shows_mutual_aid_to_city_staff_only(fed, city, scheme) -> None:
    schemes = f'href="{reverse("mutual_aid:schemes")}"'  # not the other entries under the same prefix
    assert schemes in city.get("/", follow=True).content.decode()
    town = Client()
    town.force_login(fed.town_a_staff)
    assert schemes not in town.get("/", follow=True).content.decode()
    assert f'href="{reverse("mutual_aid:batches")}"' in town.get("/", follow=True).content.decode()
