from django.urls import path

from gonghui.mutual_aid import batch_views, views

app_name = "mutual_aid"
urlpatterns = [
    path("", views.scheme_list, name="schemes"),
    path("<int:year>/rules/", views.rule_set_list, name="rule_sets"),
    path("<int:year>/rules/<int:version>/", views.rule_set_edit, name="rule_set_edit"),
    path("<int:year>/rules/<int:version>/try/", views.rule_set_try, name="rule_set_try"),
    path("settlements/", batch_views.batch_list, name="batches"),
    path("settlements/<int:batch_id>/", batch_views.batch_detail, name="batch"),
    path("settlements/<int:batch_id>/issues.xlsx", batch_views.batch_issues, name="batch_issues"),
    path("settlements/<int:batch_id>/approve/", batch_views.batch_approve, name="batch_approve"),
    path("settlements/<int:batch_id>/reject/", batch_views.claim_reject, name="claim_reject"),
]
