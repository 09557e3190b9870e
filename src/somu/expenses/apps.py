from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.core.registry import Command, Contribution, NavItem, NavSection
from somu.expenses import permissions as p


class ExpensesConfig(AppConfig):
    name = "somu.expenses"
    label = "expenses"
    verbose_name = _("Expenses and payments")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.expenses.urls",
        url_prefix="expenses/",
        api=(("/expenses", "somu.expenses.api:router"),),
        permissions=p.PERMISSIONS,
        # The employee pages add their items to this section (経費精算, 仮払).
        nav=(NavSection("expenses", pgettext_lazy("nav", "Expenses"), order=37, items=(
            NavItem(_("Chart of accounts (勘定科目)"), "expenses:account_list",
                    (p.MANAGE_EXPENSES, p.PROCESS_EXPENSES), active=("/expenses/accounts",)),
            NavItem(_("Expense rules (規程チェック)"), "expenses:rule_list",
                    (p.MANAGE_EXPENSES, p.PROCESS_EXPENSES), active=("/expenses/rules",)),
            NavItem(_("Expense settings"), "expenses:settings",
                    (p.MANAGE_EXPENSES, p.PROCESS_EXPENSES),
                    active=("/expenses/settings", "/expenses/journal-names")),
        )),),
        audit="somu.expenses.audit_vocabulary:VOCABULARY",
        isolation="somu.expenses.tests.isolation:records_of_b",
        demo="somu.expenses.demo:load_demo",
        demo_after=("approvals",),
        account_sections=("somu.expenses.views.registry:account_section",),
        commands=(
            Command("expenses import-invoice-registry",
                    "import the NTA's 適格請求書発行事業者 files (full or daily difference CSV) "
                    "into the offline invoice registry",
                    "expenses_import_invoice_registry"),
        ),
    )

    def ready(self) -> None:
        from somu.approvals import kinds
        from somu.expenses import kinds as expense_kinds

        for kind in expense_kinds.KINDS:
            kinds.register(kind)


