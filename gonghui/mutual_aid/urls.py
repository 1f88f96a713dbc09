from django.urls import path

from gonghui.mutual_aid import batch_views, claim_views, enrolment_views, payment_views, views

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
    path("payments/", payment_views.payment_batch_list, name="payment_batches"),
    path("payments/new/", payment_views.payment_batch_new, name="payment_batch_new"),
    path("payments/<int:pk>/", payment_views.payment_batch_detail, name="payment_batch"),
    path("payments/<int:pk>/transfer.<str:fmt>", payment_views.payment_transfer_file, name="payment_transfer_file"),
    path("payments/<int:pk>/paid/", payment_views.payment_batch_paid, name="payment_batch_paid"),
    path("payments/<int:pk>/cancel/", payment_views.payment_batch_cancel, name="payment_batch_cancel"),
    path("people/<int:person_id>/bank-account/", payment_views.bank_account_edit, name="bank_account"),
    path("people/<int:person_id>/bank-account/reveal/", payment_views.bank_account_reveal, name="bank_account_reveal"),
    path("me/bank-account/", payment_views.my_bank_account, name="my_bank_account"),
    path("enrol/", enrolment_views.enrol_index, name="enrol"),
    path("enrol/<int:year>/<int:union_id>/", enrolment_views.enrol_list, name="enrol_list"),
    path("enrol/<int:year>/<int:union_id>/all/", enrolment_views.enrol_all, name="enrol_all"),
    path("enrol/<int:year>/<int:union_id>/select/", enrolment_views.enrol_select, name="enrol_select"),
    path("enrol/<int:year>/<int:union_id>/upload/", enrolment_views.enrol_upload, name="enrol_upload"),
    path("enrol/<int:year>/<int:union_id>/print/", enrolment_views.enrol_print, name="enrol_print"),
    path("enrol/<int:year>/<int:union_id>/pay/", enrolment_views.enrol_pay, name="enrol_pay"),
    path("me/", enrolment_views.my_cover, name="my_cover"),
]
