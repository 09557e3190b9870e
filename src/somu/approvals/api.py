"""The approvals API: /api/v1/approvals/…"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["approvals"])
