"""Demo data of the org app (placeholder: to be filled with 株式会社サンプル)."""

from __future__ import annotations

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services
from somu.org.models import User

DEMO_SLUG = "sample"


def load(*, admin: User, password: str) -> None:
    org = services.organization_create(actor=None, name="株式会社サンプル", slug=DEMO_SLUG)
    with tenancy.activate(org):
        services.membership_set(actor=None, user=admin, role=Role.ADMIN)
