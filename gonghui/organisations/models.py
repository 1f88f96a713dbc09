from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.models import TimeStampedModel
from gonghui.core.tree import PATH_ALPHABET, STEPLEN
from gonghui.organisations.identity import code_skeleton_sql, normalise_code


class OrganisationKind(models.TextChoices):
    CITY_FEDERATION = "city_federation", "市总工会"
    TOWN_FEDERATION = "town_federation", "镇（街道）总工会"
    ENTERPRISE_UNION = "enterprise_union", "企事业单位工会"
    JOINT_UNION = "joint_union", "联合工会"
    INDUSTRY_FEDERATION = "industry_federation", "行业工会联合会"
    DISTRICT_UNION = "district_union", "楼宇商圈工会"


GRASSROOTS_KINDS = [
    OrganisationKind.ENTERPRISE_UNION,
    OrganisationKind.JOINT_UNION,
    OrganisationKind.INDUSTRY_FEDERATION,
    OrganisationKind.DISTRICT_UNION,
]


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    MERGED = "merged", "已合并"
    DISSOLVED = "dissolved", "已撤销"


# treebeard ships no types, so the checker cannot see MP_Node's manager; `objects` (with
# get_root_nodes, get_children...) is left untyped.
class Organisation(MP_Node, TimeStampedModel):  # type: ignore[django-manager-missing]
    """A node of the union tree. Materialised paths make a subtree one indexed prefix match."""

    steplen = STEPLEN
    alphabet = PATH_ALPHABET
    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=30, choices=OrganisationKind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE
    )
    status_since = models.DateField("状态日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = EncryptedTextField("联系电话", max_length=30, blank=True)  # often a person's own mobile
    address = models.CharField("地址", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "工会组织"
        verbose_name_plural = "工会组织"
        indexes = [
            # LIKE 'prefix%' needs a pattern index on PostgreSQL; other databases ignore opclasses.
            models.Index(fields=["path"], name="org_path_pattern_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="org_merged_has_target",
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
            ),
            # Two codes that read the same (HN-XS-0006, HN-XS-OOO6) would be taken for one another.
            models.UniqueConstraint(code_skeleton_sql(), name="org_code_reads_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Codes are compared normalised everywhere, so they are stored that way whichever
        # path created the row (service, admin, demo, tests).
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS


class OrganisationStatusChange(models.Model):
    """Dated history of founding, merging and dissolving, kept beside the current status."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField("状态", max_length=20, choices=OrganisationStatus.choices)
    on = models.DateField("日期")
    merged_into = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "组织状态变更"
        verbose_name_plural = "组织状态变更"
        ordering = ["organisation", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_status_display()}"


class OfficerRole(models.TextChoices):
    CHAIR = "chair", "主席"
    VICE_CHAIR = "vice_chair", "副主席"
    PART_TIME_VICE_CHAIR = "part_time_vice_chair", "兼职副主席"
    SECONDED_VICE_CHAIR = "seconded_vice_chair", "挂职副主席"
    OFFICER = "officer", "专干"
    FUNDS_AUDITOR = "funds_auditor", "经审委员"


class Officer(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="officers")
    role = models.CharField("职务", max_length=30, choices=OfficerRole.choices)
    name = models.CharField("姓名", max_length=50)
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone = EncryptedTextField("电话", max_length=30, blank=True)  # sealed like members' mobiles
    started_on = models.DateField("任职日期", null=True, blank=True)
    ended_on = models.DateField("离任日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "工会干部"
        verbose_name_plural = "工会干部"
        ordering = ["organisation", "role", "started_on"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_role_display()} {self.name}"


class EmployerCategory(models.TextChoices):
    STATE_OWNED = "110", "国有"
    COLLECTIVE = "120", "集体"
    JOINT_STOCK_COOP = "130", "股份合作"
    JOINT_VENTURE = "140", "联营"
    LLC_STATE = "151", "国有独资有限责任公司"
    LLC_OTHER = "159", "其他有限责任公司"
    JSC_LISTED = "161", "上市股份有限公司"
    JSC_OTHER = "169", "其他股份有限公司"
    PRIVATE = "170", "私营"
    OTHER_DOMESTIC = "190", "其他内资"
    HMT = "200", "港澳台投资"
    FOREIGN = "300", "外商投资"
    INSTITUTION = "400", "事业单位"
    GOVERNMENT = "500", "机关"
    INDIVIDUAL = "600", "个体工商户"
    NON_ENTERPRISE = "700", "民办非企业单位"


class Employer(TimeStampedModel):
    name = models.CharField("单位名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    category = models.CharField(
        "单位类型", max_length=3, choices=EmployerCategory.choices, default=EmployerCategory.PRIVATE
    )
    industry = models.CharField("行业", max_length=60, blank=True)
    staff_count = models.PositiveIntegerField("职工人数", default=0)
    address = models.CharField("地址", max_length=200, blank=True)
    town = models.ForeignKey(
        Organisation, verbose_name="所在镇（街道）", on_delete=models.PROTECT, related_name="employers_in_town"
    )
    union = models.ForeignKey(
        Organisation, verbose_name="覆盖工会", null=True, blank=True, on_delete=models.PROTECT, related_name="employers"
    )
    covered_since = models.DateField("建会（覆盖）日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "用人单位"
        verbose_name_plural = "用人单位"
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class EmployerCoverage(models.Model):
    """Which union covered an employer, from when to when: a row per stretch, the open one
    (no end) being the employer's current union (Employer.union). End dates are exclusive,
    as for memberships, so "covered by X on D" is `started_on <= D < ended_on`. Written only
    by organisations.services, wherever an employer's union changes."""

    employer = models.ForeignKey(Employer, verbose_name="用人单位", on_delete=models.CASCADE, related_name="coverage")
    union = models.ForeignKey(
        Organisation, verbose_name="覆盖工会", on_delete=models.PROTECT, related_name="employer_coverage"
    )
    started_on = models.DateField("覆盖起始日期")
    ended_on = models.DateField("覆盖结束日期", null=True, blank=True)
    reason = models.CharField("变更说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "单位覆盖记录"
        verbose_name_plural = "单位覆盖记录"
        ordering = ["employer", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], condition=Q(ended_on__isnull=True), name="one_open_coverage_per_employer"
            ),
            models.CheckConstraint(
                name="coverage_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            ),
        ]
        indexes = [models.Index(fields=["union", "started_on"])]

    def __str__(self) -> str:
        return f"{self.employer} @ {self.union} {self.started_on}–{self.ended_on or ''}"
