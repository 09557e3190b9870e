"""/api/v1/expenses/: claims, lines, receipts, advances, periods, exports, registry lookups."""

from ninja import Router

router = Router()
