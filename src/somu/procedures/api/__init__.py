"""/api/v1/procedures/: one router for ``core.api`` to mount, assembled from one module per
subdomain. Thin and typed: permissions, then services (writes) or selectors (reads). Ids of
another organization are not found (the tenancy scope), so they answer 404 like unknown ids.

- :mod:`.templates` — templates, their versions, import/export, preview, and the library
- :mod:`.runs` — listing, launching (one or in bulk), reading and cancelling runs
- :mod:`.steps` — working on steps; my tasks, the board, the due calendar, insights
- :mod:`.schedules` — recurring launches
- :mod:`.handover` — bulk handovers (引継ぎ)

Operation ids are spelled out on each operation (they were derived from the module names
before the split), so the OpenAPI document does not change when code moves.
"""

from ninja import Router

from somu.procedures.api import handover, runs, schedules, steps, templates

router = Router()
# The order is the order of the paths in the OpenAPI document.
for module in (templates, runs, schedules, handover, steps):
    router.add_router("", module.router)
