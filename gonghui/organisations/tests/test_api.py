"""Organisations and employers through /api/v1/: what each persona gets, and what is refused."""

import json
from datetime import date

import pytest

from gonghui.members.models import MembershipStatus
from gonghui.organisations import services
from gonghui.organisations.identity import make_uscc
from gonghui.organisations.models import Employer, Organisation, OrganisationStatus
from gonghui.testing import make_member

ORGS = "/api/v1/organisations"
EMPLOYERS = "/api/v1/employers"


def body(response) -> dict:
    return json.loads(response.content)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in body(response)["items"]]


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def send(client, method: str, url: str, payload: dict):
    return getattr(client, method)(url, payload, content_type="application/json")


# --- lists and details ---------------------------------------------------------------------


def test_town_staff_list_only_their_own_subtree(fed, as_user):
    response = as_user(fed.town_a_staff).get(ORGS)
    assert names(response) == ["硖石街道总工会", "海宁皮革城工会", "硖石联合工会"]
    assert body(response)["count"] == 3 and body(response)["count_capped"] is False


def test_the_list_filters_by_kind_and_text(fed, as_user):
    client = as_user(fed.city_staff)
    assert names(client.get(ORGS, {"kind": "town_federation"})) == ["硖石街道总工会", "许村镇总工会"]
    assert names(client.get(ORGS, {"q": "家纺"})) == ["许村家纺工会"]
    assert names(client.get(ORGS, {"q": "HN-XF-002"})) == ["硖石联合工会"]


def test_detail_shows_officers_and_status_history(fed, as_user):
    client = as_user(fed.town_a_staff)
    services.officer_appoint(
        scope=fed.scope(fed.town_a_staff),
        organisation=fed.union_a2,
        role="chair",
        name="陈敏",
        started_on=date(2021, 5, 1),
    )
    send(client, "post", f"{ORGS}/{fed.union_a2.pk}/status", {"status": "dissolved", "on": "2025-01-10"})
    response = client.get(f"{ORGS}/{fed.union_a2.pk}")
    assert response.status_code == 200
    detail = body(response)
    assert [(o["role_label"], o["name"]) for o in detail["officers"]] == [("主席", "陈敏")]
    assert detail["parent"]["name"] == "硖石街道总工会"
    assert detail["organisation"]["status"] == "dissolved"
    assert detail["organisation"]["status_label"] == "已撤销"
    assert [(c["status"], c["on"]) for c in detail["status_changes"]] == [("dissolved", "2025-01-10")]


def test_another_towns_organisation_is_not_found(fed, as_user):
    client = as_user(fed.town_a_staff)
    for url in (
        f"{ORGS}/{fed.union_b1.pk}",
        f"{ORGS}/{fed.town_b.pk}/subtree",
        f"{ORGS}/{fed.town_b.pk}/stats",
        f"{ORGS}/tree?parent={fed.town_b.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert body(response)["code"] == "not_found"


def test_the_tree_shows_children_with_subtree_counts(fed, as_user):
    response = as_user(fed.city_staff).get(f"{ORGS}/tree")
    tree = body(response)
    assert tree["parent"]["name"] == "海宁市总工会"
    counts = {node["organisation"]["name"]: node["counts"] for node in tree["children"]}
    assert counts == {
        "硖石街道总工会": {"unions": 2, "employers": 1, "members": 1},
        "许村镇总工会": {"unions": 1, "employers": 1, "members": 1},
    }
    assert all(node["has_children"] for node in tree["children"])


def test_the_tree_starts_at_the_askers_own_organisation(fed, as_user):
    tree = body(as_user(fed.town_a_staff).get(f"{ORGS}/tree"))
    assert tree["parent"]["name"] == "硖石街道总工会"
    assert [n["organisation"]["name"] for n in tree["children"]] == ["海宁皮革城工会", "硖石联合工会"]


def test_the_tree_takes_the_same_few_queries_whatever_its_size(fed, as_user, django_assert_max_num_queries):
    for serial in range(10):
        Organisation.objects.add_child(
            Organisation.objects.get(pk=fed.town_a.pk),
            instance=Organisation(code=f"HN-XF-9{serial:02d}", name=f"联合工会{serial}", kind="joint_union"),
        )
    client = as_user(fed.city_staff)
    client.get(f"{ORGS}/tree")  # warm the session
    with django_assert_max_num_queries(9):
        assert client.get(f"{ORGS}/tree").status_code == 200


def test_subtree_and_stats(fed, as_user):
    client = as_user(fed.city_staff)
    assert names(client.get(f"{ORGS}/{fed.town_a.pk}/subtree")) == ["硖石街道总工会", "海宁皮革城工会", "硖石联合工会"]
    assert names(client.get(f"{ORGS}/{fed.town_a.pk}/subtree", {"kind": "joint_union"})) == ["硖石联合工会"]
    stats = body(client.get(f"{ORGS}/{fed.town_a.pk}/stats"))
    assert stats == {
        "organisation": {"id": fed.town_a.pk, "code": "HN-XF", "name": "硖石街道总工会"},
        "unions": 2,
        "employers": 1,
        "members": 1,
    }


def test_a_member_is_refused_every_organisation_endpoint(fed, as_user):
    client = as_user(fed.member_user)
    for url in (ORGS, f"{ORGS}/tree", f"{ORGS}/{fed.union_a1.pk}", f"{ORGS}/{fed.union_a1.pk}/stats", EMPLOYERS):
        response = client.get(url)
        assert response.status_code == 403, url
        assert body(response)["detail"] == "仅限工会工作人员操作"
    new = {"parent_id": fed.town_a.pk, "code": "HN-XF-010", "name": "新工会", "kind": "joint_union"}
    assert send(client, "post", ORGS, new).status_code == 403


# --- organisation writes -------------------------------------------------------------------


def new_union(parent: Organisation, **fields) -> dict:
    return {"parent_id": parent.pk, "code": "HN-XF-010", "name": "硖石商圈工会", "kind": "district_union", **fields}


def test_town_staff_found_a_union_in_their_town(fed, as_user):
    response = send(as_user(fed.town_a_staff), "post", ORGS, new_union(fed.town_a, founded_on="2025-03-01"))
    assert response.status_code == 201, response.content
    created = Organisation.objects.get(code="HN-XF-010")
    assert Organisation.objects.get_parent(created).pk == fed.town_a.pk
    assert body(response)["kind_label"] == "楼宇商圈工会"
    assert created.status_changes.get().note == "成立"


def test_founding_under_another_town_is_403(fed, as_user):
    response = send(as_user(fed.town_a_staff), "post", ORGS, new_union(fed.town_b, code="HN-XC-010"))
    assert response.status_code == 403
    assert not Organisation.objects.filter(code="HN-XC-010").exists()


def test_founding_refusals_name_the_field(fed, as_user):
    client = as_user(fed.town_a_staff)
    duplicate = send(client, "post", ORGS, new_union(fed.town_a, code="HN-XF-001"))
    assert (duplicate.status_code, body(duplicate)["field"]) == (409, "code")
    wrong_kind = send(client, "post", ORGS, new_union(fed.town_a, kind="town_federation"))
    assert (wrong_kind.status_code, body(wrong_kind)["field"]) == (400, "kind")
    bad_code = send(client, "post", ORGS, new_union(fed.town_a, uscc="91330481000000000X"))
    assert (bad_code.status_code, body(bad_code)["field"]) == (400, "uscc")
    unknown_kind = send(client, "post", ORGS, new_union(fed.town_a, kind="club"))
    assert (unknown_kind.status_code, body(unknown_kind)["field"]) == (400, "kind")
    no_name = send(client, "post", ORGS, {"parent_id": fed.town_a.pk, "code": "X", "kind": "joint_union"})
    assert (no_name.status_code, body(no_name)["field"]) == (400, "name")
    future = send(client, "post", ORGS, new_union(fed.town_a, founded_on="2999-01-01"))
    assert (future.status_code, body(future)["field"]) == (400, "founded_on")


def test_a_founded_code_is_stored_normalised_and_a_look_alike_refused(fed, as_user):
    client = as_user(fed.town_a_staff)
    created = send(client, "post", ORGS, new_union(fed.town_a, code="ＨＮ－ＸＦ－\u202e００１０"))
    assert (created.status_code, body(created)["code"]) == (201, "HN-XF-0010")
    look_alike = send(client, "post", ORGS, new_union(fed.town_a, code="HN-XF-OO1O", name="另一个工会"))
    assert (look_alike.status_code, body(look_alike)["field"]) == (409, "code")
    assert "HN-XF-0010" in body(look_alike)["detail"]
    malformed = send(client, "post", ORGS, new_union(fed.town_a, code="HN XF 11", name="另一个工会"))
    assert (malformed.status_code, body(malformed)["field"]) == (400, "code")
    assert not Organisation.objects.filter(name="另一个工会").exists()


def test_update_changes_only_the_fields_sent(fed, as_user):
    client = as_user(fed.town_a_staff)
    response = send(client, "patch", f"{ORGS}/{fed.union_a1.pk}", {"contact_name": "陈敏", "contact_phone": "87221234"})
    assert response.status_code == 200
    union = Organisation.objects.get(pk=fed.union_a1.pk)
    assert (union.name, union.contact_name, union.contact_phone) == ("海宁皮革城工会", "陈敏", "87221234")


def test_update_refuses_null_for_a_text_field(fed, as_user):
    response = send(as_user(fed.town_a_staff), "patch", f"{ORGS}/{fed.union_a1.pk}", {"name": None})
    assert (response.status_code, body(response)["field"]) == (400, "name")


@pytest.mark.parametrize("field", ["name", "contact_name", "contact_phone", "address", "uscc"])
def test_organisation_text_with_a_control_character_is_refused_naming_the_field(fed, as_user, field):
    response = send(as_user(fed.town_a_staff), "patch", f"{ORGS}/{fed.union_a1.pk}", {field: "陈\x07敏"})
    assert response.status_code == 400
    assert (body(response)["field"], body(response)["detail"]) == (field, f"{field}：含有不可见的控制字符")
    union = Organisation.objects.get(pk=fed.union_a1.pk)
    assert (union.name, union.contact_name) == ("海宁皮革城工会", "")


def test_founding_a_union_with_a_control_character_in_its_name_is_refused(fed, as_user):
    response = send(as_user(fed.town_a_staff), "post", ORGS, new_union(fed.town_a, name="硖石\x1f商圈工会"))
    assert (response.status_code, body(response)["field"]) == (400, "name")
    assert not Organisation.objects.filter(code="HN-XF-010").exists()


def test_updating_another_towns_union_is_not_found(fed, as_user):
    response = send(as_user(fed.town_a_staff), "patch", f"{ORGS}/{fed.union_b1.pk}", {"name": "改名"})
    assert response.status_code == 404
    assert Organisation.objects.get(pk=fed.union_b1.pk).name == "许村家纺工会"


def test_a_union_officer_cannot_change_its_town(fed, as_user):
    response = send(as_user(fed.union_a1_officer), "patch", f"{ORGS}/{fed.town_a.pk}", {"name": "改名"})
    assert response.status_code == 404


def test_merging_moves_the_members(fed, as_user):
    client = as_user(fed.town_a_staff)
    payload = {"status": "merged", "on": "2025-02-01", "merged_into_id": fed.union_a2.pk, "note": "合并"}
    response = send(client, "post", f"{ORGS}/{fed.union_a1.pk}/status", payload)
    assert response.status_code == 200, response.content
    assert body(response)["status"] == "merged" and body(response)["merged_into_id"] == fed.union_a2.pk
    active = fed.member_a1.person.memberships.get(status=MembershipStatus.ACTIVE)
    assert active.union_id == fed.union_a2.pk


def test_status_change_refusals(fed, as_user):
    client = as_user(fed.town_a_staff)
    other = send(client, "post", f"{ORGS}/{fed.union_b1.pk}/status", {"status": "dissolved", "on": "2025-01-01"})
    assert other.status_code == 404
    bad = send(client, "post", f"{ORGS}/{fed.union_a2.pk}/status", {"status": "active", "on": "2025-01-01"})
    assert (bad.status_code, body(bad)["field"]) == (400, "status")
    no_target = send(client, "post", f"{ORGS}/{fed.union_a2.pk}/status", {"status": "merged", "on": "2025-01-01"})
    assert (no_target.status_code, body(no_target)["field"]) == (400, "merged_into")
    send(client, "post", f"{ORGS}/{fed.union_a2.pk}/status", {"status": "dissolved", "on": "2025-01-01"})
    again = send(client, "post", f"{ORGS}/{fed.union_a2.pk}/status", {"status": "dissolved", "on": "2025-01-02"})
    assert again.status_code == 409
    assert Organisation.objects.get(pk=fed.union_b1.pk).status == OrganisationStatus.ACTIVE


# --- employers -----------------------------------------------------------------------------


def test_employers_are_listed_within_the_scope(fed, as_user):
    assert names(as_user(fed.town_a_staff).get(EMPLOYERS)) == ["海宁中国皮革城股份有限公司"]
    client = as_user(fed.city_staff)
    assert names(client.get(EMPLOYERS, {"q": "家纺"})) == ["许村家纺有限公司"]
    assert names(client.get(EMPLOYERS, {"q": fed.employer_a1.uscc})) == ["海宁中国皮革城股份有限公司"]
    assert names(client.get(EMPLOYERS, {"union": fed.union_b1.pk})) == ["许村家纺有限公司"]


def test_another_towns_employer_is_not_found(fed, as_user):
    client = as_user(fed.town_a_staff)
    assert client.get(f"{EMPLOYERS}/{fed.employer_b1.pk}").status_code == 404
    assert client.get(EMPLOYERS, {"union": fed.union_b1.pk}).status_code == 404
    assert send(client, "patch", f"{EMPLOYERS}/{fed.employer_b1.pk}", {"name": "改名"}).status_code == 404


def test_employer_detail(fed, as_user):
    detail = body(as_user(fed.town_a_staff).get(f"{EMPLOYERS}/{fed.employer_a1.pk}"))
    assert detail["union"]["name"] == "海宁皮革城工会" and detail["town"]["name"] == "硖石街道总工会"
    assert detail["category_label"] == "私营"


def new_employer(town: Organisation, union: Organisation | None, **fields) -> dict:
    uscc = make_uscc(region="330481", serial=777_001)
    return {"name": "海宁经编有限公司", "uscc": uscc, "town_id": town.pk, "union_id": union and union.pk, **fields}


@pytest.mark.parametrize("field", ["name", "industry", "address"])
def test_employer_text_with_a_control_character_is_refused_naming_the_field(fed, as_user, field):
    client = as_user(fed.town_a_staff)
    response = send(client, "patch", f"{EMPLOYERS}/{fed.employer_a1.pk}", {field: "纺织\x1b"})
    assert (response.status_code, body(response)["field"]) == (400, field)
    created = send(client, "post", EMPLOYERS, new_employer(fed.town_a, fed.union_a2, **{field: "纺织\x1b"}))
    assert (created.status_code, body(created)["field"]) == (400, field)
    assert Employer.objects.get(pk=fed.employer_a1.pk).industry == ""
    assert not Employer.objects.filter(town=fed.town_a, union=fed.union_a2).exists()


def test_register_an_employer(fed, as_user):
    payload = new_employer(fed.town_a, fed.union_a2, industry="纺织", staff_count=40, category="159")
    response = send(as_user(fed.town_a_staff), "post", EMPLOYERS, payload)
    assert response.status_code == 201, response.content
    employer = Employer.objects.get(uscc=payload["uscc"])
    assert (employer.union_id, employer.staff_count, employer.category) == (fed.union_a2.pk, 40, "159")


def test_employer_registration_refusals(fed, as_user):
    client = as_user(fed.town_a_staff)
    elsewhere = send(client, "post", EMPLOYERS, new_employer(fed.town_b, None))
    assert elsewhere.status_code == 403
    other_union = send(client, "post", EMPLOYERS, new_employer(fed.town_a, fed.union_b1))
    assert other_union.status_code == 403
    taken = send(client, "post", EMPLOYERS, new_employer(fed.town_a, None, uscc=fed.employer_a1.uscc))
    assert (taken.status_code, body(taken)["field"]) == (409, "uscc")
    bad = send(client, "post", EMPLOYERS, new_employer(fed.town_a, None, uscc="913304810000000001"))
    assert (bad.status_code, body(bad)["field"]) == (400, "uscc")
    not_a_town = send(client, "post", EMPLOYERS, new_employer(fed.union_a1, None))
    assert (not_a_town.status_code, body(not_a_town)["field"]) == (400, "town")
    assert not Employer.objects.filter(name="海宁经编有限公司").exists()


def test_update_an_employer(fed, as_user):
    client = as_user(fed.town_a_staff)
    url = f"{EMPLOYERS}/{fed.employer_a1.pk}"
    response = send(client, "patch", url, {"staff_count": 1200, "union_id": fed.union_a2.pk})
    assert response.status_code == 200
    assert body(response)["union"]["id"] == fed.union_a2.pk
    moved_out = send(client, "patch", url, {"union_id": fed.union_b1.pk})
    assert moved_out.status_code == 403
    assert Employer.objects.get(pk=fed.employer_a1.pk).union_id == fed.union_a2.pk


def test_employer_list_is_one_query_after_sign_in(fed, as_user, django_assert_max_num_queries):
    for serial in range(20):
        Employer.objects.create(
            name=f"单位{serial}",
            uscc=make_uscc(region="330481", serial=800_000 + serial),
            town=fed.town_a,
            union=fed.union_a1,
        )
    make_member(union=fed.union_a1, name="周杰", joined_on=date(2023, 1, 1))
    client = as_user(fed.town_a_staff)
    client.get(EMPLOYERS)
    with django_assert_max_num_queries(6):
        assert len(names(client.get(EMPLOYERS, {"limit": 50}))) == 21


def test_detail_lists_current_officers_unless_ended_ones_are_asked_for(fed, as_user):
    from gonghui.organisations.models import Officer, OfficerRole

    Officer.objects.create(organisation=fed.union_a1, role=OfficerRole.CHAIR, name="陈敏", started_on=date(2021, 5, 1))
    Officer.objects.create(
        organisation=fed.union_a1,
        role=OfficerRole.CHAIR,
        name="徐建国",
        started_on=date(2016, 5, 1),
        ended_on=date(2021, 4, 30),
    )
    client = as_user(fed.town_a_staff)
    current = body(client.get(f"{ORGS}/{fed.union_a1.pk}"))["officers"]
    assert [(o["name"], o["ended_on"]) for o in current] == [("陈敏", None)]
    everyone = body(client.get(f"{ORGS}/{fed.union_a1.pk}", {"include_ended": "true"}))["officers"]
    assert [(o["name"], o["ended_on"]) for o in everyone] == [("陈敏", None), ("徐建国", "2021-04-30")]
