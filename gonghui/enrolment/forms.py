"""Forms of the application pages; they only parse, the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.text import LineField, NoteField
from gonghui.members.forms import DirectoryUnionField, today_date_field


class ApplicationForm(forms.Form):
    name = LineField(label=_("姓名"), max_length=50)
    id_number = LineField(label=_("身份证号"), max_length=30)
    mobile = LineField(label=_("手机号码"), max_length=20)
    employer_name = LineField(label=_("工作单位"), max_length=200)
    union = DirectoryUnionField(label=_("申请加入的工会"), max_length=200)
    consent = forms.BooleanField(label=_("我已阅读并同意上述个人信息处理告知"))


class AcceptForm(forms.Form):
    joined_on = today_date_field(_("入会日期"))
    # Shown only after the service found the applicant's number registered under another
    # name or mobile (codes name_differs / mobile_differs).
    confirm_name_change = forms.BooleanField(label=_("确认是本人改名，以申请中的姓名为准"), required=False)
    confirm_mobile_change = forms.BooleanField(label=_("确认更换手机号码，以申请中的号码为准"), required=False)


class RefuseForm(forms.Form):
    reason = NoteField(label=_("拒绝理由"), max_length=200)
