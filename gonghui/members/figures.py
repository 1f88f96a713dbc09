"""Report figures of the member registry: members at the period's end, new members in it,
migrant-worker members, the share of covered employers' staff who are members (入会率), and
the breakdowns of members by sex, age, education, skill level and migrant status.
"Members of X on date D" is a date-range query on Membership, so every figure here is right
for any past period, not only for today."""

from collections.abc import Callable, Sequence
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from gonghui.core.figures import Breakdown, Category, Column, Figure, FigureValue, Period, percentage, ratio_percent
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.tree import subtree_q
from gonghui.members.models import Education, Membership, MembershipEvent, MembershipEventKind, Sex, SkillLevel
from gonghui.members.selectors import MembershipHere, current_on_q, memberships_with_present
from gonghui.organisations.figures import employers_covered, yes_no
from gonghui.organisations.models import EmployerCoverage

PROGRAMME = _("组织建设")


def memberships_on(path: str, day: date) -> QuerySet[Membership]:
    """Memberships in the subtree current on `day`; an end date is the first day outside.
    A past period lists people who have moved on since: their present (mobile, household
    registration) is shown only if this subtree holds it, as on the member pages."""
    memberships = Membership.objects.filter(subtree_q(path, via="union__"), current_on_q(day))
    return (
        memberships_with_present(memberships, path=path)
        .select_related("person", "union", "employer")
        .order_by("union__path", "pk")
    )


def members_at_end(path: str, period: Period) -> QuerySet[Membership]:
    return memberships_on(path, period.end)


def migrant_members_at_end(path: str, period: Period) -> QuerySet[Membership]:
    return memberships_on(path, period.end).filter(person__is_migrant_worker=True)


def new_members(path: str, period: Period) -> QuerySet[MembershipEvent]:
    """Joins recorded in the period. A transfer in is not a new member: the worker was
    already one, and counting it would count every transfer twice across the city."""
    return (
        MembershipEvent.objects.filter(
            subtree_q(path, via="union__"), kind=MembershipEventKind.JOIN, on__gte=period.start, on__lte=period.end
        )
        .select_related("person", "union", "membership__employer")
        .order_by("on", "pk")
    )


def members_series(path: str, periods: Sequence[Period]) -> list[FigureValue]:
    """Members at the end of each period: those on the earliest end, then day by day the
    joins and ends after it (a stretch counts from its join to the day before its end)."""
    if not periods:
        return []
    first, last = min(p.end for p in periods), max(p.end for p in periods)
    memberships = Membership.objects.filter(subtree_q(path, via="union__")).order_by()
    at_first = memberships.filter(current_on_q(first)).count()
    joins = _per_day(memberships.filter(joined_on__gt=first, joined_on__lte=last), "joined_on")
    ends = _per_day(memberships.filter(ended_on__gt=first, ended_on__lte=last), "ended_on")
    return [at_first + _up_to(joins, p.end) - _up_to(ends, p.end) for p in periods]


def new_members_series(path: str, periods: Sequence[Period]) -> list[FigureValue]:
    """Joins in each period, from one count of the joins per day over them all."""
    if not periods:
        return []
    joins = new_members(path, Period(min(p.start for p in periods), max(p.end for p in periods)))
    per_day = _per_day(joins.order_by(), "on")
    return [sum(n for day, n in per_day if p.start <= day <= p.end) for p in periods]


def _per_day(records: QuerySet, field: str) -> list[tuple[date, int]]:
    return list(records.values_list(field).annotate(n=Count("pk")).order_by(field))


def _up_to(per_day: list[tuple[date, int]], day: date) -> int:
    return sum(n for d, n in per_day if d <= day)


def covered_employers_with_members(path: str, period: Period) -> QuerySet[EmployerCoverage]:
    """The employers covered at the period's end (organisations' figure: a coverage stretch
    each) whose staff count is known, each with the number of its staff who were members
    then (`members_at_end`), whichever union holds them. An employer with no staff count
    would add members to the rate and nobody to divide them by."""
    members = (
        Membership.objects.filter(current_on_q(period.end), employer=OuterRef("employer_id"))
        .order_by()
        .values("employer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        employers_covered(path, period)
        .filter(employer__staff_count__gt=0)
        .annotate(members_at_end=Coalesce(Subquery(members, output_field=IntegerField()), 0))
    )


def _person_link(record: Membership | MembershipEvent) -> str:
    return reverse("members:detail", args=[record.person_id])


def _if_present(membership: MembershipHere, value: str) -> str:
    return value if membership.present_here else ""


MEMBER_COLUMNS = (
    Column(_("姓名"), lambda m: m.person.name, link=_person_link),
    Column(_("身份证号"), lambda m: mask_id_number(m.person.id_number)),
    Column(_("性别"), lambda m: gettext(m.person.get_sex_display())),
    Column(_("手机号码"), lambda m: _if_present(m, mask_mobile(m.person.mobile))),
    Column(_("所在工会"), lambda m: m.union.name),
    Column(_("工作单位"), lambda m: m.employer.name if m.employer else ""),
    Column(_("入会时间"), lambda m: m.first_joined_on),
    Column(_("转入时间"), lambda m: m.joined_on if m.transferred_in else None),
    Column(_("新居民"), lambda m: yes_no(m.person.is_migrant_worker)),
)

# Registered in this app's contributions.py.
FIGURES: list[Figure] = []

FIGURES.append(
    Figure(
        name="members.members",
        label=_("会员"),
        programme=PROGRAMME,
        unit=_("人"),
        description=_("期末在会的会员：入会时间不晚于期末，且期末时尚未转出、退会或去世"),
        records=members_at_end,
        tree_field="union__path",
        series=members_series,
        columns=MEMBER_COLUMNS,
        order=30,
    )
)

FIGURES.append(
    Figure(
        name="members.new_members",
        label=_("新入会会员"),
        programme=PROGRAMME,
        unit=_("人"),
        description=_("期间内办理入会的人数；组织关系转入不算新会员"),
        records=new_members,
        tree_field="union__path",
        series=new_members_series,
        columns=(
            Column(_("姓名"), lambda e: e.person.name, link=_person_link),
            Column(_("身份证号"), lambda e: mask_id_number(e.person.id_number)),
            Column(_("性别"), lambda e: gettext(e.person.get_sex_display())),
            Column(_("入会日期"), lambda e: e.on),
            Column(_("入会工会"), lambda e: e.union.name),
            Column(_("工作单位"), lambda e: e.membership.employer.name if e.membership.employer else ""),
            Column(_("新居民"), lambda e: yes_no(e.person.is_migrant_worker)),
        ),
        order=40,
    )
)

FIGURES.append(
    Figure(
        name="members.migrant_members",
        label=_("新居民（农民工）会员"),
        programme=PROGRAMME,
        unit=_("人"),
        description=_("期末在会的会员中，户籍在外地的新居民（农民工）"),
        records=migrant_members_at_end,
        tree_field="union__path",
        columns=(*MEMBER_COLUMNS[:-1], Column(_("户籍地"), lambda m: _if_present(m, m.person.household_registration))),
        order=50,
    )
)

FIGURES.append(
    Figure(
        name="members.membership_rate",
        label=_("入会率"),
        programme=PROGRAMME,
        unit="%",
        description=_("期末已覆盖且填有职工人数的用人单位中，职工为会员的比例：这些单位的期末会员数 ÷ 其职工人数之和"),
        records=covered_employers_with_members,
        tree_field="union__path",
        value=percentage(Sum("members_at_end"), Sum("employer__staff_count")),
        columns=(
            Column(_("单位名称"), lambda c: c.employer.name),
            Column(_("覆盖工会"), lambda c: c.union.name),
            Column(_("所在镇（街道）"), lambda c: c.employer.town.name),
            Column(_("职工人数"), lambda c: c.employer.staff_count),
            Column(_("期末会员"), lambda c: c.members_at_end),
            Column(_("入会率（%）"), lambda c: ratio_percent(c.members_at_end, c.employer.staff_count)),
        ),
        order=35,
    )
)


# --- breakdowns of the members at the period's end (core.figures.breakdowns) -----------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _age_band(label: StrOrPromise, key: str, youngest: int | None, oldest: int | None) -> Category:
    """Members aged youngest..oldest (whole years, both included) on the period's last day."""

    def q(period: Period) -> Q:
        band = Q()
        if youngest is not None:  # at least `youngest`: born on or before that birthday
            band &= Q(person__birth_date__lte=_years_before(period.end, youngest))
        if oldest is not None:  # not yet oldest + 1
            band &= Q(person__birth_date__gt=_years_before(period.end, oldest + 1))
        return band

    return Category(key, label, q)


def _person_is(field: str, value: object) -> Callable[[Period], Q]:
    return lambda period: Q(**{f"person__{field}": value})


def _choices(field: str, choices: list[tuple[str, str]], *, blank: StrOrPromise | None = None) -> tuple[Category, ...]:
    """A category per choice; `blank` names the category of a field left empty."""
    categories = [Category(value or "none", _(label), _person_is(field, value)) for value, label in choices]
    if blank is not None:
        categories.append(Category("unrecorded", blank, _person_is(field, "")))
    return tuple(categories)


BREAKDOWNS = (
    Breakdown(
        name="members.by_sex",
        label=_("性别"),
        figure="members.members",
        categories=_choices("sex", Sex.choices),
        order=10,
    ),
    Breakdown(
        name="members.by_age",
        label=_("年龄段（期末）"),
        figure="members.members",
        categories=(
            _age_band(_("25岁及以下"), "to25", None, 25),
            _age_band(_("26—35岁"), "26-35", 26, 35),
            _age_band(_("36—45岁"), "36-45", 36, 45),
            _age_band(_("46—55岁"), "46-55", 46, 55),
            _age_band(_("56岁及以上"), "56up", 56, None),
        ),
        order=20,
    ),
    Breakdown(
        name="members.by_education",
        label=_("学历"),
        figure="members.members",
        categories=_choices("education", Education.choices, blank=_("未填写")),
        order=30,
    ),
    Breakdown(
        name="members.by_skill",
        label=_("技能等级"),
        figure="members.members",
        categories=_choices("skill_level", SkillLevel.choices),
        order=40,
    ),
    Breakdown(
        name="members.by_migrant",
        label=_("新居民（农民工）"),
        figure="members.members",
        categories=(
            Category("yes", _("是"), _person_is("is_migrant_worker", True)),
            Category("no", _("否"), _person_is("is_migrant_worker", False)),
        ),
        order=50,
    ),
)
