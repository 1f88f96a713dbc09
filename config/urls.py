from django.conf import settings
from django.conf.urls.static import static
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
    path("", include("gonghui.core.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
