"""/api/v1/plans/: reports."""

from ninja import Router

router = Router(tags=["plans"])
