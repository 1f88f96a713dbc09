import hashlib
import secrets

from django.conf import settings
from django.db import models

from gonghui.core.access import Role
from gonghui.core.models import TimeStampedModel


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
