from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import Command, Contribution


class JobsConfig(AppConfig):
    name = "somu.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(commands=(
        Command("worker", "run the background jobs of every app: scheduled launches, "
                "notifications (several may run at once)", "worker"),
    ))

    def ready(self) -> None:
        from somu.jobs.queue import check_lease

        # A lease shorter than a hung mail server's timeout would hand a send that is still in
        # progress to a second worker: refuse to start rather than send twice.
        check_lease()
