"""The forms of member claims: the member's bill with its invoice photos (two inputs on a
phone: the camera, or photos already taken), and the reason an officer turns a claim down.
They only read what was typed; member_claims.py decides whether the claim stands."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import MoneyError, money
from gonghui.core.text import LineField, NoteField
from gonghui.members.forms import DateInput
from gonghui.mutual_aid.calculator import VisitType
from gonghui.mutual_aid.member_claims import ClaimBill

AMOUNT = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}
PHOTOS = {"accept": "image/*"}


class PhotosInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files (the service counts and checks them): a list, maybe empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PhotosInput(attrs={**PHOTOS, "multiple": True}))
        super().__init__(required=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(file, initial) for file in files if file]


class AmountField(LineField):
    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label=label, max_length=20, widget=forms.TextInput(AMOUNT), **kwargs)

    def clean(self, value: Any) -> Decimal:
        text = (super().clean(value) or "0").replace(",", "").replace("，", "")
        try:
            return money(text)
        except MoneyError as exc:
            raise forms.ValidationError(_("请填写金额，单位元，最多两位小数")) from exc


class ClaimForm(forms.Form):
    visit_type = forms.ChoiceField(
        label=_("就诊类型"), choices=[(VisitType.INPATIENT, _("住院")), (VisitType.SPECIAL_OUTPATIENT, _("门诊特殊病"))]
    )
    hospital = LineField(label=_("医院"), max_length=100)
    admitted_on = forms.DateField(label=_("入院（就诊）日期"), widget=DateInput())
    discharged_on = forms.DateField(label=_("出院日期"), required=False, widget=DateInput())
    total_cost = AmountField(_("总费用（元）"))
    in_policy_self_paid = AmountField(_("政策范围内自付（元）"), help_text=_("结算单上的“政策内自付”或“个人自付”"))
    out_of_policy_self_paid = AmountField(_("政策外自付（元）"), required=False)
    diagnosis = forms.ChoiceField(label=_("诊断病种"), required=False)
    invoice_number = LineField(label=_("发票号码"), max_length=40)
    note = NoteField(label=_("说明（可不填）"), required=False, max_length=200, widget=forms.Textarea({"rows": 2}))
    camera = PhotosField(label=_("拍摄发票"))
    photos = PhotosField(label=_("从相册选择"))

    def __init__(self, *args: Any, diagnoses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        diagnosis = self.fields["diagnosis"]
        assert isinstance(diagnosis, forms.ChoiceField)
        diagnosis.choices = [("", _("不属于下列病种")), *diagnoses]
        self.fields["camera"].widget.attrs.update({"capture": "environment"})
        self.fields["camera"].widget.attrs.pop("multiple", None)

    def bill(self) -> ClaimBill:
        data = self.cleaned_data
        return ClaimBill(
            visit_type=data["visit_type"],
            hospital=data["hospital"],
            admitted_on=data["admitted_on"],
            discharged_on=data["discharged_on"],
            total_cost=data["total_cost"],
            in_policy_self_paid=data["in_policy_self_paid"],
            out_of_policy_self_paid=data["out_of_policy_self_paid"],
            diagnosis=data["diagnosis"],
            invoice_number=data["invoice_number"],
            note=data["note"],
        )

    def uploads(self) -> list[UploadedFile]:
        return [*self.cleaned_data["camera"], *self.cleaned_data["photos"]]


class RejectForm(forms.Form):
    reason = NoteField(label=_("退回理由"), max_length=200, widget=forms.Textarea({"rows": 2}))
