"""Membership years: the first join date (入会时间, which sets 会龄) survives transfers and union
closures, while joined_on is the day the worker came into the present union (转入时间). Every
place that shows a member shows both; "new members" counts joins only."""

import importlib
import io
import json
from datetime import date

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.figures import Period, get_figure
from gonghui.members import services
from gonghui.members.exports import members_export_xlsx
from gonghui.members.importing import import_job_submit
from gonghui.members.models import Membership, MembershipStatus, full_years
from gonghui.members.personal_data import memberships_part
from gonghui.members.selectors import MemberFilter
from gonghui.organisations import services as org_services
from gonghui.testing import make_member, make_user, new_id_number

FIRST_JOIN = date(2003, 4, 1)
MOVED_ON = date(2024, 6, 3)


def joined_in_2003(fed) -> Membership:
    """陈静 joined 硖石联合工会 in 2003 and works at the 皮革城 union's employer since 2024."""
    membership = make_member(union=fed.union_a2, name="陈静", joined_on=FIRST_JOIN)
    transfer = services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=membership, to_union=fed.union_b1, on=MOVED_ON
    )
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer, on=MOVED_ON)
    return Membership.objects.get(person=membership.person, status=MembershipStatus.ACTIVE)


def test_a_transfer_keeps_the_first_join_and_dates_the_move_as_the_transfer_in(fed):
    current = joined_in_2003(fed)
    assert (current.union, current.first_joined_on, current.joined_on) == (fed.union_b1, FIRST_JOIN, MOVED_ON)
    assert current.transferred_in
    earlier = Membership.objects.get(person=current.person, status=MembershipStatus.TRANSFERRED)
    assert (earlier.first_joined_on, earlier.joined_on, earlier.ended_on) == (FIRST_JOIN, FIRST_JOIN, MOVED_ON)


def test_membership_years_count_from_the_first_join_not_the_transfer(fed):
    current = joined_in_2003(fed)
    assert current.years == full_years(FIRST_JOIN, date.today())
    assert current.years >= 21
    assert full_years(date(2003, 4, 1), date(2024, 3, 31)) == 20
    assert full_years(date(2003, 4, 1), date(2024, 4, 1)) == 21


def test_a_transfer_is_not_a_new_member_in_the_receiving_union(fed):
    joined_in_2003(fed)
    year = Period(date(2024, 1, 1), date(2024, 12, 31))
    new_members = get_figure("members.new_members")
    assert new_members.compute(fed.town_b.path, year) == 0
    assert new_members.compute(fed.city.path, year) == 0
    # Counted as a member where they are at the year's end, with their first join date.
    (row,) = [m for m in get_figure("members.members").records(fed.town_b.path, year) if m.person.name == "陈静"]
    assert (row.first_joined_on, row.joined_on) == (FIRST_JOIN, MOVED_ON)


def test_a_merger_carries_the_first_join_into_the_union_merged_into(fed):
    membership = make_member(union=fed.union_a2, name="陈静", joined_on=FIRST_JOIN)
    org_services.organisation_change_status(
        scope=fed.scope(fed.town_a_staff),
        organisation=fed.union_a2,
        status="merged",
        on=date(2024, 3, 1),
        merged_into=fed.union_a1,
    )
    moved = Membership.objects.get(person=membership.person, status=MembershipStatus.ACTIVE)
    assert (moved.union, moved.first_joined_on, moved.joined_on) == (fed.union_a1, FIRST_JOIN, date(2024, 3, 1))


def test_rejoining_after_leaving_starts_a_new_first_join(fed):
    scope = fed.scope(fed.town_a_staff)
    membership = make_member(union=fed.union_a2, name="陈静", joined_on=FIRST_JOIN)
    services.membership_leave(scope=scope, membership=membership, on=date(2020, 1, 10), reason="离职")
    again = services.member_join(
        scope=scope,
        union=fed.union_a1,
        id_number=membership.person.id_number,
        name="陈静",
        joined_on=date(2023, 9, 1),
    )
    assert (again.first_joined_on, again.joined_on, again.transferred_in) == (date(2023, 9, 1), date(2023, 9, 1), False)


def test_the_detail_page_shows_the_first_join_with_the_transfer_in_beside_it(client, fed):
    current = joined_in_2003(fed)
    client.force_login(fed.town_b_staff)
    page = client.get(reverse("members:detail", args=[current.person_id])).content.decode()
    assert "2003-04-01" in page and "转入时间" in page and "2024-06-03" in page and "会龄" in page


def test_a_member_joined_without_transfers_shows_no_transfer_in_date(client, fed):
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("members:detail", args=[fed.member_a1.person_id])).content.decode()
    assert "入会时间" in page and "2022-03-01" in page and "转入时间" not in page


def test_the_member_card_shows_the_first_join_and_the_day_of_the_transfer(client, fed):
    current = joined_in_2003(fed)
    user = make_user("chen_jing", role="member", person=current.person)
    client.force_login(user)
    page = client.get(reverse("members:my_membership")).content.decode()
    card = page[page.index("member-card") : page.index("</section>")]
    assert "2003-04-01" in card and "2024-06-03 转入本会" in card
    assert "会龄" in page


def test_the_member_list_shows_the_first_join_and_the_transfer_in(client, fed):
    joined_in_2003(fed)
    client.force_login(fed.town_b_staff)
    page = client.get(reverse("members:list"), {"q": "陈"}).content.decode()
    assert "2003-04-01" in page and "2024-06-03 转入" in page


def test_the_export_has_the_first_join_and_only_a_moved_members_transfer_in(fed):
    joined_in_2003(fed)
    content = members_export_xlsx(scope=fed.scope(fed.city_staff), filters=MemberFilter())
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    moved, stayed = by_name["陈静"], by_name["张伟"]
    assert (str(moved["入会时间"])[:10], str(moved["转入时间"])[:10]) == ("2003-04-01", "2024-06-03")
    assert str(stayed["入会时间"])[:10] == "2022-03-01" and stayed["转入时间"] is None


def test_the_api_gives_the_first_join_the_transfer_in_and_the_years(client, fed):
    current = joined_in_2003(fed)
    client.force_login(fed.town_b_staff)
    detail = json.loads(client.get(f"/api/v1/members/{current.person_id}").content)
    (stretch,) = detail["memberships"]  # town B sees only its own stretch
    assert (stretch["first_joined_on"], stretch["joined_on"]) == ("2003-04-01", "2024-06-03")
    assert stretch["years"] == current.years
    listed = json.loads(client.get("/api/v1/members", {"q": "陈"}).content)["items"]
    assert [(m["first_joined_on"], m["joined_on"]) for m in listed] == [("2003-04-01", "2024-06-03")]


def test_the_personal_data_download_has_both_dates_for_each_stretch(fed):
    current = joined_in_2003(fed)
    stretches = memberships_part(current.person)
    assert [(s["first_joined_on"], s["joined_on"]) for s in stretches] == [
        ("2003-04-01", "2003-04-01"),
        ("2003-04-01", "2024-06-03"),
    ]


def test_the_data_migration_follows_each_chain_of_transfers(fed):
    """Rows as they were before the field: every first join equal to the stretch's start."""
    current = joined_in_2003(fed)
    again = make_member(union=fed.union_a1, name="赵磊", joined_on=date(2010, 5, 1))
    services.membership_leave(scope=fed.scope(fed.town_a_staff), membership=again, on=date(2015, 1, 1), reason="离职")
    back = services.member_join(
        scope=fed.scope(fed.town_a_staff),
        union=fed.union_a2,
        id_number=again.person.id_number,
        name="赵磊",
        joined_on=date(2019, 2, 1),
    )
    Membership.objects.update(first_joined_on=date(1999, 1, 1))  # wrong everywhere
    migration = importlib.import_module("gonghui.members.migrations.0007_membership_first_joined_on")
    migration.fill_first_joins(apps, None)
    assert Membership.objects.get(pk=current.pk).first_joined_on == FIRST_JOIN
    assert Membership.objects.get(pk=back.pk).first_joined_on == date(2019, 2, 1)  # a rejoin starts anew
    assert Membership.objects.get(pk=fed.member_a1.pk).first_joined_on == date(2022, 3, 1)
    history = Membership.history.filter(id=current.pk)
    assert {h.first_joined_on for h in history} == {FIRST_JOIN}


def test_a_first_join_after_the_stretch_began_is_refused_by_the_database(fed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=fed.member_a1.pk).update(first_joined_on=date(2023, 1, 1))


def test_an_import_starts_the_membership_years_on_the_roster_date(fed):
    number = new_id_number()
    csv = f"姓名,身份证号,手机号码,工作单位,入会时间\n周敏,{number},,{fed.employer_a1.name},2011-07-01\n"
    job = import_job_submit(
        scope=fed.scope(fed.union_a1_officer),
        union=fed.union_a1,
        uploaded_file=io.BytesIO(csv.encode("utf-8-sig")),
        filename="roster.csv",
        run_inline=True,
    )
    assert job.status == "done", job.errors
    imported = Membership.objects.get(person__name="周敏")
    assert (imported.first_joined_on, imported.joined_on) == (date(2011, 7, 1), date(2011, 7, 1))
