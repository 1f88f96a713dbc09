"""A union closing (merge or dissolution) against writes into it: joins, roster imports and
transfers. Without a race on both databases; with real concurrency on PostgreSQL."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import pytest
from django.db import connections

from gonghui.core import workflow
from gonghui.core.errors import Conflict, ServiceError
from gonghui.members import importing, services
from gonghui.members.models import ImportJob, ImportStatus, Membership, MembershipStatus, Transfer, TransferStatus
from gonghui.members.tests.rosterfiles import HEADERS, csv_bytes, person_row
from gonghui.organisations import services as org_services
from gonghui.organisations.models import Organisation, OrganisationKind, OrganisationStatus, OrganisationStatusChange
from gonghui.testing import Federation, make_employer, make_member, new_id_number

CLOSED_ON = date(2025, 3, 1)


def dissolve(fed: Federation, union: Organisation) -> Organisation:
    return org_services.organisation_change_status(
        scope=fed.scope(fed.city_staff), organisation=union, status=OrganisationStatus.DISSOLVED, on=CLOSED_ON
    )


def test_a_transfer_into_a_union_dissolved_meanwhile_is_withdrawn_and_cannot_be_confirmed(fed):
    # Given a transfer from town B into union A2, waiting for A2 to accept
    transfer = services.transfer_start(
        scope=fed.scope(fed.town_b_staff), membership=fed.member_b1, to_union=fed.union_a2, on=date(2025, 2, 1)
    )
    # When A2 is dissolved and then A2's town confirms the transfer
    dissolve(fed, fed.union_a2)
    with pytest.raises(Conflict, match="该转接已撤回：硖石联合工会已撤销") as refused:
        services.transfer_confirm(scope=fed.scope(fed.town_a_staff), transfer=transfer)
    # Then the confirmation is refused, the transfer is withdrawn saying why, the member stays put
    assert refused.value.status_code == 409
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    last = workflow.decisions_of(transfer).last()
    assert last is not None
    assert (last.step, last.reason, last.decided_by) == ("cancel_union_closed", "硖石联合工会已撤销", fed.city_staff)
    current = fed.member_b1.person.memberships.get(status=MembershipStatus.ACTIVE)
    assert current.union == fed.union_b1


def test_a_pending_transfer_out_of_a_merged_union_is_withdrawn_with_the_reason(fed):
    transfer = services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_b1, on=date(2025, 2, 1)
    )
    org_services.organisation_change_status(
        scope=fed.scope(fed.town_a_staff),
        organisation=fed.union_a1,
        status=OrganisationStatus.MERGED,
        on=CLOSED_ON,
        merged_into=fed.union_a2,
        note="企业改制",
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    last = workflow.decisions_of(transfer).last()
    assert last is not None and last.reason == "海宁皮革城工会已合并（企业改制）"
    assert fed.member_a1.person.memberships.get(status=MembershipStatus.ACTIVE).union == fed.union_a2


def test_a_second_closing_is_refused(fed):
    stale = Organisation.objects.get(pk=fed.union_a2.pk)
    dissolve(fed, fed.union_a2)
    with pytest.raises(Conflict, match="该组织已不是正常状态") as again:
        org_services.organisation_change_status(
            scope=fed.scope(fed.city_staff),
            organisation=stale,  # read before the first closing: still says "active"
            status=OrganisationStatus.MERGED,
            on=CLOSED_ON,
            merged_into=fed.union_a1,
        )
    assert again.value.status_code == 409
    assert OrganisationStatusChange.objects.filter(organisation=fed.union_a2).count() == 1


def test_a_join_into_a_union_closed_since_it_was_read_is_refused(fed):
    stale = Organisation.objects.get(pk=fed.union_a2.pk)
    dissolve(fed, fed.union_a2)
    with pytest.raises(Conflict, match="不是正常状态的基层工会"):
        services.member_join(
            scope=fed.scope(fed.town_a_staff), union=stale, id_number=new_id_number(), name="周杰", joined_on=CLOSED_ON
        )
    assert not Membership.objects.filter(union=fed.union_a2, status=MembershipStatus.ACTIVE).exists()


def test_a_transfer_started_into_a_union_closed_since_it_was_read_is_refused(fed):
    stale = Organisation.objects.get(pk=fed.union_a2.pk)
    dissolve(fed, fed.union_a2)
    with pytest.raises(Conflict, match="不是正常状态的基层工会"):
        services.transfer_start(
            scope=fed.scope(fed.town_b_staff), membership=fed.member_b1, to_union=stale, on=CLOSED_ON
        )
    assert not Transfer.objects.exists()


def test_an_import_into_a_union_closed_after_the_check_imports_nothing(fed, monkeypatch):
    # The roster is checked while A2 is open; A2 is dissolved before the rows are saved.
    real_check = importing.roster_check

    def check_then_close(**kwargs):
        result = real_check(**kwargs)
        dissolve(fed, fed.union_a2)
        return result

    monkeypatch.setattr(importing, "roster_check", check_then_close)
    employer = make_employer(town=fed.town_a, union=fed.union_a2, name="硖石服装有限公司")
    job = importing.import_job_submit(
        scope=fed.scope(fed.town_a_staff),
        union=fed.union_a2,
        uploaded_file=io.BytesIO(csv_bytes([HEADERS, person_row(employer.name)])),
        filename="名册.csv",
        run_inline=True,
    )
    assert job.status == ImportStatus.REJECTED
    assert job.errors[0]["message"] == "硖石联合工会已撤销，未导入任何数据"
    assert not Membership.objects.filter(import_job=job).exists()


# --- under real concurrency (PostgreSQL) ----------------------------------------------------

ROUNDS = 20


def _in_thread(work: Callable[[], object], errors: list[BaseException], barrier: threading.Barrier) -> threading.Thread:
    def run() -> None:
        try:
            barrier.wait(timeout=30)
            work()
        except ServiceError:
            pass  # refused with the service's message: what a loser of the race should get
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def _new_union(fed: Federation, n: int) -> Organisation:
    fed.town_a.refresh_from_db()
    union = Organisation.objects.add_child(
        fed.town_a,
        instance=Organisation(code=f"HN-XF-R{n:02d}", name=f"硖石第{n}联合工会", kind=OrganisationKind.JOINT_UNION),
    )
    make_employer(town=fed.town_a, union=union, name=f"硖石第{n}纺织有限公司")
    return union


def _import_into(fed: Federation, union: Organisation, employer_name: str) -> None:
    rows = [person_row(employer_name, name=f"导入{i}") for i in range(5)]
    importing.import_job_submit(
        scope=fed.scope(fed.town_a_staff),
        union=union,
        uploaded_file=io.BytesIO(csv_bytes([HEADERS, *rows])),
        filename="名册.csv",
        run_inline=True,
    )


def _round(fed: Federation, n: int) -> tuple[Organisation, list[Callable[[], object]]]:
    """Union X with two transfers into it waiting for X's confirmation, and the writes to run
    at once: two closings of X, an import, the two confirmations and three joins."""
    union = _new_union(fed, n)
    movers = [make_member(union=fed.union_b1, name=f"转接{n}-{i}") for i in range(2)]
    sending = fed.scope(fed.town_b_staff)
    transfers = [services.transfer_start(scope=sending, membership=m, to_union=union, on=CLOSED_ON) for m in movers]
    town = fed.scope(fed.town_a_staff)
    stale = Organisation.objects.get(pk=union.pk)  # what each request read before the closing
    closing: dict[str, Any] = (
        {"status": OrganisationStatus.DISSOLVED} if n % 2 else {"status": OrganisationStatus.MERGED}
    )
    if n % 2 == 0:
        closing["merged_into"] = fed.union_a1
    close = partial(org_services.organisation_change_status, scope=town, organisation=stale, on=CLOSED_ON, **closing)
    work: list[Callable[[], object]] = [close, close, partial(_import_into, fed, stale, union.employers.get().name)]
    work += [partial(services.transfer_confirm, scope=town, transfer=t) for t in transfers]
    for i in range(3):
        name, number = f"入会{n}-{i}", new_id_number()
        work.append(
            partial(services.member_join, scope=town, union=stale, id_number=number, name=name, joined_on=CLOSED_ON)
        )
    return union, work


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_closing_a_union_while_writes_go_into_it_leaves_nothing_in_the_closed_union(fed):
    errors: list[BaseException] = []
    for n in range(ROUNDS):
        # Given union X and eight writes about it, two of them closings
        union, work = _round(fed, n)
        # When they all run at once
        barrier = threading.Barrier(len(work))
        threads = [_in_thread(w, errors, barrier) for w in work]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # Then X closed once, and nothing active or pending is left in it
        union.refresh_from_db()
        assert union.status != OrganisationStatus.ACTIVE
        assert OrganisationStatusChange.objects.filter(organisation=union).count() == 1
        assert not Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE).exists()
        assert not Transfer.objects.filter(to_union=union, status=TransferStatus.PENDING).exists()
    assert errors == []
    assert not ImportJob.objects.filter(status=ImportStatus.RUNNING).exists()
