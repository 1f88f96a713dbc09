from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Append-only record of sensitive actions: who did what to whose data, when, why."""

    class Action(models.TextChoices):
        REVEAL_ID_NUMBER = "reveal_id_number", "查看完整身份证号"
        REVEAL_MOBILE = "reveal_mobile", "查看完整手机号"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        ACCESS_DENIED = "access_denied", "越权访问被拒"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField("操作", max_length=40, choices=Action.choices)
    subject_type = models.CharField("对象类型", max_length=60, blank=True)
    subject_id = models.CharField("对象编号", max_length=60, blank=True)
    subject_label = models.CharField("对象", max_length=200, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject_label}"
