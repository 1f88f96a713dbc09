from datetime import date

import pytest

from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.members.models import MembershipStatus
from gonghui.organisations import selectors, services
from gonghui.organisations.identity import make_uscc
from gonghui.organisations.models import Organisation, OrganisationKind, OrganisationStatus
from gonghui.testing import make_member


def test_town_creates_a_union_under_itself_but_not_elsewhere(fed):
    scope = fed.scope(fed.town_a_staff)
    union = services.organisation_create(
        scope=scope,
        parent=fed.town_a,
        code="HN-XF-003",
        name="新建联合工会",
        kind=OrganisationKind.JOINT_UNION,
        founded_on=date(2024, 1, 5),
    )
    assert Organisation.objects.get_parent(union) == fed.town_a
    assert union.status_changes.get().note == "成立"
    with pytest.raises(Forbidden):
        services.organisation_create(
            scope=scope, parent=fed.town_b, code="X", name="X", kind=OrganisationKind.JOINT_UNION
        )


def test_a_town_cannot_hold_a_town(fed):
    with pytest.raises(ValidationFailed):
        services.organisation_create(
            scope=fed.scope(fed.city_staff),
            parent=fed.town_a,
            code="X",
            name="X",
            kind=OrganisationKind.TOWN_FEDERATION,
        )


def test_merge_moves_members_and_employers_and_keeps_the_history(fed):
    services.organisation_change_status(
        scope=fed.scope(fed.town_a_staff),
        organisation=fed.union_a1,
        status=OrganisationStatus.MERGED,
        on=date(2025, 3, 1),
        merged_into=fed.union_a2,
    )
    fed.member_a1.refresh_from_db()
    assert (fed.member_a1.status, fed.member_a1.ended_on) == (MembershipStatus.TRANSFERRED, date(2025, 3, 1))
    person = fed.member_a1.person
    assert person.memberships.get(status=MembershipStatus.ACTIVE).union == fed.union_a2
    fed.employer_a1.refresh_from_db()
    assert fed.employer_a1.union == fed.union_a2
    change = fed.union_a1.status_changes.get()
    assert (change.status, change.on, change.merged_into) == (OrganisationStatus.MERGED, date(2025, 3, 1), fed.union_a2)


def test_dissolved_union_members_move_one_level_up(fed):
    services.organisation_change_status(
        scope=fed.scope(fed.city_staff),
        organisation=fed.union_b1,
        status=OrganisationStatus.DISSOLVED,
        on=date(2025, 3, 1),
    )
    assert fed.member_b1.person.memberships.get(status=MembershipStatus.ACTIVE).union == fed.town_b


def test_employer_credit_code_is_checked(fed):
    scope = fed.scope(fed.town_a_staff)
    good = make_uscc(region="330481", serial=999)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed, match="校验位"):
        services.employer_create(scope=scope, name="某公司", uscc=bad, town=fed.town_a, union=fed.union_a1)
    services.employer_create(scope=scope, name="某公司", uscc=good, town=fed.town_a, union=fed.union_a1)
    with pytest.raises(Conflict):
        services.employer_create(scope=scope, name="某公司", uscc=good, town=fed.town_a, union=fed.union_a1)


def test_subtree_counts_for_each_town(fed):
    make_member(union=fed.union_a2, name="王强")
    rows = dict(
        (org.code, counts)
        for org, counts in selectors.children_with_counts(scope=fed.scope(fed.city_staff), parent=fed.city)
    )
    assert rows["HN-XF"] == {"unions": 2, "employers": 1, "members": 2}
    assert rows["HN-XC"] == {"unions": 1, "employers": 1, "members": 1}


def test_other_town_cannot_read_the_tree_below_a_town(fed):
    from gonghui.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.children_with_counts(scope=fed.scope(fed.town_b_staff), parent=fed.town_a)
    assert fed.union_a1 not in selectors.organisation_list(scope=fed.scope(fed.town_b_staff))


def test_a_town_cannot_merge_a_union_into_another_towns_union(fed):
    with pytest.raises(Forbidden):
        services.organisation_change_status(
            scope=fed.scope(fed.town_a_staff),
            organisation=fed.union_a1,
            status=OrganisationStatus.MERGED,
            on=date(2025, 3, 1),
            merged_into=fed.union_b1,
        )
    fed.union_a1.refresh_from_db()
    assert fed.union_a1.status == OrganisationStatus.ACTIVE
    assert fed.member_a1.person.memberships.get(status=MembershipStatus.ACTIVE).union == fed.union_a1


def test_an_organisation_with_active_ones_below_cannot_close_until_they_do(fed):
    scope = fed.scope(fed.city_staff)
    with pytest.raises(Conflict, match="请先处理其下属组织"):
        services.organisation_change_status(
            scope=scope, organisation=fed.town_b, status=OrganisationStatus.DISSOLVED, on=date(2025, 3, 1)
        )
    below = Organisation.objects.filter(path__startswith=fed.town_b.path, depth__gt=fed.town_b.depth)
    for org in below.order_by("-depth"):
        services.organisation_change_status(
            scope=scope, organisation=org, status=OrganisationStatus.DISSOLVED, on=date(2025, 3, 1)
        )
    fed.town_b.refresh_from_db()
    services.organisation_change_status(
        scope=scope, organisation=fed.town_b, status=OrganisationStatus.DISSOLVED, on=date(2025, 3, 2)
    )
    assert Organisation.objects.get(pk=fed.town_b.pk).status == OrganisationStatus.DISSOLVED
