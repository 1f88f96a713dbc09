from typing import Any

from django import template

from gonghui.core.errors import Forbidden
from gonghui.privacy.selectors import consent_overview

register = template.Library()


@register.inclusion_tag("privacy/_my_privacy.html", takes_context=True)
def my_privacy(context: dict[str, Any]) -> dict[str, Any]:
    """The consents and data-download section of a member's own page."""
    scope = context.get("scope")
    try:
        consents = consent_overview(scope=scope) if scope is not None else []
    except Forbidden:
        consents = []
    return {"consents": consents, "csrf_token": context.get("csrf_token")}
