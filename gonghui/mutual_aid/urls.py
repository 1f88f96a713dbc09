from django.urls import path

from gonghui.mutual_aid import payment_views, views

app_name = "mutual_aid"
urlpatterns = [
    path("", views.scheme_list, name="schemes"),
    path("<int:year>/rules/", views.rule_set_list, name="rule_sets"),
    path("<int:year>/rules/<int:version>/", views.rule_set_edit, name="rule_set_edit"),
    path("<int:year>/rules/<int:version>/try/", views.rule_set_try, name="rule_set_try"),
    path("payments/", payment_views.payment_batch_list, name="payment_batches"),
    path("payments/new/", payment_views.payment_batch_new, name="payment_batch_new"),
    path("payments/<int:pk>/", payment_views.payment_batch_detail, name="payment_batch"),
    path("payments/<int:pk>/transfer.<str:fmt>", payment_views.payment_transfer_file, name="payment_transfer_file"),
    path("payments/<int:pk>/paid/", payment_views.payment_batch_paid, name="payment_batch_paid"),
    path("payments/<int:pk>/cancel/", payment_views.payment_batch_cancel, name="payment_batch_cancel"),
    path("people/<int:person_id>/bank-account/", payment_views.bank_account_edit, name="bank_account"),
    path("people/<int:person_id>/bank-account/reveal/", payment_views.bank_account_reveal, name="bank_account_reveal"),
    path("me/bank-account/", payment_views.my_bank_account, name="my_bank_account"),
]
