from django.urls import path

from gonghui.core import audit_views, health, notification_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
    path("notifications/read-all/", notification_views.notifications_read_all, name="notifications_read_all"),
]
