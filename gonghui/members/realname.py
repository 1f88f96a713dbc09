"""The roster with full identity and mobile numbers, in the column layout of the national
member real-name system (全国工会会员实名制, docs/rosters.md "全国实名制格式导出"), for the
upload the federation makes there. It needs a permission of its own
(members.export_full_identity, apart from viewing one person's numbers), a stated reason,
and runs as a background job; the job writes one audit entry naming the count and the
reason, and only holders of the permission may download its file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scopes import scope_for
from gonghui.core.access import Scope
from gonghui.core.audit import audit_record
from gonghui.core.errors import Forbidden, ServiceError, ValidationFailed
from gonghui.core.jobs import JobResult, Progress, job_submit
from gonghui.core.models import AuditEntry, Job
from gonghui.core.xlsx import XLSX_TYPE, Book
from gonghui.members.exports import CHUNK, filter_detail
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.selectors import MemberFilter, membership_list
from gonghui.organisations.selectors import organisation_get, scope_root

REALNAME_KIND = "members.export_realname"
PERMISSION = "members.export_full_identity"
REASON_MAX = 500
SHEET = "会员信息"


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    path: str | None  # a values_list path from Membership; None for 序号
    text: bool = False  # kept as text so that Excel drops no digit


# The national system's order (docs/rosters.md, "全国实名制格式导出").
COLUMNS: tuple[Column, ...] = (
    Column("序号", 6, None),
    Column("姓名", 10, "person__name"),
    Column("性别", 6, "person__sex"),
    Column("民族", 8, "person__ethnicity"),
    Column("出生日期", 12, "person__birth_date"),
    Column("身份证号", 22, "person__id_number", text=True),
    Column("政治面貌", 12, "person__political_status"),
    Column("学历", 10, "person__education"),
    Column("技能等级", 10, "person__skill_level"),
    Column("户籍地", 16, "person__household_registration"),
    Column("是否农民工", 10, "person__is_migrant_worker"),
    Column("手机号码", 14, "person__mobile", text=True),
    Column("工作单位", 30, "employer__name"),
    Column("统一社会信用代码", 22, "employer__uscc", text=True),
    Column("部门", 14, "department"),
    Column("职务", 12, "job_title"),
    Column("入会时间", 12, "first_joined_on"),
    Column("会员状态", 8, "status"),
    Column("所在工会", 24, "union__name"),
)
YES_NO = {True: "是", False: "否"}


def _labels(path: str) -> dict[Any, str]:
    """How a column's stored values read: the choices' labels of the field at the end of the
    values_list path (是/否 for a yes-or-no field); empty for plain text and dates."""
    model: type[Model] = Membership
    field: Any = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    if field.get_internal_type() == "BooleanField":
        return YES_NO
    return {key: str(label) for key, label in field.choices} if field.choices else {}


# --- who may -------------------------------------------------------------------------------


def _allowed(*, scope: Scope, union_code: str, reason: str) -> MemberFilter:
    staff = scope.require_staff()
    if not staff.has_perm(PERMISSION):
        raise Forbidden(_("您没有导出完整身份信息（实名制格式）的权限"))
    union = organisation_get(scope=scope, code=union_code) if union_code.strip() else None
    if not reason.strip():
        raise ValidationFailed(_("请填写导出理由"), field="reason")
    if len(reason.strip()) > REASON_MAX:
        raise ValidationFailed(_("导出理由不能超过 %(max)s 字") % {"max": REASON_MAX}, field="reason")
    return MemberFilter(union=union, status=MembershipStatus.ACTIVE)


def realname_export_submit(
    *, scope: Scope, union_code: str = "", reason: str, request: HttpRequest | None = None
) -> Job:
    """Start the export of the active members of the scope (or of one union in it) with
    full numbers. A refusal for want of permission or scope is audited, as a refused
    full-number view is."""
    try:
        filters = _allowed(scope=scope, union_code=union_code, reason=reason)
    except ServiceError as err:
        if not isinstance(err, ValidationFailed):
            audit_record(
                actor=scope.user,
                action=AuditEntry.Action.ACCESS_DENIED,
                result=AuditEntry.Result.DENIED,
                subject_label=_("全国实名制格式导出")[:200],
                reason=reason,
                request=request,
                detail={"attempted": REALNAME_KIND, "union": union_code, "code": err.code},
            )
        raise
    staff = scope.require_staff()
    where = (filters.union or scope_root(scope=scope)).name
    return job_submit(
        kind=REALNAME_KIND,
        label=_("全国实名制格式导出 %(where)s %(day)s") % {"where": where, "day": f"{timezone.localdate():%Y-%m-%d}"},
        owner=scope.user,
        scope_path=filters.union.path if filters.union else staff.organisation_path,
        params={"filter": filter_detail(filters), "reason": reason.strip()},
    )


# --- the job -------------------------------------------------------------------------------


def realname_xlsx(*, scope: Scope, filters: MemberFilter, progress: Progress | None = None) -> tuple[bytes, int]:
    """The sheet, numbers in full, and how many members it holds. Only members whose present
    membership is in the scope: a former union has no business with their numbers."""
    paths = [column.path for column in COLUMNS if column.path]
    labels: dict[str | None, dict[Any, str]] = {path: _labels(path) for path in paths}
    listed = membership_list(scope=scope, filters=filters).filter(present_here=True).order_by("union__path", "pk")
    total = listed.count()
    book = Book()
    sheet = book.table(
        SHEET,
        [(column.header, column.width) for column in COLUMNS],
        text_columns=frozenset(c.header for c in COLUMNS if c.text),
    )
    count = 0
    for values in listed.values_list(*paths).iterator(chunk_size=CHUNK):
        row = dict(zip(paths, values, strict=True))
        count += 1
        sheet.append([count] + [_cell(column.path, row, labels) for column in COLUMNS[1:]])
        if progress and count % CHUNK == 0:
            progress(count, total)
    return book.content(), count


def _cell(path: str | None, row: dict[str, Any], labels: dict[str | None, dict[Any, str]]) -> Any:
    value = row.get(path or "")
    if value is None:
        return None
    return labels.get(path, {}).get(value, value) or None


def realname_export_work(job: Job, progress: Progress) -> JobResult:
    """The job, in its owner's scope and permissions as they are now: a permission taken
    away after the submit stops it."""
    scope = scope_for(job.owner)
    filters = _allowed(scope=scope, union_code=job.params["filter"].get("union") or "", reason=job.params["reason"])
    content, count = realname_xlsx(scope=scope, filters=filters, progress=progress)
    reason = job.params["reason"]
    audit_record(
        actor=job.owner,
        action=AuditEntry.Action.EXPORT,
        subject=job,
        subject_label=f"全国实名制格式导出 {count} 人（完整号码）",
        reason=reason,
        detail={"kind": "members.realname", "rows": count, "filter": job.params["filter"], "job": job.pk},
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    return JobResult(content, f"会员实名制-{stamp}.xlsx", XLSX_TYPE, {"rows": count})
