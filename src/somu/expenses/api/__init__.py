"""/api/v1/expenses/: one router for ``core.api`` to mount, assembled from one module per
subdomain. Thin and typed: a permission, a lookup, then a service or a selector — every rule is
in the services, so the pages and the API refuse the same things. Ids of another organization
are not found (the tenancy scope), so they answer 404 like unknown ids.

- :mod:`.claims` — claims and advances: the list, drafts, lines, receipts, the live 規程チェック,
  submitting and corrections
- :mod:`.admin` — the chart of accounts, the 規程チェック rules and the settings

- :mod:`.accounting` — bank accounts, 締め and their files, the 電帳法 search and its ZIP
"""

from ninja import Router

from somu.expenses.api import accounting, admin, claims, registry

router = Router()
# The order is the order of the paths in the OpenAPI document.
for module in (claims, accounting, admin, registry):
    router.add_router("", module.router)
