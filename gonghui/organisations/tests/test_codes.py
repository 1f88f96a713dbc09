"""Organisation codes: typed any way a keyboard or a paste allows, stored and found in one
form, and never two that a reader would take for one another."""

import pytest
from django.db import IntegrityError, transaction

from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.organisations import selectors, services
from gonghui.organisations.identity import check_code, normalise_code
from gonghui.organisations.models import Organisation, OrganisationKind

RLO, ZWSP, BOM, LRI, PDI = "\u202e", "\u200b", "\ufeff", "\u2066", "\u2069"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＨＮ－ＸＳ－０００６", "HN-XS-0006"),  # a Chinese input method's fullwidth forms
        (f"HN-XS-{RLO}0006", "HN-XS-0006"),  # a right-to-left override pasted in
        (f"{BOM}HN{ZWSP}-XS-0006{LRI}{PDI}", "HN-XS-0006"),
        (" hn-xs-0006 ", "HN-XS-0006"),
        ("HN—XS–0006", "HN-XS-0006"),  # em and en dashes
    ],
)
def test_a_code_is_normalised(typed, stored):
    assert normalise_code(typed) == stored == check_code(typed)


@pytest.mark.parametrize("typed", ["", " ", "HN XS 0006", "HN_XS_0006", "海宁-0006", "HN--XS", "-HN", "H" * 33])
def test_a_code_that_is_not_hyphenated_letters_and_digits_is_refused(typed):
    with pytest.raises(ValidationFailed) as refused:
        check_code(typed)
    assert refused.value.field == "code"


def found(fed, code: str, **fields) -> Organisation:
    return services.organisation_create(
        scope=fed.scope(fed.city_staff),
        parent=fed.town_a,
        code=code,
        name=fields.pop("name", "硖石商圈联合工会"),
        kind=OrganisationKind.JOINT_UNION,
        **fields,
    )


def test_a_fullwidth_code_with_invisible_marks_is_stored_in_ascii(fed):
    union = found(fed, f"ＨＮ－ＸＦ－{RLO}０１０")
    union.refresh_from_db()
    assert union.code == "HN-XF-010"


def test_a_code_equal_to_an_existing_one_once_normalised_is_refused(fed):
    with pytest.raises(Conflict, match="HN-XF-001 已被使用"):
        found(fed, "ｈｎ－ｘｆ－００１")
    assert Organisation.objects.filter(name="硖石商圈联合工会").count() == 0


@pytest.mark.parametrize(("existing", "look_alike"), [("HN-XF-0006", "HN-XF-OOO6"), ("HN-XF-OI", "HN-XF-01")])
def test_a_code_reading_the_same_as_an_existing_one_is_refused(fed, existing, look_alike):
    found(fed, existing, name="硖石一号联合工会")
    with pytest.raises(Conflict) as refused:
        found(fed, look_alike)
    assert refused.value.field == "code" and existing in refused.value.message
    assert not Organisation.objects.filter(code=look_alike).exists()


def test_codes_that_differ_in_other_letters_are_not_look_alikes(fed):
    found(fed, "HN-XF-0006", name="硖石一号联合工会")
    assert found(fed, "HN-XF-0008").code == "HN-XF-0008"


def test_the_database_refuses_a_look_alike_whatever_path_writes_it(fed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.add_child(
            fed.town_a,
            instance=Organisation(code="HN-XF-OOI", name="绕过服务的工会", kind=OrganisationKind.JOINT_UNION),
        )


def test_any_save_stores_the_normalised_code(fed):
    union = Organisation.objects.add_child(
        fed.town_a,
        instance=Organisation(code="ｈｎ－ｘｆ－０９９", name="直接保存的工会", kind=OrganisationKind.JOINT_UNION),
    )
    assert Organisation.objects.get(pk=union.pk).code == "HN-XF-099"


@pytest.mark.parametrize("typed", ["ＨＮ－ＸＦ－００１", f"HN-XF-{RLO}001", "hn-xf-001", f"{ZWSP}HN-XF-001 "])
def test_a_lookup_by_code_uses_the_normalised_form(fed, typed):
    assert selectors.organisation_get(scope=fed.scope(fed.town_a_staff), code=typed) == fed.union_a1
    assert list(selectors.organisation_list(scope=fed.scope(fed.town_a_staff), query=typed)) == [fed.union_a1]
    assert list(selectors.union_directory(query=typed)) == [fed.union_a1]


def test_a_look_alike_code_is_not_found_as_the_real_one(fed):
    with pytest.raises(NotFound):
        selectors.organisation_get(scope=fed.scope(fed.town_a_staff), code="HN-XF-OO1")


def organisations_at(migration: str):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("organisations", migration)])
    return executor.loader.project_state(("organisations", migration)).apps.get_model("organisations", "Organisation")


def add_old_row(model, path: str, code: str) -> None:
    model.objects.create(path=path, depth=1, numchild=0, code=code, name=f"旧组织{path}", kind="city_federation")


@pytest.fixture
def latest_migrations():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield
    MigrationExecutor(connection).migrate(leaves)


@pytest.mark.django_db(transaction=True)
def test_the_migration_normalises_stored_codes(latest_migrations):
    old = organisations_at("0002_encrypt_phones")
    add_old_row(old, "0001", "ｈｎ－ｘｆ")
    add_old_row(old, "0002", "TX")
    new = organisations_at("0003_organisation_code_normalised")
    assert sorted(new.objects.values_list("code", flat=True)) == ["HN-XF", "TX"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_on_stored_look_alikes_naming_them(latest_migrations):
    old = organisations_at("0002_encrypt_phones")
    add_old_row(old, "0001", "HN-0006")
    add_old_row(old, "0002", "HN-OOO6")
    with pytest.raises(RuntimeError, match="'HN-0006' and 'HN-OOO6' read the same"):
        organisations_at("0003_organisation_code_normalised")
    old.objects.filter(code="HN-OOO6").delete()
