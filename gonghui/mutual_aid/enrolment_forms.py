"""Forms of the enrolment pages: an uploaded list of ID numbers, and a payment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.text import LineField
from gonghui.members.forms import DateInput

MAX_LIST_BYTES = 5 * 1024 * 1024


class IdListForm(forms.Form):
    file = forms.FileField(
        label=_("身份证号名单"),
        help_text=_(".csv、.xlsx 或 .xls，每行一个身份证号（第一列或任一列），可有标题行"),
    )

    def clean_file(self) -> object:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_LIST_BYTES:
            raise forms.ValidationError(_("文件不能超过 5 MB"))
        return uploaded


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("缴费日期"), widget=DateInput())
    reference = LineField(label=_("缴费凭证号"), max_length=60, help_text=_("银行回单号或收据号"))
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    expected_count = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
