"""Sealed personal fields: what the database holds, what Python sees, how searches find
people, and how keys rotate."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from gonghui.core import crypto
from gonghui.core.crypto import DecryptionError, blind_index, decrypt, encrypt, generate_key, key_id
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.members import selectors, services
from gonghui.members.models import Person
from gonghui.testing import new_id_number

ROOT = Path(__file__).resolve().parents[3]
OLD_KEY, NEW_KEY, HASH_KEY, NEW_HASH_KEY = (generate_key() for _ in range(4))


@pytest.fixture
def old_keys(settings):
    settings.GONGHUI_FIELD_KEYS = [OLD_KEY]
    settings.GONGHUI_HASH_KEY = HASH_KEY
    return settings


def stored(table: str, column: str, pk_column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk_column} = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def stored_person(person: Person, column: str) -> str:
    return stored("members_person", column, "id", person.pk)


def found(fed, query: str) -> list[str]:
    filters = selectors.MemberFilter(query=query)
    return [m.person.name for m in selectors.member_search(scope=fed.scope(fed.city_staff), filters=filters)]


def test_a_value_comes_back_and_never_seals_the_same_way_twice(old_keys):
    first, second = encrypt("330481199001011234"), encrypt("330481199001011234")
    assert first != second
    assert first.startswith(key_id(crypto.decode_key(OLD_KEY)) + ":")
    assert decrypt(first) == decrypt(second) == "330481199001011234"


def test_a_token_under_an_unknown_key_does_not_open(old_keys):
    token = encrypt("13912345678")
    old_keys.GONGHUI_FIELD_KEYS = [NEW_KEY]
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_a_tampered_token_does_not_open(old_keys):
    token = encrypt("13912345678")
    body = token.split(":")[1]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(DecryptionError):
        decrypt(token.split(":")[0] + ":" + flipped)


def test_a_file_seals_whole_and_opens_only_for_its_purpose_under_a_configured_key(old_keys):
    roster = "姓名,身份证号\n王芳,330481199001011234\n".encode("gb18030")
    sealed = crypto.encrypt_bytes(roster, purpose=b"roster")
    assert roster not in sealed and sealed != crypto.encrypt_bytes(roster, purpose=b"roster")
    assert crypto.decrypt_bytes(sealed, purpose=b"roster") == roster
    old_keys.GONGHUI_FIELD_KEYS = [NEW_KEY, OLD_KEY]  # rotated: the old key still opens it
    assert crypto.decrypt_bytes(sealed, purpose=b"roster") == roster
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for token, purpose in ((sealed, b"other"), (tampered, b"roster"), (sealed[:15], b"roster"), (b"plain", b"roster")):
        with pytest.raises(DecryptionError):
            crypto.decrypt_bytes(token, purpose=purpose)
    old_keys.GONGHUI_FIELD_KEYS = [NEW_KEY]
    with pytest.raises(DecryptionError):
        crypto.decrypt_bytes(sealed, purpose=b"roster")


def test_the_hash_is_keyed_and_empty_stays_empty(old_keys):
    digest = blind_index("13912345678")
    assert len(digest) == crypto.HASH_LENGTH and digest == blind_index("13912345678")
    assert blind_index("") == ""
    old_keys.GONGHUI_HASH_KEY = NEW_HASH_KEY
    assert blind_index("13912345678") != digest


def test_the_database_holds_tokens_and_python_sees_plain_numbers(fed):
    person = fed.member_a1.person
    for column, plain in (("id_number", person.id_number), ("mobile", person.mobile)):
        token = stored_person(person, column)
        assert plain not in token and decrypt(token) == plain
    assert stored_person(person, "id_number_hash") == blind_index(person.id_number)
    assert Person.objects.get(pk=person.pk).id_number == person.id_number
    assert Person.objects.filter(pk=person.pk).values_list("mobile", flat=True).get() == person.mobile


def test_masks_apply_to_the_plain_value(fed):
    person = Person.objects.get(pk=fed.member_a1.person.pk)
    assert mask_id_number(person.id_number) == person.id_number[:6] + "********" + person.id_number[-4:]
    assert mask_mobile(person.mobile) == person.mobile[:3] + "****" + person.mobile[-4:]


def test_filtering_on_a_sealed_field_is_refused_not_silently_empty(fed):
    with pytest.raises(FieldError, match="blind_index"):
        Person.objects.filter(id_number=fed.member_a1.person.id_number).exists()
    with pytest.raises(FieldError, match="blind_index"):
        # Spelled as a dict so the type checker's Django plugin, which asks the field for the
        # lookup while checking, does not meet the refusal this test is about.
        Person.objects.filter(**{"mobile__startswith": "139"}).exists()


def test_search_by_identity_and_mobile_number_uses_the_hashes(fed):
    person = fed.member_b1.person
    assert found(fed, person.id_number.lower()) == ["李娜"]
    assert found(fed, f"+86 {person.mobile}") == ["李娜"]


def test_a_changed_mobile_is_found_by_its_new_number_only(fed):
    person = fed.member_a1.person
    old = person.mobile
    services.person_update(scope=fed.scope(fed.city_staff), person=person, mobile="13700001111")
    assert found(fed, "13700001111") == ["张伟"]
    assert found(fed, old) == []


def test_one_person_per_identity_number_is_held_by_the_hash(fed):
    person = fed.member_a1.person
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="重复", id_number=person.id_number, birth_date=date(1990, 1, 1), sex="M")


def test_joining_again_finds_the_stored_person_by_hash(fed):
    person = fed.member_a1.person
    membership = fed.member_a1
    services.membership_leave(
        scope=fed.scope(fed.city_staff), membership=membership, on=date(2024, 1, 1), reason="离职"
    )
    again = services.member_join(
        scope=fed.scope(fed.city_staff),
        union=fed.union_a2,
        id_number=person.id_number,
        name=person.name,
        joined_on=date(2024, 6, 1),
    )
    assert again.person_id == person.pk and Person.objects.count() == 2


def test_history_rows_hold_tokens(fed):
    history = fed.member_a1.person.history.first()
    token = stored("members_historicalperson", "id_number", "history_id", history.history_id)
    assert fed.member_a1.person.id_number not in token and decrypt(token) == fed.member_a1.person.id_number
    assert history.id_number == fed.member_a1.person.id_number


def test_rotation_reseals_every_row_under_the_newest_key(old_keys, fed):
    person = fed.member_a1.person
    history_id = person.history.first().history_id
    old_keys.GONGHUI_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_field_keys", batch_size=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
    newest = key_id(crypto.decode_key(NEW_KEY))
    assert crypto.token_key_id(stored_person(person, "id_number")) == newest
    assert crypto.token_key_id(stored("members_historicalperson", "mobile", "history_id", history_id)) == newest
    old_keys.GONGHUI_FIELD_KEYS = [NEW_KEY]  # the old key can now be dropped
    assert Person.objects.get(pk=person.pk).id_number == person.id_number
    assert crypto.rotate_field_keys()["members.Person"] == 0  # nothing left to do


def test_rehash_follows_a_new_hash_key(old_keys, fed):
    number = fed.member_b1.person.id_number
    old_keys.GONGHUI_HASH_KEY = NEW_HASH_KEY
    assert found(fed, number) == []
    call_command("rotate_field_keys", "--rehash", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert found(fed, number) == ["李娜"]


def settings_import(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "DJANGO_"))}
    production = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "gonghui.example",
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**base, **production, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_keys():
    refused = settings_import()
    assert refused.returncode != 0 and "GONGHUI_FIELD_KEYS" in refused.stderr
    started = settings_import(GONGHUI_FIELD_KEYS=f"{NEW_KEY},{OLD_KEY}", GONGHUI_HASH_KEY=HASH_KEY)
    assert started.returncode == 0, started.stderr


def insert_plain_person(pk: int, number: str, mobile: str) -> None:
    values: list[Any] = [pk, "旧数据", number, date(1990, 1, 1), "M", mobile, "", "", "", False]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_person (id, name, id_number, birth_date, sex, mobile, household_registration,"
            " education, skill_level, is_migrant_worker, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            values,
        )
        cursor.execute(
            "INSERT INTO members_historicalperson (id, name, id_number, birth_date, sex, mobile,"
            " household_registration, education, skill_level, is_migrant_worker, history_date,"
            " history_change_reason, history_type)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, CURRENT_TIMESTAMP, '', '+')",
            values,
        )


def plain_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, mobile FROM members_person UNION ALL SELECT id_number, mobile FROM members_historicalperson"
        )
        return sorted(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_rows_and_goes_back():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("members", "0002_initial")])
    number = new_id_number(birth=date(1990, 1, 1))
    insert_plain_person(1, number, "13912345678")
    insert_plain_person(2, new_id_number(birth=date(1990, 1, 1)), "")
    before = plain_columns()
    try:
        MigrationExecutor(connection).migrate([("members", "0003_encrypt_personal_numbers")])
        # Only the columns that migration knows: the model today has more.
        person = Person.objects.only("id_number", "mobile").get(id_number_hash=blind_index(number))
        assert (person.id_number, person.mobile) == (number, "13912345678")
        assert stored_person(person, "mobile_hash") == blind_index("13912345678")
        assert number not in str(plain_columns()) and "13912345678" not in str(plain_columns())
        MigrationExecutor(connection).migrate([("members", "0002_initial")])
        assert plain_columns() == before
    finally:
        MigrationExecutor(connection).migrate(leaves)
