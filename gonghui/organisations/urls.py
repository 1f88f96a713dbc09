from django.urls import path

from gonghui.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("todos/", views.workbench_todos, name="todos"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/children/", views.organisation_children, name="children"),
    path("<int:pk>/unions/", views.union_list, name="unions"),
    path("union-options/", views.union_options, name="union_options"),
    path("employer-options/", views.employer_options, name="employer_options"),
]
