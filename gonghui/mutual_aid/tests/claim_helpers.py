"""What the member-claim tests share: 2026's scheme with 张伟 (union a1) enrolled, a bill
from a Haining hospital, and invoice photos made with Pillow."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gonghui.members.models import Membership
from gonghui.mutual_aid.member_claims import ClaimBill
from gonghui.mutual_aid.models import Enrolment, SchemeYear
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.testing import Federation


def enrol(membership: Membership, scheme: SchemeYear, *, first_time: bool = False) -> Enrolment:
    return Enrolment.objects.create(
        person=membership.person,
        scheme_year=scheme,
        union=membership.union,
        employer=membership.employer,
        enrolled_on=date(scheme.year - 1, 11, 20),
        coverage_from=scheme.coverage_starts_on,
        coverage_to=scheme.coverage_ends_on,
        first_time=first_time,
    )


def scheme_with_member(fed: Federation) -> Enrolment:
    """2026's scheme (the example rules: inpatient 1,000 deductible, 50% to 10,000, 60%
    above, 20,000 a claim, 50,000 a year) with 张伟 of 海宁皮革城工会 enrolled."""
    return enrol(fed.member_a1, make_scheme(fed))


def image_bytes(kind: str = "JPEG", size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (250, 248, 240)).save(out, format=kind)
    return out.getvalue()


def photo(name: str = "发票.jpg", kind: str = "JPEG", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(kind) if data is None else data, content_type="image/jpeg")


def bill(**changes: Any) -> ClaimBill:
    values: dict[str, Any] = {
        "visit_type": "inpatient",
        "hospital": "上海交通大学医学院附属瑞金医院",
        "admitted_on": date(2026, 5, 10),
        "discharged_on": date(2026, 5, 20),
        "total_cost": Decimal("30000.00"),
        "in_policy_self_paid": Decimal("15000.00"),
        "out_of_policy_self_paid": Decimal("2000.00"),
        "diagnosis": "",
        "invoice_number": "31000026051012345678",
        **changes,
    }
    return ClaimBill(**values)
