"""Template helpers for member pages: masked personal numbers, where an identity number was
issued, and registered sections."""

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.sections import RenderedSection
from gonghui.members.identity import id_region_name

register = template.Library()


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value or "")


@register.filter
def masked_mobile(value: str | None) -> str:
    return mask_mobile(value or "")


@register.filter
def id_region(value: str | None) -> str:
    """Where the number was issued, by its first six digits (shown in the masked number too)."""
    return id_region_name(value or "") or ""


@register.simple_tag(takes_context=True)
def member_section(context: template.Context, rendered: RenderedSection) -> SafeString:
    """Render a programme's section with its own context plus the person and the viewer."""
    extra: dict[str, Any] = {"person": context.get("person"), "scope": context.get("scope")}
    return render_to_string(rendered.section.template, {**extra, **rendered.context}, request=context.get("request"))
