from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "somu.org"
    label = "org"
    verbose_name = "Organization"
