from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from gonghui.core.crypto import BlindIndexField, EncryptedTextField
from gonghui.core.models import TimeStampedModel


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    POSTGRADUATE = "postgraduate", "研究生"


class SkillLevel(models.TextChoices):
    NONE = "", "无"
    GRADE5 = "5", "初级工"
    GRADE4 = "4", "中级工"
    GRADE3 = "3", "高级工"
    GRADE2 = "2", "技师"
    GRADE1 = "1", "高级技师"


# The 56 recognised ethnic groups (GB/T 3304), in the standard's order.
ETHNIC_GROUPS = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)  # fmt: skip


class PoliticalStatus(models.TextChoices):
    """GB/T 4762 codes, with the short names the national forms print."""

    CPC_MEMBER = "01", "中共党员"
    CPC_PROBATIONARY = "02", "中共预备党员"
    CYL_MEMBER = "03", "共青团员"
    RCCK = "04", "民革会员"
    CDL = "05", "民盟盟员"
    CNDCA = "06", "民建会员"
    CAPD = "07", "民进会员"
    CPWDP = "08", "农工党党员"
    CZGP = "09", "致公党党员"
    JIUSAN = "10", "九三学社社员"
    TDSGL = "11", "台盟盟员"
    NON_PARTISAN = "12", "无党派人士"
    MASSES = "13", "群众"


class Person(TimeStampedModel):
    """A real-name worker. Birth date and sex come from the identity number, never typed.

    The identity and mobile numbers are stored encrypted (core.crypto) and read back plain;
    search them by their hashes: `filter(id_number_hash=blind_index(number))`."""

    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("身份证号", max_length=18)
    id_number_hash = BlindIndexField(source="id_number")
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    mobile = EncryptedTextField("手机号码", max_length=11, blank=True)
    mobile_hash = BlindIndexField(source="mobile")
    household_registration = models.CharField("户籍地", max_length=100, blank=True)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    skill_level = models.CharField("技能等级", max_length=2, choices=SkillLevel.choices, blank=True)
    is_migrant_worker = models.BooleanField("新居民（农民工）", default=False)
    ethnicity = models.CharField("民族", max_length=10, choices=[(g, g) for g in ETHNIC_GROUPS], blank=True)
    political_status = models.CharField("政治面貌", max_length=2, choices=PoliticalStatus.choices, blank=True)
    # The history keeps the numbers sealed too, and no hashes: nothing searches old values.
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "id_number_hash", "mobile_hash"])

    class Meta:
        verbose_name = "职工"
        verbose_name_plural = "职工"
        # Declared here rather than on the fields so that PostgreSQL builds no LIKE index
        # beside them: a hash is only ever compared whole.
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="person_id_number_hash_unique")]
        indexes = [
            models.Index(fields=["name"], name="person_name_pattern_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["mobile_hash"], name="person_mobile_hash_idx"),
        ]
        permissions = [
            ("view_full_identity", "查看完整身份证号和手机号"),
            ("export_full_identity", "导出含完整号码的实名制名单"),
        ]

    def __str__(self) -> str:
        return self.name


# What a person's record holds besides the name and what the identity number decides: an
# officer edits these (services.person_update, with the name), and a re-joining person's
# roster row updates them (importing).
PERSON_DETAILS = (
    "mobile",
    "household_registration",
    "education",
    "skill_level",
    "is_migrant_worker",
    "ethnicity",
    "political_status",
)


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "在会"
    TRANSFERRED = "transferred", "已转出"
    LEFT = "left", "已退会"
    DECEASED = "deceased", "已去世"


def full_years(since: date, on: date) -> int:
    """Whole years from `since` to `on` (a birthday-style count)."""
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


class Membership(TimeStampedModel):
    """One stretch of membership in one union: a transfer ends one and starts the next,
    so "members of union X on date D" is a date-range query on this table.

    `joined_on` is the day this stretch began (转入时间: the day the worker came into this
    union); `first_joined_on` is the day they joined the union movement (入会时间, which sets
    会龄), carried unchanged from stretch to stretch by transfers and union closures. A
    worker who left and joins again starts a new first-join date."""

    person = models.ForeignKey(Person, verbose_name="职工", on_delete=models.PROTECT, related_name="memberships")
    union = models.ForeignKey(
        "organisations.Organisation", verbose_name="所在工会", on_delete=models.PROTECT, related_name="memberships"
    )
    employer = models.ForeignKey(
        "organisations.Employer",
        verbose_name="工作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    joined_on = models.DateField("转入时间")
    first_joined_on = models.DateField("入会时间")
    ended_on = models.DateField("离会时间", null=True, blank=True)
    # Where the member works at this employer, as the roster says; it changes with the job.
    department = models.CharField("部门", max_length=100, blank=True)
    job_title = models.CharField("岗位/职务", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    leave_reason = models.CharField("退会原因", max_length=200, blank=True)
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "会籍"
        verbose_name_plural = "会籍"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="one_active_membership_per_person"
            ),
            models.CheckConstraint(
                name="membership_active_has_no_end",
                condition=Q(status="active", ended_on__isnull=True) | (~Q(status="active") & Q(ended_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="membership_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("joined_on")),
            ),
            models.CheckConstraint(
                name="membership_first_join_not_after_start",
                condition=Q(first_joined_on__lte=models.F("joined_on")),
            ),
        ]
        # The date indexes hold both ends of a stretch, so "members of X on date D" (and of
        # each covered employer, for 入会率) is counted from the index alone (bench/RESULTS.md).
        indexes = [
            models.Index(fields=["union", "status"]),
            models.Index(fields=["union", "joined_on", "ended_on"], name="membership_union_dates_idx"),
            models.Index(fields=["employer", "joined_on", "ended_on"], name="membership_employer_dates_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.union}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A stretch that does not continue another (a join, a rejoin) starts the worker's
        # membership years; the services set it explicitly where a transfer carries it.
        if self.first_joined_on is None:
            self.first_joined_on = self.joined_on
        super().save(*args, **kwargs)

    @property
    def years(self) -> int:
        """会龄: whole years since the first join, to the end of this stretch or today."""
        return full_years(self.first_joined_on, self.ended_on or timezone.localdate())

    @property
    def transferred_in(self) -> bool:
        """This stretch continues an earlier one: its 转入时间 differs from the 入会时间."""
        return self.joined_on != self.first_joined_on


class MembershipEventKind(models.TextChoices):
    JOIN = "join", "入会"
    TRANSFER_OUT = "transfer_out", "转出"
    TRANSFER_IN = "transfer_in", "转入"
    LEAVE = "leave", "退会"
    DEATH = "death", "去世"


class MembershipEvent(models.Model):
    """Dated, append-only history of membership changes."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="membership_events")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("变动", max_length=20, choices=MembershipEventKind.choices)
    on = models.DateField("日期")
    union = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    counterpart = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会籍变动"
        verbose_name_plural = "会籍变动"
        ordering = ["person", "on", "pk"]
        indexes = [models.Index(fields=["union", "kind", "on"])]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    COMPLETED = "completed", "已转接"
    REFUSED = "refused", "已拒绝"
    CANCELLED = "cancelled", "已撤回"


class TransferInitiator(models.TextChoices):
    SENDING_UNION = "sending_union", "转出工会发起"
    MEMBER = "member", "会员申请"


class Transfer(TimeStampedModel):
    """A move between unions. It completes when both the sending and the receiving union
    have confirmed; the sending union's start counts as its confirmation."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers")
    to_union = models.ForeignKey(
        "organisations.Organisation", verbose_name="转入工会", on_delete=models.PROTECT, related_name="+"
    )
    to_employer = models.ForeignKey(
        "organisations.Employer",
        verbose_name="新工作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    initiated_by = models.CharField("发起方", max_length=20, choices=TransferInitiator.choices)
    status = models.CharField("状态", max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    requested_on = models.DateField("申请日期")
    effective_on = models.DateField("转接日期", null=True, blank=True)
    sending_confirmed_at = models.DateTimeField(null=True, blank=True)
    receiving_confirmed_at = models.DateTimeField(null=True, blank=True)
    refuse_reason = models.CharField("拒绝原因", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=Q(status="pending"), name="one_pending_transfer_per_membership"
            ),
        ]


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "检查中"
    REJECTED = "rejected", "有错误，未导入"
    DONE = "done", "已导入"
    # Two sheets of the workbook look like rosters: the officer picks one and the same kept
    # file is read again.
    CHOOSE_SHEET = "choose_sheet", "请选择工作表"
    # The run stopped (its worker died, or the database was too busy): nothing was saved and
    # the roster is kept, until its retention ends, so that the job can be run again.
    FAILED = "failed", "未完成，可重试"


class ImportJob(TimeStampedModel):
    union = models.ForeignKey(
        "organisations.Organisation", verbose_name="导入工会", on_delete=models.PROTECT, related_name="import_jobs"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField("行数", default=0)
    created_count = models.PositiveIntegerField("新增会员", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    # What the officer should look at but that blocks nothing: a value worth checking (an
    # upgraded 15-digit number, an age over 75), something the import left as it was (a
    # returning member's stored mobile), columns the file has that were ignored. Capped like
    # the errors; warning_count counts them all.
    warning_count = models.PositiveIntegerField("提示数", default=0)
    warnings = models.JSONField("提示", default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The workbook sheet to read ("" for the one whose header is found), and the sheets that
    # looked like rosters when the officer had to choose.
    sheet_name = models.CharField("工作表", max_length=100, blank=True)
    sheet_choices = models.JSONField("可选工作表", default=list, blank=True)
    # The background job that runs the import: its progress, its attempts, its worker's lease.
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_job")

    class Meta:
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
