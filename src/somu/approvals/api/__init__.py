"""/api/v1/approvals/: one router for ``core.api`` to mount, assembled from one module per
subdomain. Thin and typed: a permission, a lookup, then a service (writes) or a selector (reads);
every rule is in the services, so the pages and the API refuse the same things. Ids of another
organization are not found (the tenancy scope), so they answer 404 like unknown ids.

- :mod:`.requests` — requests: list (the page's filter parser), drafts, submit, recall, the
  route, history, revisions and files
- :mod:`.decisions` — the inbox, deciding, 回覧, 合議 participants, 後閲
- :mod:`.delegations` — 代理承認 periods
- :mod:`.admin` — request types, the 決裁権限規程 revisions and the rule tester
"""

from ninja import Router

from somu.approvals.api import admin, decisions, delegations, requests

router = Router()
# The order is the order of the paths in the OpenAPI document.
for module in (admin, requests, decisions, delegations):
    router.add_router("", module.router)
