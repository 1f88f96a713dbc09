from django.urls import path

from gonghui.members import realname_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("export.xlsx", views.member_export, name="export"),
    path("exports/", views.member_export_start, name="export_start"),
    path("exports/realname/", realname_views.realname_export, name="realname_export"),
    path("me/", views.my_membership, name="my_membership"),
    path("add/", views.member_add, name="add"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:pk>/transfer/", views.transfer_start, name="transfer_start"),
    path("<int:pk>/leave/", views.member_leave, name="leave"),
    path("transfers/", views.transfer_inbox, name="transfers"),
    path("transfers/<int:pk>/confirm/", views.transfer_decide, {"action": "confirm"}, name="transfer_confirm"),
    path("transfers/<int:pk>/refuse/", views.transfer_decide, {"action": "refuse"}, name="transfer_refuse"),
    path("transfers/<int:pk>/cancel/", views.transfer_decide, {"action": "cancel"}, name="transfer_cancel"),
    path("import/", views.roster_import, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("import/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
]
