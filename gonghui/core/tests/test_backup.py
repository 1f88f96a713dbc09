"""backup_db and restore_drill: a backup counts once a restore of it matches its manifest."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from gonghui.core.backup import (
    MANIFEST,
    TableFingerprint,
    compare_fingerprints,
    read_manifest,
    restore_drill,
)
from gonghui.members.models import Person
from gonghui.testing import build_federation


def fingerprints(**tables: tuple[int, str]) -> dict[str, TableFingerprint]:
    return {name: TableFingerprint(rows=rows, checksum=checksum) for name, (rows, checksum) in tables.items()}


def test_identical_fingerprints_have_no_differences():
    same = fingerprints(members_person=(3, "a"), members_membership=(3, "b"))
    assert compare_fingerprints(same, dict(same)) == []


def test_every_kind_of_difference_is_named():
    expected = fingerprints(members_person=(3, "a"), members_membership=(3, "b"), core_auditentry=(9, "c"))
    found = fingerprints(members_person=(2, "x"), members_membership=(3, "changed"), stray=(1, "d"))
    assert compare_fingerprints(expected, found) == [
        "core_auditentry: missing from the restored database",
        "stray: not in the backup's manifest",
        "members_membership: same row count (3) but different contents",
        "members_person: 3 rows in the backup, 2 restored",
    ]


@pytest.fixture
def backed_up(transactional_db, tmp_path: Path) -> Path:
    """A small federation, committed so that pg_dump sees it, backed up into tmp_path."""
    build_federation()
    Group.objects.create(name="花名册导入员")
    out = tmp_path / "backup"
    call_command("backup_db", "--out", str(out), stdout=StringIO())
    return out


def test_a_backup_restores_to_the_same_rows(backed_up: Path):
    manifest = read_manifest(backed_up)
    assert manifest.tables["members_person"].rows == 2
    assert manifest.tables["organisations_organisation"].rows == 6
    stdout = StringIO()
    call_command("restore_drill", "--from", str(backed_up), stdout=stdout)
    assert "Restore drill passed" in stdout.getvalue()


def test_a_restore_that_lost_a_row_is_caught(backed_up: Path, tmp_path: Path):
    # Given a second backup taken after a row was deleted, checked against the first manifest
    Group.objects.all().delete()
    later = tmp_path / "later"
    call_command("backup_db", "--out", str(later), stdout=StringIO())
    _swap_tables(into=later, source=backed_up)
    # When the drill restores it, then it names the table and fails
    result = restore_drill(later)
    assert not result.ok
    assert "auth_group: 1 rows in the backup, 0 restored" in result.differences
    with pytest.raises(CommandError, match="Restore drill failed"):
        call_command("restore_drill", "--from", str(later), stdout=StringIO(), stderr=StringIO())


def test_a_restore_with_a_changed_row_is_caught(backed_up: Path, tmp_path: Path):
    person = Person.objects.order_by("pk")[0]
    person.name = "改过的名字"
    person.save(update_fields=["name"])
    later = tmp_path / "later"
    call_command("backup_db", "--out", str(later), stdout=StringIO())
    _swap_tables(into=later, source=backed_up)
    assert "members_person: same row count (2) but different contents" in restore_drill(later).differences


def test_a_damaged_dump_fails_the_drill_before_restoring(backed_up: Path):
    dump = read_manifest(backed_up).dump
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    result = restore_drill(backed_up)
    assert result.differences == [f"{dump.name}: checksum differs from the manifest"]


def test_a_folder_without_a_manifest_is_refused(tmp_path: Path):
    with pytest.raises(CommandError, match="no manifest.json"):
        call_command("restore_drill", "--from", str(tmp_path), stdout=StringIO())


def _swap_tables(*, into: Path, source: Path) -> None:
    """Give `into` the table counts and checksums of `source`, keeping its own dump."""
    data = json.loads((into / MANIFEST).read_text())
    data["tables"] = json.loads((source / MANIFEST).read_text())["tables"]
    (into / MANIFEST).write_text(json.dumps(data))
