"""The officers' rule editor and its example bill. The forms only turn what was typed into
a rules document (rules.py) and a bill; whether the rules make sense is the rules check's to
say, and its problems are put back beside the fields they name."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import ZERO, MoneyError, money
from gonghui.core.text import LineField, NoteField
from gonghui.members.forms import DateInput
from gonghui.mutual_aid.calculator import Accumulated, Bill, VisitType
from gonghui.mutual_aid.rules import FORMAT, MAX_BANDS, Problem

AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}
LINES = ("inpatient", "special_outpatient", "critical_illness")
LINE_TITLES = {
    "inpatient": _("住院补助"),
    "special_outpatient": _("门诊特殊病补助"),
    "critical_illness": _("重大疾病补助"),
}
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


def amount_field(label: Any, *, help_text: Any = "") -> forms.CharField:
    return LineField(label=label, required=False, max_length=20, help_text=help_text, widget=forms.TextInput(AMOUNT))


def codes_field(label: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "E11, I10, N18"})
    help_text = _("ICD-10 编码或其开头部分，用逗号、空格或换行分隔；如 E11 含 E11.9")
    return NoteField(label=label, required=False, max_length=5000, widget=widget, help_text=help_text)


class RuleSetForm(forms.Form):
    effective_from = forms.DateField(label=_("生效日期"), required=False, widget=DateInput())
    note = LineField(label=_("修改说明"), required=False, max_length=200)

    inpatient__on = forms.BooleanField(label=_("设住院补助"), required=False)
    inpatient__deductible_per_visit = amount_field(_("每次起付线（元）"))
    inpatient__cap_per_claim = amount_field(_("每次封顶（元）"))
    inpatient__annual_cap = amount_field(_("年度封顶（元）"), help_text=_("每人每年住院补助合计最多"))

    special_outpatient__on = forms.BooleanField(label=_("设门诊特殊病补助"), required=False)
    special_outpatient__diseases = codes_field(_("慢性病病种目录"))
    special_outpatient__annual_deductible = amount_field(_("年度起付线（元）"))
    special_outpatient__ratio = amount_field(_("补助比例（%）"))
    special_outpatient__annual_cap = amount_field(_("年度封顶（元）"))

    critical_illness__on = forms.BooleanField(label=_("设重大疾病补助"), required=False)
    critical_illness__diseases = codes_field(_("重大疾病病种目录"))
    critical_illness__grant = amount_field(_("一次性补助金额（元）"), help_text=_("每人每年一次"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_BANDS + 1):
            self.fields[band_field(n, "from")] = amount_field(_("第%(n)s档起点") % {"n": n})
            self.fields[band_field(n, "to")] = amount_field(_("第%(n)s档终点") % {"n": n})
            self.fields[band_field(n, "ratio")] = amount_field(_("第%(n)s档比例（%%）") % {"n": n})

    @classmethod
    def initial_from(cls, rules: dict[str, Any], *, effective_from: Any = None, note: str = "") -> dict[str, Any]:
        """The form's values for a stored rules document."""
        initial: dict[str, Any] = {"effective_from": effective_from, "note": note}
        for line in LINES:
            part = rules.get(line)
            initial[f"{line}__on"] = part is not None
            for key, value in (part or {}).items():
                if key == "bands":
                    for n, band in enumerate(value, start=1):
                        for end in ("from", "to", "ratio"):
                            initial[band_field(n, end)] = band.get(end) or ""
                elif key == "diseases":
                    initial[f"{line}__{key}"] = ", ".join(value)
                else:
                    initial[f"{line}__{key}"] = value
        return initial

    def rules_data(self) -> dict[str, Any]:
        """The rules document of what was typed; checking it is rules_parse's job."""
        data = self.cleaned_data
        document: dict[str, Any] = {"format": FORMAT}
        for line in LINES:
            document[line] = self._line(line) if data.get(f"{line}__on") else None
        return document

    def _line(self, line: str) -> dict[str, Any]:
        data = self.cleaned_data
        keys = [name.split("__", 1)[1] for name in self.fields if name.startswith(f"{line}__") and "bands" not in name]
        part: dict[str, Any] = {}
        for key in keys:
            if key == "on":
                continue
            value = data.get(f"{line}__{key}") or ""
            part[key] = [code for code in CODE_SEPARATORS.split(value) if code] if key == "diseases" else value
        if line == "inpatient":
            part["bands"] = self._bands()
        return part

    def _bands(self) -> list[dict[str, str | None]]:
        rows = [
            {end: (self.cleaned_data.get(band_field(n, end)) or "") for end in ("from", "to", "ratio")}
            for n in range(1, MAX_BANDS + 1)
        ]
        while rows and not any(rows[-1].values()):  # rows left blank at the end are not bands
            rows.pop()
        return [{**row, "to": row["to"] or None} for row in rows]

    def show_problems(self, problems: list[Problem]) -> None:
        """Each problem beside the field it is about (a band's on its row), or above the form."""
        for problem in problems:
            name = field_for(problem.field)
            self.add_error(name if name in self.fields else None, str(problem))

    def band_rows(self) -> list[list[forms.BoundField]]:
        return [[self[band_field(n, end)] for end in ("from", "to", "ratio")] for n in range(1, MAX_BANDS + 1)]

    def line_fields(self, line: str) -> list[forms.BoundField]:
        names = [name for name in self.fields if name.startswith(f"{line}__") and "bands" not in name]
        return [self[name] for name in names if name != f"{line}__on"]


def band_field(n: int, end: str) -> str:
    return f"inpatient__bands__{n}__{end}"


def field_for(path: str) -> str:
    """The form field of a path in the rules document ("inpatient.bands.2" -> its row)."""
    parts = path.split(".")
    if parts[:2] == ["inpatient", "bands"]:
        return band_field(int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1, "from")
    return "__".join(parts[:2])


class ExampleBillForm(forms.Form):
    """A bill to try the rules on before saving them (试算)."""

    visit_type = forms.ChoiceField(label=_("就诊类型"), choices=VisitType.choices, initial=VisitType.INPATIENT)
    admitted_on = forms.DateField(label=_("入院（就诊）日期"), widget=DateInput())
    in_policy_self_paid = amount_field(_("政策范围内自付（元）"))
    diagnosis = LineField(label=_("诊断编码（ICD-10）"), required=False, max_length=20)
    first_time = forms.BooleanField(label=_("首次参保（适用等待期）"), required=False)
    inpatient_paid = amount_field(_("本年度已获住院补助（元）"))
    outpatient_paid = amount_field(_("本年度已获门诊特殊病补助（元）"))
    outpatient_deductible_met = amount_field(_("本年度已计入门诊起付线（元）"))
    critical_paid = forms.BooleanField(label=_("本年度已领取重大疾病补助"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("in_policy_self_paid"):
            self.add_error("in_policy_self_paid", gettext("请填写政策范围内自付金额"))
        for name in ("in_policy_self_paid", "inpatient_paid", "outpatient_paid", "outpatient_deductible_met"):
            try:
                data[name] = money(data.get(name) or "0")
            except MoneyError as err:
                self.add_error(name, str(err))
                continue
            if data[name] < 0:
                self.add_error(name, gettext("不能为负数"))
        return data

    def bill(self) -> Bill:
        data = self.cleaned_data
        return Bill(
            visit_type=data["visit_type"],
            admitted_on=data["admitted_on"],
            in_policy_self_paid=data["in_policy_self_paid"],
            diagnosis=data.get("diagnosis") or "",
        )

    def so_far(self) -> Accumulated:
        data = self.cleaned_data
        return Accumulated(
            inpatient_paid=data["inpatient_paid"],
            outpatient_paid=data["outpatient_paid"],
            outpatient_deductible_met=data["outpatient_deductible_met"],
            critical_paid=Decimal("0.01") if data.get("critical_paid") else ZERO,  # any amount: the grant was had
        )
