"""Report figures of organisation building (组织建设): unions, the employers they cover, and
the share of the area's employers that have a union (建会率)."""

from datetime import date

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import Column, Figure, Period, percentage
from gonghui.core.tree import subtree_q
from gonghui.organisations.models import GRASSROOTS_KINDS, Employer, EmployerCoverage, Organisation, OrganisationStatus

PROGRAMME = _("组织建设")


def unions_at_end(path: str, period: Period) -> QuerySet[Organisation]:
    """Grassroots unions founded by the period's end and not yet merged or dissolved then.
    A closed union's status_since is its closing date, so it still counts before that."""
    return (
        Organisation.objects.filter(subtree_q(path), kind__in=GRASSROOTS_KINDS)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end))
        .filter(Q(status=OrganisationStatus.ACTIVE) | Q(status_since__gt=period.end))
        .order_by("path")
    )


def coverage_on_q(day: date) -> Q:
    """Coverage stretches holding `day`: started by then, and an end date is the first day outside."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def employers_covered(path: str, period: Period) -> QuerySet[EmployerCoverage]:
    """Employers covered at the period's end by a union in the subtree: the stretch of each
    employer's coverage history (EmployerCoverage) that holds that day, so an employer
    counts where its union was then, not where it is now. An employer has at most one
    stretch on any day, so the rows are the employers."""
    return (
        EmployerCoverage.objects.filter(subtree_q(path, via="union__"), coverage_on_q(period.end))
        .select_related("employer__town", "union")
        .order_by("union__path", "employer__name", "pk")
    )


def coverage_on(day: date, *, employer: Employer | OuterRef) -> QuerySet[EmployerCoverage]:
    """The stretch of an employer's coverage history holding `day` (at most one)."""
    return EmployerCoverage.objects.filter(coverage_on_q(day), employer=employer)


def employers_known(path: str, period: Period) -> QuerySet[Employer]:
    """Every employer located in the area (its town lies in the subtree), with the union that
    covered it at the period's end (`union_at_end`, from the coverage history, as
    employers_covered counts) and `covered_at_end` 1 when there was one. A grassroots union
    has no area of its own, so its rate has nothing to divide by."""
    union = Subquery(coverage_on(period.end, employer=OuterRef("pk")).order_by().values("union__name")[:1])
    covered = Case(When(union_at_end__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        Employer.objects.filter(subtree_q(path, via="town__"))
        .annotate(union_at_end=union)
        .annotate(covered_at_end=covered)
        .select_related("town")
        .order_by("town__path", "name", "pk")
    )


def yes_no(value: bool) -> str:
    return gettext("是") if value else gettext("否")


def _status(org: Organisation) -> str:
    # Choice labels are Chinese source strings; translated here, in the reader's language.
    label = gettext(org.get_status_display())
    return label if org.status == OrganisationStatus.ACTIVE else f"{label}（{org.status_since}）"


# Registered in this app's contributions.py.
FIGURES: list[Figure] = []

FIGURES.append(
    Figure(
        name="organisations.unions",
        label=_("基层工会"),
        programme=PROGRAMME,
        unit=_("个"),
        description=_("期末已成立、尚未合并或撤销的基层工会（企事业单位工会、联合工会、行业工会联合会、楼宇商圈工会）"),
        records=unions_at_end,
        tree_field="path",
        columns=(
            Column(_("组织代码"), lambda o: o.code),
            Column(_("名称"), lambda o: o.name),
            Column(_("类型"), lambda o: gettext(o.get_kind_display())),
            Column(_("成立日期"), lambda o: o.founded_on),
            Column(_("目前状态"), _status),
            Column(_("联系人"), lambda o: o.contact_name),
        ),
        order=10,
    )
)

FIGURES.append(
    Figure(
        name="organisations.employers_covered",
        label=_("覆盖用人单位"),
        programme=PROGRAMME,
        unit=_("家"),
        description=_("期末由本组织及下级工会覆盖的用人单位（一个联合工会可覆盖多家单位）；按期末当日的覆盖工会计算"),
        records=employers_covered,
        tree_field="union__path",
        columns=(
            Column(_("单位名称"), lambda c: c.employer.name),
            Column(_("统一社会信用代码"), lambda c: c.employer.uscc),
            Column(_("单位类型"), lambda c: gettext(c.employer.get_category_display())),
            Column(_("行业"), lambda c: c.employer.industry),
            Column(_("职工人数"), lambda c: c.employer.staff_count),
            Column(_("覆盖工会"), lambda c: c.union.name),
            Column(_("所在镇（街道）"), lambda c: c.employer.town.name),
            Column(_("建会（覆盖）日期"), lambda c: c.employer.covered_since),
            Column(_("本工会覆盖起始"), lambda c: c.started_on),
        ),
        order=20,
    )
)

FIGURES.append(
    Figure(
        name="organisations.coverage_rate",
        label=_("建会率"),
        programme=PROGRAMME,
        unit="%",
        description=_("所在地（镇、街道）的已知用人单位中，期末已建立或加入工会的单位所占比例"),
        records=employers_known,
        tree_field="town__path",
        value=percentage(Sum("covered_at_end"), Count("pk")),
        columns=(
            Column(_("单位名称"), lambda e: e.name),
            Column(_("统一社会信用代码"), lambda e: e.uscc),
            Column(_("所在镇（街道）"), lambda e: e.town.name),
            Column(_("职工人数"), lambda e: e.staff_count),
            Column(_("期末已建会"), lambda e: yes_no(e.covered_at_end)),
            Column(_("期末覆盖工会"), lambda e: e.union_at_end or ""),
            Column(_("建会（覆盖）日期"), lambda e: e.covered_since if e.covered_at_end else None),
        ),
        order=25,
    )
)
