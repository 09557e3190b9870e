"""Organization B's strategy records, for the isolation walker."""

from __future__ import annotations

from typing import Any

from somu.core.registry import Isolation
from somu.org.models import Organization, User


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    return Isolation(ids={})
