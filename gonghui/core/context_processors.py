from typing import Any

from django.http import HttpRequest

from gonghui.core.access import request_scope
from gonghui.core.errors import Forbidden


def scope(request: HttpRequest) -> dict[str, Any]:
    try:
        return {"scope": request_scope(request)}
    except Forbidden:
        return {"scope": None}
