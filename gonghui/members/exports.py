"""Spreadsheets out of the member registry: any filtered member list, the roster template,
and an import's error report. Lists go through the scoped selectors; identity and mobile
numbers are always masked, a former union's rows leave the person's present out, and every
export leaves an audit entry."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from gonghui.accounts.scopes import scope_for
from gonghui.core.access import Scope
from gonghui.core.audit import audit_record
from gonghui.core.errors import ValidationFailed
from gonghui.core.jobs import JobResult, Progress, job_submit
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.models import AuditEntry, Job
from gonghui.core.xlsx import XLSX_TYPE, Book, sheet_value
from gonghui.members.models import Education, ImportJob, MembershipStatus, PoliticalStatus, Sex, SkillLevel
from gonghui.members.roster import TEMPLATE_COLUMNS
from gonghui.members.selectors import MemberFilter, membership_list
from gonghui.organisations.selectors import organisation_get

CSV_TYPE = "text/csv; charset=utf-8"
EXPORT_KIND = "members.export"
CHUNK = 2000

# (header, width, value path in values_list)
EXPORT_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("姓名", 10, "person__name"),
    ("身份证号", 22, "person__id_number"),
    ("性别", 6, "person__sex"),
    ("出生日期", 12, "person__birth_date"),
    ("手机号码", 14, "person__mobile"),
    ("工作单位", 30, "employer__name"),
    ("统一社会信用代码", 22, "employer__uscc"),
    ("部门", 14, "department"),
    ("岗位/职务", 14, "job_title"),
    ("所在工会", 24, "union__name"),
    ("入会时间", 12, "first_joined_on"),
    ("转入时间", 12, "joined_on"),
    ("状态", 8, "status"),
    ("离会时间", 12, "ended_on"),
    ("户籍地", 16, "person__household_registration"),
    ("学历", 10, "person__education"),
    ("技能等级", 10, "person__skill_level"),
    ("是否农民工", 10, "person__is_migrant_worker"),
    ("民族", 8, "person__ethnicity"),
    ("政治面貌", 12, "person__political_status"),
)
LABELS: dict[str, dict[Any, str]] = {
    "person__sex": dict(Sex.choices),
    "status": dict(MembershipStatus.choices),
    "person__education": dict(Education.choices),
    "person__skill_level": {**dict(SkillLevel.choices), "": ""},
    "person__political_status": {**dict(PoliticalStatus.choices), "": ""},
    "person__is_migrant_worker": {True: "是", False: "否"},
}
TEXT_COLUMNS = frozenset({"身份证号", "手机号码", "统一社会信用代码"})
MASKS = {"person__id_number": mask_id_number, "person__mobile": mask_mobile}
# What a former union does not see of a person who has moved on (selectors' present_here).
PRESENT_ONLY = frozenset(
    {
        "person__mobile",
        "person__household_registration",
        "person__education",
        "person__skill_level",
        "person__ethnicity",
        "person__political_status",
    }
)


def members_export_xlsx(
    *,
    scope: Scope,
    filters: MemberFilter,
    request: HttpRequest | None = None,
    progress: Progress | None = None,
    job: Job | None = None,
) -> bytes:
    """The filtered member list as .xlsx, within the scope, numbers masked; audited."""
    scope.require_staff()
    paths = [path for _, _, path in EXPORT_COLUMNS]
    listed = membership_list(scope=scope, filters=filters)
    total = listed.count() if progress else 0
    book = Book()
    sheet = book.table("会员名单", [(header, width) for header, width, _ in EXPORT_COLUMNS])
    count = 0
    for *values, present_here in listed.values_list(*paths, "present_here").iterator(chunk_size=CHUNK):
        row = {path: value for path, value in zip(paths, values, strict=True)}
        if row["joined_on"] == row["first_joined_on"]:
            row["joined_on"] = None  # 转入时间 only for those who came in by a transfer
        sheet.append([None if path in PRESENT_ONLY and not present_here else _shown(path, row[path]) for path in paths])
        count += 1
        if progress and count % CHUNK == 0:
            progress(count, total)
    detail = {"kind": "members", "filter": filter_detail(filters), "rows": count}
    audit_record(
        actor=scope.user,
        action=AuditEntry.Action.EXPORT,
        subject_label=f"会员名单 {count} 人",
        request=request,
        detail=detail if job is None else {**detail, "job": job.pk},
    )
    return book.content()


# --- as a background job (core/jobs.py) -----------------------------------------------------


def member_export_submit(*, scope: Scope, filters: MemberFilter) -> Job:
    """Start exporting the filtered list in the background; its page shows the progress and
    the file once written. The job is scoped to the asker's subtree."""
    staff = scope.require_staff()
    return job_submit(
        kind=EXPORT_KIND,
        label=f"会员名单导出 {timezone.localdate():%Y-%m-%d}",
        owner=scope.user,
        scope_path=staff.organisation_path,
        params={"filter": filter_detail(filters)},
    )


def member_export_work(job: Job, progress: Progress) -> JobResult:
    """The "members.export" job, in the owner's scope as it is now (not as it was)."""
    scope = scope_for(job.owner)
    filters = filter_from_detail(scope=scope, detail=job.params["filter"])
    content = members_export_xlsx(scope=scope, filters=filters, progress=progress, job=job)
    return JobResult(content, f"会员名单-{timezone.localdate():%Y%m%d}.xlsx", XLSX_TYPE)


def filter_from_detail(*, scope: Scope, detail: dict[str, Any]) -> MemberFilter:
    """The filter back from filter_detail's JSON; the union is looked up within the scope."""
    union = organisation_get(scope=scope, code=detail["union"]) if detail.get("union") else None
    day = date.fromisoformat
    return MemberFilter(
        query=detail.get("query") or "",
        union=union,
        status=detail.get("status"),
        migrant_only=bool(detail.get("migrant_only")),
        joined_from=day(detail["joined_from"]) if detail.get("joined_from") else None,
        joined_to=day(detail["joined_to"]) if detail.get("joined_to") else None,
        employer_id=detail.get("employer_id"),
    )


def _shown(path: str, value: Any) -> Any:
    if value is None:
        return None
    if path in MASKS:
        return MASKS[path](value)
    if path in LABELS:
        return LABELS[path].get(value, value)
    return value


def filter_detail(filters: MemberFilter) -> dict[str, Any]:
    """The filter as plain JSON, for the audit entry."""
    return {
        "query": filters.query,
        "union": filters.union.code if filters.union else None,
        "status": filters.status,
        "migrant_only": filters.migrant_only,
        "joined_from": filters.joined_from.isoformat() if filters.joined_from else None,
        "joined_to": filters.joined_to.isoformat() if filters.joined_to else None,
        "employer_id": filters.employer_id,
    }


def roster_template(fmt: str) -> bytes:
    """The roster template: the headers and one example row (and, in .xlsx, a sheet of notes)."""
    example = [column.example for column in TEMPLATE_COLUMNS]
    if fmt == "csv":
        return csv_bytes([[column.header for column in TEMPLATE_COLUMNS], example])
    if fmt != "xlsx":
        raise ValidationFailed(gettext("模板格式只能是 xlsx 或 csv"), field="format")
    widths = [(column.header, max(12, len(column.header) * 3)) for column in TEMPLATE_COLUMNS]
    # Identity and mobile numbers typed into a number column lose digits; text keeps them.
    book = Book()
    book.table("花名册", widths, text_columns=TEXT_COLUMNS).append_text(example)
    notes = book.sheet("填写说明")
    notes.append(["列名", "是否必填", "说明"])
    for column in TEMPLATE_COLUMNS:
        notes.append([column.header, "必填" if column.required else "可选", column.hint])
    return book.content()


def import_errors_xlsx(job: ImportJob) -> bytes:
    """An import's report as .xlsx, one line per error, then one per warning, each marked."""
    book = Book()
    sheet = book.table(
        gettext("错误明细"),
        [
            (gettext("类型"), 8),
            (gettext("行号"), 8),
            (gettext("列"), 18),
            (pgettext("import report column", "说明"), 70),
        ],
    )
    error_kind, warning_kind = gettext("错误"), gettext("提示")
    for error in job.errors:
        sheet.append([error_kind, error["row"], error["column"], error["message"]])
    if job.error_count > len(job.errors):
        left = job.error_count - len(job.errors)
        sheet.append([error_kind, None, None, gettext("……另有 %(count)s 处错误未列出") % {"count": left}])
    for warning in job.warnings:
        sheet.append([warning_kind, warning["row"], warning["column"], warning["message"]])
    if job.warning_count > len(job.warnings):
        left = job.warning_count - len(job.warnings)
        sheet.append([warning_kind, None, None, gettext("……另有 %(count)s 处提示未列出") % {"count": left}])
    return book.content()


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV with a BOM, so that Excel opens it as UTF-8 rather than the system's GBK; cells
    are made safe as in every spreadsheet we write (core.xlsx)."""
    text = io.StringIO()
    csv.writer(text).writerows([sheet_value(value) for value in row] for row in rows)
    return text.getvalue().encode("utf-8-sig")
