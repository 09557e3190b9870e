from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "somu.audit"
    label = "audit"
    verbose_name = "Audit log"
