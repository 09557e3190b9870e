"""The plans tests' shared fixtures: the API client under /api/v1/plans, and the small office
whose KPI values are computed by hand (:mod:`.kpi_world`)."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from somu.org.models import Organization
from somu.plans.tests import kpi_world as w


@pytest.fixture(name="api_as")
def api_as_fixture(api_as: Any) -> Any:
    return functools.partial(api_as, prefix="/api/v1/plans")


@pytest.fixture
def world(org_a: Organization, people_a: Any) -> w.World:
    return w.build(org_a, people_a)
