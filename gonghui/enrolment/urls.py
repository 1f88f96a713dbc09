from django.urls import path

from gonghui.enrolment import views

app_name = "enrolment"
urlpatterns = [
    path("", views.apply, name="apply"),
    path("done/", views.done, name="done"),
    path("status/", views.status, name="status"),
    path("unions/", views.union_options, name="union_options"),
    path("applications/", views.application_list, name="list"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/accept/", views.application_accept, name="accept"),
    path("applications/<int:pk>/refuse/", views.application_refuse, name="refuse"),
]
