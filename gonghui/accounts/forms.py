"""Forms of the account pages and of activation. They only parse; who may do what, and what
a valid username or mobile is, are the services' (accounts.administration, activation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.accounts.administration import ROLE_KINDS, Delivery
from gonghui.accounts.models import AccountStatus
from gonghui.accounts.rules import ASSIGNABLE
from gonghui.accounts.selectors import AccountFilter
from gonghui.core.access import Role, Scope
from gonghui.core.text import LineField
from gonghui.core.tree import STEPLEN
from gonghui.organisations.models import OrganisationKind, OrganisationStatus
from gonghui.organisations.selectors import organisation_list

ROLE_LABELS = {
    Role.CITY: pgettext_lazy("role", "市总工会"),
    Role.TOWN: pgettext_lazy("role", "镇（街道）总工会"),
    Role.UNION: pgettext_lazy("role", "基层工会"),
    Role.MEMBER: pgettext_lazy("role", "会员"),
}
STATUS_CHOICES = [
    ("", _("全部")),
    (AccountStatus.ACTIVE, _("正常")),
    (AccountStatus.PENDING, _("待激活")),
    (AccountStatus.DISABLED, _("已停用")),
]
TOWN_DEPTH = 2  # the city is the root; its towns are the second level of the tree
DELIVERY_CHOICES = [
    (Delivery.SLIP, _("在本页显示激活码，由我转交本人")),
    (Delivery.SMS, _("通过短信发送到本人手机")),
]


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部")), *ROLE_LABELS.items()])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)

    def to_filter(self) -> AccountFilter:
        data = self.cleaned_data
        return AccountFilter(query=data.get("q", "").strip(), role=data.get("role", ""), status=data.get("status", ""))


class AccountCreateForm(forms.Form):
    name = LineField(label=_("姓名"), max_length=50)
    username = LineField(
        label=_("用户名"), max_length=150, help_text=_("登录时输入，建议用姓名拼音，只能包含字母、数字和 @ . + - _")
    )
    mobile = LineField(label=_("手机号码"), max_length=20, help_text=_("激活账号时核对，也可用于接收激活码"))
    role = forms.ChoiceField(label=_("角色"))
    organisation = forms.TypedChoiceField(label=_("所属组织"), coerce=int)
    delivery = forms.ChoiceField(
        label=_("激活码的交付方式"), choices=DELIVERY_CHOICES, initial=Delivery.SLIP, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = ASSIGNABLE.get(scope.role, ())
        role_field, organisation_field = self.fields["role"], self.fields["organisation"]
        assert isinstance(role_field, forms.ChoiceField) and isinstance(organisation_field, forms.ChoiceField)
        role_field.choices = [(role.value, ROLE_LABELS[role]) for role in roles]
        organisation_field.choices = organisation_choices(scope=scope, roles=roles)


def organisation_choices(*, scope: Scope, roles: tuple[Role, ...]) -> list[tuple[Any, Any]]:
    """The organisations an account may be given, by name, one group per town (its own
    federation first, then its unions), the city's own unions in a group of their own. Never
    a bare code: officers know their unions by name."""
    kinds = set().union(*(ROLE_KINDS[role] for role in roles)) if roles else set()
    orgs = (
        organisation_list(scope=scope)
        .filter(kind__in={*kinds, OrganisationKind.TOWN_FEDERATION}, status=OrganisationStatus.ACTIVE)
        .only("id", "name", "kind", "path", "depth")
    )
    groups: dict[str, tuple[str, list[tuple[int, str]]]] = {"": (str(_("市直属基层工会")), [])}
    for org in orgs:  # in path order: a town comes before its unions
        if org.kind == OrganisationKind.TOWN_FEDERATION:
            groups.setdefault(org.path, (org.name, []))
        town = org.path[: TOWN_DEPTH * STEPLEN]
        if org.kind in kinds:
            groups[town if town in groups else ""][1].append((org.pk, org.name))
    shown = [(label, options) for label, options in groups.values() if options]
    if len(shown) == 1:  # a town's staff: the unions of their town, no heading needed
        return [("", _("请选择")), *shown[0][1]]
    return [("", _("请选择")), *shown]


class CodeReissueForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("激活码的交付方式"),
        choices=DELIVERY_CHOICES,
        initial=Delivery.SLIP,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_delivery(self) -> str:
        return self.cleaned_data.get("delivery") or Delivery.SLIP


class ActivationForm(forms.Form):
    code = LineField(
        label=_("激活码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )
    proof = LineField(
        label=_("手机号码或身份证号"),
        max_length=30,
        help_text=_("工作人员填本人手机号码；会员填身份证号或入会时登记的手机号码"),
    )
    password = forms.CharField(
        label=_("设置密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少12个字符，可以用几个词组成的短语，不要用常见密码"),
    )
    password_again = forms.CharField(
        label=_("再次输入密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data
