"""CI smoke: a roster import goes through Redis to a running Celery worker and is saved.

Run with the worker already started and CELERY_BROKER_URL pointing at Redis; exits non-zero
unless the job is done within the time limit."""

import os
import sys
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from random import SystemRandom

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from gonghui.core.access import Role, StaffScope  # noqa: E402
from gonghui.core.crypto import blind_index  # noqa: E402
from gonghui.members.identity import make_id_number  # noqa: E402
from gonghui.members.importing import import_job_submit  # noqa: E402
from gonghui.members.models import ImportJob, ImportStatus, Person  # noqa: E402
from gonghui.organisations.models import GRASSROOTS_KINDS, Employer, Organisation, OrganisationStatus  # noqa: E402

ROWS = 3
WAIT_SECONDS = 90
_random = SystemRandom()


def new_person() -> tuple[str, str]:
    """An identity number and mobile that no seeded person has (seeds count from 1 upwards)."""
    while True:
        birth = date(1990, 1, 1) + timedelta(days=_random.randrange(15 * 365))  # Haining's code dates from 1986
        number = make_id_number(region="330481", birth=birth, sequence=_random.randrange(500), sex="F")
        if not Person.objects.filter(id_number_hash=blind_index(number)).exists():
            return number, f"137{_random.randrange(10**8):08d}"


def roster(employer: Employer) -> bytes:
    lines = ["姓名,身份证号,手机号码,工作单位,入会时间,统一社会信用代码"]
    for n in range(ROWS):
        id_number, mobile = new_person()
        lines.append(f"测试{n},{id_number},{mobile},{employer.name},2024-03-01,{employer.uscc}")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def main() -> int:
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "the smoke needs a real broker"
    employer = (
        Employer.objects.filter(union__status=OrganisationStatus.ACTIVE, union__kind__in=GRASSROOTS_KINDS)
        .select_related("union")
        .order_by("pk")
        .first()
    )
    assert employer is not None, "no employer covered by an active union: seed the database first"
    root = Organisation.objects.get_root_nodes().first()
    scope = StaffScope(user=None, role=Role.CITY, organisation_id=root.pk, organisation_path=root.path)
    job = import_job_submit(
        scope=scope, union=employer.union, uploaded_file=BytesIO(roster(employer)), filename="smoke.csv"
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while job.status in {ImportStatus.PENDING, ImportStatus.RUNNING} and time.monotonic() < deadline:
        time.sleep(0.5)
        job = ImportJob.objects.get(pk=job.pk)
    print(f"import job #{job.pk} for {employer.union.code}: {job.status}, {job.created_count} of {job.total_rows} rows")
    return 0 if job.status == ImportStatus.DONE and job.created_count == ROWS else 1


if __name__ == "__main__":
    sys.exit(main())
