from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from gonghui.core.models import AuditEntry
from gonghui.members.models import ImportJob, ImportStatus, Membership
from gonghui.members.tests.rosterfiles import HEADERS, csv_bytes, person_row, xlsx_bytes


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_members", *args, stdout=out)
    return out.getvalue()


def roster(tmp_path: Path, rows, *, name: str = "名册.csv") -> Path:
    path = tmp_path / name
    content = xlsx_bytes([HEADERS, *rows]) if name.endswith(".xlsx") else csv_bytes([HEADERS, *rows])
    path.write_bytes(content)
    return path


def test_a_clean_file_is_imported_and_counted(fed, tmp_path):
    path = roster(tmp_path, [person_row(fed.employer_a1.name), person_row(fed.employer_a1.name, name="赵强")])
    out = run(str(path), "--union", fed.union_a1.code)
    job = ImportJob.objects.get()
    assert f"名册.csv：共 2 行，已导入 2 名会员到海宁皮革城工会（导入记录 #{job.pk}）" in out
    assert Membership.objects.filter(import_job=job).count() == 2
    # Run without --as: a city-level operator, recorded with no user.
    assert (job.uploaded_by, AuditEntry.objects.get(action=AuditEntry.Action.IMPORT).actor) == (None, None)


def test_a_file_with_errors_prints_the_report_and_fails(fed, tmp_path):
    bad = person_row(fed.employer_a1.name)
    bad[1] = bad[1][:17]
    path = roster(tmp_path, [person_row(fed.employer_a1.name), bad, person_row("无名公司")], name="名册.xlsx")
    out = StringIO()
    with pytest.raises(CommandError, match="共 3 行，发现 2 处错误，未导入任何数据"):
        call_command("import_members", str(path), "--union", fed.union_a1.code, stdout=out)
    assert out.getvalue().splitlines() == [
        "第3行【身份证号】身份证号位数不对，应为18位",
        "第4行【工作单位】工作单位「无名公司」不是本工会覆盖的单位，请先登记该单位或核对名称",
    ]
    assert ImportJob.objects.get().status == ImportStatus.REJECTED
    assert not Membership.objects.filter(import_job__isnull=False).exists()


def test_from_the_shell_a_bad_file_exits_non_zero(fed, tmp_path, capsys):
    path = roster(tmp_path, [person_row(fed.employer_a1.name, name="")])
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_members", str(path), "--union", fed.union_a1.code])
    assert exit_info.value.code == 1
    assert "第2行【姓名】姓名不能为空" in capsys.readouterr().out


def test_as_a_user_the_command_keeps_to_their_scope(fed, tmp_path):
    path = roster(tmp_path, [person_row(fed.employer_a1.name)])
    with pytest.raises(CommandError, match="不在您的管辖范围内"):
        run(str(path), "--union", fed.union_a1.code, "--as", fed.town_b_staff.username)
    run(str(path), "--union", fed.union_a1.code, "--as", fed.town_a_staff.username)
    assert ImportJob.objects.get().uploaded_by == fed.town_a_staff


def test_the_union_may_be_typed_in_fullwidth_or_with_invisible_marks(fed, tmp_path):
    path = roster(tmp_path, [person_row(fed.employer_a1.name)])
    assert "海宁皮革城工会" in run(str(path), "--union", "ＨＮ－ＸＦ－\u202e００１")
    assert ImportJob.objects.get().union == fed.union_a1


def test_unknown_union_file_or_account_are_clear_errors(fed, tmp_path):
    path = roster(tmp_path, [person_row(fed.employer_a1.name)])
    with pytest.raises(CommandError, match="没有找到该组织"):
        run(str(path), "--union", "NO-SUCH")
    with pytest.raises(CommandError, match="不是基层工会"):
        run(str(path), "--union", fed.town_a.code)
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "missing.csv"), "--union", fed.union_a1.code)
    with pytest.raises(CommandError, match="没有账号"):
        run(str(path), "--union", fed.union_a1.code, "--as", "nobody")
