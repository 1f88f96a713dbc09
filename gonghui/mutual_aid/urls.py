from django.urls import path

from gonghui.mutual_aid import batch_views, claim_views, views

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
    path("settlements/<int:batch_id>/reject/", batch_views.claim_reject, name="batch_claim_reject"),
    # member claims (claim_views.py): the member's own under me/, the staff's under claims/
    path("me/claims/", claim_views.my_claims, name="my_claims"),
    path("me/claims/new/", claim_views.my_claim_new, name="my_claim_new"),
    path("me/claims/<int:claim_id>/", claim_views.my_claim, name="my_claim"),
    path("claims/", claim_views.claim_queue, name="claims"),
    path("claims/<int:claim_id>/", claim_views.claim_detail, name="claim_detail"),
    path("claims/<int:claim_id>/check/", claim_views.claim_check, name="claim_check"),
    path("claims/<int:claim_id>/approve/", claim_views.claim_approve, name="claim_approve"),
    path("claims/<int:claim_id>/reject/", claim_views.claim_reject, name="claim_reject"),
    path("claims/<int:claim_id>/invoices/<int:photo>/", claim_views.claim_invoice, name="claim_invoice"),
]
