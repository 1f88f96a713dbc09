from typing import Any

from django import template

from gonghui.core.navigation import ShownEntry, nav_entries_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_entries(context: dict[str, Any]) -> list[ShownEntry]:
    """The navigation entries for the viewer (the `scope` the context processor set)."""
    scope = context.get("scope")
    request = context.get("request")
    if scope is None or request is None:
        return []
    return nav_entries_for(scope=scope, match=getattr(request, "resolver_match", None))
