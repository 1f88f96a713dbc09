"""The report page, its drill-down lists and their .xlsx exports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.access import Scope, request_scope
from gonghui.core.downloads import attachment
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.figures import Period, by_programme
from gonghui.core.pages import staff_page
from gonghui.core.xlsx import XLSX_TYPE
from gonghui.organisations.models import Organisation
from gonghui.reports import exports, selectors
from gonghui.reports.periods import parse_date, period_from, period_presets, preset_key

PER_PAGE = 50
MAX_CHILD_LINKS = 40


@dataclass(frozen=True)
class ReportQuery:
    organisation: Organisation
    period: Period
    error: str = ""  # a bad date is shown beside the form; the report falls back to this year

    @property
    def params(self) -> str:
        return urlencode({"organisation": self.organisation.pk, "start": self.period.start, "end": self.period.end})


def _report_query(request: HttpRequest, scope: Scope) -> ReportQuery:
    """Organisation and period from the query string. A bad date or an unknown union code is
    shown beside the form and the report falls back to a sensible default; an organisation id
    outside the viewer's scope is a 404, as everywhere."""
    get = request.GET
    errors = []
    organisation = None
    code = get.get("code", "").strip()
    if code:
        try:
            organisation = selectors.report_organisation(scope=scope, code=code)
        except NotFound as err:
            errors.append(gettext(err.message))
    if organisation is None:
        pk = get.get("organisation", "").strip()
        organisation = selectors.report_organisation(scope=scope, pk=int(pk) if pk.isdigit() else None)
    today = timezone.localdate()
    try:
        start = parse_date(get.get("start"), field="start")
        end = parse_date(get.get("end"), field="end")
        period = period_from(start=start, end=end, preset=get.get("preset"), today=today)
    except ValidationFailed as err:
        errors.append(gettext(err.message))
        period = period_from(start=None, end=None, preset=None, today=today)
    return ReportQuery(organisation, period, "；".join(errors))


@staff_page
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    query = _report_query(request, scope)
    org = query.organisation
    results = selectors.figure_values(scope=scope, organisation=org, period=query.period)
    values = {r.figure.name: r.value for r in results}
    groups = by_programme([r.figure for r in results])
    children = selectors.report_children(scope=scope, organisation=org) if org.numchild else Organisation.objects.none()
    today = timezone.localdate()
    context = {
        "query": query,
        "org": org,
        "groups": [(programme, [(f, _number(values[f.name])) for f in figures]) for programme, figures in groups],
        "choices": _indented(selectors.report_organisation_choices(scope=scope)),
        "crumbs": selectors.report_ancestors(scope=scope, organisation=org),
        "children": list(children[: MAX_CHILD_LINKS + 1]),
        "max_children": MAX_CHILD_LINKS,
        "presets": period_presets(today=today),
        "active_preset": preset_key(query.period, today=today),
    }
    return render(request, "reports/index.html", context)


def _indented(orgs: Iterable[Organisation]) -> list[tuple[Organisation, str]]:
    """Picker options indented by depth, so the tree shows in a plain <select>."""
    rows = list(orgs)
    top = min((o.depth for o in rows), default=1)
    return [(o, "\u3000" * (o.depth - top)) for o in rows]


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int | Decimal) else str(value)


def _page(request: HttpRequest, records: QuerySet, per_page: int = PER_PAGE) -> Page:
    return Paginator(records, per_page).get_page(request.GET.get("page"))


@staff_page
@require_GET
def records(request: HttpRequest, name: str) -> HttpResponse:
    scope = request_scope(request)
    query = _report_query(request, scope)
    figure, qs = selectors.figure_records(scope=scope, organisation=query.organisation, period=query.period, name=name)
    page = _page(request, qs)
    context = {
        "query": query,
        "org": query.organisation,
        "figure": figure,
        "value": _number(figure.value_given_count(qs, page.paginator.count)),
        "page_obj": page,
        "rows": exports.rows_of(figure, page.object_list),
    }
    return render(request, "reports/records.html", context)


def _xlsx(file: exports.ExportFile) -> HttpResponse:
    return attachment(file.content, XLSX_TYPE, file.filename)


@staff_page
@require_GET
def export_report(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    query = _report_query(request, scope)
    file = exports.export_report(
        scope=scope,
        organisation=query.organisation,
        period=query.period,
        with_records=request.GET.get("records") == "1",
        request=request,
    )
    return _xlsx(file)


@staff_page
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """The report with every figure's records, written in the background (it can take minutes
    for the whole city); the job page shows the progress bar and then the file."""
    scope = request_scope(request)
    query = _report_query(request, scope)
    job = exports.report_export_submit(
        scope=scope, organisation=query.organisation, period=query.period, with_records=True
    )
    return redirect("job_detail", pk=job.pk)


@staff_page
@require_POST
def records_export_start(request: HttpRequest, name: str) -> HttpResponse:
    """One figure's records written in the background, with a progress bar on the job page."""
    scope = request_scope(request)
    query = _report_query(request, scope)
    job = exports.report_export_submit(
        scope=scope, organisation=query.organisation, period=query.period, with_records=True, figure=name
    )
    return redirect("job_detail", pk=job.pk)


@staff_page
@require_GET
def export_records(request: HttpRequest, name: str) -> HttpResponse:
    scope = request_scope(request)
    query = _report_query(request, scope)
    file = exports.export_records(
        scope=scope, organisation=query.organisation, period=query.period, name=name, request=request
    )
    return _xlsx(file)
