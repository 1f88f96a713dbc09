"""manage.py issue_api_token refuses what would make a useless or nameless token, saying why."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gonghui.accounts.models import ApiToken
from gonghui.accounts.services import account_disable


def issue(*args: str) -> None:
    call_command("issue_api_token", *args, stdout=StringIO(), stderr=StringIO())


def test_a_disabled_user_gets_no_token(fed):
    account_disable(actor=None, user=fed.town_a_staff)
    with pytest.raises(CommandError, match="已停用"):
        issue(fed.town_a_staff.username, "--name", "人社同步")
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_purpose(fed):
    with pytest.raises(CommandError, match="令牌用途"):
        issue(fed.town_a_staff.username, "--name", "  ")
    assert not ApiToken.objects.exists()
