"""Subtree reads select by a range of paths (selectors.subtree_q): the same rows as a prefix
match, including where a step ends in the alphabet's last letter and the range must carry."""

import pytest

from gonghui.core.errors import NotFound
from gonghui.organisations import selectors
from gonghui.organisations.models import Organisation, OrganisationKind
from gonghui.testing import make_employer, make_member


def add_unions(parent: Organisation, n: int) -> list[Organisation]:
    unions = []
    for i in range(n):
        parent.refresh_from_db()
        unions.append(
            Organisation.objects.add_child(
                parent,
                instance=Organisation(
                    code=f"{parent.code}-T{i:03d}",
                    name=f"{parent.name}{i}号工会",
                    kind=OrganisationKind.ENTERPRISE_UNION,
                ),
            )
        )
    return unions


def test_a_town_lists_its_own_subtree_in_tree_order(fed):
    rows = selectors.organisation_list(scope=fed.scope(fed.town_a_staff))
    assert list(rows) == [fed.town_a, fed.union_a1, fed.union_a2]
    assert list(rows[:2]) == [fed.town_a, fed.union_a1]
    kind = selectors.organisation_list(scope=fed.scope(fed.town_a_staff), kind=OrganisationKind.JOINT_UNION)
    assert list(kind) == [fed.union_a2]


def test_a_subtree_ending_in_the_last_letter_keeps_its_children_and_not_its_next_sibling(fed):
    unions = add_unions(fed.town_b, 40)
    last_letter = next(u for u in unions if u.path.endswith(Organisation.alphabet[-1]))
    after = unions[unions.index(last_letter) + 1]
    child = add_unions(last_letter, 1)[0]
    make_member(union=child, name="王芳", employer=make_employer(town=fed.town_b, union=child, name="许村经编厂"))
    make_member(union=after, name="陈静", employer=make_employer(town=fed.town_b, union=after, name="许村织造厂"))
    last_letter.refresh_from_db()
    scope = fed.scope(fed.town_b_staff)

    subtree = selectors.organisation_subtree(scope=scope, organisation=last_letter)
    totals = selectors.organisation_totals(scope=scope, organisation=last_letter)

    assert list(subtree) == [last_letter, child]
    assert totals == {"unions": 2, "employers": 1, "members": 1}
    counts = dict((org.pk, n) for org, n in selectors.children_with_counts(scope=scope, parent=fed.town_b))
    assert counts[last_letter.pk] == totals
    assert counts[after.pk] == {"unions": 1, "employers": 1, "members": 1}


def test_the_counts_of_a_town_are_refused_to_another_town(fed):
    with pytest.raises(NotFound):
        selectors.organisation_totals(scope=fed.scope(fed.town_b_staff), organisation=fed.town_a)
    assert selectors.organisation_totals(scope=fed.scope(fed.town_a_staff), organisation=fed.town_a) == {
        "unions": 2,
        "employers": 1,
        "members": 1,
    }


def test_the_whole_city_counts_everything_and_a_second_root_keeps_its_own(fed):
    city_scope = fed.scope(fed.city_staff)
    assert selectors.organisation_totals(scope=city_scope, organisation=fed.city) == {
        "unions": 3,
        "employers": 2,
        "members": 2,
    }
    other = Organisation.objects.add_root(
        instance=Organisation(code="TX", name="桐乡市总工会", kind=OrganisationKind.CITY_FEDERATION)
    )
    union = add_unions(other, 1)[0]
    make_member(union=union, name="刘洋", employer=make_employer(town=other, union=union, name="桐乡化纤厂"))
    assert selectors.organisation_totals(scope=city_scope, organisation=fed.city) == {
        "unions": 3,
        "employers": 2,
        "members": 2,
    }


def test_a_towns_subtree_is_refused_to_another_town(fed):
    with pytest.raises(NotFound):
        selectors.organisation_subtree(scope=fed.scope(fed.town_b_staff), organisation=fed.town_a)
    subtree = selectors.organisation_subtree(scope=fed.scope(fed.town_a_staff), organisation=fed.town_a)
    assert list(subtree) == [fed.town_a, fed.union_a1, fed.union_a2]
