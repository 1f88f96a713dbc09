"""Sign-in in two steps for staff (password, then the code from their authenticator app),
one for members; and sign-out, which ends the user's sessions everywhere."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gonghui.accounts import services
from gonghui.accounts.second_factor import (
    confirmed_device,
    needs_second_factor,
    safe_next,
    second_factor_missing,
    second_factor_url,
)
from gonghui.core.errors import ServiceError
from gonghui.core.pages import form_error

QR_PIXELS = 220


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        target = super().get_success_url()
        if needs_second_factor(self.request.user):
            return second_factor_url(self.request, next_url=target)
        return target


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5); the header's sign-out button is a form. Django's logout sends
    user_logged_out, on which every session of the user is ended (accounts/signals.py)."""


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _after_second_factor(request: HttpRequest) -> str:
    return safe_next(request, default=resolve_url(settings.LOGIN_REDIRECT_URL))


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """The code step, for staff with a device."""
    if not second_factor_missing(request):
        return HttpResponseRedirect(_after_second_factor(request))
    if confirmed_device(request.user) is None:
        return HttpResponseRedirect(second_factor_url(request, next_url=_after_second_factor(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_verify(request=request, token=form.cleaned_data["token"])
            return HttpResponseRedirect(_after_second_factor(request))
        except ServiceError as err:
            form_error(form, err)
    return render(request, "accounts/second_factor.html", {"form": form, "next": _after_second_factor(request)})


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of a staff account: set up the authenticator app, then confirm a code."""
    if not second_factor_missing(request):
        return HttpResponseRedirect(_after_second_factor(request))
    if confirmed_device(request.user) is not None:
        return HttpResponseRedirect(second_factor_url(request, next_url=_after_second_factor(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_enrol_confirm(request=request, token=form.cleaned_data["token"])
            return HttpResponseRedirect(_after_second_factor(request))
        except ServiceError as err:
            form_error(form, err)
    device = services.enrolment_device(user=request.user)
    return render(request, "accounts/second_factor_enrol.html", _enrol_context(request, form, device))


def _enrol_context(request: HttpRequest, form: CodeForm, device: Any) -> dict[str, Any]:
    return {
        "form": form,
        "next": _after_second_factor(request),
        "secret": services.device_secret(device),
        "config_url": device.config_url,
        "qr_svg": qr_svg(device.config_url),
    }


def qr_svg(data: str) -> str:
    """The otpauth address as an inline SVG QR code (inline, so the Content-Security-Policy
    needs no exception), sized in pixels to fit a phone; the page shows the secret as text too."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    svg = re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        f'<svg width="{QR_PIXELS}" height="{QR_PIXELS}"',
        image.to_string(encoding="unicode"),
    )
    # The SVG holds only path data computed from our own address; no user text reaches it.
    return mark_safe(svg)  # noqa: S308
