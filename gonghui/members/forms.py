"""Forms of the member pages. They only parse input: a union typed as a code is looked up
through the scoped selectors, and every rule is left to the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from gonghui.core.access import Scope
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.text import LineField, NoteField
from gonghui.members.models import MembershipStatus
from gonghui.members.selectors import MemberFilter
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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def today_date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), initial=timezone.localdate)


class ScopedUnionField(forms.CharField):
    """An organisation typed by its code (the picker offers codes), looked up in the scope."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.scope: Scope | None = None

    def clean(self, value: Any) -> Organisation | None:
        code = super().clean(value).strip()
        if not code:
            return None
        assert self.scope is not None, "set the form's scope"
        try:
            return org_selectors.organisation_get(scope=self.scope, code=code)
        except NotFound as err:
            raise forms.ValidationError(gettext(err.message)) from None


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
            if isinstance(field, ScopedUnionField):
                field.scope = scope


class MemberSearchForm(ScopedForm):
    q = forms.CharField(label=_("姓名、身份证号或手机号"), required=False, max_length=50)
    union = ScopedUnionField(label=_("工会（代码）"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    migrant = forms.BooleanField(label=_("仅新居民"), required=False)

    def to_filter(self) -> MemberFilter:
        data = self.cleaned_data
        status = data.get("status") or MembershipStatus.ACTIVE
        return MemberFilter(
            query=data.get("q", ""),
            union=data.get("union"),
            status=None if status == ALL_STATUSES else status,
            migrant_only=bool(data.get("migrant")),
        )


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


class LeaveForm(forms.Form):
    on = today_date_field(_("退会日期"))
    reason = NoteField(label=_("退会原因"), max_length=200)
    deceased = forms.BooleanField(label=_("因去世退会"), required=False)


class ImportForm(ScopedForm):
    union = ScopedUnionField(label=_("导入到工会（代码）"))
    file = forms.FileField(label=_("花名册文件（.xlsx、.xls、.ods 或 .csv）"))
    # Left empty, the sheet with a roster's header is read.
    sheet = LineField(label=_("工作表名称（可不填）"), required=False, max_length=100)
