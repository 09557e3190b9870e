from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "somu.core"
    label = "core"
    verbose_name = "somu core"
