"""Forms of the application pages; they only parse, the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.administration import Delivery
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
    # How the new member's activation code reaches them (accounts.activation).
    code_delivery = forms.ChoiceField(
        label=_("会员账号激活码"),
        choices=[
            (Delivery.SMS, _("通过短信发送到申请人手机")),
            (Delivery.SLIP, _("在本页显示，由我转交本人")),
        ],
        initial=Delivery.SMS,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_code_delivery(self) -> str:
        return self.cleaned_data.get("code_delivery") or Delivery.SMS


class StatusForm(forms.Form):
    reference = LineField(
        label=_("申请编号"), max_length=20, widget=forms.TextInput(attrs={"autocapitalize": "characters"})
    )
    mobile = LineField(
        label=_("手机号码"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )


class RefuseForm(forms.Form):
    reason = NoteField(label=_("拒绝理由"), max_length=200)
