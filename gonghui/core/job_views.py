"""Pages of background jobs: "my jobs", one job with its live progress bar (htmx polls the
fragment while the job runs; no script of our own), its file, retry and cancel. Who may see
a job is decided in core/jobs.py's selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from gonghui.core import jobs
from gonghui.core.access import request_scope
from gonghui.core.downloads import attachment
from gonghui.core.pages import is_htmx, page

JOBS_SHOWN = 50


@page
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    rows = jobs.job_list_mine(scope=request_scope(request))[:JOBS_SHOWN]
    return render(request, "core/jobs.html", {"jobs": rows})


@page
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.job_get(scope=request_scope(request), pk=pk)
    context = {"job": job, "page_url": jobs.job_page_url(job), "can_retry": jobs.job_can_retry(job)}
    template = "core/_job.html" if is_htmx(request) else "core/job.html"
    return render(request, template, context)


@page
@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's file, opened from its sealed copy: scoped, and audited on every download."""
    scope = request_scope(request)
    result = jobs.job_result_download(scope=scope, job=jobs.job_get(scope=scope, pk=pk), request=request)
    return attachment(result.content, result.content_type, result.filename)


@page
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    jobs.job_retry(scope=scope, job=jobs.job_get(scope=scope, pk=pk))
    messages.success(request, gettext("已重新排队。"))
    return redirect("job_detail", pk=pk)


@page
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    jobs.job_cancel(scope=scope, job=jobs.job_get(scope=scope, pk=pk))
    messages.success(request, gettext("已取消该任务。"))
    return redirect("job_detail", pk=pk)
