"""/api/v1/plans/: one router for ``core.api`` to mount, assembled from one module per area.
Thin and typed: a permission, a lookup, then a service or a selector — every rule is in the
services, so the pages and the API refuse the same things.

- :mod:`.strategy` — the vision, KPIs (values, trends, rows), readings and reviews
- :mod:`.items` — improvement items and the work they start
- :mod:`.scenarios` — scenarios, their recomputed analysis, the optimizer's proposals
- :mod:`.reports` — activity reports
"""

from ninja import Router

from somu.plans.api import items, reports, scenarios, strategy

router = Router()
# The order is the order of the paths in the OpenAPI document.
for module in (strategy, items, scenarios, reports):
    router.add_router("", module.router)
