"""/api/v1/plans/: strategy."""

from ninja import Router

router = Router(tags=["plans"])
