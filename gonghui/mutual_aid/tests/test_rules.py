"""The rules check: nonsense is refused with what is wrong and where, every problem at once."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from gonghui.mutual_aid.rules import EXAMPLE, RulesInvalid, code_listed, rules_parse, rules_problems

D = Decimal


def changed(path: str, value: Any) -> dict[str, Any]:
    """EXAMPLE with the value at a dotted path replaced ("inpatient.bands.1.ratio")."""
    rules = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    node: Any = rules
    for part in parents:
        node = node[int(part) - 1] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last) - 1] = value
    else:
        node[last] = value
    return rules


def problems(rules: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.field, str(p)) for p in rules_problems(rules)]


def test_the_example_is_sound_and_reads_back_the_same() -> None:
    rules = rules_parse(EXAMPLE)
    assert rules.inpatient is not None and rules.inpatient.bands[1].end is None
    assert rules.inpatient.bands[0].ratio == D("50")
    assert rules.to_data() == EXAMPLE
    assert rules_parse(rules.to_data()) == rules


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (
            "inpatient.bands.2.from",
            "8000.00",
            "inpatient.bands.2",
            "住院补助第2档：与第1档重叠：第1档止于 10,000.00 元，本档始于 8,000.00 元",
        ),
        (
            "inpatient.bands.2.from",
            "12000",
            "inpatient.bands.2",
            "住院补助第2档：与第1档之间有空档：第1档止于 10,000.00 元，本档始于 12,000.00 元",
        ),
        (
            "inpatient.bands.1.from",
            "0",
            "inpatient.bands.1",
            "住院补助第1档：第1档应从起付线 1,000.00 元开始，现从 0.00 元开始",
        ),
        (
            "inpatient.bands.2.to",
            "50000",
            "inpatient.bands.2",
            "住院补助第2档：最后一档应不设终点（50,000.00 元以上也要有比例）",
        ),
        ("inpatient.bands.1.to", None, "inpatient.bands.1", "住院补助第1档：只有最后一档可以不设终点"),
        (
            "inpatient.bands.1.to",
            "900",
            "inpatient.bands.1",
            "住院补助第1档：终点（900.00 元）应高于起点（1,000.00 元）",
        ),
        (
            "inpatient.bands.1.ratio",
            "120",
            "inpatient.bands.1",
            "住院补助第1档：补助比例应在 0% 到 100% 之间，现为 120%",
        ),
        (
            "special_outpatient.ratio",
            "-5",
            "special_outpatient.ratio",
            "门诊特殊病补助补助比例：补助比例应在 0% 到 100% 之间，现为 -5%",
        ),
        (
            "special_outpatient.ratio",
            "62.555",
            "special_outpatient.ratio",
            "门诊特殊病补助补助比例：补助比例应为百分数，最多两位小数，如 50 或 62.5",
        ),
        (
            "inpatient.cap_per_claim",
            "800",
            "inpatient.cap_per_claim",
            "住院补助每次封顶：每次封顶（800.00 元）低于每次起付线（1,000.00 元）",
        ),
        (
            "special_outpatient.annual_cap",
            "300",
            "special_outpatient.annual_cap",
            "门诊特殊病补助年度封顶：年度封顶（300.00 元）低于年度起付线（500.00 元）",
        ),
        (
            "inpatient.annual_cap",
            "15000",
            "inpatient.annual_cap",
            "住院补助年度封顶：年度封顶（15,000.00 元）低于每次封顶（20,000.00 元）",
        ),
        ("critical_illness.diseases", [], "critical_illness.diseases", "重大疾病补助病种目录：病种目录不能为空"),
        ("special_outpatient.diseases", [], "special_outpatient.diseases", "门诊特殊病补助病种目录：病种目录不能为空"),
        (
            "special_outpatient.diseases",
            ["E11", "糖尿病", "11E"],
            "special_outpatient.diseases",
            "门诊特殊病补助病种目录：不是 ICD-10 编码（或其开头部分，如 E11、I21.0）：糖尿病、11E",
        ),
        ("critical_illness.grant", "0", "critical_illness.grant", "重大疾病补助补助金额：应大于零"),
        ("inpatient.deductible_per_visit", "-1", "inpatient.deductible_per_visit", "住院补助每次起付线：不能为负数"),
        ("inpatient.annual_cap", "1.005", "inpatient.annual_cap", "住院补助年度封顶：金额最多两位小数（到分）"),
        ("inpatient.annual_cap", 50000.0, "inpatient.annual_cap", "float"),
        ("inpatient.bands", [], "inpatient.bands", "住院补助分段比例：至少要有一档补助比例"),
    ],
)
def test_nonsense_is_refused_with_what_and_where(path, value, field, message) -> None:
    found = problems(changed(path, value))
    assert [f for f, _ in found] == [field], found
    assert message in found[0][1]


def test_every_problem_is_listed_at_once() -> None:
    rules = changed("inpatient.bands.1.ratio", "150")
    rules["special_outpatient"]["diseases"] = []
    rules["critical_illness"]["grant"] = ""
    assert [field for field, _ in problems(rules)] == [
        "inpatient.bands.1",
        "special_outpatient.diseases",
        "critical_illness.grant",
    ]
    with pytest.raises(RulesInvalid) as refused:
        rules_parse(rules)
    assert refused.value.field == "inpatient.bands.1" and "；" in refused.value.message


def test_unknown_items_and_empty_rules_are_refused() -> None:
    assert problems({**EXAMPLE, "outpatient": {}}) == [("outpatient", "未知的规则项 outpatient")]
    assert problems(changed("inpatient.deductible", "1000"))[0][1] == "住院补助：未知的规则项 deductible"
    assert problems({"format": 1}) == [("", "至少要设一项补助（住院、门诊特殊病或重大疾病）")]
    assert problems({"format": 2, "inpatient": EXAMPLE["inpatient"]}) == [("format", "不认识的规则格式版本 2")]
    assert problems([]) == [("", "规则应为一个对象（JSON 对象）")]  # type: ignore[arg-type]


def test_a_year_may_offer_only_some_lines() -> None:
    rules = rules_parse({"format": 1, "critical_illness": EXAMPLE["critical_illness"]})
    assert rules.inpatient is None and rules.critical_illness is not None


def test_disease_codes_are_compared_as_written_by_either_side() -> None:
    assert code_listed("e11.9", ("E11",)) == "E11"
    assert code_listed("E119", ("E11.9",)) == "E11.9"
    assert code_listed("N18.500x001", ("N18.5",)) == "N18.5"
    assert code_listed("I10", ("I11", "E11")) is None
    outpatient = rules_parse(changed("special_outpatient.diseases", [" e11 ", "E11", "i10"])).special_outpatient
    assert outpatient is not None and outpatient.diseases == ("E11", "I10")


def test_problems_read_in_english() -> None:
    with translation.override("en"):
        found = problems(changed("inpatient.bands.2.from", "8000.00"))
    assert found == [
        (
            "inpatient.bands.2",
            "Inpatient benefit, band 2: Overlaps band 1: band 1 ends at CNY 10,000.00, this band starts at CNY 8,000.00",
        )
    ]
