"""The one registry helper, and the navigation every app adds to through it."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from gonghui.core import navigation
from gonghui.core.registry import Registry


@dataclass(frozen=True)
class Entry:
    key: str
    order: int = 100


def test_entries_come_back_by_order_then_key():
    registry: Registry[Entry] = Registry("test entries")
    registry.register_all([Entry("mutual_aid", 30), Entry("contests", 10), Entry("assistance", 30)])
    assert [e.key for e in registry.all()] == ["contests", "assistance", "mutual_aid"]
    assert "contests" in registry and len(registry) == 3


def test_a_key_taken_twice_is_refused_and_unregister_frees_it():
    registry: Registry[Entry] = Registry("test entries")
    first = registry.register(Entry("mutual_aid"))
    registry.register(first)  # the same entry again (a module imported twice) is harmless
    with pytest.raises(ValueError, match="mutual_aid registered twice"):
        registry.register(Entry("mutual_aid", order=5))
    registry.unregister("mutual_aid")
    registry.register(Entry("mutual_aid", order=5))
    assert registry.get("mutual_aid").order == 5


def _nav(page: str) -> list[str]:
    start = page.index('<ul class="site-nav">')
    return page[start : page.index("</ul>", start)].split("<li>")[1:]


def test_staff_see_the_staff_entries_in_order_with_the_current_page_marked(client, fed):
    client.force_login(fed.town_a_staff)
    nav = _nav(client.get(reverse("members:transfers")).content.decode())
    labels = [item.split(">", 1)[1].split("<", 1)[0] for item in nav]
    assert labels == [
        "工作台",
        "会员",
        "转接",
        "花名册导入",
        "入会申请",
        "我的任务",
        "报表",
        "互助参保",
        "医保结算",
        "互助补助申请",
        "账号管理",
    ]
    current = [item for item in nav if 'aria-current="page"' in item]
    assert len(current) == 1 and reverse("members:transfers") in current[0]
    assert "我的会籍" not in "".join(nav)


def test_a_member_sees_only_their_own_entries(client, fed):
    client.force_login(fed.member_user)
    nav = _nav(client.get(reverse("members:my_membership")).content.decode())
    assert reverse("members:my_membership") in nav[0] and 'aria-current="page"' in nav[0]
    assert [item for item in nav if 'aria-current="page"' in item] == [nav[0]]
    mutual_aid = "".join(nav[1:])  # the member's cover and claims (mutual aid)
    assert reverse("mutual_aid:my_cover") in mutual_aid and reverse("mutual_aid:my_claims") in mutual_aid


def test_an_entry_needing_a_permission_shows_only_to_its_holders(client, fed):
    entry = navigation.NavEntry(
        "test.audit", "审计日志", "audit_log", order=99, permission="core.view_auditentry", current=navigation.never
    )
    navigation.registry.register(entry)
    try:
        client.force_login(fed.town_a_staff)
        assert reverse("audit_log") not in "".join(_nav(client.get(reverse("members:list")).content.decode()))
        fed.city_staff.user_permissions.add(*_perm("core", "view_auditentry"))
        client.force_login(fed.city_staff)
        assert reverse("audit_log") in "".join(_nav(client.get(reverse("members:list")).content.decode()))
    finally:
        navigation.registry.unregister("test.audit")


def _perm(app_label: str, codename: str) -> list:
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
