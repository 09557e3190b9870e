from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "somu.procedures"
    label = "procedures"
    verbose_name = _("Procedures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The worker's jobs: schedules first, then the digests (run after them) and sends.
        from somu.procedures import notify_jobs, schedule_jobs  # noqa: F401
