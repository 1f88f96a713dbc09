"""Report figures of the member registry: members at the period's end, new members in it,
migrant-worker members. "Members of X on date D" is a date-range query on Membership, so
every figure here is right for any past period, not only for today."""

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import Column, Figure, Period
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.tree import subtree_q
from gonghui.members.models import Membership, MembershipEvent, MembershipEventKind
from gonghui.members.selectors import MembershipHere, current_on_q, memberships_with_present

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


def _yes_no(value: bool) -> str:
    return str(_("是")) if value else str(_("否"))


def _if_present(membership: MembershipHere, value: str) -> str:
    return value if membership.present_here else ""


MEMBER_COLUMNS = (
    Column(_("姓名"), lambda m: m.person.name),
    Column(_("身份证号"), lambda m: mask_id_number(m.person.id_number)),
    Column(_("性别"), lambda m: gettext(m.person.get_sex_display())),
    Column(_("手机号码"), lambda m: _if_present(m, mask_mobile(m.person.mobile))),
    Column(_("所在工会"), lambda m: m.union.name),
    Column(_("工作单位"), lambda m: m.employer.name if m.employer else ""),
    Column(_("入会时间"), lambda m: m.first_joined_on),
    Column(_("转入时间"), lambda m: m.joined_on if m.transferred_in else None),
    Column(_("新居民"), lambda m: _yes_no(m.person.is_migrant_worker)),
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
        columns=(
            Column(_("姓名"), lambda e: e.person.name),
            Column(_("身份证号"), lambda e: mask_id_number(e.person.id_number)),
            Column(_("性别"), lambda e: gettext(e.person.get_sex_display())),
            Column(_("入会日期"), lambda e: e.on),
            Column(_("入会工会"), lambda e: e.union.name),
            Column(_("工作单位"), lambda e: e.membership.employer.name if e.membership.employer else ""),
            Column(_("新居民"), lambda e: _yes_no(e.person.is_migrant_worker)),
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
        columns=(*MEMBER_COLUMNS[:-1], Column(_("户籍地"), lambda m: _if_present(m, m.person.household_registration))),
        order=50,
    )
)
