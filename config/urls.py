from django.contrib import admin
from django.urls import include, path

from gonghui.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("members/me/", include("gonghui.privacy.urls")),
    path("members/", include("gonghui.members.urls")),
    path("organisations/", include("gonghui.organisations.urls")),
    path("reports/", include("gonghui.reports.urls")),
    path("join/", include("gonghui.enrolment.urls")),
    path("mutual-aid/", include("gonghui.mutual_aid.urls")),
    path("", include("gonghui.core.urls")),
]
# Nothing under MEDIA_URL is served, in debug either: uploaded rosters are personal data and are
# read only by the import job; an error report is downloaded through its scoped view.
