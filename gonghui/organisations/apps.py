from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "gonghui.organisations"
    label = "organisations"
    verbose_name = "组织建设"
