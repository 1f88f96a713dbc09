"""Medical mutual aid's demo data (core/demo.py): the scheme years 2021-2026 with their
rules, the unions' enrolments, and each year's monthly settlement files from medical
insurance, adjudicated by the real run (settlements.settlements_adjudicate), so the demo's
batches, claims, adjustments and listed records are what an upload would have made.

Sizes follow the seed's review: about 406,100 enrolments (person-times) over 2021-2025 at
scale 1, and settlement feeds sized so that about 9,557 claims get a positive benefit with
about CNY 14.2 million between them. Claims stay pending review: the review, payment and
contribution contributions (orders 41-43) approve, pay and fund them.

Everything is drawn from ctx.rng. Enrolments are written with bulk_create (no history rows,
as the members' demo writes memberships); the settlement files are CSVs made in memory in
the insurer's layout (settlement_file.py)."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from gonghui.core import demo
from gonghui.core.access import Role, StaffScope
from gonghui.core.demo import BATCH, DemoContext
from gonghui.core.tree import subtree_q
from gonghui.members.identity import make_id_number
from gonghui.members.importing import bulk_insert
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.mutual_aid import services
from gonghui.mutual_aid.models import Claim, Enrolment, PaymentStatus, SchemeYear, SettlementBatch
from gonghui.mutual_aid.settlement_file import COLUMNS, REVERSAL_COLUMNS
from gonghui.mutual_aid.settlements import settlements_adjudicate
from gonghui.organisations.demo import CityPlan

# Person-times enrolled a year at scale 1 (Haining): 2021-2025 add up to the seed's 406,100.
ENROLMENTS = {2021: 75_100, 2022: 78_400, 2023: 81_200, 2024: 84_100, 2025: 87_300, 2026: 89_500}
UNION_CHURN = 0.3  # how much a union's place in the queue of enrolling unions moves a year
LATE_JOINS_UNTIL = (9, 30)  # members who join by then are enrolled for the rest of the year
FIRST_TIME_2021 = 0.08  # of members joined before 2020: first-time enrolees in the first demo year

# Care a year, per enrolled member (shares tuned so the review's claims come out).
INPATIENT_RATE = 0.0433  # stays of ordinary illness
SECOND_STAY = 0.12  # of those with a stay, a second one in the year
CANCER_RATE = 0.0012  # new cancer patients (several stays, a critical-illness grant)
HEART_STROKE_RATE = 0.0005  # heart attacks and strokes (a stay, a grant)
CHRONIC_SHARE = 0.0066  # members on special-outpatient treatment in the first year (two settlements a year)
CHRONIC_NEW = 0.0019  # members starting it in each later year (the others carry on)
ORDINARY_OUTPATIENT = 0.002  # ordinary outpatient records the feed carries by mistake
REVERSAL_SHARE = 0.012  # of inpatient settlements, corrected or refunded a month or two later
UNKNOWN_SHARE = 0.005  # records of people not enrolled (or not in the city's scheme)

HOSPITALS_LOCAL = ("人民医院", "中医院", "第二人民医院", "第三人民医院", "妇幼保健院")
HOSPITALS_REGIONAL = ("浙江大学医学院附属第一医院", "浙江大学医学院附属第二医院", "浙江省肿瘤医院", "浙江省人民医院",
                      "嘉兴市第一医院", "嘉兴市第二医院")  # fmt: skip

# (diagnosis, median total cost in yuan, spread): ordinary stays of working-age people.
ORDINARY_STAYS = (
    ("K35.800x001", 9_000, 0.35), ("K80.100", 14_000, 0.4), ("J18.900", 8_000, 0.5), ("S82.200", 22_000, 0.5),
    ("S72.000", 36_000, 0.45), ("K29.700", 5_000, 0.5), ("M51.202", 18_000, 0.6), ("N20.000", 11_000, 0.5),
    ("I20.000", 20_000, 0.6), ("K40.900", 9_000, 0.35), ("D25.900", 15_000, 0.4), ("H25.900", 7_000, 0.3),
    ("J44.100", 13_000, 0.5), ("E11.900x001", 8_000, 0.45), ("I10.x00x002", 7_000, 0.4), ("K57.300", 12_000, 0.5),
)  # fmt: skip
CANCERS = (("C34.900x001", 50_000), ("C16.900", 46_000), ("C18.900", 42_000), ("C50.900", 34_000),
           ("C73.x00", 25_000), ("C22.000", 60_000), ("C53.900", 32_000))  # fmt: skip
HEART_STROKE = (("I21.900", 70_000), ("I63.900", 45_000))
# Special-outpatient (门诊特殊病) conditions and their yearly cost; dialysis and cancer care
# come through the inpatient stays above.
CHRONIC = (("E11.900x001", 4_800), ("I10.x00x002", 3_000), ("E10.900", 6_000), ("I11.900", 3_600),
           ("E11.900x001", 4_800), ("I10.x00x002", 3_000))  # fmt: skip


def _rules(year: int) -> dict[str, Any]:
    """The year's rules: from 2024 the bands rose and the cap with them (the contribution
    went from CNY 50 to 60)."""
    richer = year >= 2024
    return {
        "format": 1,
        "inpatient": {
            "deductible_per_visit": "3000.00",
            "bands": [
                {"from": "3000.00", "to": "10000.00", "ratio": "55" if richer else "50"},
                {"from": "10000.00", "to": "30000.00", "ratio": "65" if richer else "60"},
                {"from": "30000.00", "to": None, "ratio": "75" if richer else "70"},
            ],
            "cap_per_claim": "20000.00" if richer else "15000.00",
            "annual_cap": "40000.00" if richer else "30000.00",
        },
        "special_outpatient": {
            "diseases": ["E10", "E11", "I10", "I11", "N18", "C"],
            "annual_deductible": "1000.00",
            "ratio": "40" if richer else "35",
            "annual_cap": "3000.00",
        },
        "critical_illness": {"diseases": ["C", "I21", "I63", "N18.5", "Z94"], "grant": "3000.00"},
    }


def _terms(year: int) -> services.SchemeTerms:
    richer = year >= 2024
    return services.SchemeTerms(
        year=year,
        enrolment_opens_on=date(year - 1, 10, 1),
        enrolment_closes_on=date(year - 1, 12, 15),
        coverage_starts_on=date(year, 1, 1),
        coverage_ends_on=date(year, 12, 31),
        contribution="60.00" if richer else "50.00",
        payer="split" if richer else "union",
        waiting_days=90,
        shares=services.Shares(union=Decimal(50), employer=Decimal(50)) if richer else None,
    )


def build_mutual_aid(ctx: DemoContext) -> None:
    city: CityPlan = ctx.city
    years = _scheme_years(ctx)
    by_union = _memberships_by_union(city)
    keen = {u.org.pk: ctx.rng.random() for u in city.unions if u.org.pk in by_union}
    before: set[int] = set()
    for scheme in years:
        enrolled = _enrol(ctx, scheme, by_union, keen, before)
        before = {row.person_id for row in enrolled}
        ctx.log(f"  {scheme.year}年度互助保障参保 {len(enrolled):,} 人次")
        feed = _Feed(ctx, city, scheme)
        feed.care(enrolled)
        _adjudicate(city, scheme, feed)


SCHEMES = demo.DemoContribution(
    key="mutual_aid",
    each_city=build_mutual_aid,
    counts=(
        demo.DemoCount("mutual_aid_enrolments", "互助保障参保", lambda: Enrolment.objects.count(), order=40),
        demo.DemoCount("mutual_aid_batches", "医保结算批次", lambda: SettlementBatch.objects.count(), order=41),
        demo.DemoCount("mutual_aid_claims", "互助保障理赔", lambda: Claim.objects.count(), order=42),
        demo.DemoCount(
            "mutual_aid_positive", "其中有补助金额", lambda: Claim.objects.filter(amount__gt=0).count(), order=43
        ),
    ),
    order=40,
)


# --- scheme years ------------------------------------------------------------------------------


def _scheme_years(ctx: DemoContext) -> list[SchemeYear]:
    """The root federation's scheme years whose enrolment had opened by as_of, made once
    (a province's cities share the province's scheme) by the scheme's own service."""
    years: list[SchemeYear] | None = ctx.state.get("mutual_aid.years")
    if years is None:
        staff = StaffScope(user=None, role=Role.CITY, organisation_id=ctx.root.pk, organisation_path=ctx.root.path)
        years = [
            services.scheme_year_create(scope=staff, federation=ctx.root, terms=_terms(year), rules=_rules(year))
            for year in ENROLMENTS
            if date(year - 1, 10, 1) <= ctx.as_of
        ]
        ctx.state["mutual_aid.years"] = years
    return years


# --- enrolments --------------------------------------------------------------------------------


class _Enrolled(NamedTuple):
    """An enrolment to write (Enrolment's columns, in ENROLMENT_COLUMNS' order after the times)."""

    person_id: int
    scheme_year_id: int
    union_id: int
    employer_id: int | None
    enrolled_on: date
    coverage_from: date
    coverage_to: date
    first_time: bool


ENROLMENT_COLUMNS = (
    "created_at",
    "updated_at",
    *_Enrolled._fields,
    "payment_status",
)


@dataclass(frozen=True, slots=True)
class _Stretch:
    person_id: int
    employer_id: int | None
    joined_on: date
    ended_on: date | None
    left: bool  # left the union movement or died (a transfer keeps the cover)


def _memberships_by_union(city: CityPlan) -> dict[int, list[_Stretch]]:
    rows = Membership.objects.filter(subtree_q(city.node.org.path, via="union__")).order_by("union_id", "pk")
    found: dict[int, list[_Stretch]] = defaultdict(list)
    ended = {MembershipStatus.LEFT, MembershipStatus.DECEASED}
    for person, union, employer, joined, end, status in rows.values_list(
        "person_id", "union_id", "employer_id", "joined_on", "ended_on", "status"
    ).iterator(chunk_size=20_000):
        found[union].append(_Stretch(person, employer, joined, end, status in ended))
    return found


def _enrol(
    ctx: DemoContext,
    scheme: SchemeYear,
    by_union: dict[int, list[_Stretch]],
    keen: dict[int, float],
    before: set[int],
) -> list[_Enrolled]:
    """Whole unions enrol their members (the bulk job's "all active members"), the keenest
    first, until the year's person-times are reached; members who join by the autumn are
    enrolled from the day they join (late joiners)."""
    target = round(ENROLMENTS[scheme.year] * ctx.city_targets.members / demo.HAINING_TARGETS.members)
    order = sorted(keen, key=lambda union: keen[union] + ctx.rng.random() * UNION_CHURN)
    seen: set[int] = set()
    rows: list[_Enrolled] = []
    for union in order:
        if len(rows) >= target:
            break
        members = [row for stretch in by_union[union] if (row := _enrolment(ctx, scheme, union, stretch, before))]
        members = [row for row in _first_per_person(members) if row.person_id not in seen]
        if len(rows) + len(members) - target > target - len(rows):
            continue  # it would overshoot more than it fills: a smaller union later may fit
        seen.update(row.person_id for row in members)
        rows.extend(members)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    bulk_insert(Enrolment, ENROLMENT_COLUMNS, ((now, now, *row, PaymentStatus.UNPAID.value) for row in rows))
    return rows


def _first_per_person(rows: list[_Enrolled]) -> list[_Enrolled]:
    """A member back at the same union within a year is enrolled once, from the first stretch."""
    found: dict[int, _Enrolled] = {}
    for row in rows:
        found.setdefault(row.person_id, row)
    return list(found.values())


def _enrolment(
    ctx: DemoContext, scheme: SchemeYear, union: int, stretch: _Stretch, before: set[int]
) -> _Enrolled | None:
    starts, ends = scheme.coverage_starts_on, scheme.coverage_ends_on
    late_until = min(date(scheme.year, *LATE_JOINS_UNTIL), ctx.as_of)
    if stretch.ended_on is not None and stretch.ended_on <= starts:
        return None
    if stretch.joined_on <= starts:
        window_end = min(scheme.enrolment_closes_on, ctx.as_of)
        enrolled = max(ctx.day(scheme.enrolment_opens_on, window_end), stretch.joined_on)
        cover_from = starts
    elif stretch.joined_on <= late_until:
        enrolled = cover_from = min(stretch.joined_on + timedelta(days=ctx.rng.randint(0, 14)), ctx.as_of)
    else:
        return None
    cover_to = ends
    if stretch.left and stretch.ended_on is not None and stretch.ended_on <= ends:
        cover_to = stretch.ended_on - timedelta(days=1)  # leaving ends the cover
        if cover_to < cover_from:
            return None
    if enrolled > ctx.as_of:
        return None
    if scheme.year == min(ENROLMENTS):  # the scheme is older than the demo: who was new then
        first_time = stretch.joined_on >= date(scheme.year - 1, 1, 1) or ctx.chance(FIRST_TIME_2021)
    else:
        first_time = stretch.person_id not in before
    return _Enrolled(
        stretch.person_id, scheme.pk, union, stretch.employer_id, enrolled, cover_from, cover_to, first_time
    )


# --- the settlement feed -----------------------------------------------------------------------

HEADER = (*COLUMNS, *REVERSAL_COLUMNS)
CENT = Decimal("0.01")


def _yuan(value: float) -> Decimal:
    return Decimal(f"{max(value, 0):.2f}")


class _Feed:
    """One scheme year's settlement records, by the month they were settled in."""

    def __init__(self, ctx: DemoContext, city: CityPlan, scheme: SchemeYear) -> None:
        self.ctx, self.city, self.scheme = ctx, city, scheme
        self.rng = ctx.rng
        self.months: dict[tuple[int, int], list[dict[str, str]]] = defaultdict(list)
        self.people: dict[int, Person] = {}
        self.serial = 0
        town = city.spec.name.split("（")[0].removesuffix("市").removesuffix("县")
        self.local = tuple(f"{town}市{name}" for name in HOSPITALS_LOCAL)
        self.chronic: dict[int, tuple[str, int]] = ctx.state.setdefault("mutual_aid.chronic", {})

    def care(self, enrolled: list[_Enrolled]) -> None:
        """Draw each enrolled member's care in the year, then write the records."""
        rng, visits = self.rng, []
        chronic = CHRONIC_SHARE if self.scheme.year == min(ENROLMENTS) else CHRONIC_NEW
        for row in enrolled:
            roll = rng.random()
            if roll < CANCER_RATE:
                visits.append((row, "cancer"))
            elif roll < CANCER_RATE + HEART_STROKE_RATE:
                visits.append((row, "acute"))
            elif roll < CANCER_RATE + HEART_STROKE_RATE + INPATIENT_RATE:
                visits.append((row, "stay"))
                if rng.random() < SECOND_STAY:
                    visits.append((row, "stay"))
            elif roll < CANCER_RATE + HEART_STROKE_RATE + INPATIENT_RATE + ORDINARY_OUTPATIENT:
                visits.append((row, "ordinary"))
            if rng.random() < chronic or row.person_id in self.chronic:
                visits.append((row, "chronic"))
        self._load_people([row.person_id for row, _ in visits])
        for row, kind in visits:
            getattr(self, f"_{kind}")(row)
        self._unknown_people()

    def _load_people(self, ids: list[int]) -> None:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), BATCH):
            for person in Person.objects.filter(pk__in=wanted[start : start + BATCH]).only("id", "name", "id_number"):
                self.people[person.pk] = person

    # --- kinds of care ---

    def _stay(self, row: _Enrolled) -> None:
        code, median, spread = self.rng.choice(ORDINARY_STAYS)
        self._inpatient(row, code, median * math.exp(self.rng.gauss(0, spread)))

    def _cancer(self, row: _Enrolled) -> None:
        code, median = self.rng.choice(CANCERS)
        first = self._inpatient(row, code, median * math.exp(self.rng.gauss(0, 0.4)), regional=True)
        for _ in range(self.rng.choice((0, 1, 1, 2, 3))):  # chemotherapy, surgery, review stays
            self._inpatient(row, code, median * 0.4 * math.exp(self.rng.gauss(0, 0.4)), after=first, regional=True)

    def _acute(self, row: _Enrolled) -> None:
        code, median = self.rng.choice(HEART_STROKE)
        self._inpatient(row, code, median * math.exp(self.rng.gauss(0, 0.35)))

    def _ordinary(self, row: _Enrolled) -> None:
        on = self._day(row)
        cost = 300 * math.exp(self.rng.gauss(0, 0.6))
        self._record(row, "普通门诊", on, on, cost, 0.5, 0.3, "J06.900", self.rng.choice(self.local))

    def _chronic(self, row: _Enrolled) -> None:
        """Two settlements a year (half-yearly) of special-outpatient care."""
        code, yearly = self.chronic.get(row.person_id) or self.rng.choice(CHRONIC)
        self.chronic[row.person_id] = (code, yearly)
        for half in (0, 1):
            first = max(row.coverage_from, date(self.scheme.year, 1 + 6 * half, 1))
            last = min(row.coverage_to, date(self.scheme.year, 6 + 6 * half, 30))
            if first > last:
                continue
            on = self.ctx.day(first, last)
            cost = yearly / 2 * math.exp(self.rng.gauss(0, 0.3))
            self._record(row, "门诊特病", on, on, cost, 0.6, 0.3, code, self.rng.choice(self.local))

    def _inpatient(
        self, row: _Enrolled, code: str, cost: float, *, after: date | None = None, regional: bool = False
    ) -> date:
        start = after + timedelta(days=20) if after else date(self.scheme.year, 1, 1)
        admitted = self.ctx.day(start, self.scheme.coverage_ends_on)
        stay = max(1, round(math.exp(self.rng.gauss(1.8, 0.5))))
        hospital = self.rng.choice(HOSPITALS_REGIONAL if regional or self.rng.random() < 0.2 else self.local)
        fund = self.rng.uniform(0.55, 0.72)
        self_paid = self.rng.uniform(0.15, 0.27)
        record = self._record(
            row, "住院", admitted, admitted + timedelta(days=stay), cost, fund, self_paid, code, hospital
        )
        if record is not None and self.rng.random() < REVERSAL_SHARE:
            self._reversal(row, record)
        return admitted

    # --- records ---

    def _day(self, _row: _Enrolled) -> date:
        return self.ctx.day(date(self.scheme.year, 1, 1), self.scheme.coverage_ends_on)

    def _number(self, settled: date) -> str:
        self.serial += 1
        return f"{self.city.region}{settled:%Y%m%d}{self.ctx.city_number:02d}{self.serial:07d}"

    def _record(
        self,
        row: _Enrolled,
        visit: str,
        admitted: date,
        discharged: date,
        cost: float,
        fund_share: float,
        in_policy_share: float,
        code: str,
        hospital: str,
    ) -> dict[str, str] | None:
        """One settlement, filed under the month it was settled in (none after as_of)."""
        settled = discharged + timedelta(days=self.rng.randint(0, 6))
        if settled > self.ctx.as_of:
            return None
        total = _yuan(cost)
        fund = _yuan(cost * fund_share)
        in_policy = min(_yuan(cost * in_policy_share), total - fund)
        person = self.people[row.person_id]
        record = {
            "结算单号": self._number(settled),
            "身份证号": person.id_number,
            "姓名": person.name,
            "医院": hospital,
            "就诊类型": visit,
            "入院日期": admitted.isoformat(),
            "出院日期": discharged.isoformat(),
            "结算日期": settled.isoformat(),
            "总费用": str(total),
            "统筹支付": str(fund),
            "政策内自付": str(in_policy),
            "政策外自付": str(total - fund - in_policy),
            "诊断编码": code,
            "原结算单号": "",
            "冲销标志": "否",
        }
        self.months[(settled.year, settled.month)].append(record)
        return record

    def _reversal(self, row: _Enrolled, original: dict[str, str]) -> None:
        """The insurer's correction a month or two later: a full refund (the stay was
        billed to the wrong fund) or part of the self-paid amount returned."""
        settled = date.fromisoformat(original["结算日期"]) + timedelta(days=self.rng.randint(35, 70))
        if settled > self.ctx.as_of:
            return
        amounts = ("总费用", "统筹支付", "政策内自付", "政策外自付")
        if self.rng.random() < 0.4:
            change = {column: -Decimal(original[column]) for column in amounts}
        else:
            part = (Decimal(original["政策内自付"]) * Decimal(self.rng.uniform(0.1, 0.4))).quantize(CENT)
            change = {"总费用": -part, "统筹支付": Decimal(0), "政策内自付": -part, "政策外自付": Decimal(0)}
        record = {**original, "结算单号": self._number(settled), "结算日期": settled.isoformat()}
        record.update({column: str(value.quantize(CENT)) for column, value in change.items()})
        record.update({"原结算单号": original["结算单号"], "冲销标志": "是"})
        self.months[(settled.year, settled.month)].append(record)

    def _unknown_people(self) -> None:
        """Settlements of people the scheme does not know: not enrolled, or enrolled elsewhere."""
        region = demo.region_code(self.city.local_region_names, 2000)
        for month, records in list(self.months.items()):
            originals = [record for record in records if record["冲销标志"] == "否"]
            for _ in range(int(len(originals) * UNKNOWN_SHARE + self.rng.random())):
                template = self.rng.choice(originals)
                sex = self.rng.choice("MF")
                birth = date(self.rng.randint(1965, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
                number = make_id_number(region=region, birth=birth, sequence=self.rng.randrange(500), sex=sex)
                settled = date.fromisoformat(template["结算日期"])
                records.append(
                    {
                        **template,
                        "结算单号": self._number(settled),
                        "身份证号": number,
                        "姓名": self.ctx.name(local=True, sex=sex),
                        "原结算单号": "",
                        "冲销标志": "否",
                    }
                )
            self.months[month] = records

    def files(self) -> list[tuple[str, bytes]]:
        out = []
        for (year, month), records in sorted(self.months.items()):
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=HEADER)
            writer.writeheader()
            writer.writerows(sorted(records, key=lambda r: (r["结算日期"], r["结算单号"])))
            name = f"{self.city.spec.name}医保结算{year}{month:02d}（{self.scheme.year}年度）.csv"
            out.append((name, buffer.getvalue().encode("utf-8-sig")))
        return out


def _adjudicate(city: CityPlan, scheme: SchemeYear, feed: _Feed) -> None:
    """Each month's file as its own batch of the city's federation, run as an upload is."""
    organisation = city.node.org
    for filename, data in feed.files():
        batch = SettlementBatch.objects.create(
            scheme_year=scheme, organisation=organisation, scope_path=organisation.path, filename=filename
        )
        settlements_adjudicate(batch=batch, file=io.BytesIO(data))
