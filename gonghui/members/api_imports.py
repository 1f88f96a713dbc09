"""Roster imports over HTTP: upload a file for a grassroots union, follow the job, read its
error report (JSON or .xlsx), and download the template. The job runs through the import
service; which unions and jobs a user may touch is decided there and in the selectors."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from gonghui.core.access import request_scope
from gonghui.core.api_support import ERRORS, CappedPagination
from gonghui.core.downloads import attachment
from gonghui.core.text import Line
from gonghui.core.xlsx import XLSX_TYPE
from gonghui.members.exports import CSV_TYPE, import_errors_xlsx, roster_template
from gonghui.members.importing import import_job_get, import_job_list, import_job_retry, import_job_submit
from gonghui.members.models import ImportJob
from gonghui.organisations.selectors import organisation_get

router = Router(tags=["花名册导入"])


class RowErrorOut(Schema):
    row: int = Field(description="表格中的行号，表头为第 1 行")
    column: str = Field(description="列名；整个文件的问题为“文件”")
    message: str


class ImportJobOut(Schema):
    id: int
    union_code: str
    union_name: str
    filename: str
    status: str = Field(
        description="pending / running / rejected / done / failed（未完成，可重试）/ "
        "choose_sheet（工作簿中有多个工作表有花名册表头，请用 /{id}/retry 选择其一）"
    )
    status_label: str
    total_rows: int = Field(description="数据行数（不含表头和空行）")
    created_count: int = Field(description="新增会员数")
    error_count: int = Field(description="错误总数（报告最多列出前 1000 条）；有错误则一行都不导入")
    warning_count: int = Field(description="提示总数：不妨碍导入、但请核对的内容")
    warnings: list[RowErrorOut] = Field(
        description="提示（最多列出前 1000 条），如：15位身份证号已升为18位、入会时年龄超过75岁、"
        "已登记的手机号码与本行不同时保留原号码、忽略了不认识的列"
    )
    sheet_name: str = Field(description="读取的工作表；空为自动找到的那个")
    sheet_choices: list[str] = Field(description="状态为 choose_sheet 时可选的工作表")
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_union_code(obj: ImportJob) -> str:
        return obj.union.code

    @staticmethod
    def resolve_union_name(obj: ImportJob) -> str:
        return obj.union.name

    @staticmethod
    def resolve_status_label(obj: ImportJob) -> str:
        return str(obj.get_status_display())


class ErrorReportOut(Schema):
    job_id: int
    status: str
    error_count: int
    listed: int = Field(description="报告中列出的错误条数")
    errors: list[RowErrorOut]
    warning_count: int = Field(description="提示总数；提示不妨碍导入")
    warnings: list[RowErrorOut] = Field(description="提示（最多列出前 1000 条）")


@router.get("", response={200: list[ImportJobOut], **ERRORS}, summary="导入记录（本级及下级工会）")
@paginate(CappedPagination)
def import_list(request: HttpRequest) -> list[ImportJob]:
    return import_job_list(scope=request_scope(request))  # type: ignore[return-value]


@router.post("", response={201: ImportJobOut, **ERRORS}, summary="上传花名册（.xlsx、.xls、.ods 或 .csv）并导入")
def import_upload(
    request: HttpRequest,
    union: Form[Line],
    file: File[UploadedFile],
    sheet: Form[Line | None] = None,
) -> Status[ImportJob]:
    """multipart/form-data：`union` 为基层工会的组织代码，`file` 为花名册，`sheet`（可选）为要读取的工作表。
    先检查每一行，有错误则一行都不导入，状态为 rejected，错误见 /{id}/errors。"""
    scope = request_scope(request)
    target = organisation_get(scope=scope, code=union)
    job = import_job_submit(scope=scope, union=target, uploaded_file=file, filename=file.name or "", sheet=sheet or "")
    return Status(201, job)


class RetryIn(Schema):
    sheet: Line = Field("", max_length=100, description="状态为 choose_sheet 时必填：sheet_choices 中的一个")


@router.post(
    "/{int:job_id}/retry", response={200: ImportJobOut, **ERRORS}, summary="重新导入（未完成的，或选择工作表后）"
)
def import_retry(request: HttpRequest, job_id: int, body: RetryIn) -> ImportJob:
    """用保留的文件再导入一次：状态为 failed 时直接重试；为 choose_sheet 时读取所选的工作表。"""
    scope = request_scope(request)
    job = import_job_get(scope=scope, pk=job_id)
    return import_job_retry(scope=scope, import_job=job, sheet=body.sheet)


@router.get(
    "/template",
    response={200: None, **ERRORS},
    summary="下载花名册模板",
    openapi_extra={"responses": {200: {"content": {XLSX_TYPE: {}, "text/csv": {}}}}},
)
def import_template(request: HttpRequest, format: Literal["xlsx", "csv"] = "xlsx") -> HttpResponse:
    content_type = XLSX_TYPE if format == "xlsx" else CSV_TYPE
    return attachment(roster_template(format), content_type, f"会员花名册模板.{format}")


@router.get("/{int:job_id}", response={200: ImportJobOut, **ERRORS}, summary="导入进度和结果")
def import_status(request: HttpRequest, job_id: int) -> ImportJob:
    return import_job_get(scope=request_scope(request), pk=job_id)


class ReportQuery(Schema):
    format: Literal["json", "xlsx"] = "json"


@router.get(
    "/{int:job_id}/errors",
    response={200: ErrorReportOut, **ERRORS},
    summary="错误和提示报告（行、列、原因）；?format=xlsx 下载表格",
    openapi_extra={"responses": {200: {"content": {"application/json": {}, XLSX_TYPE: {}}}}},
)
def import_errors(request: HttpRequest, job_id: int, query: Query[ReportQuery]) -> ErrorReportOut | HttpResponse:
    job = import_job_get(scope=request_scope(request), pk=job_id)
    if query.format == "xlsx":
        return attachment(import_errors_xlsx(job), XLSX_TYPE, f"导入错误报告-{job.pk}.xlsx")
    return ErrorReportOut(
        job_id=job.pk,
        status=job.status,
        error_count=job.error_count,
        listed=len(job.errors),
        errors=[RowErrorOut(**error) for error in job.errors],
        warning_count=job.warning_count,
        warnings=[RowErrorOut(**warning) for warning in job.warnings],
    )
