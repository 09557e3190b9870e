"""/api/v1/plans/: scenarios."""

from ninja import Router

router = Router(tags=["plans"])
