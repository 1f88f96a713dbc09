"""Uploaded rosters: encrypted while they wait, deleted when the job ends, purged after the
retention period, never served; the size and row limits on every path; numbers in error
reports masked; large files imported outside the request."""

import importlib
import io
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.core import tasks as core_tasks
from gonghui.core.crypto import generate_key
from gonghui.core.errors import ValidationFailed
from gonghui.members import import_files, importing, tasks
from gonghui.members.import_files import import_files_purge, retention_days
from gonghui.members.models import ImportJob, ImportStatus
from gonghui.members.roster import RosterTooLong, read_roster
from gonghui.members.tests.rosterfiles import HEADERS, csv_bytes, person_row, xlsx_bytes
from gonghui.testing import new_id_number, new_mobile

API = "/api/v1/imports"
MIB = 1024 * 1024


def submit(fed, rows, *, content=None, filename="名册.csv"):
    return importing.import_job_submit(
        scope=fed.scope(fed.union_a1_officer),
        union=fed.union_a1,
        uploaded_file=io.BytesIO(content if content is not None else csv_bytes([HEADERS, *rows])),
        filename=filename,
    )


@pytest.fixture
def queued(settings, monkeypatch):
    """Tasks go to a (pretend) worker: the job is saved and queued (once committed), not run."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []
    monkeypatch.setattr(core_tasks.run_job, "delay", sent.append)  # the job's id
    return sent


def stored_files() -> list[Path]:
    root = Path(default_storage.path(import_files.FOLDER))
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- encrypted at rest, deleted at the end --------------------------------------------------


def test_a_waiting_roster_is_on_disk_only_encrypted(fed, queued, django_capture_on_commit_callbacks):
    id_number, mobile = new_id_number(), new_mobile()
    content = csv_bytes([HEADERS, ["王芳", id_number, mobile, fed.employer_a1.name, "2024-03-01"]])
    with django_capture_on_commit_callbacks(execute=True):
        job = submit(fed, [], content=content)
    (path,) = stored_files()
    on_disk = path.read_bytes()
    assert job.status == ImportStatus.PENDING and queued == [job.job_id]
    for plain in (id_number.encode(), mobile.encode(), "王芳".encode(), "王芳".encode("gb18030")):
        assert plain not in on_disk
    assert import_files.open_roster_file(job) == content


@pytest.mark.parametrize("employer", ["ok", "无名公司"], ids=["imported", "rejected"])
def test_the_roster_is_deleted_when_its_import_ends(fed, queued, employer):
    job = submit(fed, [person_row(fed.employer_a1.name if employer == "ok" else employer)])
    assert len(stored_files()) == 1
    job = importing.import_job_run(job.pk)
    assert job.status in {ImportStatus.DONE, ImportStatus.REJECTED}
    assert stored_files() == []
    job.refresh_from_db()
    assert not job.file and (job.total_rows, job.error_count) == (1, 0 if employer == "ok" else 1)


def test_in_process_the_roster_is_gone_as_soon_as_the_upload_is_answered(fed):
    job = submit(fed, [person_row(fed.employer_a1.name)])
    assert job.status == ImportStatus.DONE and not job.file and stored_files() == []


def test_a_roster_no_configured_key_opens_rejects_its_job_saying_so(fed, queued, settings):
    job = submit(fed, [person_row(fed.employer_a1.name)])
    settings.GONGHUI_FIELD_KEYS = [generate_key()]  # the key it was sealed with is gone
    job = importing.import_job_run(job.pk)
    assert job.status == ImportStatus.REJECTED
    assert "无法读取" in job.errors[0]["message"] and stored_files() == []


# --- retention and the scheduled purge -----------------------------------------------------


def age(job: ImportJob, days: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_the_purge_removes_rosters_past_their_time_and_rejects_their_waiting_jobs(fed, queued):
    expired = submit(fed, [person_row(fed.employer_a1.name)])
    age(expired, 31)
    waiting = submit(fed, [person_row(fed.employer_a1.name)])
    age(waiting, 29)
    left_over = submit(fed, [person_row(fed.employer_a1.name)])
    ImportJob.objects.filter(pk=left_over.pk).update(status=ImportStatus.DONE)  # finished, file left behind
    result = import_files_purge()
    assert (result.files, result.expired_jobs) == (2, 1)
    assert [path.name for path in stored_files()] == [Path(waiting.file.name).name]
    expired.refresh_from_db()
    assert expired.status == ImportStatus.REJECTED and not expired.file
    assert expired.errors[0]["message"] == "文件超过保存期限（30 天）已删除，未导入任何数据，请重新上传"
    assert importing.import_job_run(expired.pk).status == ImportStatus.REJECTED  # a late delivery imports nothing


def test_the_purge_removes_files_no_job_points_to_once_they_are_an_hour_old(fed):
    old, fresh = "imports/2024/01/old.sealed", "imports/2024/01/fresh.sealed"
    for name in (old, fresh):
        default_storage.save(name, io.BytesIO(b"x"))
    hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(default_storage.path(old), (hours_ago, hours_ago))
    assert import_files_purge().files == 1
    assert not default_storage.exists(old) and default_storage.exists(fresh)


def test_retention_is_thirty_days_at_most(settings):
    settings.GONGHUI_IMPORT_RETENTION_DAYS = 90
    assert retention_days() == 30
    settings.GONGHUI_IMPORT_RETENTION_DAYS = 7
    assert retention_days() == 7


@pytest.mark.parametrize(("configured", "kept"), [(None, 30), ("7", 7), ("90", 30)])
def test_the_retention_setting_defaults_to_thirty_days_and_is_capped_there(settings, configured, kept):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_IMPORT_")}
    if configured:
        env["GONGHUI_IMPORT_RETENTION_DAYS"] = configured
    show = (
        "import django; django.setup(); from django.conf import settings; print(settings.GONGHUI_IMPORT_RETENTION_DAYS)"
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", show], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert int(result.stdout) == kept


def test_the_command_and_the_scheduled_task_run_the_same_purge(fed, queued, monkeypatch):
    from config.celery import app

    entry = app.conf.beat_schedule["purge-import-files"]
    assert entry["task"] == tasks.purge_import_files.name and entry["task"] in app.tasks
    job = submit(fed, [person_row(fed.employer_a1.name)])
    age(job, 31)
    out = StringIO()
    call_command("purge_imports", stdout=out)
    assert "已删除 1 个花名册文件（保存期限 30 天）；1 个过期未导入的记录已标为未导入" in out.getvalue()
    calls: list[bool] = []

    def purge() -> import_files.PurgeResult:
        calls.append(True)
        return import_files.PurgeResult(0, 0)

    monkeypatch.setattr(tasks, "import_files_purge", purge)
    assert tasks.purge_import_files.apply().get() == {"files": 0, "expired_jobs": 0} and calls == [True]


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as `runserver` builds it in development (DEBUG on)."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_nothing_under_media_is_served_even_in_debug(fed, queued, debug_urls):
    job = submit(fed, [person_row(fed.employer_a1.name)])
    url = f"/media/{job.file.name}"
    assert default_storage.exists(job.file.name)
    for client in (Client(), signed_in(fed.city_staff)):
        response = client.get(url)
        assert response.status_code in {302, 404}
        assert not getattr(response, "streaming", False)


# --- size and row limits -------------------------------------------------------------------


class Unreadable(io.BytesIO):
    """An upload that says how big it is and must not be read."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def read(self, *args):  # noqa: ANN002, ANN201
        raise AssertionError("the file was read")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(fed):
    with pytest.raises(ValidationFailed, match="^文件超过 20 MB 上限$") as refused:
        importing.import_job_submit(
            scope=fed.scope(fed.union_a1_officer),
            union=fed.union_a1,
            uploaded_file=Unreadable(20 * MIB + 1),
            filename="名册.csv",
        )
    assert refused.value.field == "file"
    assert not ImportJob.objects.exists() and stored_files() == []


def test_a_stream_that_gives_no_size_is_read_only_up_to_the_limit(fed, settings):
    settings.GONGHUI_IMPORT_MAX_BYTES = MIB
    content = csv_bytes([HEADERS, *[person_row(fed.employer_a1.name) for _ in range(12000)]])
    assert len(content) > MIB
    with pytest.raises(ValidationFailed, match="文件超过 1 MB 上限"):
        submit(fed, [], content=content)
    assert not ImportJob.objects.exists()


def big_roster(fed) -> bytes:
    return csv_bytes([HEADERS, *[person_row(fed.employer_a1.name) for _ in range(12000)]])


def test_the_page_the_api_and_the_command_say_the_file_is_too_large(fed, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.GONGHUI_IMPORT_MAX_BYTES = MIB
    content = big_roster(fed)
    client = signed_in(fed.union_a1_officer)
    page = client.post(
        reverse("members:import"), {"union": fed.union_a1.code, "file": SimpleUploadedFile("名册.csv", content)}
    )
    assert page.status_code == 400 and "文件超过 1 MB 上限" in page.content.decode()
    api = client.post(API, {"union": fed.union_a1.code, "file": SimpleUploadedFile("名册.csv", content)})
    assert (api.status_code, api.json()["field"], api.json()["detail"]) == (400, "file", "文件超过 1 MB 上限")
    path = tmp_path / "名册.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="文件超过 1 MB 上限"):
        call_command("import_members", str(path), "--union", fed.union_a1.code, stdout=StringIO())
    assert not ImportJob.objects.exists()


def test_a_roster_over_the_row_limit_is_rejected_with_only_that_message(fed, settings):
    settings.GONGHUI_IMPORT_MAX_ROWS = 3
    rows = [person_row(fed.employer_a1.name, name=name) for name in ("王芳", "赵强", "李娜", "陈静")]
    over = submit(fed, rows, filename="名册.xlsx", content=xlsx_bytes([HEADERS, *rows]))
    assert (over.status, over.created_count, over.error_count) == (ImportStatus.REJECTED, 0, 1)
    assert over.errors == [{"row": 1, "column": "文件", "message": "名单超过 3 行上限，请拆分后导入"}]
    assert submit(fed, rows[:3]).created_count == 3  # exactly at the limit is fine


def test_reading_stops_at_the_row_limit():
    rows = [["王芳", new_id_number(), "", "某公司", "2024-03-01"] for _ in range(50)]
    errors, keyed, _ = read_roster(io.BytesIO(xlsx_bytes([HEADERS, *rows])), filename="名册.xlsx", max_rows=3)
    seen = []
    with pytest.raises(RosterTooLong, match="名单超过 3 行上限"):
        for number, _ in keyed:
            seen.append(number)
    assert (errors, seen) == ([], [2, 3, 4])
    blank_lines = csv_bytes([HEADERS, *[[""] * 5 for _ in range(20)], rows[0]])
    keyed = read_roster(io.BytesIO(blank_lines), filename="名册.csv", max_rows=3).rows
    with pytest.raises(RosterTooLong):
        list(keyed)  # a sheet of blank lines is not walked for ever either


def test_the_default_limits_and_their_messages(settings):
    assert (settings.GONGHUI_IMPORT_MAX_BYTES, settings.GONGHUI_IMPORT_MAX_ROWS) == (20 * MIB, 300_000)
    assert str(RosterTooLong(300_000)) == "名单超过 300,000 行上限，请拆分后导入"


def test_the_row_limit_message_reaches_the_page_the_api_and_the_command(fed, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.GONGHUI_IMPORT_MAX_ROWS = 1
    content = csv_bytes([HEADERS, person_row(fed.employer_a1.name), person_row(fed.employer_a1.name)])
    message = "名单超过 1 行上限，请拆分后导入"
    client = signed_in(fed.union_a1_officer)
    page = client.post(
        reverse("members:import"),
        {"union": fed.union_a1.code, "file": SimpleUploadedFile("名册.csv", content)},
        follow=True,
    )
    assert message in page.content.decode()
    job = client.post(API, {"union": fed.union_a1.code, "file": SimpleUploadedFile("名册.csv", content)}).json()
    assert job["status"] == "rejected"
    assert client.get(f"{API}/{job['id']}/errors").json()["errors"][0]["message"] == message
    path = tmp_path / "名册.csv"
    path.write_bytes(content)
    out = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_members", str(path), "--union", fed.union_a1.code, stdout=out)
    assert out.getvalue().splitlines() == [f"第1行【文件】{message}"]


# --- large files outside the request --------------------------------------------------------


def test_with_a_worker_the_upload_page_only_saves_and_queues(
    fed, queued, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monkeypatch.setattr(importing, "roster_check", lambda **_: pytest.fail("the request read the roster"))
    upload = SimpleUploadedFile("名册.csv", csv_bytes([HEADERS, person_row(fed.employer_a1.name)]))
    client = signed_in(fed.union_a1_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import"), {"union": fed.union_a1.code, "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("members:import_job", args=[job.pk])
    assert (job.status, queued) == (ImportStatus.PENDING, [job.job_id])


def test_an_import_runs_as_a_background_job_with_its_progress(fed):
    # The large in-process import no longer runs in a thread of the web process: every import
    # is a job (core/jobs.py), which a worker runs and whose progress its page shows.
    content = csv_bytes([HEADERS, person_row(fed.employer_a1.name), person_row(fed.employer_a1.name, name="赵强")])
    job = submit(fed, [], content=content)
    assert (job.status, job.created_count, bool(job.file)) == (ImportStatus.DONE, 2, False)
    assert (job.job.kind, job.job.state, job.job.done, job.job.total) == ("members.import", "succeeded", 2, 2)
    assert job.job.scope_path == fed.union_a1.path and job.job.owner == fed.union_a1_officer


# --- numbers in error reports ---------------------------------------------------------------


def test_numbers_quoted_in_an_error_report_are_masked_wherever_it_is_read(fed):
    id_number, mistyped = new_id_number(), "1391234567"
    rows = [
        ["王芳", new_id_number(), mistyped, fed.employer_a1.name, "2024-03-01"],
        ["赵强", new_id_number(), "", id_number, "2024-03-01"],  # a number in the employer column
    ]
    job = submit(fed, rows)
    assert job.status == ImportStatus.REJECTED
    assert [error["message"] for error in job.errors] == [
        "手机号码「139*******」不对，应为11位、以13-19开头",
        f"工作单位「{id_number[:6]}********{id_number[-4:]}」不是本工会覆盖的单位，请先登记该单位或核对名称",
    ]
    client = signed_in(fed.union_a1_officer)
    readings = [
        client.get(reverse("members:import_job", args=[job.pk])).content.decode(),
        client.get(f"{API}/{job.pk}/errors").content.decode(),
        "".join(
            str(cell)
            for row in load_workbook(
                io.BytesIO(client.get(reverse("members:import_errors", args=[job.pk])).content), read_only=True
            )
            .worksheets[0]
            .iter_rows(values_only=True)
            for cell in row
        ),
    ]
    for text in readings:
        assert "139*******" in text and mistyped not in text and id_number not in text


def test_a_file_without_its_header_shows_no_full_number(fed):
    id_number, mobile = new_id_number(), new_mobile()
    job = submit(fed, [], content=csv_bytes([["王芳", id_number, mobile, fed.employer_a1.name, "2024-03-01"]]))
    report = str(job.errors)
    assert job.status == ImportStatus.REJECTED and "没有找到表头" in report
    assert id_number not in report and mobile not in report


def test_the_error_report_download_is_for_those_who_may_see_the_job(fed):
    job = submit(fed, [person_row("无名公司")])
    url = reverse("members:import_errors", args=[job.pk])
    report = signed_in(fed.town_a_staff).get(url)
    assert report.status_code == 200 and "attachment" in report["Content-Disposition"]
    assert signed_in(fed.town_b_staff).get(url).status_code == 404
    assert signed_in(fed.member_user).get(url).status_code in {302, 403, 404}
    assert Client().get(url).status_code == 302


def test_reports_stored_before_masking_are_masked_by_the_migration():
    migration = importlib.import_module("gonghui.members.migrations.0004_mask_import_errors")
    id_number = new_id_number()
    old = [
        {"row": 2, "column": "手机号码", "message": "手机号码「1391234」不对，应为11位、以13-19开头"},
        {"row": 3, "column": "工作单位", "message": f"工作单位「{id_number}」不是本工会覆盖的单位"},
        {"row": 1, "column": id_number, "message": f"不认识的列名「{id_number}」，请使用模板中的列名"},
        {
            "row": 4,
            "column": "统一社会信用代码",
            "message": "统一社会信用代码为 913304817047123456 的单位不是本工会覆盖的单位",
        },
        {"row": 5, "column": "入会时间", "message": "入会时间「20241301」无法识别"},
    ]
    new = [migration.masked(error) for error in old]
    assert new[0]["message"] == "手机号码「139****」不对，应为11位、以13-19开头"
    assert id_number not in str(new[1:3])
    assert new[3:] == old[3:]
