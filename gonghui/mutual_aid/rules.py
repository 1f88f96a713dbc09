"""Benefit rules as data: the document a rule-set version stores (BenefitRuleSet.rules), its
parsed form (Rules, read by calculator.py), and the check that refuses nonsense with a
message saying what is wrong and where.

Why one JSON document per version rather than tables of bands and diseases: a version is
frozen, copied and compared as a whole; the checks that matter relate its parts to each
other (bands to the deductible and to one another, caps to deductibles), which is one
function over one value here; and the calculator gets one immutable value, with no query.

The document (format 1; every amount a string of yuan with at most two places, every ratio
a percentage; a line that is absent or null is not offered that year):

    {"format": 1,
     "inpatient": {"deductible_per_visit": "1000.00",
                   "bands": [{"from": "1000.00", "to": "10000.00", "ratio": "50"},
                             {"from": "10000.00", "to": null, "ratio": "60"}],
                   "cap_per_claim": "20000.00", "annual_cap": "50000.00"},
     "special_outpatient": {"diseases": ["E10", "E11", "I10", "N18"],
                            "annual_deductible": "500.00", "ratio": "50", "annual_cap": "5000.00"},
     "critical_illness": {"diseases": ["C", "I21", "I63", "N18.5"], "grant": "10000.00"}}

Bands are ranges of the in-policy self-paid amount of one visit: the first starts at the
deductible, each starts where the one before ends, the last is open. Disease codes are
ICD-10 prefixes ("E11" takes E11.9 and E11.900x001). See docs/mutual-aid.md.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext, gettext_noop

from gonghui.core.errors import ValidationFailed
from gonghui.core.money import MoneyError, format_money, money

FORMAT = 1
HUNDRED = Decimal(100)
MAX_BANDS = 5
MAX_DISEASES = 500
ICD10_PREFIX = re.compile(r"^[A-Z]([0-9]{1,2}(\.?[0-9A-Z]{0,8})?)?$")

# Where a problem is: the parts of the document, named as officers know them.
LINE_LABELS = {
    "inpatient": gettext_noop("住院补助"),
    "special_outpatient": gettext_noop("门诊特殊病补助"),
    "critical_illness": gettext_noop("重大疾病补助"),
}
FIELD_LABELS = {
    "deductible_per_visit": gettext_noop("每次起付线"),
    "cap_per_claim": gettext_noop("每次封顶"),
    "annual_cap": gettext_noop("年度封顶"),
    "annual_deductible": gettext_noop("年度起付线"),
    "ratio": gettext_noop("补助比例"),
    "diseases": gettext_noop("病种目录"),
    "grant": gettext_noop("补助金额"),
    "bands": gettext_noop("分段比例"),
}
LINE_FIELDS = {
    "inpatient": ("deductible_per_visit", "bands", "cap_per_claim", "annual_cap"),
    "special_outpatient": ("diseases", "annual_deductible", "ratio", "annual_cap"),
    "critical_illness": ("diseases", "grant"),
}


@dataclass(frozen=True)
class Band:
    start: Decimal
    end: Decimal | None  # None: no upper end
    ratio: Decimal  # percent


@dataclass(frozen=True)
class InpatientRule:
    deductible_per_visit: Decimal
    bands: tuple[Band, ...]
    cap_per_claim: Decimal
    annual_cap: Decimal


@dataclass(frozen=True)
class OutpatientRule:
    """Special outpatient care for chronic diseases: one deductible and one cap a year."""

    diseases: tuple[str, ...]
    annual_deductible: Decimal
    ratio: Decimal
    annual_cap: Decimal


@dataclass(frozen=True)
class CriticalIllnessRule:
    """A fixed grant, once a year, when a visit's diagnosis is on the list."""

    diseases: tuple[str, ...]
    grant: Decimal


@dataclass(frozen=True)
class Rules:
    inpatient: InpatientRule | None = None
    special_outpatient: OutpatientRule | None = None
    critical_illness: CriticalIllnessRule | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "inpatient": _inpatient_data(self.inpatient) if self.inpatient else None,
            "special_outpatient": _outpatient_data(self.special_outpatient) if self.special_outpatient else None,
            "critical_illness": _critical_data(self.critical_illness) if self.critical_illness else None,
        }


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rules document: `field` is its path ("inpatient.bands.2"),
    `where` and `message` say it in the reader's language."""

    field: str
    where: str
    message: str

    def __str__(self) -> str:
        if not self.where:
            return self.message
        return gettext("%(where)s：%(message)s") % {"where": self.where, "message": self.message}


class RulesInvalid(ValidationFailed):
    code = "rules_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("；".join(str(p) for p in problems), field=problems[0].field)
        self.problems = problems


# --- reading a document --------------------------------------------------------------------


def rules_parse(data: Any) -> Rules:
    """The rules of a document, or RulesInvalid listing every problem found."""
    reader = _Reader()
    rules = reader.rules(data)
    if reader.problems or rules is None:
        raise RulesInvalid(reader.problems or [Problem("", "", gettext("规则为空"))])
    return rules


def rules_problems(data: Any) -> list[Problem]:
    try:
        rules_parse(data)
    except RulesInvalid as invalid:
        return invalid.problems
    return []


def normalise_code(code: str) -> str:
    """An ICD-10 code as compared: upper case, without spaces or dots ("e11.9 " -> "E119")."""
    return "".join(code.split()).upper().replace(".", "").replace("．", "")


@lru_cache(maxsize=65536)  # a settlement file repeats a few thousand codes a million times
def code_listed(code: str, prefixes: tuple[str, ...]) -> str | None:
    """The first listed prefix the diagnosis code falls under, if any."""
    wanted = normalise_code(code)
    return next((prefix for prefix in prefixes if wanted.startswith(normalise_code(prefix))), None)


def where(field: str) -> str:
    """A path in the document ("inpatient.bands.2") as officers name it (住院补助第2档)."""
    parts = field.split(".")
    if parts[0] not in LINE_LABELS:
        return ""
    line = gettext(LINE_LABELS[parts[0]])
    if len(parts) > 2 and parts[1] == "bands":
        return gettext("%(line)s第%(n)s档") % {"line": line, "n": parts[2]}
    if len(parts) > 1 and parts[1] in FIELD_LABELS:
        return gettext("%(line)s%(field)s") % {"line": line, "field": gettext(FIELD_LABELS[parts[1]])}
    return line


class _Reader:
    """Reads a document, collecting every problem instead of stopping at the first, so an
    officer sees all that is wrong with a rule set at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, where(field), message))

    def rules(self, data: Any) -> Rules | None:
        if not isinstance(data, dict):
            self.problem("", gettext("规则应为一个对象（JSON 对象）"))
            return None
        if data.get("format", FORMAT) != FORMAT:
            self.problem("format", gettext("不认识的规则格式版本 %(format)s") % {"format": data.get("format")})
        for key in sorted(set(data) - {"format", *LINE_FIELDS}):
            self.problem(str(key), gettext("未知的规则项 %(key)s") % {"key": key})
        rules = Rules(
            inpatient=self.optional(data, "inpatient", self.inpatient),
            special_outpatient=self.optional(data, "special_outpatient", self.outpatient),
            critical_illness=self.optional(data, "critical_illness", self.critical),
        )
        if rules == Rules() and not self.problems:
            self.problem("", gettext("至少要设一项补助（住院、门诊特殊病或重大疾病）"))
        return rules

    def optional(self, data: dict[str, Any], line: str, read: Any) -> Any:
        part = data.get(line)
        if part is None:
            return None
        if not isinstance(part, dict):
            self.problem(line, gettext("应为一个对象"))
            return None
        for key in sorted(set(part) - set(LINE_FIELDS[line])):
            self.problem(line, gettext("未知的规则项 %(key)s") % {"key": key})
        return read(part, line)

    # --- the three lines ---

    def inpatient(self, part: dict[str, Any], line: str) -> InpatientRule | None:
        deductible = self.amount(part, line, "deductible_per_visit", positive=False)
        cap = self.amount(part, line, "cap_per_claim")
        annual = self.amount(part, line, "annual_cap")
        bands = self.bands(part.get("bands"), line, deductible)
        self.cap_not_below(line, "cap_per_claim", cap, "deductible_per_visit", deductible)
        if cap is not None and annual is not None and annual < cap:
            self.problem(
                f"{line}.annual_cap",
                gettext("年度封顶（%(annual)s 元）低于每次封顶（%(cap)s 元）")
                % {"annual": format_money(annual), "cap": format_money(cap)},
            )
        if deductible is None or bands is None or cap is None or annual is None:
            return None
        return InpatientRule(deductible, bands, cap, annual)

    def outpatient(self, part: dict[str, Any], line: str) -> OutpatientRule | None:
        diseases = self.diseases(part, line)
        deductible = self.amount(part, line, "annual_deductible", positive=False)
        ratio = self.ratio(part.get("ratio"), f"{line}.ratio")
        cap = self.amount(part, line, "annual_cap")
        self.cap_not_below(line, "annual_cap", cap, "annual_deductible", deductible)
        if diseases is None or deductible is None or ratio is None or cap is None:
            return None
        return OutpatientRule(diseases, deductible, ratio, cap)

    def critical(self, part: dict[str, Any], line: str) -> CriticalIllnessRule | None:
        diseases = self.diseases(part, line)
        grant = self.amount(part, line, "grant")
        if diseases is None or grant is None:
            return None
        return CriticalIllnessRule(diseases, grant)

    # --- the parts ---

    def amount(self, part: dict[str, Any], line: str, key: str, *, positive: bool = True) -> Decimal | None:
        field = f"{line}.{key}"
        value = part.get(key)
        if value is None or value == "":
            self.problem(field, gettext("不能为空"))
            return None
        try:
            amount = money(value)
        except MoneyError as err:
            self.problem(field, str(err))
            return None
        if amount < 0 or (positive and amount == 0):
            self.problem(field, gettext("应大于零") if positive else gettext("不能为负数"))
            return None
        return amount

    def ratio(self, value: Any, field: str) -> Decimal | None:
        if value is None or value == "":
            self.problem(field, gettext("补助比例不能为空"))
            return None
        ratio = None
        if not isinstance(value, bool | float):  # a float ratio is already inexact
            with suppress(InvalidOperation):
                ratio = Decimal(str(value).strip().rstrip("%％").strip())
        if ratio is None or not ratio.is_finite() or ratio != ratio.quantize(Decimal("0.01")):
            self.problem(field, gettext("补助比例应为百分数，最多两位小数，如 50 或 62.5"))
            return None
        if ratio < 0 or ratio > HUNDRED:
            self.problem(field, gettext("补助比例应在 0%% 到 100%% 之间，现为 %(ratio)s%%") % {"ratio": ratio})
            return None
        return ratio

    def cap_not_below(self, line: str, cap_key: str, cap: Decimal | None, ded_key: str, ded: Decimal | None) -> None:
        if cap is not None and ded is not None and cap < ded:
            self.problem(
                f"{line}.{cap_key}",
                gettext("%(cap_label)s（%(cap)s 元）低于%(ded_label)s（%(ded)s 元）")
                % {
                    "cap_label": gettext(FIELD_LABELS[cap_key]),
                    "cap": format_money(cap),
                    "ded_label": gettext(FIELD_LABELS[ded_key]),
                    "ded": format_money(ded),
                },
            )

    def bands(self, value: Any, line: str, deductible: Decimal | None) -> tuple[Band, ...] | None:
        field = f"{line}.bands"
        if not isinstance(value, list) or not value:
            self.problem(field, gettext("至少要有一档补助比例"))
            return None
        if len(value) > MAX_BANDS:
            self.problem(field, gettext("最多 %(n)s 档") % {"n": MAX_BANDS})
            return None
        bands = [self.band(item, f"{field}.{n}", last=n == len(value)) for n, item in enumerate(value, start=1)]
        if any(band is None for band in bands):
            return None
        checked = tuple(band for band in bands if band is not None)
        self.bands_join(checked, field, deductible)
        return checked

    def band(self, item: Any, field: str, *, last: bool) -> Band | None:
        if not isinstance(item, dict):
            self.problem(field, gettext("应写明起点、终点和比例"))
            return None
        start = self.band_amount(item.get("from"), field, gettext("起点"))
        end = None if item.get("to") in (None, "") else self.band_amount(item.get("to"), field, gettext("终点"))
        ratio = self.ratio(item.get("ratio"), field)
        if start is None or ratio is None or (item.get("to") not in (None, "") and end is None):
            return None
        if end is None and not last:
            self.problem(field, gettext("只有最后一档可以不设终点"))
            return None
        if end is not None and end <= start:
            self.problem(
                field,
                gettext("终点（%(end)s 元）应高于起点（%(start)s 元）")
                % {"end": format_money(end), "start": format_money(start)},
            )
            return None
        return Band(start, end, ratio)

    def band_amount(self, value: Any, field: str, label: str) -> Decimal | None:
        if value is None or value == "":
            self.problem(field, gettext("%(label)s不能为空") % {"label": label})
            return None
        try:
            amount = money(value)
        except MoneyError as err:
            self.problem(field, gettext("%(label)s：%(error)s") % {"label": label, "error": err})
            return None
        if amount < 0:
            self.problem(field, gettext("%(label)s不能为负数") % {"label": label})
            return None
        return amount

    def bands_join(self, bands: tuple[Band, ...], field: str, deductible: Decimal | None) -> None:
        """Bands tile the amounts from the deductible up: no gap, no overlap, open at the top."""
        if deductible is not None and bands[0].start != deductible:
            self.problem(
                f"{field}.1",
                gettext("第1档应从起付线 %(deductible)s 元开始，现从 %(start)s 元开始")
                % {"deductible": format_money(deductible), "start": format_money(bands[0].start)},
            )
        for n, (before, band) in enumerate(zip(bands, bands[1:], strict=False), start=2):
            assert before.end is not None  # only the last band is open (band())
            values = {"n": n - 1, "end": format_money(before.end), "start": format_money(band.start)}
            if band.start < before.end:
                self.problem(
                    f"{field}.{n}", gettext("与第%(n)s档重叠：第%(n)s档止于 %(end)s 元，本档始于 %(start)s 元") % values
                )
            elif band.start > before.end:
                self.problem(
                    f"{field}.{n}",
                    gettext("与第%(n)s档之间有空档：第%(n)s档止于 %(end)s 元，本档始于 %(start)s 元") % values,
                )
        if bands[-1].end is not None:
            self.problem(
                f"{field}.{len(bands)}",
                gettext("最后一档应不设终点（%(end)s 元以上也要有比例）") % {"end": format_money(bands[-1].end)},
            )

    def diseases(self, part: dict[str, Any], line: str) -> tuple[str, ...] | None:
        field = f"{line}.diseases"
        value = part.get("diseases")
        if not isinstance(value, list) or not value:
            self.problem(field, gettext("病种目录不能为空"))
            return None
        if len(value) > MAX_DISEASES:
            self.problem(field, gettext("病种目录最多 %(n)s 项") % {"n": MAX_DISEASES})
            return None
        codes: list[str] = []
        bad = []
        for item in value:
            code = "".join(str(item).split()).upper().replace("．", ".")
            if not ICD10_PREFIX.match(code):
                bad.append(str(item))
            elif code not in codes:
                codes.append(code)
        if bad:
            self.problem(
                field,
                gettext("不是 ICD-10 编码（或其开头部分，如 E11、I21.0）：%(codes)s") % {"codes": "、".join(bad[:10])},
            )
            return None
        return tuple(codes)


# --- writing a document --------------------------------------------------------------------


def _ratio_text(ratio: Decimal) -> str:
    return format(ratio.normalize(), "f")


def _inpatient_data(rule: InpatientRule) -> dict[str, Any]:
    return {
        "deductible_per_visit": str(rule.deductible_per_visit),
        "bands": [
            {"from": str(b.start), "to": None if b.end is None else str(b.end), "ratio": _ratio_text(b.ratio)}
            for b in rule.bands
        ],
        "cap_per_claim": str(rule.cap_per_claim),
        "annual_cap": str(rule.annual_cap),
    }


def _outpatient_data(rule: OutpatientRule) -> dict[str, Any]:
    return {
        "diseases": list(rule.diseases),
        "annual_deductible": str(rule.annual_deductible),
        "ratio": _ratio_text(rule.ratio),
        "annual_cap": str(rule.annual_cap),
    }


def _critical_data(rule: CriticalIllnessRule) -> dict[str, Any]:
    return {"diseases": list(rule.diseases), "grant": str(rule.grant)}


# The rules the demo and the tests start from: Zhejiang-style numbers.
EXAMPLE = {
    "format": FORMAT,
    "inpatient": {
        "deductible_per_visit": "1000.00",
        "bands": [
            {"from": "1000.00", "to": "10000.00", "ratio": "50"},
            {"from": "10000.00", "to": None, "ratio": "60"},
        ],
        "cap_per_claim": "20000.00",
        "annual_cap": "50000.00",
    },
    "special_outpatient": {
        "diseases": ["E10", "E11", "I10", "I11", "N18", "C"],
        "annual_deductible": "500.00",
        "ratio": "50",
        "annual_cap": "5000.00",
    },
    "critical_illness": {"diseases": ["C", "I21", "I63", "N18.5", "Z94"], "grant": "10000.00"},
}
