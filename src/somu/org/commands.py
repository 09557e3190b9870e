"""Helpers shared by the management commands behind `somu … --org SLUG [--actor USERNAME]`."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from somu.org.models import Organization, User


def organization_and_actor(
    slug: str, username: str | None = None
) -> tuple[Organization, User | None]:
    """The organization named by ``--org`` and the user named by ``--actor`` (None: system)."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(_("No organization with slug %(slug)r.") % {"slug": slug})
    if not username:
        return organization, None
    actor = User.objects.filter(username=username).first()
    if actor is None:
        raise CommandError(_("No user %(name)r.") % {"name": username})
    return organization, actor
