"""Background jobs over HTTP: follow a job (`GET /api/v1/jobs/{id}`), list your own, download
its file when it is done, retry or cancel it. Jobs are started by their own endpoints, e.g.
`POST /api/v1/members/exports`, which answer 202 with the job."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core import jobs
from gonghui.core.api_support import ERRORS, CappedPagination, scope_of
from gonghui.core.downloads import attachment
from gonghui.core.models import Job

router = Router(tags=["后台任务"])


class JobOut(Schema):
    id: int
    kind: str = Field(description="任务类型，如 members.import、members.export、reports.export")
    label: str
    state: str = Field(description="pending / running / succeeded / failed / cancelled")
    state_label: str
    done: int
    total: int = Field(description="总数；0 表示尚不知道")
    percent: int
    message: str = Field(description="进度说明，或失败原因（如“请稍后重试”）")
    attempts: int
    download_url: str | None = Field(description="完成且有文件时的下载地址")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_state_label(obj: Job) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_download_url(obj: Job) -> str | None:
        if obj.state != "succeeded" or not obj.result_file:
            return None
        return reverse("api:job_download", args=[obj.pk])


@router.get("", response={200: list[JobOut], **ERRORS}, summary="我的后台任务")
@paginate(CappedPagination)
def job_list(request: HttpRequest) -> object:
    return jobs.job_list_mine(scope=scope_of(request))


@router.get("/{int:job_id}", response={200: JobOut, **ERRORS}, summary="任务进度和结果")
def job_status(request: HttpRequest, job_id: int) -> Job:
    return jobs.job_get(scope=scope_of(request), pk=job_id)


@router.get(
    "/{int:job_id}/download",
    response={200: None, **ERRORS},
    url_name="job_download",
    summary="下载任务结果文件（每次下载记入审计日志）",
)
def job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    scope = scope_of(request)
    result = jobs.job_result_download(scope=scope, job=jobs.job_get(scope=scope, pk=job_id), request=request)
    return attachment(result.content, result.content_type, result.filename)


@router.post("/{int:job_id}/retry", response={200: JobOut, **ERRORS}, summary="重试失败或已取消的任务")
def job_retry(request: HttpRequest, job_id: int) -> Job:
    scope = scope_of(request)
    return jobs.job_retry(scope=scope, job=jobs.job_get(scope=scope, pk=job_id))


@router.post("/{int:job_id}/cancel", response={200: JobOut, **ERRORS}, summary="取消排队中或进行中的任务")
def job_cancel(request: HttpRequest, job_id: int) -> Job:
    scope = scope_of(request)
    return jobs.job_cancel(scope=scope, job=jobs.job_get(scope=scope, pk=job_id))
