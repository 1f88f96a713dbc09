"""The page that starts a real-name-system export (members/realname.py): a union, or the
whole scope, and the reason. The service checks the permission and the scope and audits a
refusal; the job page shows the progress bar and the file."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from gonghui.core.access import request_scope
from gonghui.core.errors import ServiceError
from gonghui.core.pages import form_error, staff_page
from gonghui.members import realname


class RealnameExportForm(forms.Form):
    union = forms.CharField(label=_("工会（留空导出辖区内全部会员）"), required=False, max_length=200)
    reason = forms.CharField(
        label=_("导出理由"), max_length=realname.REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


@staff_page
def realname_export(request: HttpRequest) -> HttpResponse:
    """GET: the form and the layout; POST: start the job. The service judges the input (the
    reason required, the union within the scope), so refusals read the same here and in tests."""
    scope = request_scope(request)
    form = RealnameExportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        try:
            job = realname.realname_export_submit(
                scope=scope,
                union_code=request.POST.get("union", ""),
                reason=request.POST.get("reason", ""),
                request=request,
            )
            return redirect("job_detail", pk=job.pk)
        except ServiceError as err:
            form.is_valid()
            form_error(form, err)
            status = err.status_code
    context = {
        "form": form,
        "allowed": scope.has_perm(realname.PERMISSION),
        "columns": [column.header for column in realname.COLUMNS],
    }
    return render(request, "members/realname_export.html", context, status=status)
