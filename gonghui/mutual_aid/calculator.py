"""The benefit of one bill (a settlement record or a member's claim) under a year's rules:
a pure function, with no database and no clock, so the settlement run, a member's claim and
the officers' 试算 give the same answer, and property tests can try it on any input.

What the member has had already this year comes in as `Accumulated`, counted from their
other claims (paid or approved, less reversals) *without this claim's own earlier amounts*,
as openIMIS's per-member accumulators leave out the claim being valued: recomputing a claim
then never counts it against itself. A batch can instead carry the sum along in memory:
`so_far + benefit.adds` after each claim of the member.

Amounts are Decimals of yuan with two places; each band's share is rounded half up to the
fen, and the explanation shows those rounded shares, so its numbers add up. Each step of the
explanation is a source text with its values (`Step`), shown in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import ZERO, format_money, round_money
from gonghui.mutual_aid.rules import (
    HUNDRED,
    Band,
    CriticalIllnessRule,
    InpatientRule,
    OutpatientRule,
    Rules,
    code_listed,
)


class VisitType(models.TextChoices):
    INPATIENT = "inpatient", _("住院")
    SPECIAL_OUTPATIENT = "special_outpatient", _("门诊特殊病")
    OUTPATIENT = "outpatient", _("普通门诊")


class BenefitKind(models.TextChoices):
    INPATIENT = "inpatient", _("住院补助")
    SPECIAL_OUTPATIENT = "special_outpatient", _("门诊特殊病补助")
    CRITICAL_ILLNESS = "critical_illness", _("重大疾病补助")


class Reason(models.IntegerChoices):
    """Why a bill, or one benefit line of it, is paid nothing. The numbers are shown to
    officers and members and kept on records: never renumber, only add."""

    NOT_COVERED = 1, _("不在参保期")
    WAITING_PERIOD = 2, _("等待期内")
    BELOW_DEDUCTIBLE = 3, _("低于起付线")
    ANNUAL_CAP_REACHED = 4, _("已达年度封顶")
    DISEASE_NOT_LISTED = 5, _("病种不在目录")
    VISIT_TYPE_NOT_COVERED = 6, _("就诊类型不在补助范围")
    NO_SELF_PAID = 7, _("无政策范围内自付费用")
    GRANT_ALREADY_PAID = 8, _("本年度已领取重大疾病补助")
    NOT_ENROLLED = 9, _("未参保")  # matching a settlement record to a member
    ALREADY_CLAIMED = 10, _("结算单已申领")  # a settlement number seen before
    INCONSISTENT_BILL = 11, _("费用数据不一致")
    NO_BENEFIT = 12, _("按规则补助为零")
    NAME_MISMATCH = 13, _("姓名与参保职工不符")  # settlement matching
    BAD_RECORD = 14, _("结算记录数据有误")  # settlement matching: a cell unreadable or missing
    ORIGINAL_NOT_CLAIMED = 15, _("原结算单未理赔")  # a reversal of a settlement with no claim
    ORIGINAL_REJECTED = 16, _("原结算单审核未通过")  # a reversal of a claim rejected on review


@dataclass(frozen=True)
class Bill:
    visit_type: str  # VisitType
    admitted_on: date  # the care's first day: decides cover, waiting period and rule version
    in_policy_self_paid: Decimal  # 政策范围内自付
    diagnosis: str = ""  # ICD-10
    total_cost: Decimal | None = None  # when known, the self-paid part cannot exceed it


@dataclass(frozen=True)
class Cover:
    """The member's enrolment, as dates: care is covered from `starts_on` to `ends_on`, and
    for a first-time enrolee not before `waiting_ends_on`."""

    starts_on: date
    ends_on: date
    waiting_ends_on: date | None = None

    @classmethod
    def of(cls, starts_on: date, ends_on: date, *, first_time: bool, waiting_days: int) -> Cover:
        """An enrolment's cover: a first-time enrolee waits `waiting_days` from its start."""
        waiting_ends = starts_on + timedelta(days=waiting_days) if first_time and waiting_days else None
        return cls(starts_on, ends_on, waiting_ends)


@dataclass(frozen=True, slots=True)
class Accumulated:
    """The member's amounts in the scheme year so far (this claim left out)."""

    inpatient_paid: Decimal = ZERO
    outpatient_paid: Decimal = ZERO
    outpatient_deductible_met: Decimal = ZERO  # self-paid amounts the annual deductible has taken
    critical_paid: Decimal = ZERO

    def __add__(self, other: Accumulated) -> Accumulated:
        return Accumulated(
            self.inpatient_paid + other.inpatient_paid,
            self.outpatient_paid + other.outpatient_paid,
            self.outpatient_deductible_met + other.outpatient_deductible_met,
            self.critical_paid + other.critical_paid,
        )

    def __sub__(self, other: Accumulated) -> Accumulated:  # a reversed claim gives its amounts back
        return Accumulated(
            self.inpatient_paid - other.inpatient_paid,
            self.outpatient_paid - other.outpatient_paid,
            self.outpatient_deductible_met - other.outpatient_deductible_met,
            self.critical_paid - other.critical_paid,
        )


@dataclass(frozen=True, slots=True)
class Step:
    """One sentence of the explanation: a source text (marked for translation) and its values."""

    text_id: str
    params: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return gettext(self.text_id) % self.params if self.params else gettext(self.text_id)

    def as_data(self) -> dict[str, object]:
        return {"text": self.text_id, "params": dict(self.params)}


@dataclass(frozen=True)
class Line:
    """One benefit of the bill: inpatient, special outpatient or the critical-illness grant."""

    kind: str  # BenefitKind
    amount: Decimal
    reason: Reason | None
    steps: tuple[Step, ...]
    adds: Accumulated = Accumulated()  # what this line adds to the member's year


@dataclass(frozen=True)
class Benefit:
    amount: Decimal
    reason: Reason | None  # why nothing is paid; None when something is
    lines: tuple[Line, ...]
    adds: Accumulated  # what this claim adds to the member's year
    steps: tuple[Step, ...] = ()  # before the lines: why the whole bill is refused

    def explanation(self) -> list[str]:
        return [step.text() for step in self.all_steps()]

    def all_steps(self) -> list[Step]:
        return [*self.steps, *(step for line in self.lines for step in line.steps)]


def benefit_compute(*, rules: Rules, bill: Bill, cover: Cover, so_far: Accumulated = Accumulated()) -> Benefit:
    """What the bill is paid under `rules`, given the member's cover and amounts so far."""
    refusal = _refusal(bill, cover)
    if refusal is not None:
        return Benefit(amount=ZERO, reason=refusal[0], lines=(), adds=Accumulated(), steps=(refusal[1],))
    main = _main_line(rules, bill, so_far)
    critical = _critical_line(rules.critical_illness, bill, so_far)
    lines: tuple[Line, ...]
    if critical is None:  # the common case, without the sums' intermediate values
        amount, lines, adds = ZERO + main.amount, (main,), main.adds
    else:
        amount, lines, adds = ZERO + main.amount + critical.amount, (main, critical), main.adds + critical.adds
    why = None if amount > 0 else next((line.reason for line in lines if line.reason is not None), None)
    return Benefit(amount=amount, reason=why, lines=lines, adds=adds)


# --- the whole bill ------------------------------------------------------------------------


def _refusal(bill: Bill, cover: Cover) -> tuple[Reason, Step] | None:
    if not cover.starts_on <= bill.admitted_on <= cover.ends_on:
        on = bill.admitted_on.isoformat()
        text = gettext_noop("就诊日期 %(on)s 不在保障期 %(start)s 至 %(end)s 内")
        return Reason.NOT_COVERED, Step(text, {"on": on, "start": str(cover.starts_on), "end": str(cover.ends_on)})
    if cover.waiting_ends_on is not None and bill.admitted_on < cover.waiting_ends_on:
        text = gettext_noop("首次参保等待期内：%(on)s 就诊，%(until)s 起的就诊方可补助")
        return Reason.WAITING_PERIOD, Step(
            text, {"on": bill.admitted_on.isoformat(), "until": str(cover.waiting_ends_on)}
        )
    paid = bill.in_policy_self_paid
    if paid < 0 or (bill.total_cost is not None and paid > bill.total_cost):
        text = gettext_noop("费用数据不一致：政策范围内自付 %(paid)s 元，总费用 %(total)s 元")
        total = "—" if bill.total_cost is None else format_money(bill.total_cost)
        return Reason.INCONSISTENT_BILL, Step(text, {"paid": format_money(paid), "total": total})
    return None


def _main_line(rules: Rules, bill: Bill, so_far: Accumulated) -> Line:
    if bill.visit_type == VisitType.INPATIENT:
        if rules.inpatient is not None:
            return _inpatient(rules.inpatient, bill, so_far)
        return _not_covered(BenefitKind.INPATIENT, gettext_noop("本年度规则没有住院补助"))
    if bill.visit_type == VisitType.SPECIAL_OUTPATIENT:
        if rules.special_outpatient is not None:
            return _outpatient(rules.special_outpatient, bill, so_far)
        return _not_covered(BenefitKind.SPECIAL_OUTPATIENT, gettext_noop("本年度规则没有门诊特殊病补助"))
    return _not_covered(BenefitKind.INPATIENT, gettext_noop("普通门诊不在补助范围"))


def _not_covered(kind: str, text: str) -> Line:
    return Line(kind, ZERO, Reason.VISIT_TYPE_NOT_COVERED, (Step(text),))


# --- inpatient -----------------------------------------------------------------------------


def _inpatient(rule: InpatientRule, bill: Bill, so_far: Accumulated) -> Line:
    kind, paid = BenefitKind.INPATIENT, bill.in_policy_self_paid
    values = {"paid": format_money(paid), "deductible": _constant(rule.deductible_per_visit)}
    if paid == 0:
        return Line(kind, ZERO, Reason.NO_SELF_PAID, (Step(gettext_noop("住院：无政策范围内自付费用")),))
    if paid <= rule.deductible_per_visit:
        text = gettext_noop("住院：政策范围内自付 %(paid)s 元，未超过每次起付线 %(deductible)s 元")
        return Line(kind, ZERO, Reason.BELOW_DEDUCTIBLE, (Step(text, values),))
    steps = [Step(gettext_noop("住院：政策范围内自付 %(paid)s 元，每次起付线 %(deductible)s 元"), values)]
    computed = ZERO
    for band in rule.bands:
        if band.end is not None and paid >= band.end:
            share, step = _full_band(band)  # the same for every bill above it
        elif (part_share := _band_share(band, paid)) is not None:
            share, step = part_share[1], _band_step(band, *part_share)
        else:
            continue
        steps.append(step)
        computed += share
    amount, reason, done = _capped(kind, computed, rule.cap_per_claim, rule.annual_cap, so_far.inpatient_paid, steps)
    return Line(kind, amount, reason, done, Accumulated(inpatient_paid=amount))


def _band_share(band: Band, paid: Decimal) -> tuple[Decimal, Decimal] | None:
    """The part of the self-paid amount in this band, and its benefit rounded to the fen."""
    if paid <= band.start:
        return None
    top = paid if band.end is None else min(paid, band.end)
    part = top - band.start
    return part, round_money(part * band.ratio / HUNDRED)


_FULL_BANDS: dict[int, tuple[Band, Decimal, Step]] = {}  # by id(band), the band kept to check it
_SHARED_STEPS: dict[int, Step] = {}  # the steps of _FULL_BANDS, by id


def _full_band(band: Band) -> tuple[Decimal, Step]:
    """A band the bill passes wholly: its share and step depend on the band only, so they are
    computed once per rule version (the Step's values are never changed once made)."""
    entry = _FULL_BANDS.get(id(band))
    if entry is None or entry[0] is not band:
        if len(_FULL_BANDS) > CACHE_LIMIT:
            _FULL_BANDS.clear()
            _SHARED_STEPS.clear()
        assert band.end is not None
        part = band.end - band.start
        amount = round_money(part * band.ratio / HUNDRED)
        entry = _FULL_BANDS[id(band)] = (band, amount, _band_step(band, part, amount))
        _SHARED_STEPS[id(entry[2])] = entry[2]
    return entry[1], entry[2]


def is_shared(step: Step) -> bool:
    """Whether the calculator hands this same Step to many bills (so its encoding may be kept)."""
    entry = _SHARED_STEPS.get(id(step))
    return entry is not None and entry is step


def _band_step(band: Band, part: Decimal, amount: Decimal) -> Step:
    values = {
        "start": _constant(band.start),
        "part": format_money(part),
        "ratio": _percent(band.ratio),
        "amount": format_money(amount),
    }
    if band.end is None:
        return Step(gettext_noop("%(start)s 元以上部分 %(part)s 元 × %(ratio)s%% = %(amount)s 元"), values)
    values["end"] = _constant(band.end)
    return Step(gettext_noop("%(start)s 至 %(end)s 元部分 %(part)s 元 × %(ratio)s%% = %(amount)s 元"), values)


def _capped(
    kind: str,
    computed: Decimal,
    claim_cap: Decimal | None,
    annual_cap: Decimal,
    paid_before: Decimal,
    steps: list[Step],
) -> tuple[Decimal, Reason | None, tuple[Step, ...]]:
    """The computed amount within the cap per claim (if any) and what the annual cap leaves."""
    if computed == 0:
        return ZERO, Reason.NO_BENEFIT, (*steps, Step(gettext_noop("按规则补助为零")))
    amount = computed
    if claim_cap is not None and amount > claim_cap:
        amount = claim_cap
        steps.append(Step(gettext_noop("超过每次封顶 %(cap)s 元，按封顶计"), {"cap": _constant(claim_cap)}))
    room = max(ZERO, annual_cap - paid_before)
    if room == 0:
        values = {"paid": format_money(paid_before), "cap": _constant(annual_cap), "room": format_money(room)}
        steps.append(Step(gettext_noop("本年度已补助 %(paid)s 元，已达年度封顶 %(cap)s 元"), values))
        return ZERO, Reason.ANNUAL_CAP_REACHED, tuple(steps)
    if amount > room:
        amount = room
        values = {"paid": format_money(paid_before), "cap": _constant(annual_cap), "room": format_money(room)}
        steps.append(Step(gettext_noop("本年度已补助 %(paid)s 元，年度封顶 %(cap)s 元，本次最多 %(room)s 元"), values))
    steps.append(Step(_TOTALS[kind], {"amount": format_money(amount)}))
    return amount, None, tuple(steps)


_TOTALS: dict[str, str] = {
    BenefitKind.INPATIENT: gettext_noop("住院补助 %(amount)s 元"),
    BenefitKind.SPECIAL_OUTPATIENT: gettext_noop("门诊特殊病补助 %(amount)s 元"),
}


# --- special outpatient --------------------------------------------------------------------


def _deductible_taken(rule: OutpatientRule, bill: Bill, so_far: Accumulated) -> Decimal:
    """How much of this bill the year's deductible still takes."""
    left = max(ZERO, rule.annual_deductible - so_far.outpatient_deductible_met)
    return min(bill.in_policy_self_paid, left)


def _outpatient(rule: OutpatientRule, bill: Bill, so_far: Accumulated) -> Line:
    kind, paid = BenefitKind.SPECIAL_OUTPATIENT, bill.in_policy_self_paid
    prefix = code_listed(bill.diagnosis, rule.diseases)
    if prefix is None:
        text = gettext_noop("门诊特殊病：诊断 %(code)s 不在病种目录内")
        return Line(kind, ZERO, Reason.DISEASE_NOT_LISTED, (Step(text, {"code": bill.diagnosis or "—"}),))
    if paid == 0:
        return Line(kind, ZERO, Reason.NO_SELF_PAID, (Step(gettext_noop("门诊特殊病：无政策范围内自付费用")),))
    values = {"code": bill.diagnosis, "prefix": prefix, "paid": format_money(paid)}
    steps = [Step(gettext_noop("门诊特殊病：诊断 %(code)s 属目录病种 %(prefix)s，政策范围内自付 %(paid)s 元"), values)]
    taken = _deductible_taken(rule, bill, so_far)
    if taken > 0:
        text = gettext_noop("年度起付线 %(deductible)s 元，本年度此前已计 %(met)s 元，本次计入 %(taken)s 元")
        steps.append(
            Step(
                text,
                {
                    "deductible": _constant(rule.annual_deductible),
                    "met": format_money(so_far.outpatient_deductible_met),
                    "taken": format_money(taken),
                },
            )
        )
    eligible = paid - taken
    if eligible == 0:
        steps.append(Step(gettext_noop("未超过年度起付线，本次不补助")))
        return Line(kind, ZERO, Reason.BELOW_DEDUCTIBLE, tuple(steps), Accumulated(outpatient_deductible_met=taken))
    computed = round_money(eligible * rule.ratio / HUNDRED)
    text = gettext_noop("起付线以上部分 %(part)s 元 × %(ratio)s%% = %(amount)s 元")
    steps.append(
        Step(text, {"part": format_money(eligible), "ratio": _percent(rule.ratio), "amount": format_money(computed)})
    )
    amount, reason, done = _capped(kind, computed, None, rule.annual_cap, so_far.outpatient_paid, steps)
    return Line(kind, amount, reason, done, Accumulated(outpatient_paid=amount, outpatient_deductible_met=taken))


# --- critical illness ----------------------------------------------------------------------


def _critical_line(rule: CriticalIllnessRule | None, bill: Bill, so_far: Accumulated) -> Line | None:
    """The one-off grant, when the diagnosis is on the list (nothing said otherwise)."""
    if rule is None or bill.visit_type == VisitType.OUTPATIENT:
        return None
    prefix = code_listed(bill.diagnosis, rule.diseases)
    if prefix is None:
        return None
    kind, values = BenefitKind.CRITICAL_ILLNESS, {"code": bill.diagnosis, "prefix": prefix}
    if so_far.critical_paid > 0:
        text = gettext_noop("重大疾病：诊断 %(code)s 属目录病种 %(prefix)s，但本年度已领取过一次性补助")
        return Line(kind, ZERO, Reason.GRANT_ALREADY_PAID, (Step(text, values),))
    text = gettext_noop("重大疾病：诊断 %(code)s 属目录病种 %(prefix)s，一次性补助 %(amount)s 元")
    step = Step(text, {**values, "amount": _constant(rule.grant)})
    return Line(kind, rule.grant, None, (step,), Accumulated(critical_paid=rule.grant))


def _percent(ratio: Decimal) -> str:
    text = _PERCENTS.get(ratio)
    if text is None:
        if len(_PERCENTS) > CACHE_LIMIT:
            _PERCENTS.clear()
        text = _PERCENTS[ratio] = format(ratio.normalize(), "f")
    return text


# A rule's few amounts and ratios, formatted once: most of an explanation's values.
CACHE_LIMIT = 10_000
_CONSTANTS: dict[Decimal, str] = {}
_PERCENTS: dict[Decimal, str] = {}


def _constant(value: Decimal) -> str:
    """`format_money` of a rule's amount (a deductible, a cap, a band's end), remembered."""
    text = _CONSTANTS.get(value)
    if text is None:
        if len(_CONSTANTS) > CACHE_LIMIT:
            _CONSTANTS.clear()
        text = _CONSTANTS[value] = format_money(value)
    return text
