"""The city staff's pages for the scheme: the years, a year's rule versions, and the rule
editor with its 试算 (an htmx fragment computing an example bill under the rules as typed).
Views parse input, call one service or selector and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.access import request_scope
from gonghui.core.errors import ServiceError
from gonghui.core.money import format_money
from gonghui.core.pages import form_error, staff_page
from gonghui.mutual_aid import selectors, services
from gonghui.mutual_aid.access import require_city_staff
from gonghui.mutual_aid.forms import LINE_TITLES, LINES, ExampleBillForm, RuleSetForm
from gonghui.mutual_aid.models import BenefitRuleSet
from gonghui.mutual_aid.rules import RulesInvalid


@staff_page
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require_city_staff(scope)
    return render(request, "mutual_aid/schemes.html", {"schemes": selectors.scheme_year_list(scope=scope)})


@staff_page
@require_GET
def rule_set_list(request: HttpRequest, year: int) -> HttpResponse:
    scope = request_scope(request)
    require_city_staff(scope)
    scheme_year = selectors.scheme_year_get(scope=scope, year=year)
    versions = selectors.rule_set_list(scheme_year=scheme_year)
    return render(request, "mutual_aid/rule_sets.html", {"scheme": scheme_year, "versions": versions})


@staff_page
@require_http_methods(["GET", "POST"])
def rule_set_edit(request: HttpRequest, year: int, version: int) -> HttpResponse:
    scope = request_scope(request)
    require_city_staff(scope)
    rule_set = selectors.rule_set_get(scope=scope, year=year, version=version)
    form = RuleSetForm(request.POST or None, initial=_initial(rule_set))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.rule_set_change(
                    scope=scope,
                    rule_set=rule_set,
                    rules=form.rules_data(),
                    effective_from=form.cleaned_data["effective_from"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _saved_message(rule_set, saved))
                return redirect("mutual_aid:rule_sets", year)
            except RulesInvalid as invalid:
                form.show_problems(invalid.problems)
            except ServiceError as err:
                form_error(form, err)
    context = _editor_context(rule_set, form, ExampleBillForm(prefix="try", initial=_bill_initial(rule_set)))
    return render(request, "mutual_aid/rule_set_edit.html", context, status=status)


@staff_page
@require_POST
def rule_set_try(request: HttpRequest, year: int, version: int) -> HttpResponse:
    """The 试算 fragment: the example bill under the rules as they stand in the form."""
    scope = request_scope(request)
    require_city_staff(scope)
    rule_set = selectors.rule_set_get(scope=scope, year=year, version=version)
    form, bill_form = RuleSetForm(request.POST), ExampleBillForm(request.POST, prefix="try")
    context: dict[str, Any] = {"form": form, "bill_form": bill_form}
    if not (form.is_valid() and bill_form.is_valid()):
        return render(request, "mutual_aid/_trial.html", context, status=400)
    try:
        context["benefit"] = selectors.benefit_trial(
            scope=scope,
            scheme_year=rule_set.scheme_year,
            rules=form.rules_data(),
            bill=bill_form.bill(),
            first_time=bill_form.cleaned_data["first_time"],
            so_far=bill_form.so_far(),
        )
    except RulesInvalid as invalid:
        context["problems"] = invalid.problems
        return render(request, "mutual_aid/_trial.html", context, status=400)
    context["amount"] = format_money(context["benefit"].amount)
    return render(request, "mutual_aid/_trial.html", context)


def _initial(rule_set: BenefitRuleSet) -> dict[str, Any]:
    start = None if rule_set.is_frozen else rule_set.effective_from  # a new version needs its own date
    return RuleSetForm.initial_from(rule_set.rules, effective_from=start)


def _bill_initial(rule_set: BenefitRuleSet) -> dict[str, Any]:
    return {"admitted_on": rule_set.effective_from, "in_policy_self_paid": "15000.00", "diagnosis": "K80.1"}


def _editor_context(rule_set: BenefitRuleSet, form: RuleSetForm, bill_form: ExampleBillForm) -> dict[str, Any]:
    sections = [
        {"key": line, "title": LINE_TITLES[line], "on": form[f"{line}__on"], "fields": form.line_fields(line)}
        for line in LINES
    ]
    return {
        "rule_set": rule_set,
        "scheme": rule_set.scheme_year,
        "form": form,
        "bill_form": bill_form,
        "sections": sections,
        "band_rows": form.band_rows(),
    }


def _saved_message(old: BenefitRuleSet, saved: BenefitRuleSet) -> str:
    if saved.pk != old.pk:
        return gettext("已生成第 %(version)s 版规则，自 %(day)s 起生效") % {
            "version": saved.version,
            "day": saved.effective_from.isoformat(),
        }
    return gettext("第 %(version)s 版规则已保存") % {"version": saved.version}
