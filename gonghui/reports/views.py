"""The report page, its drill-down lists, the subordinate organisations side by side, the
breakdowns of members, the print view and their .xlsx exports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.access import Scope, request_scope
from gonghui.core.downloads import attachment
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.figures import Figure, FigureValue, Period, by_programme, get_figure, ratio_percent, shown_value
from gonghui.core.pages import is_htmx, staff_page
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
        return self.with_params()

    def with_params(self, **extra: object) -> str:
        """The query string of this organisation and period, with more parameters."""
        base = {"organisation": self.organisation.pk, "start": self.period.start, "end": self.period.end}
        return urlencode(base | {k: v for k, v in extra.items() if v not in (None, "")})


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
    children = selectors.report_children(scope=scope, organisation=org) if org.numchild else Organisation.objects.none()
    today = timezone.localdate()
    context = {
        "query": query,
        "org": org,
        "groups": _shown_groups([r.figure for r in results], values),
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


def _shown_groups(figures: list[Figure], values: dict[str, FigureValue]) -> list[tuple[str, list[tuple[Figure, str]]]]:
    """The figures under their programmes, each with its value as shown."""
    return [
        (programme, [(f, shown_value(values[f.name])) for f in group]) for programme, group in by_programme(figures)
    ]


def _page(request: HttpRequest, records: QuerySet, per_page: int = PER_PAGE) -> Page:
    return Paginator(records, per_page).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class RecordList:
    """What a drill-down list shows: a figure's records, or one count of a breakdown."""

    figure: Figure
    records: QuerySet
    title: str  # the figure, and the category when it is a breakdown's
    extra: dict[str, str]  # the query parameters that pick the breakdown's category


def _record_list(request: HttpRequest, scope: Scope, query: ReportQuery, name: str) -> RecordList:
    breakdown = request.GET.get("breakdown", "").strip()
    if not breakdown:
        figure, qs = selectors.figure_records(
            scope=scope, organisation=query.organisation, period=query.period, name=name
        )
        return RecordList(figure, qs, str(figure.label), {})
    category = request.GET.get("category", "").strip()
    found = selectors.breakdown_records(
        scope=scope, organisation=query.organisation, period=query.period, name=breakdown, category=category
    )
    if found.figure.name != name:
        raise NotFound(gettext_noop("该分项统计不属于这个指标"), field="breakdown")
    names = {"figure": found.figure.label, "breakdown": found.breakdown.label, "category": found.category.label}
    title = gettext("%(figure)s · %(breakdown)s：%(category)s") % names
    return RecordList(found.figure, found.records, title, {"breakdown": breakdown, "category": category})


@staff_page
@require_GET
def records(request: HttpRequest, name: str) -> HttpResponse:
    scope = request_scope(request)
    query = _report_query(request, scope)
    listed = _record_list(request, scope, query, name)
    page = _page(request, listed.records)
    context = {
        "query": query,
        "org": query.organisation,
        "figure": listed.figure,
        "title": listed.title,
        "list_params": query.with_params(**listed.extra),
        "value": shown_value(listed.figure.value_given_count(listed.records, page.paginator.count)),
        "page_obj": page,
        "rows": exports.linked_rows(listed.figure, page.object_list),
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
    listed = _record_list(request, scope, query, name)
    file = exports.export_records(
        scope=scope,
        organisation=query.organisation,
        period=query.period,
        figure=listed.figure,
        records=listed.records,
        title=listed.title,
        request=request,
    )
    return _xlsx(file)


# --- side by side, breakdowns, print ---------------------------------------------------------


def _comparison(request: HttpRequest, scope: Scope, query: ReportQuery) -> tuple[selectors.Comparison, str]:
    """The side-by-side table in the order the query string asks (`sort`: a figure's name or
    "name"; `dir`: "asc" or "desc"). An unknown column is named and the tree's order kept."""
    sort = request.GET.get("sort", "").strip() or selectors.NAME_SORT
    descending = request.GET.get("dir") == "desc"
    try:
        return selectors.comparison(
            scope=scope, organisation=query.organisation, period=query.period, sort=sort, descending=descending
        ), ""
    except ValidationFailed as err:
        found = selectors.comparison(scope=scope, organisation=query.organisation, period=query.period)
        return found, gettext(err.message)


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    unit: str
    query: str  # the query string that sorts by this column (the other way when it is the current one)
    aria_sort: str  # "ascending", "descending" or "none"


def _sort_links(query: ReportQuery, comparison: selectors.Comparison) -> list[SortLink]:
    """Each column's header link: numbers sort largest first, names in tree order first."""
    columns = [(selectors.NAME_SORT, gettext("组织"), "")] + [
        (f.name, str(f.label), str(f.unit)) for f in comparison.figures
    ]
    links = []
    for key, label, unit in columns:
        current = comparison.sort == key
        # A new column starts with its largest value (names in tree order); the current one turns round.
        descending = not comparison.descending if current else key != selectors.NAME_SORT
        state = ("descending" if comparison.descending else "ascending") if current else "none"
        direction = "desc" if descending else "asc"
        links.append(SortLink(key, label, unit, query.with_params(sort=key, dir=direction), state))
    return links


@dataclass(frozen=True)
class ShownCell:
    figure: Figure
    text: str  # as shown: thousands separated, a dash for no value
    raw: str  # to sort by in the browser
    href: str  # the records behind it; empty for no value


@dataclass(frozen=True)
class ShownRow:
    organisation: Organisation
    href: str  # the organisation's own report
    cells: list[ShownCell]
    own: bool


def _shown_rows(comparison: selectors.Comparison, query: ReportQuery) -> dict[str, object]:
    """Rows with their links made once per figure and row: a town's table has a few hundred
    rows of cells, too many for a {% url %} each."""
    index = reverse("reports:index")
    lists = {f.name: reverse("reports:records", args=[f.name]) for f in comparison.figures}

    def shown(row: selectors.ComparisonRow) -> ShownRow:
        params = ReportQuery(row.organisation, query.period).params
        cells = []
        for f in comparison.figures:
            value = row.value(f)
            href = f"{lists[f.name]}?{params}" if value is not None else ""
            cells.append(ShownCell(f, shown_value(value), "" if value is None else str(value), href))
        return ShownRow(row.organisation, f"{index}?{params}", cells, row.own)

    return {
        "rows": [shown(row) for row in comparison.rows],
        "own_row": shown(comparison.own) if comparison.own else None,
        "total_row": shown(comparison.total),
    }


def _comparison_context(comparison: selectors.Comparison, query: ReportQuery, error: str) -> dict[str, object]:
    return {
        "comparison": comparison,
        "sort_links": _sort_links(query, comparison),
        "sort_params": query.with_params(sort=comparison.sort, dir="desc" if comparison.descending else "asc"),
        **_shown_rows(comparison, query),
        "sort_error": error,
    }


@staff_page
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """The subordinate organisations side by side: every figure for each child, sortable by
    any column (links in the headers, so the order survives printing and export)."""
    scope = request_scope(request)
    query = _report_query(request, scope)
    comparison, error = _comparison(request, scope, query)
    context = {
        "query": query,
        "org": query.organisation,
        "crumbs": selectors.report_ancestors(scope=scope, organisation=query.organisation),
        **_comparison_context(comparison, query, error),
    }
    return render(request, "reports/compare.html", context)


@staff_page
@require_GET
def compare_export(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    query = _report_query(request, scope)
    comparison, _ = _comparison(request, scope, query)
    return _xlsx(exports.export_comparison(scope=scope, comparison=comparison, period=query.period, request=request))


@dataclass(frozen=True)
class ShownCategory:
    key: str
    label: str
    count: str
    share: str  # of the breakdown's total, "12.5%"


@dataclass(frozen=True)
class ShownBreakdown:
    name: str
    label: str
    figure: Figure
    total: str
    categories: list[ShownCategory]


def _shown_breakdowns(scope: Scope, query: ReportQuery) -> list[ShownBreakdown]:
    shown = []
    for counted in selectors.breakdown_values(scope=scope, organisation=query.organisation, period=query.period):
        total = counted.total
        categories = [
            ShownCategory(c.key, gettext(str(c.label)), shown_value(n), f"{shown_value(ratio_percent(n, total))}%")
            for c, n in counted.counts
        ]
        b = counted.breakdown
        shown.append(ShownBreakdown(b.name, str(b.label), get_figure(b.figure), shown_value(total), categories))
    return shown


@staff_page
@require_GET
def breakdowns(request: HttpRequest) -> HttpResponse:
    """The breakdowns of members, each count a link to its list. The report page loads this
    after it shows (for a whole city it counts every member five ways); without htmx it is
    a page of its own."""
    scope = request_scope(request)
    query = _report_query(request, scope)
    context = {"query": query, "org": query.organisation, "breakdowns": _shown_breakdowns(scope, query)}
    template = "reports/_breakdowns.html" if is_htmx(request) else "reports/breakdowns.html"
    return render(request, template, context)


@staff_page
@require_GET
def print_view(request: HttpRequest) -> HttpResponse:
    """The whole report laid out for A4 paper: no navigation, the organisation and period in
    the heading, figures, breakdowns and the side-by-side table (its header repeats on every
    page). The table's total row is the organisation's figures, so they are counted once."""
    scope = request_scope(request)
    query = _report_query(request, scope)
    comparison, error = _comparison(request, scope, query)
    context = {
        "query": query,
        "org": query.organisation,
        "viewer": selectors.report_organisation(scope=scope),
        "printed_at": timezone.localtime(),
        "groups": _shown_groups(comparison.figures, comparison.total.values),
        "breakdowns": _shown_breakdowns(scope, query),
        **_comparison_context(comparison, query, error),
    }
    return render(request, "reports/print.html", context)
