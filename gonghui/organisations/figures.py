"""Report figures of organisation building (组织建设): unions, the employers they cover, and
the share of the area's employers that have a union (建会率)."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import Column, Figure, Period, percentage
from gonghui.core.tree import subtree_q
from gonghui.organisations.models import GRASSROOTS_KINDS, Employer, Organisation, OrganisationStatus

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


def employers_covered(path: str, period: Period) -> QuerySet[Employer]:
    """Employers whose union lies in the subtree and that were covered by the period's end.
    Coverage is kept as the employer's current union and the date it was first covered."""
    return (
        Employer.objects.filter(subtree_q(path, via="union__"))
        .filter(Q(covered_since__isnull=True) | Q(covered_since__lte=period.end))
        .select_related("union", "town")
        .order_by("union__path", "name", "pk")
    )


def covered_by_end_q(period: Period, *, via: str = "") -> Q:
    """Employers (reached through `via`) with a union at the period's end, as employers_covered counts them."""
    since = Q(**{f"{via}covered_since__isnull": True}) | Q(**{f"{via}covered_since__lte": period.end})
    return Q(**{f"{via}union__isnull": False}) & since


def employers_known(path: str, period: Period) -> QuerySet[Employer]:
    """Every employer located in the area (its town lies in the subtree), with `covered_at_end`
    1 when it had a union by the period's end. A grassroots union has no area of its own, so
    its rate has nothing to divide by."""
    covered = Case(When(covered_by_end_q(period), then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        Employer.objects.filter(subtree_q(path, via="town__"))
        .annotate(covered_at_end=covered)
        .select_related("union", "town")
        .order_by("town__path", "name", "pk")
    )


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
        description=_("期末由本组织及下级工会覆盖的用人单位（一个联合工会可覆盖多家单位）"),
        records=employers_covered,
        tree_field="union__path",
        columns=(
            Column(_("单位名称"), lambda e: e.name),
            Column(_("统一社会信用代码"), lambda e: e.uscc),
            Column(_("单位类型"), lambda e: gettext(e.get_category_display())),
            Column(_("行业"), lambda e: e.industry),
            Column(_("职工人数"), lambda e: e.staff_count),
            Column(_("覆盖工会"), lambda e: e.union.name if e.union else ""),
            Column(_("所在镇（街道）"), lambda e: e.town.name),
            Column(_("建会（覆盖）日期"), lambda e: e.covered_since),
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
            Column(_("期末已建会"), lambda e: gettext("是") if e.covered_at_end else gettext("否")),
            Column(_("覆盖工会"), lambda e: e.union.name if e.covered_at_end and e.union else ""),
            Column(_("建会（覆盖）日期"), lambda e: e.covered_since if e.covered_at_end else None),
        ),
        order=25,
    )
)
