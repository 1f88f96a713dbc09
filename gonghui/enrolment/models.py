"""Membership applications (入会申请) sent by workers through the public form or API, without
an account; the chosen union's officers (or anyone above them) accept or refuse each one."""

from django.conf import settings
from django.db import models

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.models import TimeStampedModel
from gonghui.enrolment.references import new_reference

# The consent text a worker acknowledges is versioned: the application records which one.
CONSENT_VERSION = "2026-11"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已接收"
    REFUSED = "refused", "已拒绝"


class Application(TimeStampedModel):
    # Given to the worker on submitting; with their phone number it finds the application.
    reference = models.CharField("申请编号", max_length=9, unique=True, default=new_reference, editable=False)
    name = models.CharField("姓名", max_length=50)
    # Sealed like Person's numbers (core.crypto); officers open an application by its row, so
    # no hash is needed to search them.
    id_number = EncryptedTextField("身份证号", max_length=18)
    mobile = EncryptedTextField("手机号码", max_length=11)
    employer_name = models.CharField("工作单位", max_length=200)
    union = models.ForeignKey(
        "organisations.Organisation", verbose_name="申请加入的工会", on_delete=models.PROTECT, related_name="+"
    )
    consent_version = models.CharField("同意的告知书版本", max_length=20)
    consented_at = models.DateTimeField("同意时间")
    submitted_from = models.GenericIPAddressField("提交地址", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reason = models.CharField("拒绝理由", max_length=200, blank=True)
    membership = models.ForeignKey(
        "members.Membership", verbose_name="会籍", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "入会申请"
        verbose_name_plural = "入会申请"
        indexes = [models.Index(fields=["union", "status"])]
        constraints = [
            models.CheckConstraint(
                name="application_refusal_has_reason",
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
            )
        ]

    def __str__(self) -> str:
        return self.name
