from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils.translation import gettext


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet):
    """Rows of the log cannot be changed or removed through the ORM; only prune_audit, past
    the retention period, removes them (see gonghui/core/management/commands/prune_audit.py)."""

    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("审计日志只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("审计日志只能追加，不能删除")


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEntry(models.Model):
    """Append-only record of sensitive actions: who did what to whose data, when, from where,
    and with what result. On PostgreSQL a trigger refuses UPDATE and DELETE as well, so not
    even raw SQL from the application can rewrite history."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "登录"
        SIGN_IN_FAILED = "sign_in_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账号被锁定"
        SIGN_OUT = "sign_out", "退出登录"
        ACCOUNT_DISABLED = "account_disabled", "停用账号"
        ACCOUNT_CREATED = "account_created", "创建账号"
        ACCOUNT_ENABLED = "account_enabled", "启用账号"
        SECOND_FACTOR_RESET = "second_factor_reset", "重置动态验证码"
        ACTIVATION_CODE_ISSUED = "activation_code_issued", "发放激活码"
        ACCOUNT_ACTIVATED = "account_activated", "账号激活"
        VIEW_SENSITIVE = "view_sensitive", "查看敏感记录"
        REVEAL_ID_NUMBER = "reveal_id_number", "查看完整身份证号"
        REVEAL_MOBILE = "reveal_mobile", "查看完整手机号"
        CHANGE = "change", "修改数据"
        DECISION = "decision", "审批"  # a step of an approval process (core.workflow)
        ACCESS_DENIED = "access_denied", "越权访问被拒"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        DATA_DOWNLOAD = "data_download", "下载本人数据"
        CONSENT_GIVEN = "consent_given", "同意处理敏感信息"
        CONSENT_WITHDRAWN = "consent_withdrawn", "撤回同意"

    class Result(models.TextChoices):
        OK = "ok", "成功"
        DENIED = "denied", "被拒绝"
        FAILED = "failed", "失败"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # No database constraint and no cascade: deleting an account must neither rewrite nor be
    # blocked by the log, and the username is kept beside the key to say who acted after it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=40, choices=Action.choices)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.OK)
    subject_type = models.CharField("对象类型", max_length=60, blank=True)
    subject_id = models.CharField("对象编号", max_length=60, blank=True)
    subject_label = models.CharField("对象", max_length=200, blank=True)
    # The worker whose personal information the action touched, if any: what "entries about
    # me" in a member's data download is read from. A plain number, not a key, so the log
    # neither blocks nor follows changes to the registry.
    data_subject_id = models.BigIntegerField("数据主体（职工编号）", null=True, blank=True, db_index=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    path = models.CharField("请求地址", max_length=300, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["action", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("审计日志只能追加，不能删除")


class JobState(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class Job(TimeStampedModel):
    """One piece of background work (an import, an export, a settlement run) and how far it
    has got; gonghui/core/jobs.py runs it. Who may see it is decided by its scope, never by
    who started it alone: staff whose subtree holds `scope_path`, or the member `scope_person_id`."""

    kind = models.CharField("类型", max_length=60)
    label = models.CharField("名称", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scope_path = models.CharField("所属组织路径", max_length=255, blank=True)
    scope_person_id = models.BigIntegerField("所属职工", null=True, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=20, choices=JobState.choices, default=JobState.PENDING)
    done = models.PositiveBigIntegerField("已完成", default=0)
    total = models.PositiveBigIntegerField("总数", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    error = models.TextField("错误报告", blank=True)
    result = models.JSONField("结果摘要", default=dict, blank=True)
    # Sealed with the field key (core.crypto.encrypt_bytes); served only by the job's download view.
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField("结果文件名", max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    # The run holding the job: a run writes only while its own token is on the row, so a run
    # that lost its lease (or a second delivery of the task) can no longer change the job.
    run_token = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField("心跳", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat_idx"),
            models.Index(fields=["owner", "created_at"], name="job_owner_created_idx"),
            models.Index(fields=["scope_path"], name="job_scope_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}

    @property
    def percent(self) -> int:
        if self.state == JobState.SUCCEEDED:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


class Decision(models.Model):
    """One step taken in an approval process (core.workflow): which object, which step, from
    which state to which, who took it, when and why. Append-only, like the audit log; one
    table for every process, reached through a generic key so a new process needs no table."""

    process = models.CharField("流程", max_length=50)
    step = models.CharField("步骤", max_length=50)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_as = models.CharField("身份", max_length=20, blank=True)  # the Scope's role; blank: the system
    decided_at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "审批记录"
        verbose_name_plural = "审批记录"
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="decision_subject_idx")]

    def __str__(self) -> str:
        return f"{self.process}:{self.step} {self.from_state or '∅'}→{self.to_state}"


class Notification(models.Model):
    """One message in a user's in-site inbox (see core.notifications).

    The title and body are kept as their Chinese source text with the values filled in
    apart, so each reader sees them in their own language (as the admin's LogEntry keeps
    its change message). No phone number is kept here: a text message goes to a number given
    when it is sent, and only its masked form is ever written down."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类别", max_length=60)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    params = models.JSONField("内容参数", default=dict, blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def title_text(self) -> str:
        return render_message(self.title, self.params)

    @property
    def body_text(self) -> str:
        return render_message(self.body, self.params)


def render_message(text: str, params: dict[str, Any]) -> str:
    """A stored source text in the active language, with its values filled in."""
    translated = gettext(text) if text else ""
    return translated % params if params else translated


# The ledger's tables live beside its services (core/ledger.py, core/ledger_models.py);
# imported here so that Django registers them as the core app's.
from gonghui.core.ledger_models import Fund, LedgerEntry, LedgerLine  # noqa: E402, F401
