"""/api/v1/plans/: items."""

from ninja import Router

router = Router(tags=["plans"])
