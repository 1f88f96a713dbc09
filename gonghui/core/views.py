from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from gonghui.core.access import Role, request_scope


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request_scope(request).role == Role.MEMBER:
        return redirect("members:my_membership")
    return redirect("organisations:workbench")
