from django.urls import path

from gonghui.core import audit_views, health, job_views, notification_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("jobs/", job_views.job_list, name="jobs"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job_download"),
    path("jobs/<int:pk>/retry/", job_views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/cancel/", job_views.job_cancel, name="job_cancel"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
    path("notifications/read-all/", notification_views.notifications_read_all, name="notifications_read_all"),
]
