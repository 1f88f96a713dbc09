"""Staff pages of the organisation tree: the workbench and one organisation's page."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_stubs_ext import StrOrPromise

from gonghui.core import figures
from gonghui.core.access import request_scope
from gonghui.core.pages import page, staff_page
from gonghui.core.todos import todos_for
from gonghui.organisations import selectors
from gonghui.organisations.models import OrganisationKind, OrganisationStatus

EMPLOYERS_SHOWN = 50
OPTIONS_SHOWN = 20
UNIONS_PER_PAGE = 25


class UnionFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或代码"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[
            ("", _("全部")),
            (OrganisationKind.ENTERPRISE_UNION, _("企事业单位工会")),
            (OrganisationKind.JOINT_UNION, _("联合工会")),
            (OrganisationKind.INDUSTRY_FEDERATION, _("行业工会联合会")),
            (OrganisationKind.DISTRICT_UNION, _("楼宇商圈工会")),
        ],
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            (OrganisationStatus.ACTIVE, _("正常")),
            (OrganisationStatus.MERGED, _("已合并")),
            (OrganisationStatus.DISSOLVED, _("已撤销")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("name", _("名称")),
            ("code", _("组织代码")),
            ("-founded", _("成立日期（新到旧）")),
            ("founded", _("成立日期（旧到新）")),
        ],
    )

    def to_filter(self) -> selectors.UnionFilter:
        data = self.cleaned_data
        return selectors.UnionFilter(
            query=data["q"], kind=data["kind"], status=data["status"], sort=data["sort"] or "name"
        )


# The workbench's headline numbers and its trend chart, read from the figures registry by
# name (the apps that define them sit above this one); a figure not registered is left out.
HEADLINES = (
    ("organisations.unions", None),
    ("organisations.employers_covered", None),
    ("members.members", None),
    ("members.new_members", _("今年新入会")),
)
TREND = (("members.members", "line"), ("members.new_members", "bar"))
TREND_MONTHS = 24


@staff_page
def workbench(request: HttpRequest) -> HttpResponse:
    """The tree from the viewer's own organisation down, one level open; deeper levels load
    when a node is opened, so a city-wide tree costs a few grouped queries per click."""
    scope = request_scope(request)
    root = selectors.scope_root(scope=scope)
    context = {"root": root, "children": selectors.children_with_counts(scope=scope, parent=root)}
    return render(request, "organisations/workbench.html", context)


@dataclass(frozen=True)
class Headline:
    figure: figures.Figure
    label: StrOrPromise
    value: figures.FigureValue

    @property
    def shown(self) -> str:
        return figures.shown_value(self.value)


def _registered(names: Iterable[str]) -> list[figures.Figure]:
    return [figures.get_figure(name) for name in names if name in figures.registry]


@staff_page
@require_GET
def workbench_headlines(request: HttpRequest) -> HttpResponse:
    """The viewer's headline figures for this year so far, each a link to its records: a
    fragment the workbench loads after it shows (a city's member count reads every member)."""
    root = selectors.scope_root(scope=request_scope(request))
    today = timezone.localdate()
    period = figures.Period(date(today.year, 1, 1), today)
    labels = dict(HEADLINES)
    shown = [Headline(f, labels[f.name] or f.label, f.compute(root.path, period)) for f in _registered(labels)]
    context = {"root": root, "period": period, "headlines": shown}
    return render(request, "organisations/_headlines.html", context)


@staff_page
@require_GET
def workbench_trend(request: HttpRequest) -> JsonResponse:
    """Members at the end of each of the last 24 months and joins in each, in the viewer's
    subtree, for the workbench's chart: each figure's series (core.figures.figure_series)."""
    root = selectors.scope_root(scope=request_scope(request))
    months = figures.month_periods(ending=timezone.localdate(), count=TREND_MONTHS)
    wanted = dict(TREND)
    series = [
        {
            "key": f.name,
            "name": str(f.label),
            "unit": str(f.unit),
            "kind": wanted[f.name],
            "data": figures.figure_series(f, root.path, months),
        }
        for f in _registered(wanted)
    ]
    return JsonResponse(
        {
            "organisation": root.name,
            "title": gettext("近24个月会员走势"),
            "months": [f"{p.start:%Y-%m}" for p in months],
            "series": series,
        }
    )


@staff_page
@require_GET
def workbench_todos(request: HttpRequest) -> HttpResponse:
    """What every app has waiting for the viewer (core/todos.py). A fragment the workbench
    loads after it shows, so the tree never waits for the counts."""
    return render(request, "organisations/_todos.html", {"todos": todos_for(scope=request_scope(request))})


@staff_page
@require_GET
def organisation_children(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    parent = selectors.organisation_get(scope=scope, pk=pk)
    children = selectors.children_with_counts(scope=scope, parent=parent)
    return render(request, "organisations/_children.html", {"children": children})


@staff_page
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The same detail as the API (selectors.organisation_detail), with former officers in
    a list of their own."""
    scope = request_scope(request)
    detail = selectors.organisation_detail(scope=scope, pk=pk, include_ended=True)
    org = detail.organisation
    employers = selectors.employer_list(scope=scope, union=org)
    context = {
        "org": org,
        # Ancestors above the viewer's own organisation are outside their scope: no links.
        "crumbs": selectors.organisation_ancestors(scope=scope, organisation=org),
        "totals": selectors.organisation_totals(scope=scope, organisation=org),
        "children": selectors.children_with_counts(scope=scope, parent=org) if org.numchild else [],
        "officers": detail.officers,
        "former_officers": detail.former_officers,
        "employers": employers[:EMPLOYERS_SHOWN],
        "employer_count": employers.count(),
        "status_changes": detail.status_changes,
    }
    return render(request, "organisations/detail.html", context)


@staff_page
@require_GET
def union_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A town's (or any organisation's) grassroots unions: search, filters, sort, pages, and
    each union's counts for the page shown."""
    scope = request_scope(request)
    org = selectors.organisation_get(scope=scope, pk=pk)
    form = UnionFilterForm(request.GET)
    filters = form.to_filter() if form.is_valid() else selectors.UnionFilter()
    page_obj = Paginator(selectors.union_list(scope=scope, within=org, filters=filters), UNIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    unions = list(page_obj.object_list)
    counts = selectors.union_counts(unions=unions)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": org,
        "form": form,
        "page_obj": page_obj,
        "rows": [(union, counts[union.pk]) for union in unions],
        "query": query.urlencode(),
    }
    return render(request, "organisations/unions.html", context, status=200 if form.is_valid() else 400)


@page
@require_GET
def union_options(request: HttpRequest) -> HttpResponse:
    """<option>s for a union picker, by name with the town beside it: `within=all` lists any
    active grassroots union (the receiving side of a transfer), otherwise organisations in
    the viewer's subtree. A field named `code` (the report's) is given codes as values."""
    field = request.GET.get("field", "q")
    query = request.GET.get(field, "").strip()[:50]
    if not query:
        unions = []
    elif request.GET.get("within") == "all":
        unions = list(selectors.union_directory(query=query)[:OPTIONS_SHOWN])
    else:
        unions = list(selectors.organisation_list(scope=request_scope(request), query=query)[:OPTIONS_SHOWN])
    context = {"unions": selectors.with_town_names(unions), "by_code": field == "code"}
    return render(request, "organisations/_union_options.html", context)


@staff_page
@require_GET
def employer_options(request: HttpRequest) -> HttpResponse:
    """<option>s for an employer picker: employers in the viewer's subtree by name, with town."""
    query = request.GET.get(request.GET.get("field", "employer"), "").strip()[:50]
    scope = request_scope(request)
    employers = list(selectors.employer_list(scope=scope, query=query)[:OPTIONS_SHOWN]) if query else []
    return render(request, "organisations/_employer_options.html", {"employers": employers})
