from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import Contribution


class NotifyConfig(AppConfig):
    name = "somu.notify"
    label = "notify"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.notify.urls",
        url_prefix="notifications/",
        api=(("/notifications", "somu.notify.api:router"),),
        header=("somu.notify.views:bell",),
        account_sections=("somu.notify.views:preferences_section",),
        audit="somu.notify.audit_vocabulary:VOCABULARY",
        isolation="somu.notify.tests.isolation:records_of_b",
    )
