"""Staff pages of the organisation tree: the workbench and one organisation's page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gonghui.core.access import request_scope
from gonghui.core.pages import page, staff_page
from gonghui.core.todos import todos_for
from gonghui.organisations import selectors

EMPLOYERS_SHOWN = 50
OPTIONS_SHOWN = 20


@staff_page
def workbench(request: HttpRequest) -> HttpResponse:
    """The tree from the viewer's own organisation down, one level open; deeper levels load
    when a node is opened, so a city-wide tree costs a few grouped queries per click."""
    scope = request_scope(request)
    root = selectors.scope_root(scope=scope)
    context = {
        "root": root,
        "totals": selectors.organisation_totals(scope=scope, organisation=root),
        "children": selectors.children_with_counts(scope=scope, parent=root),
    }
    return render(request, "organisations/workbench.html", context)


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
