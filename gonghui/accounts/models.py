import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from gonghui.core.access import Role
from gonghui.core.crypto import EncryptedTextField
from gonghui.core.masking import mask_mobile
from gonghui.core.models import TimeStampedModel


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    PENDING = "pending", "待激活"  # no password yet: waiting for its activation code
    DISABLED = "disabled", "已停用"


STATUS_LABELS = (gettext_noop("正常"), gettext_noop("待激活"), gettext_noop("已停用"))


class Account(TimeStampedModel):
    """A user's role: staff of one organisation (and its subtree), or one member."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name="所属组织", null=True, blank=True, on_delete=models.PROTECT
    )
    person = models.OneToOneField(
        "members.Person", verbose_name="会员", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    # A staff member's own mobile: where an activation code may be sent, and what they type
    # beside the code to activate. Members' numbers are on their Person.
    mobile = EncryptedTextField("手机号码", max_length=11, blank=True)

    class Meta:
        verbose_name = "账号角色"
        verbose_name_plural = "账号角色"
        constraints = [
            models.CheckConstraint(
                name="account_role_has_target",
                condition=(
                    models.Q(role="member", person__isnull=False)
                    | (~models.Q(role="member") & models.Q(organisation__isnull=False))
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def status(self) -> AccountStatus:
        if not self.user.is_active:
            return AccountStatus.DISABLED
        return AccountStatus.ACTIVE if self.user.has_usable_password() else AccountStatus.PENDING

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""


class ApiToken(TimeStampedModel):
    """Bearer token for API clients; only a hash is stored, the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: object, name: str) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key))
        return token, key


class SignedInSession(models.Model):
    """One signed-in browser session of a user, so that signing out or disabling the account
    can end all of them, not just the one that asked. Rows older than the absolute session
    limit are dead sessions and are pruned at each sign-in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField("登录时间")

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"

    def __str__(self) -> str:
        return f"{self.user} {self.signed_in_at:%Y-%m-%d %H:%M}"


class ActivationCode(models.Model):
    """A one-time code that lets a new account (or one whose password is reset) set its
    password. Only a keyed hash of the code is kept, and keyed hashes of what its holder must
    type beside it (their mobile or identity number), so the table alone opens nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    proof_hashes = models.JSONField("核对信息（散列）", default=list)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发放人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField("发放时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "激活码"
        verbose_name_plural = "激活码"
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.issued_at:%Y-%m-%d %H:%M}"
