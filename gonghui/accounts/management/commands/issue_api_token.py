"""manage.py issue_api_token USERNAME --name NAME: a bearer key for an API client.

Only the key's hash is stored, so the key is printed this once, alone on stdout (scripts can
capture it); the notice goes to stderr."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.models import ApiToken


class Command(BaseCommand):
    help = "为 API 客户端签发令牌（令牌只显示这一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="令牌用途，例如“人社数据同步”")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        if not user.is_active:
            raise CommandError(f"用户 {username} 已停用")
        if not name.strip():
            raise CommandError("请用 --name 写明令牌用途")
        _, key = ApiToken.issue(user=user, name=name.strip())
        self.stderr.write(f"已为 {username} 签发令牌“{name.strip()}”，请妥善保存，它不会再显示：")
        self.stdout.write(key)
