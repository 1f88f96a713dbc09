"""The report over HTTP: the registered figures, their values for an organisation and a
period, and the records behind one value. Staff only; organisations outside the asker's
subtree are 404. Personal numbers in records are masked, as on the page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.core.api_jobs import JobOut
from gonghui.core.api_support import ERRORS, IsoDate, staff_scope_of
from gonghui.core.figures import Figure, Period, all_figures
from gonghui.core.models import Job
from gonghui.reports import selectors
from gonghui.reports.exports import report_export_submit, rows_of
from gonghui.reports.periods import period_from

router = Router(tags=["报表"])


class FigureOut(Schema):
    name: str = Field(description="指标代码")
    label: str
    programme: str
    unit: str
    description: str
    columns: list[str] = Field(description="明细列")

    @staticmethod
    def from_figure(figure: Figure) -> FigureOut:
        return FigureOut(
            name=figure.name,
            label=str(figure.label),
            programme=str(figure.programme),
            unit=str(figure.unit),
            description=str(figure.description),
            columns=figure.headers,
        )


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class ValueOut(Schema):
    name: str
    label: str
    programme: str
    unit: str
    value: int | Decimal | None = Field(description="指标值；比率以百分数表示，无可计算时为空")


class ReportOut(Schema):
    organisation: OrganisationRef
    start: date
    end: date
    figures: list[ValueOut]


class RecordsOut(Schema):
    figure: FigureOut
    organisation: OrganisationRef
    start: date
    end: date
    count: int = Field(description="记录总数")
    value: int | Decimal | None = Field(description="指标值（计数类指标即记录总数；比率为百分数，无可计算时为空）")
    limit: int
    offset: int
    columns: list[str]
    rows: list[list[Any]] = Field(description="每行按 columns 的顺序；证件号、手机号已打码")


class ReportQuery(Schema):
    organisation: int | None = Field(None, description="组织编号；不填为本人所在组织")
    start: IsoDate | None = Field(None, description="开始日期，默认今年1月1日")
    end: IsoDate | None = Field(None, description="结束日期（含），默认今天")


class PageQuery(ReportQuery):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _period(query: ReportQuery) -> Period:
    return period_from(start=query.start, end=query.end, preset=None, today=timezone.localdate())


def _json_cell(value: Any) -> Any:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()  # as every API time: +08:00
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@router.get("/figures", response={200: list[FigureOut], **ERRORS}, summary="所有指标")
def list_figures(request: HttpRequest) -> list[FigureOut]:
    staff_scope_of(request)
    return [FigureOut.from_figure(f) for f in all_figures()]


@router.get("/values", response={200: ReportOut, **ERRORS}, summary="某组织某期间的全部指标值")
def report_values(request: HttpRequest, query: Query[ReportQuery]) -> ReportOut:
    scope = staff_scope_of(request)
    org = selectors.report_organisation(scope=scope, pk=query.organisation)
    period = _period(query)
    results = selectors.figure_values(scope=scope, organisation=org, period=period)
    values = [
        ValueOut(
            name=r.figure.name,
            label=str(r.figure.label),
            programme=str(r.figure.programme),
            unit=str(r.figure.unit),
            value=r.value,
        )
        for r in results
    ]
    return ReportOut(organisation=org, start=period.start, end=period.end, figures=values)


@router.get("/figures/{name}/records", response={200: RecordsOut, **ERRORS}, summary="指标明细（分页）")
def figure_records(request: HttpRequest, name: str, query: Query[PageQuery]) -> RecordsOut:
    scope = staff_scope_of(request)
    org = selectors.report_organisation(scope=scope, pk=query.organisation)
    period = _period(query)
    figure, records = selectors.figure_records(scope=scope, organisation=org, period=period, name=name)
    page = records[query.offset : query.offset + query.limit]
    count = records.count()
    return RecordsOut(
        figure=FigureOut.from_figure(figure),
        organisation=org,
        start=period.start,
        end=period.end,
        count=count,
        value=figure.value_given_count(records, count),
        limit=query.limit,
        offset=query.offset,
        columns=figure.headers,
        rows=[[_json_cell(v) for v in row] for row in rows_of(figure, page)],
    )


class ExportIn(ReportQuery):
    records: bool = Field(True, description="每个指标另附一张明细表")


@router.post(
    "/exports",
    response={202: JobOut, **ERRORS},
    summary="在后台导出报表（可含明细）；返回任务，完成后从 /api/v1/jobs/{id}/download 下载",
)
def report_export_start(request: HttpRequest, payload: ExportIn) -> Status[Job]:
    scope = staff_scope_of(request)
    org = selectors.report_organisation(scope=scope, pk=payload.organisation)
    job = report_export_submit(scope=scope, organisation=org, period=_period(payload), with_records=payload.records)
    return Status(202, job)
