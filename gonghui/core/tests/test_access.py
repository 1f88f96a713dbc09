"""A staff scope always has its subtree and a member scope always its person: each kind
carries only what it can use, and code that needs staff narrows to the StaffScope."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from gonghui.core.access import MemberScope, Role, StaffScope, signed_in_user
from gonghui.core.errors import Forbidden


def test_a_staff_scope_is_only_for_a_staff_role(fed):
    with pytest.raises(ValueError, match="not a staff role"):
        StaffScope(user=fed.member_user, role=Role.MEMBER, organisation_id=fed.town_a.pk, organisation_path="0001")


def test_an_officers_scope_is_a_staff_scope_with_their_subtree(fed):
    scope = fed.scope(fed.town_a_staff)
    assert isinstance(scope, StaffScope)
    assert (scope.role, scope.organisation_id, scope.organisation_path) == (Role.TOWN, fed.town_a.pk, fed.town_a.path)
    assert scope.require_staff() is scope
    assert scope.covers_path(fed.union_a1.path) and not scope.covers_path(fed.union_b1.path)


def test_a_members_scope_has_their_person_and_no_subtree(fed):
    scope = fed.scope(fed.member_user)
    assert isinstance(scope, MemberScope)
    assert (scope.role, scope.person_id, scope.is_staff) == (Role.MEMBER, fed.member_a1.person_id, False)
    assert not hasattr(scope, "organisation_path")
    assert not scope.covers_path(fed.union_a1.path)
    with pytest.raises(Forbidden, match="仅限工会工作人员操作"):
        scope.require_staff()


def test_signed_in_user_refuses_an_anonymous_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(Forbidden, match="请先登录"):
        signed_in_user(request)


def test_signed_in_user_is_the_requests_user(fed):
    request = RequestFactory().get("/")
    request.user = fed.town_a_staff
    assert signed_in_user(request) == fed.town_a_staff
