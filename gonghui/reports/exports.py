"""The report and its drill-down lists as .xlsx. Personal numbers come out masked, as the
figures' columns give them; every export is written to the audit log (who, what, when)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext

from gonghui.accounts.scopes import scope_for
from gonghui.core.access import Scope
from gonghui.core.audit import audit_record
from gonghui.core.figures import BreakdownCounts, Figure, Period, ratio_percent
from gonghui.core.jobs import JobResult, Progress, job_submit
from gonghui.core.models import AuditEntry, Job
from gonghui.core.xlsx import XLSX_TYPE, Book, Sheet
from gonghui.organisations.models import Organisation
from gonghui.reports import selectors

CHUNK = 2000
EXPORT_KIND = "reports.export"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int


def export_report(
    *,
    scope: Scope,
    organisation: Organisation,
    period: Period,
    with_records: bool,
    request: HttpRequest | None = None,
    progress: Progress | None = None,
) -> ExportFile:
    """A sheet of figures, one of the subordinate organisations side by side (when there are
    any) and one of the breakdowns; with_records adds a sheet per figure with the records
    behind it (progress counts the figures whose sheet is written)."""
    comparison = None
    if organisation.numchild:
        comparison = selectors.comparison(scope=scope, organisation=organisation, period=period)
        # The table's total row is the organisation's figures (as on the print view): counted once.
        results = [selectors.FigureResult(f, comparison.total.value(f)) for f in comparison.figures]
    else:
        results = selectors.figure_values(scope=scope, organisation=organisation, period=period)
    book = Book()
    _figures_sheet(book, organisation, period, results)
    if comparison:
        _comparison_sheet(book, comparison, period)
    counted = selectors.breakdown_values(scope=scope, organisation=organisation, period=period)
    if counted:
        _breakdowns_sheet(book, organisation, period, counted)
    rows = len(results)
    if with_records:
        for done, result in enumerate(results):
            if progress:
                progress(done, len(results), str(result.figure.label))
            _, records = selectors.figure_records(
                scope=scope, organisation=organisation, period=period, name=result.figure.name
            )
            rows += _records_sheet(book, result.figure, records, organisation, period)
    _audit(scope, request, organisation, period, figures=[r.figure.name for r in results], rows=rows)
    name = f"{organisation.name}报表_{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return ExportFile(name, book.content(), rows)


# --- as a background job (core/jobs.py) -----------------------------------------------------


def report_export_submit(
    *, scope: Scope, organisation: Organisation, period: Period, with_records: bool, figure: str = ""
) -> Job:
    """Start writing the report's spreadsheet in the background (the one with every figure's
    records can take minutes for the whole city), or one figure's records (`figure`, its
    name: the city's members are a quarter of a million rows); scoped to the asker's subtree."""
    staff = scope.require_staff()
    selectors.report_organisation(scope=scope, pk=organisation.pk)  # outside the scope: not found
    if figure:
        shown, _ = selectors.figure_records(scope=scope, organisation=organisation, period=period, name=figure)
        label = f"{shown.label}明细导出"
    else:
        label = "报表导出（含明细）" if with_records else "报表导出"
    return job_submit(
        kind=EXPORT_KIND,
        label=f"{organisation.name}{label} {period.start:%Y%m%d}-{period.end:%Y%m%d}",
        owner=scope.user,
        scope_path=staff.organisation_path,
        params={
            "organisation": organisation.pk,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "records": with_records,
            "figure": figure,
        },
    )


def report_export_work(job: Job, progress: Progress) -> JobResult:
    """The "reports.export" job, in the owner's scope as it is now."""
    scope = scope_for(job.owner)
    params = job.params
    organisation = selectors.report_organisation(scope=scope, pk=params["organisation"])
    period = Period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    if params.get("figure"):
        figure, records = selectors.figure_records(
            scope=scope, organisation=organisation, period=period, name=params["figure"]
        )
        file = export_records(
            scope=scope,
            organisation=organisation,
            period=period,
            figure=figure,
            records=records,
            title=str(figure.label),
            progress=progress,
        )
        return JobResult(file.content, file.filename, XLSX_TYPE, {"rows": file.rows})
    file = export_report(
        scope=scope, organisation=organisation, period=period, with_records=params["records"], progress=progress
    )
    return JobResult(file.content, file.filename, XLSX_TYPE, {"rows": file.rows})


def export_records(
    *,
    scope: Scope,
    organisation: Organisation,
    period: Period,
    figure: Figure,
    records: QuerySet,
    title: str,
    request: HttpRequest | None = None,
    progress: Progress | None = None,
) -> ExportFile:
    """One drill-down list (a figure's records, or one count of a breakdown), as the
    selectors gave it: they have checked the scope."""
    book = Book()
    rows = _records_sheet(book, figure, records, organisation, period, title=title, progress=progress)
    _audit(scope, request, organisation, period, figures=[figure.name], rows=rows)
    filename = f"{organisation.name}_{title}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return ExportFile(filename, book.content(), rows)


def export_comparison(
    *, scope: Scope, comparison: selectors.Comparison, period: Period, request: HttpRequest | None = None
) -> ExportFile:
    """The side-by-side table, in the order shown."""
    organisation = comparison.total.organisation
    book = Book()
    rows = _comparison_sheet(book, comparison, period)
    _audit(scope, request, organisation, period, figures=[f.name for f in comparison.figures], rows=rows)
    title = gettext("下级组织对比")
    filename = f"{organisation.name}{title}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return ExportFile(filename, book.content(), rows)


def _audit(
    scope: Scope, request: HttpRequest | None, org: Organisation, period: Period, *, figures: list[str], rows: int
) -> None:
    audit_record(
        actor=scope.user,
        action=AuditEntry.Action.EXPORT,
        subject=org,
        reason="报表导出",
        request=request,
        detail={"figures": figures, "start": period.start.isoformat(), "end": period.end.isoformat(), "rows": rows},
    )


def _figures_sheet(book: Book, org: Organisation, period: Period, results: list[selectors.FigureResult]) -> None:
    sheet = book.sheet(gettext("指标"))
    report = gettext("报表")
    _title(sheet, f"{org.name} {report}", period)
    sheet.append(
        [
            gettext("工作"),
            gettext("指标"),
            gettext("数值"),
            gettext("计量单位"),
            gettext("口径说明"),
            gettext("指标代码"),
        ]
    )
    for r in results:
        f = r.figure
        sheet.append([str(f.programme), str(f.label), r.value, str(f.unit), str(f.description), f.name])


def _comparison_sheet(book: Book, comparison: selectors.Comparison, period: Period) -> int:
    organisation = comparison.total.organisation
    title = gettext("下级组织对比")
    sheet = book.sheet(title)
    _title(sheet, f"{organisation.name} {title}", period)
    headers = [gettext("%(label)s（%(unit)s）") % {"label": f.label, "unit": f.unit} for f in comparison.figures]
    sheet.append([gettext("组织"), *headers])
    rows = list(comparison.rows)
    if comparison.own:
        rows.append(comparison.own)
    for row in rows:
        name = gettext("%(name)s（本级）") % {"name": row.organisation.name} if row.own else row.organisation.name
        sheet.append([name, *(row.value(f) for f in comparison.figures)])
    sheet.append([gettext("合计"), *(comparison.total.value(f) for f in comparison.figures)])
    return len(rows)


def _breakdowns_sheet(book: Book, org: Organisation, period: Period, counted: list[BreakdownCounts]) -> None:
    title = gettext("会员构成")
    sheet = book.sheet(title)
    _title(sheet, f"{org.name} {title}", period)
    sheet.append([gettext("分项"), gettext("类别"), gettext("人数"), gettext("占比（%）")])
    for result in counted:
        for category, n in result.counts:
            share = ratio_percent(n, result.total)
            sheet.append([str(result.breakdown.label), gettext(str(category.label)), n, share])


def _records_sheet(
    book: Book,
    figure: Figure,
    records: QuerySet,
    org: Organisation,
    period: Period,
    *,
    title: str | None = None,
    progress: Progress | None = None,
) -> int:
    """One drill-down list; `progress` (a one-figure export's) counts the rows written."""
    title = title or str(figure.label)
    sheet = book.sheet(title)
    _title(sheet, f"{org.name} {title}", period)
    sheet.append(figure.headers)
    total = records.count() if progress else 0
    count = 0
    for record in records.iterator(chunk_size=CHUNK):
        sheet.append([_cell(v) for v in figure.row(record)])
        count += 1
        if progress and count % CHUNK == 0:
            progress(count, total)
    return count


def _title(sheet: Sheet, title: str, period: Period) -> None:
    sheet.append([title])
    dates = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    sheet.append([gettext("统计期间：%(start)s 至 %(end)s") % dates])
    sheet.append([])


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, str | int | float | Decimal | date):
        return value
    return str(value)


def rows_of(figure: Figure, records: Iterable[Any]) -> list[list[Any]]:
    """Rows as the API gives them (the same cells an export gets)."""
    return [[_cell(v) for v in figure.row(record)] for record in records]


def linked_rows(figure: Figure, records: Iterable[Any]) -> list[list[tuple[Any, str | None]]]:
    """Rows as a list page shows them: each cell with where it leads (a member's page)."""
    return [list(zip([_cell(v) for v in figure.row(record)], figure.links(record), strict=True)) for record in records]
