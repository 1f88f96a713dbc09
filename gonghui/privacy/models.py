"""A worker's separate consent to the processing of sensitive personal information (PIPL
art. 29), kept per category with the exact text they agreed to, so "what did this person
consent to, and when" can always be answered."""

from django.db import models
from django.db.models import Q


class ConsentCategory(models.TextChoices):
    HEALTH = "health", "健康信息（医疗互助）"
    HOUSEHOLD_INCOME = "household_income", "家庭收入信息（困难职工帮扶）"


class ConsentChannel(models.TextChoices):
    WEB = "web", "网页"
    API = "api", "接口"
    PAPER = "paper", "纸质签字"


class ConsentText(models.Model):
    """The wording a member is shown for one category; a new wording is a new version, never
    an edit, so old consents keep pointing at what was really shown."""

    category = models.CharField("类别", max_length=30, choices=ConsentCategory.choices)
    version = models.PositiveIntegerField("版本")
    text = models.TextField("告知与同意文本")
    effective_from = models.DateField("生效日期")

    class Meta:
        verbose_name = "同意书文本"
        verbose_name_plural = "同意书文本"
        ordering = ["category", "-version"]
        constraints = [models.UniqueConstraint(fields=["category", "version"], name="one_consent_text_per_version")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} v{self.version}"


class Consent(models.Model):
    """One consent: given at a time, through a channel, to one text; withdrawn by setting
    withdrawn_at. A later consent is a new row, so the whole story stays."""

    person = models.ForeignKey("members.Person", verbose_name="职工", on_delete=models.PROTECT, related_name="consents")
    category = models.CharField("类别", max_length=30, choices=ConsentCategory.choices)
    text = models.ForeignKey(ConsentText, verbose_name="同意书文本", on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField("同意时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    channel = models.CharField("渠道", max_length=10, choices=ConsentChannel.choices, default=ConsentChannel.WEB)

    class Meta:
        verbose_name = "敏感个人信息处理同意"
        verbose_name_plural = "敏感个人信息处理同意"
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_consent_per_category",
            ),
            models.CheckConstraint(
                name="consent_withdrawn_after_given",
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_category_display()}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
