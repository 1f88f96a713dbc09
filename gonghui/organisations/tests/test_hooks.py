"""What the organisations app announces: a union's closure reaches every subscriber inside
the closing transaction, and the workbench shows every app's to-dos in the viewer's scope."""

from datetime import date

import pytest
from django.urls import reverse

from gonghui.accounts.scopes import scope_for
from gonghui.core.errors import Conflict
from gonghui.members.models import ImportJob, ImportStatus, MembershipStatus
from gonghui.members.services import transfer_start
from gonghui.organisations import hooks, services
from gonghui.organisations.models import Organisation, OrganisationStatus


@pytest.fixture
def subscriber():
    heard: list[hooks.UnionClosure] = []
    hooks.closure_hooks.register(hooks.ClosureHook("test.listener", heard.append, order=50))
    yield heard
    hooks.closure_hooks.unregister("test.listener")


def test_a_merge_reaches_every_subscriber_with_the_union_the_kind_and_the_target(fed, subscriber):
    services.organisation_change_status(
        scope=scope_for(fed.town_a_staff),
        organisation=fed.union_a1,
        status=OrganisationStatus.MERGED,
        on=date(2024, 6, 1),
        merged_into=fed.union_a2,
    )
    [closure] = subscriber
    assert (closure.union, closure.kind, closure.target) == (fed.union_a1, "merged", fed.union_a2)
    # the members app's own subscription moved the member, as before
    assert fed.union_a2.memberships.filter(person=fed.member_a1.person, status=MembershipStatus.ACTIVE).exists()


def test_a_subscriber_that_refuses_rolls_the_whole_closure_back(fed):
    def refuse(closure: hooks.UnionClosure) -> None:
        raise Conflict("该工会还有未结案的互助申请")

    hooks.closure_hooks.register(hooks.ClosureHook("test.refuser", refuse, order=50))
    try:
        with pytest.raises(Conflict):
            services.organisation_change_status(
                scope=scope_for(fed.town_a_staff),
                organisation=fed.union_a1,
                status=OrganisationStatus.DISSOLVED,
                on=date(2024, 6, 1),
            )
    finally:
        hooks.closure_hooks.unregister("test.refuser")
    assert Organisation.objects.get(pk=fed.union_a1.pk).status == OrganisationStatus.ACTIVE
    fed.member_a1.refresh_from_db()
    assert fed.member_a1.status == MembershipStatus.ACTIVE


def _todos(client, user) -> dict[str, int]:
    client.force_login(user)
    response = client.get(reverse("organisations:todos"), HTTP_HX_REQUEST="true")
    return {todo.key: todo.count for todo in response.context["todos"]}


def test_the_workbench_counts_each_sides_transfers_and_failed_imports_in_scope(client, fed):
    transfer_start(
        scope=scope_for(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_b1, on=date(2025, 3, 1)
    )
    ImportJob.objects.create(union=fed.union_a1, filename="花名册.xlsx", status=ImportStatus.REJECTED, error_count=2)
    town_a = _todos(client, fed.town_a_staff)
    assert town_a["members.transfers_out"] == 0  # starting it was town A's confirmation
    assert town_a["members.transfers_in"] == 0
    assert town_a["members.imports_with_errors"] == 1
    assert town_a["enrolment.applications_waiting"] == 0
    town_b = _todos(client, fed.town_b_staff)
    assert (town_b["members.transfers_in"], town_b["members.imports_with_errors"]) == (1, 0)
    assert reverse("organisations:todos") in client.get(reverse("organisations:workbench")).content.decode()
    fragment = client.get(reverse("organisations:todos"), HTTP_HX_REQUEST="true").content.decode()
    assert "待确认的转入" in fragment and reverse("members:transfers") in fragment and "<html" not in fragment


def test_a_member_gets_no_to_dos(client, fed):
    client.force_login(fed.member_user)
    assert client.get(reverse("organisations:todos")).status_code == 403


def test_an_import_uploaded_again_is_no_longer_a_to_do(client, fed):
    ImportJob.objects.create(union=fed.union_a1, filename="花名册.xlsx", status=ImportStatus.REJECTED, error_count=2)
    ImportJob.objects.create(union=fed.union_a1, filename="花名册（改）.xlsx", status=ImportStatus.DONE)
    assert _todos(client, fed.town_a_staff)["members.imports_with_errors"] == 0
