"""Forms of the member pages. They only parse input: a union typed as a code is looked up
through the scoped selectors, and every rule is left to the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from gonghui.core.access import Scope
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.text import LineField, NoteField
from gonghui.members.leave_reasons import leave_reasons
from gonghui.members.models import (
    ETHNIC_GROUPS,
    Education,
    ImportStatus,
    MembershipStatus,
    PoliticalStatus,
    SkillLevel,
    TransferStatus,
)
from gonghui.members.selectors import MemberFilter, TransferFilter
from gonghui.organisations import selectors as org_selectors
from gonghui.organisations.identity import normalise_code
from gonghui.organisations.models import Employer, Organisation

ALL_STATUSES = "all"
STATUS_CHOICES = [
    (MembershipStatus.ACTIVE, _("在会")),
    (MembershipStatus.TRANSFERRED, _("已转出")),
    (MembershipStatus.LEFT, _("已退会")),
    (MembershipStatus.DECEASED, _("已去世")),
    (ALL_STATUSES, _("全部")),
]
MEMBER_SORTS = [
    ("", _("最近登记")),
    ("name", _("姓名")),
    ("-joined", _("入会时间（新到旧）")),
    ("joined", _("入会时间（旧到新）")),
]
# The models' labels are Chinese strings; these are the translated ones.
TRANSFER_STATUSES = [
    ("", _("全部")),
    (TransferStatus.PENDING, _("待确认")),
    (TransferStatus.COMPLETED, _("已转接")),
    (TransferStatus.REFUSED, _("已拒绝")),
    (TransferStatus.CANCELLED, _("已撤回")),
]
IMPORT_STATUSES = [
    ("", _("全部")),
    (ImportStatus.PENDING, _("排队中")),
    (ImportStatus.RUNNING, _("检查中")),
    (ImportStatus.REJECTED, _("有错误，未导入")),
    (ImportStatus.DONE, _("已导入")),
    (ImportStatus.FAILED, _("未完成，可重试")),
]
DIRECTIONS = [("", _("转入和转出")), ("in", _("转入本辖区")), ("out", _("转出本辖区"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def today_date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), initial=timezone.localdate)


class ScopedUnionField(forms.CharField):
    """An organisation chosen by name in the picker (or typed by its code), looked up in the
    scope; a name two organisations share asks for the code."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.scope: Scope | None = None

    def clean(self, value: Any) -> Organisation | None:
        code = super().clean(value).strip()
        if not code:
            return None
        assert self.scope is not None, "set the form's scope"
        named = list(org_selectors.organisation_list(scope=self.scope).filter(name=code)[:2])
        if len(named) == 1:
            return named[0]
        try:
            return org_selectors.organisation_get(scope=self.scope, code=code)
        except NotFound as err:
            if named:
                raise forms.ValidationError(gettext("有多个同名组织，请输入组织代码")) from None
            raise forms.ValidationError(gettext(err.message)) from None


class ScopedEmployerField(forms.CharField):
    """An employer chosen by name in the picker, looked up in the scope."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.scope: Scope | None = None

    def clean(self, value: Any) -> Employer | None:
        name = super().clean(value).strip()
        if not name:
            return None
        assert self.scope is not None, "set the form's scope"
        found = list(org_selectors.employer_list(scope=self.scope).filter(Q(name=name) | Q(uscc=name.upper()))[:2])
        if len(found) != 1:
            raise forms.ValidationError(
                gettext("没有找到唯一的单位，请从列表中选择")
                if not found
                else gettext("有多个同名单位，请输入统一社会信用代码")
            )
        return found[0]


class DirectoryUnionField(forms.CharField):
    """The receiving union of a transfer: any active grassroots union, typed by code (or by
    a name that matches exactly one union)."""

    def clean(self, value: Any) -> Organisation:
        text = super().clean(value).strip()
        found: list[Organisation] = []
        if text:
            directory = org_selectors.union_directory(query=text)
            # The exact code or name first: other names may contain it and sort before it.
            exact = Q(code=normalise_code(text)) | Q(name=text)
            found = list(directory.filter(exact)[:2]) or list(directory[:2])
        if len(found) != 1:
            raise forms.ValidationError(gettext("没有找到唯一的工会，请输入工会代码或从列表中选择"))
        return found[0]


class ScopedForm(forms.Form):
    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, (ScopedUnionField, ScopedEmployerField)):
                field.scope = scope


class MemberSearchForm(ScopedForm):
    q = forms.CharField(label=_("姓名、身份证号或手机号"), required=False, max_length=50)
    union = ScopedUnionField(label=_("工会"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    migrant = forms.BooleanField(label=_("仅新居民"), required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=MEMBER_SORTS, required=False)

    def to_filter(self) -> MemberFilter:
        data = self.cleaned_data
        status = data.get("status") or MembershipStatus.ACTIVE
        return MemberFilter(
            query=data.get("q", ""),
            union=data.get("union"),
            status=None if status == ALL_STATUSES else status,
            migrant_only=bool(data.get("migrant")),
            sort=data.get("sort", ""),
        )


class TransferFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=TRANSFER_STATUSES, required=False)
    direction = forms.ChoiceField(label=_("方向"), choices=DIRECTIONS, required=False)
    since = forms.DateField(label=_("申请日期从"), widget=DateInput(), required=False)
    until = forms.DateField(label=_("至"), widget=DateInput(), required=False)

    def to_filter(self) -> TransferFilter:
        data = self.cleaned_data
        return TransferFilter(
            status=data.get("status") or None,
            direction=data.get("direction", ""),
            since=data.get("since"),
            until=data.get("until"),
        )


class ImportFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=IMPORT_STATUSES, required=False)


class RevealForm(forms.Form):
    # Not required here: the service refuses a missing reason, and logs the refusal.
    reason = NoteField(label=_("查看理由"), max_length=200, required=False)


class TransferStartForm(forms.Form):
    to_union = DirectoryUnionField(label=_("转入工会"), max_length=200)
    on = today_date_field(_("转出日期"))
    note = NoteField(label=_("备注"), required=False, max_length=200)


class TransferRequestForm(forms.Form):
    to_union = DirectoryUnionField(label=_("转入工会"), max_length=200)
    note = NoteField(label=_("说明（新工作单位等）"), required=False, max_length=200)


class TransferConfirmForm(forms.Form):
    """The receiving union's confirmation: the worker's new employer, by its id (the service
    checks that the receiving union covers it)."""

    to_employer = forms.IntegerField(label=_("新工作单位"), required=False, min_value=1)

    def employer(self) -> Employer | None:
        if not self.is_valid():
            raise ValidationFailed(gettext("请从列表中选择新工作单位"), field="to_employer")
        pk = self.cleaned_data["to_employer"]
        return org_selectors.employer_target_get(pk=pk, field="to_employer") if pk else None


class TransferRefuseForm(forms.Form):
    reason = NoteField(label=_("拒绝原因"), max_length=200)


def _leave_categories() -> list[tuple[str, StrOrPromise]]:
    return [("", _("请选择")), *((reason.key, reason.label) for reason in leave_reasons())]


class LeaveForm(forms.Form):
    on = today_date_field(_("退会日期"))
    category = forms.ChoiceField(label=_("退会原因"), choices=_leave_categories)
    reason = NoteField(label=_("退会说明"), max_length=150, required=False)


def _translated(choices: list[tuple[str, str]]) -> list[tuple[str, StrOrPromise]]:
    """A model's Chinese labels through the catalogue (core/labels.py lists them for it)."""
    return [(value, gettext_lazy(label)) for value, label in choices]


class PersonDetailsForm(forms.Form):
    """What an officer types about a worker; birth date and sex come from the identity number."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    household_registration = forms.CharField(label=_("户籍地"), max_length=100, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=_translated([("", "—"), *Education.choices]), required=False)
    skill_level = forms.ChoiceField(label=_("技能等级"), choices=_translated(SkillLevel.choices), required=False)
    is_migrant_worker = forms.BooleanField(label=_("新居民（农民工）"), required=False)
    ethnicity = forms.ChoiceField(
        label=_("民族"), choices=[("", "—"), *((g, g) for g in ETHNIC_GROUPS)], required=False
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=_translated([("", "—"), *PoliticalStatus.choices]), required=False
    )


class MemberEditForm(PersonDetailsForm):
    pass


class MemberAddForm(ScopedForm, PersonDetailsForm):
    union = ScopedUnionField(label=_("所在工会"), max_length=200)
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    joined_on = today_date_field(_("入会时间"))
    employer = ScopedEmployerField(label=_("工作单位"), required=False)
    # Shown once the service has asked (a known person's other name or mobile).
    confirm_name_change = forms.BooleanField(label=_("确认为本人改名，修改姓名"), required=False)
    confirm_mobile_change = forms.BooleanField(label=_("确认更换手机号码"), required=False)

    field_order = ["union", "id_number", "name", "joined_on", "employer", "mobile"]


class ImportForm(ScopedForm):
    union = ScopedUnionField(label=_("导入到工会"), max_length=200)
    file = forms.FileField(label=_("花名册文件（.xlsx、.xls、.ods 或 .csv）"))
    # Left empty, the sheet with a roster's header is read.
    sheet = LineField(label=_("工作表名称（可不填）"), required=False, max_length=100)
