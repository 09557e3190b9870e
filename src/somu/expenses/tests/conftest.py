from __future__ import annotations

from collections.abc import Callable

import pytest

from somu.approvals.tests.builders import World, build_world
from somu.expenses.tests.builders import expense_rules
from somu.org.models import Organization, User


@pytest.fixture
def world(org_a: Organization, make_user: Callable[..., User]) -> World:
    """approvals' test company, the expense defaults and the 規程 rows for the expense types."""
    w = build_world(org_a, make_user)
    expense_rules(w)
    return w
