"""Uploaded rosters on disk: kept encrypted only while their import job waits or runs, deleted
when it ends, and purged by a daily task if anything is left over (docs/operations.md,
"Uploaded rosters").

A roster holds the full identity and mobile numbers of every worker on it, so the bytes are
sealed with the field key (AES-256-GCM, gonghui/core/crypto.py) before they touch the disk,
and opened in memory by the job. They are never served: nothing is routed under MEDIA_URL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO
from uuid import uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models import Q
from django.utils import timezone

from gonghui.core.crypto import decrypt_bytes, encrypt_bytes
from gonghui.core.errors import ValidationFailed
from gonghui.core.jobs import job_abandon
from gonghui.members.models import ImportJob, ImportStatus
from gonghui.members.roster import FILE_COLUMN, HEADER_ROW, RowError

PURPOSE = b"gonghui roster upload"
FOLDER = "imports"
MAX_RETENTION_DAYS = 30
# A file no job points to may be an upload whose job row is not committed yet.
ORPHAN_GRACE = timedelta(hours=1)
# A failed import keeps its roster for a retry, within the same retention period.
# One waiting for the officer to choose a sheet keeps it too.
UNFINISHED = (ImportStatus.PENDING, ImportStatus.RUNNING, ImportStatus.FAILED, ImportStatus.CHOOSE_SHEET)
MIB = 1024 * 1024


def size_limit_message(max_bytes: int) -> str:
    size = f"{max_bytes // MIB}" if max_bytes % MIB == 0 else f"{max_bytes / MIB:.1f}"
    return f"文件超过 {size} MB 上限"


def read_upload(file: IO[bytes], *, max_bytes: int | None = None) -> bytes:
    """The uploaded file's bytes, refused before reading when it says it is too large (an
    upload, a file on disk), and after at most `max_bytes` + 1 bytes otherwise."""
    limit = settings.GONGHUI_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    size = _declared_size(file)
    if size is not None and size > limit:
        raise ValidationFailed(size_limit_message(limit), field="file", code="too_large")
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(size_limit_message(limit), field="file", code="too_large")
    return data


def _declared_size(file: IO[bytes]) -> int | None:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    try:
        return os.fstat(file.fileno()).st_size
    except (AttributeError, OSError, ValueError):  # a stream with no file behind it
        return None


def store_roster_file(job: ImportJob, data: bytes) -> None:
    """Seal `data` and keep it as the job's file (the job is saved by the caller)."""
    job.file.save(f"{uuid4().hex}.sealed", ContentFile(encrypt_bytes(data, purpose=PURPOSE)), save=False)


def open_roster_file(job: ImportJob) -> bytes:
    """The job's roster as uploaded; DecryptionError if no configured key opens it."""
    with job.file.open("rb") as file:
        return decrypt_bytes(file.read(), purpose=PURPOSE)


def discard_roster_file(job: ImportJob) -> None:
    """Delete the job's file from disk and forget it; the job row keeps its counts and report."""
    if not job.file:
        return
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")


# --- retention --------------------------------------------------------------------------------


def retention_days() -> int:
    return max(1, min(settings.GONGHUI_IMPORT_RETENTION_DAYS, MAX_RETENTION_DAYS))


@dataclass(frozen=True)
class PurgeResult:
    files: int  # files deleted, of jobs and of none
    expired_jobs: int  # jobs still waiting when their file's time ran out, now rejected


def import_files_purge(*, now: datetime | None = None) -> PurgeResult:
    """Delete every uploaded roster no longer needed: those of finished jobs (normally gone
    already), those older than the retention period whatever their job's state, and files
    no job points to. A job that was still waiting is rejected, saying why."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    files = expired = 0
    stale = Q(created_at__lt=cutoff) | ~Q(status__in=UNFINISHED)
    for job in ImportJob.objects.exclude(file="").filter(stale).order_by("pk"):
        if job.status in UNFINISHED:
            _expire(job, now)
            expired += 1
        discard_roster_file(job)
        files += 1
    files += _purge_orphans(now - ORPHAN_GRACE)
    return PurgeResult(files=files, expired_jobs=expired)


def _expire(job: ImportJob, now: datetime) -> None:
    message = f"文件超过保存期限（{retention_days()} 天）已删除，未导入任何数据，请重新上传"
    job.status = ImportStatus.REJECTED
    job.error_count = 1
    job.errors = [RowError(HEADER_ROW, FILE_COLUMN, message).as_dict()]
    job.finished_at = now
    job.save(update_fields=["status", "error_count", "errors", "finished_at", "updated_at"])
    if job.job_id is not None:
        job_abandon(job_id=job.job_id, message=message)


def _purge_orphans(older_than: datetime) -> int:
    storage = ImportJob._meta.get_field("file").storage
    if not storage.exists(FOLDER):
        return 0
    kept = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    removed = 0
    for name in _walk(storage, FOLDER):
        if name not in kept and storage.get_modified_time(name) < older_than:
            storage.delete(name)
            removed += 1
    return removed


def _walk(storage: Storage, folder: str) -> list[str]:
    folders, files = storage.listdir(folder)
    names = [f"{folder}/{name}" for name in files]
    for sub in folders:
        names.extend(_walk(storage, f"{folder}/{sub}"))
    return names
