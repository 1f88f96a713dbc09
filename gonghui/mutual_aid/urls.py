from django.urls import path

from gonghui.mutual_aid import enrolment_views, views

app_name = "mutual_aid"
urlpatterns = [
    path("", views.scheme_list, name="schemes"),
    path("<int:year>/rules/", views.rule_set_list, name="rule_sets"),
    path("<int:year>/rules/<int:version>/", views.rule_set_edit, name="rule_set_edit"),
    path("<int:year>/rules/<int:version>/try/", views.rule_set_try, name="rule_set_try"),
    path("enrol/", enrolment_views.enrol_index, name="enrol"),
    path("enrol/<int:year>/<int:union_id>/", enrolment_views.enrol_list, name="enrol_list"),
    path("enrol/<int:year>/<int:union_id>/all/", enrolment_views.enrol_all, name="enrol_all"),
    path("enrol/<int:year>/<int:union_id>/select/", enrolment_views.enrol_select, name="enrol_select"),
    path("enrol/<int:year>/<int:union_id>/upload/", enrolment_views.enrol_upload, name="enrol_upload"),
    path("enrol/<int:year>/<int:union_id>/print/", enrolment_views.enrol_print, name="enrol_print"),
    path("enrol/<int:year>/<int:union_id>/pay/", enrolment_views.enrol_pay, name="enrol_pay"),
    path("me/", enrolment_views.my_cover, name="my_cover"),
]
