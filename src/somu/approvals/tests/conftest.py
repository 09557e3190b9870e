from __future__ import annotations

from collections.abc import Callable

import pytest

from somu.approvals.tests.builders import World, build_world, install_rules
from somu.org.models import Organization, User


@pytest.fixture
def world(org_a: Organization, make_user: Callable[..., User]) -> World:
    """The company of :mod:`builders` with the standard 規程 in force from 2026-04-01."""
    w = build_world(org_a, make_user)
    install_rules(w)
    return w
