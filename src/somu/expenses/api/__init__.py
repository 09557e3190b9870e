"""/api/v1/expenses/: one router for ``core.api`` to mount, assembled from one module per
subdomain (claims and their lines and receipts; accounting: periods, payments, exports, search;
admin: accounts, rules, settings; the invoice registry). Thin and typed: a permission, a lookup,
then a service or a selector — every rule is in the services."""

from ninja import Router

from somu.expenses.api import registry

router = Router()
router.add_router("", registry.router)
