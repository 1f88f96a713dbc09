"""A member's consent buttons and their data download, reached from "my membership"."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.access import request_scope
from gonghui.core.downloads import attachment
from gonghui.core.pages import page
from gonghui.core.xlsx import XLSX_TYPE
from gonghui.privacy import services
from gonghui.privacy.exports import personal_data_xlsx
from gonghui.privacy.models import ConsentChannel


@page
@require_POST
def consent_give(request: HttpRequest, category: str) -> HttpResponse:
    consent = services.consent_give(
        scope=request_scope(request), category=category, channel=ConsentChannel.WEB, request=request
    )
    messages.success(request, gettext("已同意：%(category)s") % {"category": gettext(consent.get_category_display())})
    return redirect(f"{reverse('members:my_membership')}#consents")


@page
@require_POST
def consent_withdraw(request: HttpRequest, category: str) -> HttpResponse:
    consent = services.consent_withdraw(scope=request_scope(request), category=category, request=request)
    messages.success(
        request, gettext("已撤回同意：%(category)s") % {"category": gettext(consent.get_category_display())}
    )
    return redirect(f"{reverse('members:my_membership')}#consents")


@page
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """The member's data as a JSON file (readable by any program, the portable form PIPL
    art. 45 asks for), or with ?format=xlsx as a workbook."""
    data = services.personal_data_download(scope=request_scope(request), request=request)
    stem = f"my-data-{timezone.localdate():%Y%m%d}"
    if request.GET.get("format") == "xlsx":
        return attachment(personal_data_xlsx(data), XLSX_TYPE, f"{stem}.xlsx")
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return attachment(body, "application/json; charset=utf-8", f"{stem}.json")
