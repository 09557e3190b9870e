from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import Contribution, NavItem, NavSection
from somu.notify import permissions as p


class NotifyConfig(AppConfig):
    name = "somu.notify"
    label = "notify"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.notify.urls",
        url_prefix="notifications/",
        api=(("/notifications", "somu.notify.api:router"),),
        permissions=p.PERMISSIONS,
        nav=(NavSection("notifications", _("Notifications"), order=80, items=(
            NavItem(_("Notification settings"), "notify:settings", (p.MANAGE_NOTIFICATIONS,),
                    active=("/notifications/settings",)),
        )),),
        home_attention=("somu.notify.home:attention",),
        header=("somu.notify.views:bell",),
        account_sections=("somu.notify.views:preferences_section",),
        audit="somu.notify.audit_vocabulary:VOCABULARY",
        isolation="somu.notify.tests.isolation:records_of_b",
    )

    def ready(self) -> None:
        # The worker's jobs: digests (after the launches the digest sections name), immediate
        # emails, sends and the pruning of old notifications.
        from somu.notify import jobs  # noqa: F401
