from django.urls import path

from gonghui.core import audit_views, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("audit/", audit_views.audit_log, name="audit_log"),
]
