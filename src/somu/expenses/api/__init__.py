"""/api/v1/expenses/: one router for ``core.api`` to mount, assembled from one module per
subdomain (claims and their lines and receipts; accounting: periods, payments, exports, search;
admin: accounts, rules, settings; the invoice registry). Thin and typed: a permission, a lookup,
then a service or a selector — every rule is in the services.

- :mod:`.accounting` — bank accounts, 締め and their files, the 電帳法 search and its ZIP
"""

from ninja import Router

from somu.expenses.api import accounting

router = Router()
# The order is the order of the paths in the OpenAPI document.
for module in (accounting,):
    router.add_router("", module.router)
