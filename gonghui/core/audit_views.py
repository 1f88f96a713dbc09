"""The audit log page (/audit/), for city staff holding core.view_auditentry."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gonghui.core.access import request_scope
from gonghui.core.audit import AuditFilter, audit_entry_list, audit_require_reader
from gonghui.core.models import AuditEntry
from gonghui.core.pages import staff_page

PAGE_SIZE = 50


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", "—"), *AuditEntry.Action.choices])
    result = forms.ChoiceField(label=_("结果"), required=False, choices=[("", "—"), *AuditEntry.Result.choices])
    subject = forms.CharField(label=_("对象"), required=False, max_length=100)
    person_id = forms.IntegerField(label=_("职工编号"), required=False, min_value=1)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def to_filter(self) -> AuditFilter:
        return AuditFilter(**self.cleaned_data)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


@staff_page
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Newest first, PAGE_SIZE a page; no total count, which on a log this size is a full scan."""
    scope = request_scope(request)
    audit_require_reader(scope=scope)
    form = AuditSearchForm(request.GET)
    number = _page_number(request)
    entries: list[AuditEntry] = []
    if form.is_valid():
        start = (number - 1) * PAGE_SIZE
        entries = list(audit_entry_list(scope=scope, filters=form.to_filter())[start : start + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "entries": entries[:PAGE_SIZE],
        "page": number,
        "has_next": len(entries) > PAGE_SIZE,
        "query": query.urlencode(),
    }
    return render(request, "core/audit_log.html", context, status=200 if form.is_valid() else 400)
