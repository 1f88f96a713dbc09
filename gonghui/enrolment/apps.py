from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "gonghui.enrolment"
    label = "enrolment"
    verbose_name = "入会申请"
