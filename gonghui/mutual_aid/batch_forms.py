"""The forms of the settlement batch pages: the upload, the claims' filter, a rejection."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.mutual_aid.calculator import VisitType
from gonghui.mutual_aid.models import ClaimStatus, SchemeYear


class YearChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: SchemeYear) -> str:
        return _("%(year)s 年度") % {"year": obj.year}


class SettlementUploadForm(forms.Form):
    scheme_year = YearChoice(
        label=_("互助保障年度"),
        queryset=SchemeYear.objects.none(),
        empty_label=_("请选择年度"),
        error_messages={"required": _("请选择互助保障年度"), "invalid_choice": _("请选择互助保障年度")},
    )
    file = forms.FileField(
        label=_("医保结算文件（.csv、.xlsx 或 .xls）"), error_messages={"required": _("请选择要上传的结算文件")}
    )

    def __init__(self, *args: Any, years: QuerySet[SchemeYear], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scheme_year"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = years
        latest = years.first()
        if latest is not None and not self.is_bound:
            self.initial.setdefault("scheme_year", latest.pk)


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + ClaimStatus.choices)
    visit_type = forms.ChoiceField(label=_("就诊类型"), required=False, choices=[("", _("全部"))] + VisitType.choices)

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": "", "visit_type": ""}
        return {"status": self.cleaned_data["status"], "visit_type": self.cleaned_data["visit_type"]}


class ClaimRejectForm(forms.Form):
    reason = forms.CharField(label=_("驳回理由"), max_length=500, required=False)
