"""Background jobs with progress: roster imports, large exports, and next the mutual-aid
settlement runs, all through one mechanism (docs/architecture.md, "Jobs").

An app registers a kind in its own `jobs.py`, imported by its `contributions.py` (the one
discovery point, core/registry.py):

    register_job_kind("members.export", label="会员名单导出", run=run_member_export)

where `run(job, progress)` does the work, calls `progress(done, total)` as it goes (cheap:
the numbers are kept in memory and written at most once a second), and returns a
`JobResult` (a file to download) or None. A job is submitted with `job_submit`, run by a
Celery worker (in-process when tasks run eagerly), and may be followed by its owner from its
page or the API.

What holds whatever happens to a worker:
- a run first claims its job with a conditional UPDATE (pending → running); a task
  delivered twice, or run twice at once, finds nothing to claim and does nothing;
- a running job carries a heartbeat, written by the run while it lives; a job whose
  heartbeat is older than the lease (GONGHUI_JOB_LEASE_SECONDS) lost its worker, and is
  queued again up to its `max_attempts`, then failed with a message and a retry button;
- a deadlock or serialization failure is retried a few times, then reported as "try again";
- a run writes the job only while its token is on the row, so a run that lost its lease or
  was cancelled can no longer overwrite what happened since.

Result files are sealed like uploaded rosters (core.crypto), served only through the job's
scoped, audited download, and deleted after the import retention period. This module
imports no domain app: kinds and scopes reach it as plain values."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from gonghui.core.access import Scope, StaffScope
from gonghui.core.audit import audit_record
from gonghui.core.crypto import decrypt_bytes, encrypt_bytes
from gonghui.core.errors import Conflict, Forbidden, NotFound, ServiceError
from gonghui.core.models import AuditEntry, Job, JobState
from gonghui.core.notifications import notify
from gonghui.core.registry import Registry

logger = logging.getLogger(__name__)

PURPOSE = b"gonghui job result"
PROGRESS_SECONDS = 1.0  # progress reaches the database at most this often
CONFLICT_RETRIES = 3  # deadlocks and serialization failures retried before "try again"
# SQLSTATE of a deadlock and of a serialization failure (PostgreSQL); SQLite says "locked".
CONFLICT_STATES = {"40P01", "40001"}
TRY_AGAIN = gettext_noop("系统繁忙，任务未完成，请稍后重试")
INTERNAL_ERROR = gettext_noop("任务执行时发生内部错误，请联系管理员")
WORKER_LOST = gettext_noop("后台进程意外中断，任务未完成，请重试")
RETRYING = "后台进程意外中断，已重新排队（第 {attempt} 次尝试）"
UNFINISHED = (JobState.PENDING, JobState.RUNNING)
LANGUAGE = "language"  # the params key holding the language the job was asked for in


class JobCancelled(Exception):
    """Raised by `progress` once the run no longer holds its job (cancelled, or taken over
    after its lease ran out): the work stops and its transaction rolls back."""


@dataclass(frozen=True)
class JobResult:
    content: bytes
    filename: str
    content_type: str
    summary: dict[str, Any] = field(default_factory=dict)


Progress = Callable[..., None]  # progress(done, total=None, message=None)
Run = Callable[[Job, Progress], JobResult | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Run
    max_attempts: int = 3
    # Called after the job ended failed or cancelled, e.g. so an import job says so too.
    on_ended: Callable[[Job], None] | None = None
    # The page that shows this kind of job best (an import's page shows its error report).
    page_url: Callable[[Job], str] | None = None
    # A permission needed to download the result besides seeing the job (a file with full
    # identity numbers must not reach whoever merely oversees the subtree).
    download_permission: str = ""


kinds: Registry[JobKind] = Registry("job kinds", key=attrgetter("name"), order=attrgetter("name"))


def register_job_kind(name: str, *, label: str, run: Run, **options: Any) -> JobKind:
    """Called from an app's jobs.py, which its contributions.py imports; a name registered
    twice is an error, as in every registry."""
    return kinds.register(JobKind(name=name, label=label, run=run, **options))


def job_kind(name: str) -> JobKind:
    try:
        return kinds.get(name)
    except KeyError:
        raise LookupError(f"no job kind {name!r} is registered") from None


def _kind_or_none(name: str) -> JobKind | None:
    return kinds.get(name) if name in kinds else None


def lease_seconds() -> int:
    return max(2, settings.GONGHUI_JOB_LEASE_SECONDS)


# --- reads ---------------------------------------------------------------------------------


def jobs_for(scope: Scope) -> QuerySet[Job]:
    """Jobs the scope may see, newest first: staff those within their subtree, a member their
    own."""
    if isinstance(scope, StaffScope):
        visible = Q(scope_path__startswith=scope.organisation_path) & ~Q(scope_path="")
    else:
        visible = Q(scope_person_id=scope.person_id)
    return Job.objects.filter(visible).select_related("owner").order_by("-created_at", "-pk")


def job_list_mine(*, scope: Scope) -> QuerySet[Job]:
    """The "my jobs" page: the jobs this user started that they may still see."""
    return jobs_for(scope).filter(owner_id=getattr(scope.user, "pk", None))


def jobs_to_download(*, scope: Scope) -> QuerySet[Job]:
    """The viewer's finished jobs whose file is still kept and that they have not downloaded
    yet (every download writes an audit entry about the job): the workbench's to-do."""
    user_id = getattr(scope.user, "pk", None)
    downloaded = AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT,
        subject_type=Job._meta.label_lower,
        subject_id=Cast(OuterRef("pk"), CharField()),
        actor_id=user_id,
    )
    mine = job_list_mine(scope=scope).filter(state=JobState.SUCCEEDED).exclude(result_file="")
    return mine.exclude(Exists(downloaded))


def job_get(*, scope: Scope, pk: int) -> Job:
    """One visible job. A running job whose worker died is settled first, so its page and the
    API say so without waiting for the periodic check."""
    job = jobs_for(scope).filter(pk=pk).first()
    if job is None:
        raise NotFound(gettext("没有找到该任务，或不在您的管辖范围内"), field="job")
    if job.state == JobState.RUNNING and _lease_expired(job):
        job_reap_one(job)
        job.refresh_from_db()
    return job


def job_page_url(job: Job) -> str | None:
    kind = _kind_or_none(job.kind)
    return kind.page_url(job) if kind and kind.page_url else None


def job_can_retry(job: Job) -> bool:
    return job.state in {JobState.FAILED, JobState.CANCELLED} and job.kind in kinds


# --- writes --------------------------------------------------------------------------------


def job_submit(
    *,
    kind: str,
    label: str,
    owner: Any,
    scope_path: str = "",
    scope_person_id: int | None = None,
    params: dict[str, Any] | None = None,
    start: bool = True,
) -> Job:
    """Save a new job and start it (unless `start` is false: the caller then calls
    job_enqueue): queued for a worker once the caller's transaction commits, or run right
    here when tasks run eagerly (no broker configured, and the tests)."""
    registered = job_kind(kind)
    job = Job.objects.create(
        kind=kind,
        label=label[:200],
        owner=owner if getattr(owner, "is_authenticated", False) else None,
        scope_path=scope_path,
        scope_person_id=scope_person_id,
        # The asker's language: what the run writes (errors, headings) reads as they asked.
        params={LANGUAGE: translation.get_language() or settings.LANGUAGE_CODE, **(params or {})},
        max_attempts=registered.max_attempts,
    )
    if start:
        job_enqueue(job)
    return job


def job_enqueue(job: Job) -> None:
    from gonghui.core.tasks import run_job

    if settings.CELERY_TASK_ALWAYS_EAGER:
        job_execute(job.pk)
        job.refresh_from_db()
    else:
        # A worker must not look for the job before its row is committed.
        transaction.on_commit(lambda: run_job.delay(job.pk))


def job_retry(*, scope: Scope, job: Job) -> Job:
    """Queue a failed or cancelled job again, as its owner or anyone who may see it."""
    if not job_can_retry(job):
        raise Conflict(gettext("该任务不能重试"), field="job")
    updated = Job.objects.filter(pk=job.pk, state=job.state).update(
        state=JobState.PENDING,
        run_token="",
        attempts=0,
        done=0,
        message="",
        error="",
        finished_at=None,
        updated_at=timezone.now(),
    )
    if not updated:
        raise Conflict(gettext("该任务的状态已改变，请刷新页面"), field="job")
    job.refresh_from_db()
    job_enqueue(job)
    return job


def job_cancel(*, scope: Scope, job: Job) -> Job:
    """Stop a waiting or running job; a running one stops at its next progress report."""
    updated = Job.objects.filter(pk=job.pk, state__in=UNFINISHED).update(
        state=JobState.CANCELLED, message=gettext_noop("已取消"), finished_at=timezone.now(), updated_at=timezone.now()
    )
    if not updated:
        raise Conflict(gettext("该任务已结束，不能取消"), field="job")
    job.refresh_from_db()
    _ended(job)
    return job


def job_abandon(*, job_id: int, message: str) -> bool:
    """End a job that must not run any more (its input is gone), whatever holds it."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id)
        .exclude(state__in=[JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED])
        .update(state=JobState.CANCELLED, message=message[:300], run_token="", finished_at=now, updated_at=now)
    )


def job_result_download(*, scope: Scope, job: Job, request: HttpRequest | None = None) -> JobResult:
    """The job's file, opened, for someone who may see the job; every download is audited."""
    if job.state != JobState.SUCCEEDED or not job.result_file:
        raise NotFound(gettext("该任务没有可下载的文件（未完成或已超过保存期限）"), field="job")
    kind = _kind_or_none(job.kind)
    if kind and kind.download_permission and not scope.has_perm(kind.download_permission):
        raise Forbidden(gettext("您没有下载该文件的权限"), field="job")
    with job.result_file.open("rb") as file:
        content = decrypt_bytes(file.read(), purpose=PURPOSE)
    audit_record(
        actor=scope.user,
        action=AuditEntry.Action.EXPORT,
        subject=job,
        subject_label=f"下载 {job.result_name}"[:200],
        reason="下载后台任务结果",
        request=request,
        detail={"job": job.pk, "kind": job.kind},
    )
    return JobResult(content, job.result_name, job.result_type, job.result)


# --- running -------------------------------------------------------------------------------


def job_execute(job_id: int, *, heartbeat_thread: bool = False) -> bool:
    """Run one job if it can be claimed; False when someone else has it or it has ended.
    A worker keeps the heartbeat from a thread of its own (`heartbeat_thread`), so a long
    step with no progress report (a COPY) still shows the worker alive."""
    _reap_if_stale(job_id)
    token = uuid4().hex
    if not _claim(job_id, token):
        return False
    job = Job.objects.select_related("owner").get(pk=job_id)
    lease = Lease(job, token, thread=heartbeat_thread)
    with lease:
        outcome = _run(job, lease)
    _settle(job, token, lease, outcome)
    return True


def _claim(job_id: int, token: str) -> bool:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.PENDING).update(
        state=JobState.RUNNING,
        run_token=token,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        started_at=now,
        updated_at=now,
    )
    return claimed == 1


@dataclass
class Outcome:
    result: JobResult | None = None
    failure: str = ""  # what the job says when it failed
    error: str = ""  # the error report kept with it
    cancelled: bool = False


def _run(job: Job, lease: Lease) -> Outcome:
    kind = _kind_or_none(job.kind)
    if kind is None:
        return Outcome(failure=INTERNAL_ERROR, error=f"unknown job kind {job.kind}")
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            with translation.override(job.params.get(LANGUAGE) or settings.LANGUAGE_CODE):
                return Outcome(result=kind.run(job, lease))
        except JobCancelled:
            return Outcome(cancelled=True)
        except ServiceError as err:
            return Outcome(failure=err.message)
        except DatabaseError as exc:
            if not is_conflict(exc):
                logger.exception("job #%s (%s) failed", job.pk, job.kind)
                return Outcome(failure=INTERNAL_ERROR, error=type(exc).__name__)
            cause = type(exc.__cause__ or exc).__name__  # DeadlockDetected, SerializationFailure...
            logger.warning("job #%s (%s): %s, try %s", job.pk, job.kind, cause, attempt + 1)
            time.sleep(0.2 * (attempt + 1))
        except Exception as exc:
            logger.exception("job #%s (%s) failed", job.pk, job.kind)
            return Outcome(failure=INTERNAL_ERROR, error=type(exc).__name__)
    return Outcome(failure=TRY_AGAIN, error="deadlock or serialization failure")


def is_conflict(exc: BaseException) -> bool:
    """A deadlock or serialization failure, which the same work may pass on a second try."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in CONFLICT_STATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def _settle(job: Job, token: str, lease: Lease, outcome: Outcome) -> None:
    if outcome.cancelled:
        return  # the row already says cancelled (or was taken over): nothing of ours to write
    now = timezone.now()
    mine = Job.objects.filter(pk=job.pk, state=JobState.RUNNING, run_token=token)
    if outcome.failure:
        if mine.update(state=JobState.FAILED, message=outcome.failure[:300], error=outcome.error, finished_at=now):
            job.refresh_from_db()
            _ended(job)
        return
    finished = max(lease.total, lease.done)  # a run that ended has done all it had to
    values: dict[str, Any] = {"state": JobState.SUCCEEDED, "finished_at": now, "done": finished, "total": finished}
    stored = _store_result(outcome.result) if outcome.result else None
    if stored:
        values.update(stored)
    if mine.update(**values, updated_at=now):
        job.refresh_from_db()
        _tell_owner(job)
    elif stored:
        Job._meta.get_field("result_file").storage.delete(stored["result_file"])  # not ours any more


def _store_result(result: JobResult) -> dict[str, Any]:
    storage = Job._meta.get_field("result_file").storage
    upload_to = timezone.now().strftime("jobs/%Y/%m/")
    name = storage.save(f"{upload_to}{uuid4().hex}.sealed", ContentFile(encrypt_bytes(result.content, purpose=PURPOSE)))
    return {
        "result_file": name,
        "result_name": result.filename[:200],
        "result_type": result.content_type[:100],
        "result": result.summary,
    }


def _ended(job: Job) -> None:
    kind = _kind_or_none(job.kind)
    if kind and kind.on_ended:
        kind.on_ended(job)
    if job.state == JobState.FAILED:  # a cancelled job was stopped by someone who knows
        _tell_owner(job)


def _tell_owner(job: Job) -> None:
    """Whoever started the job hears that it ended: they may have left its page long ago."""
    if job.owner_id is None:
        return
    done = job.state == JobState.SUCCEEDED
    notify(
        users=User.objects.filter(pk=job.owner_id),
        kind="job.succeeded" if done else "job.failed",
        title=gettext_noop("后台任务已完成") if done else gettext_noop("后台任务未完成"),
        body=gettext_noop("「%(label)s」已完成。") if done else gettext_noop("「%(label)s」未完成：%(message)s"),
        params={"label": job.label} if done else {"label": job.label, "message": job.message},
        link=reverse("job_detail", args=[job.pk]),
    )


class Lease:
    """The progress callback handed to a run, and the run's hold on its job: progress is kept
    in memory and written, with the heartbeat, at most once a second — from the run itself,
    or (in a worker) from a thread with its own connection, so that the heartbeat goes on
    while the run sits in one long statement and others see the progress before it commits."""

    def __init__(self, job: Job, token: str, *, thread: bool = False) -> None:
        self.job_id, self.token, self._keep_thread = job.pk, token, thread
        self.done, self.total, self.message = job.done, job.total, job.message
        self.lost = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._written = time.monotonic()
        self._changed = False

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        if self.lost:
            raise JobCancelled
        self.done = done
        self.total = self.total if total is None else total
        self.message = self.message if message is None else message[:300]
        self._changed = True
        if self._thread is None and time.monotonic() - self._written >= PROGRESS_SECONDS:
            self.write()
            if self.lost:
                raise JobCancelled

    def write(self) -> None:
        values = {"done": self.done, "total": self.total, "message": self.message, "heartbeat_at": timezone.now()}
        held = Job.objects.filter(pk=self.job_id, state=JobState.RUNNING, run_token=self.token).update(**values)
        self.lost = self.lost or held == 0
        self._written, self._changed = time.monotonic(), False

    def __enter__(self) -> Lease:
        if self._keep_thread:
            self._thread = threading.Thread(target=self._beat, name=f"job-{self.job_id}-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()

    def _beat(self) -> None:
        beat = min(PROGRESS_SECONDS * 10, lease_seconds() / 3)
        try:
            while not self._stop.wait(PROGRESS_SECONDS):
                if self._changed or time.monotonic() - self._written >= beat:
                    self._beat_once()
        finally:
            connection.close()  # this thread's own connection

    def _beat_once(self) -> None:
        try:
            self.write()
        except DatabaseError:
            # SQLite: the run holds the write lock for its save; the next beat tries again.
            logger.info("job #%s: heartbeat not written this time", self.job_id)


# --- workers that died ---------------------------------------------------------------------


def _lease_expired(job: Job, now: datetime | None = None) -> bool:
    beat = job.heartbeat_at or job.started_at
    return beat is None or beat < (now or timezone.now()) - timedelta(seconds=lease_seconds())


def jobs_reap(*, now: datetime | None = None) -> int:
    """Settle every running job whose worker stopped beating: queue it again while it has
    attempts left, else fail it saying so. Run every minute (Celery beat), when a worker
    starts, and when a job is looked at."""
    cutoff = (now or timezone.now()) - timedelta(seconds=lease_seconds())
    stale = Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=cutoff).order_by("pk")
    return sum(job_reap_one(job) for job in stale)


def _reap_if_stale(job_id: int) -> None:
    job = Job.objects.filter(pk=job_id, state=JobState.RUNNING).first()
    if job is not None and _lease_expired(job):
        job_reap_one(job, enqueue=False)  # the caller is about to run it


def job_reap_one(job: Job, *, enqueue: bool = True) -> bool:
    """One job that lost its worker: queued again, or failed. False if it beat meanwhile."""
    held = Job.objects.filter(pk=job.pk, state=JobState.RUNNING, run_token=job.run_token, heartbeat_at=job.heartbeat_at)
    again = job.attempts < job.max_attempts and job.kind in kinds
    now = timezone.now()
    if again:
        message = RETRYING.format(attempt=job.attempts + 1)
        changed = held.update(state=JobState.PENDING, run_token="", message=message, updated_at=now)
    else:
        changed = held.update(state=JobState.FAILED, message=WORKER_LOST, error="lease expired", finished_at=now)
    if not changed:
        return False
    logger.warning("job #%s (%s): worker lost after attempt %s", job.pk, job.kind, job.attempts)
    job.refresh_from_db()
    if not again:
        _ended(job)
    elif enqueue:
        job_enqueue(job)
    return True


# --- retention -----------------------------------------------------------------------------


def jobs_purge_files(*, now: datetime | None = None) -> int:
    """Delete result files past the retention period of uploaded rosters (they hold the same
    personal data); the job row stays, saying the file is gone."""
    days = max(1, min(settings.GONGHUI_IMPORT_RETENTION_DAYS, 30))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed = 0
    for job in Job.objects.exclude(result_file="").filter(finished_at__lt=cutoff).order_by("pk"):
        job.result_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result_file="", message=gettext_noop("结果文件已超过保存期限，已删除"))
        removed += 1
    return removed
